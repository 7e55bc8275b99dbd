// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {AddressAliasHelper} from "./AddressAliasHelper.sol";
import {IBridge} from "./IBridge.sol";
import {OwnablePausable} from "./OwnablePausable.sol";

/// @title Fuse L2 Bridge
/// @notice Escrows FUSE (L1's native coin) for the L2 and queues deposits: plain transfers
///         (kind 0) and messages that call an L2 contract (kind 1). Every deposit gets the next
///         index and extends a hash accumulator; the `DepositQueued` event carries all L2 needs.
///         The sequencer includes deposits in order and validators check them against this
///         contract (DESIGN.md §3a). Withdrawals are paid from the escrow by the Outbox through
///         `executeCall`. Wire format: docs/bridge.md.
contract Bridge is IBridge, OwnablePausable, ReentrancyGuard {
    /// @notice Kind of a plain FUSE deposit (`depositNative`).
    uint8 public constant KIND_NATIVE = 0;
    /// @notice Kind of an L1-to-L2 message (`sendMessage`).
    uint8 public constant KIND_MESSAGE = 1;

    /// @notice A deposit was queued. `depositHash = keccak256(abi.encode(kind, index, l2From, to,
    ///         value, l2GasLimit, l1BlockNumber, l1Timestamp, keccak256(data)))` and
    ///         `acc = keccak256(previous acc ‖ depositHash)` (docs/bridge.md).
    event DepositQueued(
        uint256 indexed index,
        address indexed l2From,
        address indexed to,
        uint8 kind,
        uint256 value,
        uint256 l2GasLimit,
        uint256 l1BlockNumber,
        uint256 l1Timestamp,
        bytes data,
        bytes32 depositHash,
        bytes32 acc
    );
    /// @notice The Outbox allowed to call `executeCall` changed.
    event OutboxSet(address indexed outbox);
    /// @notice The fee per unit of L2 gas of a message changed.
    event L2GasPriceSet(uint256 l2GasPrice);
    /// @notice The bounds on messages changed.
    event MessageLimitsSet(uint256 maxDataSize, uint256 minL2GasLimit, uint256 maxL2GasLimit);
    /// @notice The owner withdrew collected fees.
    event FeesWithdrawn(address indexed to, uint256 amount);
    /// @notice The Outbox paid `value` from the escrow to `to` and called it (successfully).
    event BridgeCallExecuted(address indexed outbox, address indexed to, uint256 value);

    /// @notice `depositNative` without value.
    error ZeroValue();
    /// @notice A zero address where a real one is required.
    error ZeroAddress();
    /// @notice `msg.value` does not cover the message fee `l2GasLimit * l2GasPrice`.
    error InsufficientFee(uint256 fee, uint256 value);
    /// @notice The message data is longer than `maxDataSize`.
    error DataTooLarge(uint256 size, uint256 maxDataSize);
    /// @notice The message's L2 gas limit is below `minL2GasLimit`.
    error L2GasLimitTooLow(uint256 l2GasLimit, uint256 minL2GasLimit);
    /// @notice The message's L2 gas limit is above `maxL2GasLimit`.
    error L2GasLimitTooHigh(uint256 l2GasLimit, uint256 maxL2GasLimit);
    /// @notice `minL2GasLimit > maxL2GasLimit`, or `maxL2GasLimit == 0`.
    error InvalidLimits(uint256 minL2GasLimit, uint256 maxL2GasLimit);
    /// @notice `executeCall` from another address than the Outbox.
    error NotOutbox(address sender);
    /// @notice A withdrawal asks for more than the escrow (balance minus fees) holds.
    error InsufficientEscrow(uint256 value, uint256 escrow);
    /// @notice `withdrawFees` asks for more than the collected fees.
    error InsufficientFees(uint256 amount, uint256 feesCollected);
    /// @notice Sending the fees to their recipient failed.
    error FeeTransferFailed(address to);
    /// @notice There is no deposit with this index (yet).
    error DepositNotFound(uint256 index, uint256 depositCount);

    /// @inheritdoc IBridge
    address public outbox;
    /// @inheritdoc IBridge
    uint256 public l2GasPrice;
    /// @notice Largest message `data`, in bytes.
    uint64 public maxDataSize;
    /// @notice Smallest L2 gas limit a message may ask for.
    uint64 public minL2GasLimit;
    /// @notice Largest L2 gas limit a message may ask for.
    uint64 public maxL2GasLimit;
    /// @notice Message fees collected and not yet withdrawn; never part of the escrow.
    uint256 public feesCollected;
    /// @notice Sum of the L2 values of all deposits: the FUSE minted on L2.
    uint256 public totalDeposited;
    /// @notice Sum of the values the Outbox paid out of the escrow.
    uint256 public totalWithdrawn;

    bytes32[] private _accs;

    /// @param initialOwner receives the owner role (limits, fees, Outbox, pause).
    /// @param outbox_ the Outbox allowed to pay withdrawals, non-zero.
    /// @param l2GasPrice_ message fee per unit of L2 gas, in wei.
    /// @param maxDataSize_ largest message data, in bytes.
    /// @param minL2GasLimit_ smallest message L2 gas limit.
    /// @param maxL2GasLimit_ largest message L2 gas limit, `>= minL2GasLimit_` and non-zero.
    constructor(
        address initialOwner,
        address outbox_,
        uint256 l2GasPrice_,
        uint64 maxDataSize_,
        uint64 minL2GasLimit_,
        uint64 maxL2GasLimit_
    ) Ownable(initialOwner) {
        _setOutbox(outbox_);
        _setL2GasPrice(l2GasPrice_);
        _setMessageLimits(maxDataSize_, minL2GasLimit_, maxL2GasLimit_);
    }

    /// @inheritdoc IBridge
    /// @dev Reverts `ZeroValue` without value, `ZeroAddress` for `to == 0`, `EnforcedPause` when
    ///      paused.
    function depositNative(address to) external payable whenNotPaused returns (uint256 index) {
        if (msg.value == 0) revert ZeroValue();
        if (to == address(0)) revert ZeroAddress();
        return _deposit(KIND_NATIVE, to, msg.value, 0, msg.data[0:0]);
    }

    /// @inheritdoc IBridge
    /// @dev Checks, in order: not paused, `to != 0`, `minL2GasLimit <= l2GasLimit <= maxL2GasLimit`,
    ///      `data.length <= maxDataSize`, fee `<= msg.value`. The fee stays here (`feesCollected`).
    ///      Reads the three limits from one storage slot.
    function sendMessage(address to, uint256 l2GasLimit, bytes calldata data)
        external
        payable
        whenNotPaused
        returns (uint256 index)
    {
        if (to == address(0)) revert ZeroAddress();
        if (l2GasLimit < minL2GasLimit) revert L2GasLimitTooLow(l2GasLimit, minL2GasLimit);
        if (l2GasLimit > maxL2GasLimit) revert L2GasLimitTooHigh(l2GasLimit, maxL2GasLimit);
        if (data.length > maxDataSize) revert DataTooLarge(data.length, maxDataSize);
        uint256 fee = l2GasLimit * l2GasPrice;
        if (fee > msg.value) revert InsufficientFee(fee, msg.value);
        feesCollected += fee;
        return _deposit(KIND_MESSAGE, to, msg.value - fee, l2GasLimit, data);
    }

    /// @inheritdoc IBridge
    /// @dev Pays from the escrow only (balance minus `feesCollected`). A failed call returns
    ///      `success = false` and changes nothing here; the Outbox then reverts the claim.
    function executeCall(address to, uint256 value, bytes calldata data)
        external
        returns (bool success, bytes memory returnData)
    {
        if (msg.sender != outbox) revert NotOutbox(msg.sender);
        uint256 held = address(this).balance - feesCollected;
        if (value > held) revert InsufficientEscrow(value, held);
        totalWithdrawn += value;
        (success, returnData) = to.call{value: value}(data);
        if (success) {
            emit BridgeCallExecuted(msg.sender, to, value);
        } else {
            totalWithdrawn -= value;
        }
    }

    /// @notice Number of deposits so far = the index of the next one.
    function depositCount() external view returns (uint256) {
        return _accs.length;
    }

    /// @notice The accumulator after deposit `index`; reverts `DepositNotFound` if there is none.
    function depositAccs(uint256 index) external view returns (bytes32) {
        uint256 count = _accs.length;
        if (index >= count) revert DepositNotFound(index, count);
        return _accs[index];
    }

    /// @notice The FUSE held for L2: the balance minus the collected fees.
    function escrow() external view returns (uint256) {
        return address(this).balance - feesCollected;
    }

    /// @notice `l1Address + 0x1111000000000000000000000000000000001111` (mod 2^160): the L2
    ///         sender of a deposit made by an L1 contract.
    function applyL1ToL2Alias(address l1Address) external pure returns (address) {
        return AddressAliasHelper.applyL1ToL2Alias(l1Address);
    }

    /// @notice The inverse of `applyL1ToL2Alias`.
    function undoL1ToL2Alias(address l2Address) external pure returns (address) {
        return AddressAliasHelper.undoL1ToL2Alias(l2Address);
    }

    /// @notice Sets the Outbox allowed to call `executeCall`. Owner only.
    function setOutbox(address outbox_) external onlyOwner {
        _setOutbox(outbox_);
    }

    /// @notice Sets the message fee per unit of L2 gas, in wei. Owner only.
    function setL2GasPrice(uint256 l2GasPrice_) external onlyOwner {
        _setL2GasPrice(l2GasPrice_);
    }

    /// @notice Sets the bounds on message data size and L2 gas limit. Owner only.
    function setMessageLimits(uint64 maxDataSize_, uint64 minL2GasLimit_, uint64 maxL2GasLimit_)
        external
        onlyOwner
    {
        _setMessageLimits(maxDataSize_, minL2GasLimit_, maxL2GasLimit_);
    }

    /// @notice Sends `amount` of the collected fees to `to`. Owner only; never touches the escrow.
    function withdrawFees(address to, uint256 amount) external onlyOwner nonReentrant {
        if (to == address(0)) revert ZeroAddress();
        uint256 fees = feesCollected;
        if (amount > fees) revert InsufficientFees(amount, fees);
        feesCollected = fees - amount;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert FeeTransferFailed(to);
        emit FeesWithdrawn(to, amount);
    }

    /// @dev Appends one deposit: index, hash, accumulator, total, event.
    function _deposit(uint8 kind, address to, uint256 value, uint256 l2GasLimit, bytes calldata data)
        private
        returns (uint256 index)
    {
        // Contracts are aliased on L2 (they do not own their address there); EOAs are not.
        address l2From =
            msg.sender == tx.origin ? msg.sender : AddressAliasHelper.applyL1ToL2Alias(msg.sender);
        index = _accs.length;
        bytes32 depositHash = keccak256(
            abi.encode(kind, index, l2From, to, value, l2GasLimit, block.number, block.timestamp, keccak256(data))
        );
        bytes32 acc = keccak256(abi.encodePacked(index == 0 ? bytes32(0) : _accs[index - 1], depositHash));
        _accs.push(acc);
        totalDeposited += value;
        emit DepositQueued(
            index, l2From, to, kind, value, l2GasLimit, block.number, block.timestamp, data, depositHash, acc
        );
    }

    function _setOutbox(address outbox_) private {
        if (outbox_ == address(0)) revert ZeroAddress();
        outbox = outbox_;
        emit OutboxSet(outbox_);
    }

    function _setL2GasPrice(uint256 l2GasPrice_) private {
        l2GasPrice = l2GasPrice_;
        emit L2GasPriceSet(l2GasPrice_);
    }

    function _setMessageLimits(uint64 maxDataSize_, uint64 minL2GasLimit_, uint64 maxL2GasLimit_) private {
        if (maxL2GasLimit_ == 0 || minL2GasLimit_ > maxL2GasLimit_) {
            revert InvalidLimits(minL2GasLimit_, maxL2GasLimit_);
        }
        maxDataSize = maxDataSize_;
        minL2GasLimit = minL2GasLimit_;
        maxL2GasLimit = maxL2GasLimit_;
        emit MessageLimitsSet(maxDataSize_, minL2GasLimit_, maxL2GasLimit_);
    }
}
