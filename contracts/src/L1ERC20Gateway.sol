// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBridge} from "./IBridge.sol";
import {IL1ERC20Gateway, IL2ERC20Gateway} from "./IERC20Gateway.sol";
import {IOutbox} from "./IOutbox.sol";
import {OwnablePausable} from "./OwnablePausable.sol";

/// @title Fuse L2 ERC-20 gateway, L1 side
/// @notice Escrows any ERC-20 and asks the L2 gateway (the predeploy at `L2_GATEWAY`) to mint its
///         bridged copy, through a `Bridge.sendMessage` from this contract (so on L2 the call comes
///         from this contract's alias). Withdrawals come back as L2-to-L2 messages of the L2
///         gateway executed by the Outbox, and release the escrow. Arbitrum's standard gateway,
///         without retryables (docs/bridge.md, "ERC-20 gateway").
/// @dev Bridges what it actually received (balance delta), so fee-on-transfer tokens work;
///      rebasing tokens do not keep their rebases on L2 (docs/bridge.md).
contract L1ERC20Gateway is IL1ERC20Gateway, OwnablePausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The L2 gateway: a genesis predeploy at this fixed address.
    address public constant L2_GATEWAY = 0x0000000000000000000000000000000000004B01;
    /// @notice Decimals assumed for a token without a readable `decimals()`.
    uint8 public constant DEFAULT_DECIMALS = 18;

    /// @notice A deposit of `amount` (what the gateway received) was sent to L2 as deposit
    ///         `depositIndex` of the Bridge.
    event DepositInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed depositIndex, uint256 amount
    );
    /// @notice A withdrawal was finalized: `amount` of `l1Token` released to `to`.
    event WithdrawalFinalized(address indexed l1Token, address indexed from, address indexed to, uint256 amount);

    /// @notice A zero address where a real one is required.
    error ZeroAddress();
    /// @notice `amount == 0`, or the token delivered nothing.
    error ZeroAmount();
    /// @notice `l1Token` has no code (not a token).
    error NotAToken(address l1Token);
    /// @notice `msg.value` is not exactly the message fee `l2GasLimit * bridge.l2GasPrice()`.
    error WrongFee(uint256 fee, uint256 value);
    /// @notice `finalizeInboundTransfer` not called by the Bridge (on behalf of the Outbox).
    error NotFromBridge(address sender);
    /// @notice The Outbox's message does not come from the L2 gateway.
    error NotFromL2Gateway(address l2Sender);

    /// @notice The Bridge the messages go through.
    IBridge public immutable bridge;

    /// @param initialOwner receives the owner role (pause).
    /// @param bridge_ the Bridge.
    constructor(address initialOwner, IBridge bridge_) Ownable(initialOwner) {
        if (address(bridge_) == address(0)) revert ZeroAddress();
        bridge = bridge_;
    }

    /// @notice Moves `amount` of `l1Token` from the caller into escrow and sends a message to the
    ///         L2 gateway that mints what the gateway received to `to` on L2. `msg.value` must be
    ///         exactly the message fee `l2GasLimit * bridge.l2GasPrice()`; the caller must have
    ///         approved this contract for `amount`. Returns the Bridge deposit index.
    /// @dev The message is `IL2ERC20Gateway.finalizeInboundTransfer(l1Token, msg.sender, to,
    ///      received, abi.encode(name, symbol, decimals))`, with `l2GasLimit` L2 gas. If its L2
    ///      execution fails (too little gas) the tokens stay in escrow: there are no retryables.
    function deposit(address l1Token, address to, uint256 amount, uint256 l2GasLimit)
        external
        payable
        whenNotPaused
        nonReentrant
        returns (uint256 depositIndex)
    {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        if (l1Token.code.length == 0) revert NotAToken(l1Token);
        uint256 fee = l2GasLimit * bridge.l2GasPrice();
        if (msg.value != fee) revert WrongFee(fee, msg.value);

        IERC20 token = IERC20(l1Token);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ZeroAmount();

        bytes memory metadata = abi.encode(_readName(l1Token), _readSymbol(l1Token), _readDecimals(l1Token));
        bytes memory data =
            abi.encodeCall(IL2ERC20Gateway.finalizeInboundTransfer, (l1Token, msg.sender, to, received, metadata));
        depositIndex = bridge.sendMessage{value: msg.value}(L2_GATEWAY, l2GasLimit, data);
        emit DepositInitiated(l1Token, msg.sender, to, depositIndex, received);
    }

    /// @inheritdoc IL1ERC20Gateway
    /// @dev The Outbox calls this through `Bridge.executeCall`: the caller must be the Bridge and
    ///      the Bridge's Outbox must be executing a message of the L2 gateway. Not pausable (a
    ///      paused withdrawal path would only delay users; the Outbox has its own pause).
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount)
        external
        nonReentrant
    {
        if (msg.sender != address(bridge)) revert NotFromBridge(msg.sender);
        address l2Sender = IOutbox(bridge.outbox()).l2ToL1Sender();
        if (l2Sender != L2_GATEWAY) revert NotFromL2Gateway(l2Sender);
        IERC20(l1Token).safeTransfer(to, amount);
        emit WithdrawalFinalized(l1Token, from, to, amount);
    }

    /// @dev `name()` as a string: ABI string, or bytes32 (as MKR) up to the first zero byte, else "".
    function _readName(address token) private view returns (string memory) {
        return _readString(token, 0x06fdde03);
    }

    /// @dev `symbol()` as a string, with the same fallbacks as `_readName`.
    function _readSymbol(address token) private view returns (string memory) {
        return _readString(token, 0x95d89b41);
    }

    /// @dev `decimals()` if it returns one word holding a value below 256, else 18.
    function _readDecimals(address token) private view returns (uint8) {
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeWithSelector(0x313ce567));
        if (ok && ret.length == 32) {
            uint256 d = abi.decode(ret, (uint256));
            if (d < 256) return uint8(d);
        }
        return DEFAULT_DECIMALS;
    }

    /// @dev Calls a string getter and decodes its result without ever reverting: a well-formed
    ///      ABI string; else exactly one word, read as a bytes32 string; else "".
    function _readString(address token, bytes4 selector) private view returns (string memory) {
        (bool ok, bytes memory ret) = token.staticcall(abi.encodeWithSelector(selector));
        if (!ok) return "";
        if (ret.length == 32) return _bytes32ToString(bytes32(ret));
        if (ret.length < 64) return "";
        uint256 offset = abi.decode(ret, (uint256));
        if (offset > ret.length - 32) return "";
        uint256 length;
        assembly ("memory-safe") {
            length := mload(add(add(ret, 32), offset))
        }
        if (length > ret.length - 32 - offset) return "";
        bytes memory out = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            out[i] = ret[offset + 32 + i];
        }
        return string(out);
    }

    /// @dev The bytes of `b` up to its first zero byte.
    function _bytes32ToString(bytes32 b) private pure returns (string memory) {
        uint256 n = 0;
        while (n < 32 && b[n] != 0) ++n;
        bytes memory out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = b[i];
        }
        return string(out);
    }
}
