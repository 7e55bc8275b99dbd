// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBridge} from "./IBridge.sol";
import {IOutbox} from "./IOutbox.sol";
import {MerkleLib} from "./MerkleLib.sol";
import {OwnablePausable} from "./OwnablePausable.sol";
import {RollupCore} from "./RollupCore.sol";

/// @title Fuse L2 Outbox
/// @notice Executes L2-to-L1 messages (ArbSys `withdrawEth` / `sendTxToL1` on L2): the caller
///         proves a leaf of a send root that RollupCore recorded, the root has aged past
///         `withdrawalDelay` and was not invalidated, and each leaf is executed once. The value is
///         paid from the Bridge's escrow and `to` is called with `data` through
///         `Bridge.executeCall`; a failing call reverts the whole claim (the leaf stays unspent).
///         Leaf encoding and proofs are Arbitrum's (docs/bridge.md).
/// @dev No challenge game: withdrawals are as safe as the proposer, the watchers, the delay and
///      the guardian, who can pause this contract and invalidate a send root.
contract Outbox is IOutbox, OwnablePausable, ReentrancyGuard {
    /// @notice A withdrawal was executed (Arbitrum's event; `zero` is always 0).
    event OutBoxTransactionExecuted(
        address indexed to, address indexed l2Sender, uint256 indexed zero, uint256 transactionIndex
    );
    /// @notice The guardian invalidated a send root: no claim against it succeeds any more.
    event SendRootInvalidated(bytes32 indexed sendRoot, address indexed by);
    /// @notice The withdrawal delay changed.
    event WithdrawalDelaySet(uint256 withdrawalDelay);
    /// @notice The guardian changed (zero: the owner alone).
    event GuardianSet(address indexed guardian);

    /// @notice `proof.length >= 256`.
    error ProofTooLong(uint256 proofLength);
    /// @notice `index >= 2 ** proof.length`: the index has bits the proof does not use.
    error PathNotMinimal(uint256 index, uint256 maxIndex);
    /// @notice The proof leads to a root RollupCore has not recorded (wrong leaf, index or proof).
    error UnknownRoot(bytes32 sendRoot);
    /// @notice The send root was invalidated by the guardian.
    error SendRootIsInvalidated(bytes32 sendRoot);
    /// @notice The send root has not aged past the delay; claimable from `claimableAt` (L1 time).
    error SendRootTooNew(bytes32 sendRoot, uint256 claimableAt);
    /// @notice The leaf was already executed.
    error AlreadySpent(uint256 index);
    /// @notice The call failed without revert data.
    error BridgeCallFailed();
    /// @notice Neither the owner nor the guardian.
    error NotOwnerOrGuardian(address sender);
    /// @notice A zero address where a real one is required.
    error ZeroAddress();

    /// @dev `l2ToL1Sender` outside a call (non-zero so that each claim's writes are cheap resets).
    address private constant SENDER_IDLE = address(type(uint160).max);
    uint96 private constant BLOCK_IDLE = type(uint96).max;
    uint128 private constant L1_BLOCK_IDLE = type(uint128).max;
    uint128 private constant TIMESTAMP_IDLE = type(uint128).max;

    /// @notice The rollup whose send roots are trusted.
    RollupCore public immutable rollup;
    /// @notice The escrow that pays withdrawals.
    IBridge public immutable bridge;

    /// @notice Seconds a send root must have been recorded (from its first posting) before a leaf
    ///         of it can be executed.
    uint256 public withdrawalDelay;
    /// @notice May pause and invalidate send roots, besides the owner (zero: nobody else).
    address public guardian;
    /// @notice Send roots the guardian invalidated.
    mapping(bytes32 => bool) public isSendRootInvalidated;

    /// @dev Bit `index % 256` of word `index / 256`: leaf `index` executed.
    mapping(uint256 => uint256) private _spent;

    /// @dev The withdrawal being executed; the IDLE values outside a call.
    address private _sender;
    uint96 private _l2Block;
    uint128 private _l1Block;
    uint128 private _timestamp;

    /// @param initialOwner receives the owner role (delay, guardian, pause, invalidation).
    /// @param rollup_ the RollupCore that records the send roots.
    /// @param bridge_ the Bridge that pays; its owner must set this Outbox (`setOutbox`).
    /// @param withdrawalDelay_ seconds between a send root's first posting and its first claim.
    /// @param guardian_ may pause and invalidate besides the owner (zero: nobody else).
    constructor(
        address initialOwner,
        RollupCore rollup_,
        IBridge bridge_,
        uint256 withdrawalDelay_,
        address guardian_
    ) Ownable(initialOwner) {
        if (address(rollup_) == address(0) || address(bridge_) == address(0)) revert ZeroAddress();
        rollup = rollup_;
        bridge = bridge_;
        _setWithdrawalDelay(withdrawalDelay_);
        _setGuardian(guardian_);
        _resetContext();
    }

    /// @notice Executes leaf `index` of a recorded send root: pays `value` from the Bridge's escrow
    ///         to `to` and calls it with `data`. The leaf is
    ///         `keccak256(keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp,
    ///         value, data)))`; `proof` leads from it to the root (`MerkleLib.calculateRoot`).
    ///         Checks, in order: not paused, proof length, index range, root recorded, root not
    ///         invalidated, root aged, leaf not spent. A failing call reverts the claim.
    function executeTransaction(
        bytes32[] calldata proof,
        uint256 index,
        address l2Sender,
        address to,
        uint256 l2Block,
        uint256 l1Block,
        uint256 l2Timestamp,
        uint256 value,
        bytes calldata data
    ) external whenNotPaused nonReentrant {
        bytes32 itemHash = keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data));
        _checkAndSpend(proof, index, itemHash);

        // Context for the callee (nonReentrant: never nested). ArbOS's block numbers and
        // timestamps are 64-bit, so the narrower fields never truncate a real leaf's values.
        (_sender, _l2Block, _l1Block, _timestamp) =
            (l2Sender, uint96(l2Block), uint128(l1Block), uint128(l2Timestamp));
        (bool success, bytes memory returnData) = bridge.executeCall(to, value, data);
        _resetContext();
        if (!success) {
            if (returnData.length == 0) revert BridgeCallFailed();
            assembly ("memory-safe") {
                revert(add(returnData, 32), mload(returnData))
            }
        }
        emit OutBoxTransactionExecuted(to, l2Sender, 0, index);
    }

    /// @notice Whether leaf `index` was executed.
    function isSpent(uint256 index) public view returns (bool) {
        return (_spent[index >> 8] >> (index & 0xff)) & 1 == 1;
    }

    /// @notice The root `proof` leads to from leaf `index` holding `item` (Arbitrum's
    ///         `calculateMerkleRoot`: the item is hashed once more to form the leaf).
    function calculateMerkleRoot(bytes32[] calldata proof, uint256 index, bytes32 item)
        external
        pure
        returns (bytes32)
    {
        return MerkleLib.calculateRoot(proof, index, keccak256(abi.encodePacked(item)));
    }

    /// @notice Arbitrum's item hash of a withdrawal:
    ///         `keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data))`.
    function calculateItemHash(
        address l2Sender,
        address to,
        uint256 l2Block,
        uint256 l1Block,
        uint256 l2Timestamp,
        uint256 value,
        bytes calldata data
    ) external pure returns (bytes32) {
        return keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data));
    }

    /// @inheritdoc IOutbox
    function l2ToL1Sender() external view returns (address) {
        address s = _sender;
        return s == SENDER_IDLE ? address(0) : s;
    }

    /// @inheritdoc IOutbox
    function l2ToL1Block() external view returns (uint256) {
        uint96 b = _l2Block;
        return b == BLOCK_IDLE ? 0 : b;
    }

    /// @inheritdoc IOutbox
    function l2ToL1EthBlock() external view returns (uint256) {
        uint128 b = _l1Block;
        return b == L1_BLOCK_IDLE ? 0 : b;
    }

    /// @inheritdoc IOutbox
    function l2ToL1Timestamp() external view returns (uint256) {
        uint128 t = _timestamp;
        return t == TIMESTAMP_IDLE ? 0 : t;
    }

    /// @notice Invalidates `sendRoot` for good: no claim against it succeeds any more (leaves it
    ///         holds can still be claimed against a later valid root, which contains them too).
    ///         Owner or guardian.
    function invalidateSendRoot(bytes32 sendRoot) external {
        _checkOwnerOrGuardian();
        isSendRootInvalidated[sendRoot] = true;
        emit SendRootInvalidated(sendRoot, msg.sender);
    }

    /// @notice Stops claims. Owner or guardian; only the owner unpauses.
    function pause() external override {
        _checkOwnerOrGuardian();
        _pause();
    }

    /// @notice Sets the withdrawal delay in seconds. Owner only.
    function setWithdrawalDelay(uint256 withdrawalDelay_) external onlyOwner {
        _setWithdrawalDelay(withdrawalDelay_);
    }

    /// @notice Sets the guardian (zero: none). Owner only.
    function setGuardian(address guardian_) external onlyOwner {
        _setGuardian(guardian_);
    }

    /// @dev Checks the proof, the root and the leaf, then marks the leaf spent.
    function _checkAndSpend(bytes32[] calldata proof, uint256 index, bytes32 itemHash) private {
        if (proof.length >= 256) revert ProofTooLong(proof.length);
        if (index >= 1 << proof.length) revert PathNotMinimal(index, 1 << proof.length);
        bytes32 root = MerkleLib.calculateRoot(proof, index, keccak256(abi.encodePacked(itemHash)));
        (bool posted, uint256 batch) = rollup.sendRootPostedIn(root);
        if (!posted) revert UnknownRoot(root);
        if (isSendRootInvalidated[root]) revert SendRootIsInvalidated(root);
        uint256 claimableAt = uint256(rollup.getRecord(batch).postedAtTimestamp) + withdrawalDelay;
        if (block.timestamp < claimableAt) revert SendRootTooNew(root, claimableAt);
        uint256 word = _spent[index >> 8];
        uint256 bit = 1 << (index & 0xff);
        if (word & bit != 0) revert AlreadySpent(index);
        _spent[index >> 8] = word | bit;
    }

    function _checkOwnerOrGuardian() private view {
        if (msg.sender != owner() && msg.sender != guardian) {
            revert NotOwnerOrGuardian(msg.sender);
        }
    }

    function _setWithdrawalDelay(uint256 withdrawalDelay_) private {
        withdrawalDelay = withdrawalDelay_;
        emit WithdrawalDelaySet(withdrawalDelay_);
    }

    function _setGuardian(address guardian_) private {
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    function _resetContext() private {
        (_sender, _l2Block, _l1Block, _timestamp) = (SENDER_IDLE, BLOCK_IDLE, L1_BLOCK_IDLE, TIMESTAMP_IDLE);
    }
}
