// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AddressAliasHelper} from "../src/AddressAliasHelper.sol";
import {IL1ERC20Gateway, IL2ERC20Gateway} from "../src/IERC20Gateway.sol";
import {BridgedERC20} from "./BridgedERC20.sol";
import {IArbSys} from "./IArbSys.sol";

/// @title Fuse L2 ERC-20 gateway, L2 side
/// @notice A genesis predeploy at `0x0000000000000000000000000000000000004B01`: it runs from its
///         runtime code and the genesis storage only (no constructor, no immutables). The genesis
///         writes `admin` (slot 0); the admin calls `initialize(l1Gateway)` once. Deposits arrive
///         as messages from the L1 gateway's alias and mint a `BridgedERC20` per L1 token at a
///         CREATE2 address (salt = the L1 token); withdrawals burn it and send an L2-to-L1
///         message to the L1 gateway through ArbSys (docs/bridge.md, "ERC-20 gateway").
/// @dev Storage: slot 0 `admin` (address), slot 1 `l1Gateway` (address). Nothing else.
contract L2ERC20Gateway is IL2ERC20Gateway {
    /// @notice ArbSys, the precompile that sends L2-to-L1 messages.
    IArbSys public constant ARB_SYS = IArbSys(address(0x64));

    /// @notice `initialize` set the L1 gateway.
    event Initialized(address indexed l1Gateway);
    /// @notice The bridged copy of `l1Token` was deployed at `l2Token`.
    event TokenDeployed(address indexed l1Token, address indexed l2Token, string name, string symbol, uint8 decimals);
    /// @notice A deposit was minted: `amount` of `l1Token`'s copy to `to`.
    event DepositFinalized(address indexed l1Token, address indexed from, address indexed to, uint256 amount);
    /// @notice A withdrawal was started: `amount` burnt from `from`, released to `to` on L1 by
    ///         send-accumulator leaf `l2ToL1Id`.
    event WithdrawalInitiated(
        address l1Token, address indexed from, address indexed to, uint256 indexed l2ToL1Id, uint256 amount
    );

    /// @notice `initialize` from another address than `admin`.
    error NotAdmin(address sender);
    /// @notice `initialize` was already called.
    error AlreadyInitialized();
    /// @notice `initialize` has not been called yet.
    error NotInitialized();
    /// @notice A zero address where a real one is required.
    error ZeroAddress();
    /// @notice A withdrawal of nothing.
    error ZeroAmount();
    /// @notice `finalizeInboundTransfer` not from the L1 gateway's alias.
    error NotFromL1Gateway(address sender);
    /// @notice No bridged copy of this L1 token exists (nothing was ever deposited).
    error UnknownToken(address l1Token);

    /// @notice May call `initialize` (slot 0, written by the genesis).
    address public admin;
    /// @notice The L1 gateway (slot 1, written by `initialize`).
    address public l1Gateway;

    /// @notice Sets the L1 gateway, once. Only `admin`.
    function initialize(address l1Gateway_) external {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        if (l1Gateway != address(0)) revert AlreadyInitialized();
        if (l1Gateway_ == address(0)) revert ZeroAddress();
        l1Gateway = l1Gateway_;
        emit Initialized(l1Gateway_);
    }

    /// @inheritdoc IL2ERC20Gateway
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount, bytes calldata data)
        external
    {
        address gw = l1Gateway;
        if (gw == address(0)) revert NotInitialized();
        if (msg.sender != AddressAliasHelper.applyL1ToL2Alias(gw)) revert NotFromL1Gateway(msg.sender);
        address l2Token = calculateL2TokenAddress(l1Token);
        if (l2Token.code.length == 0) {
            (string memory name, string memory symbol, uint8 decimals) = abi.decode(data, (string, string, uint8));
            BridgedERC20 token = new BridgedERC20{salt: _salt(l1Token)}();
            token.initialize(l1Token, name, symbol, decimals);
            emit TokenDeployed(l1Token, l2Token, name, symbol, decimals);
        }
        BridgedERC20(l2Token).bridgeMint(to, amount);
        emit DepositFinalized(l1Token, from, to, amount);
    }

    /// @notice Burns `amount` of `l1Token`'s copy from the caller and sends an L2-to-L1 message
    ///         that releases `amount` of `l1Token` to `to` on L1 once its send root is claimable.
    ///         Returns the send-accumulator leaf index.
    function outboundTransfer(address l1Token, address to, uint256 amount) external returns (uint256 l2ToL1Id) {
        address gw = l1Gateway;
        if (gw == address(0)) revert NotInitialized();
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        address l2Token = calculateL2TokenAddress(l1Token);
        if (l2Token.code.length == 0) revert UnknownToken(l1Token);
        BridgedERC20(l2Token).bridgeBurn(msg.sender, amount);
        l2ToL1Id = ARB_SYS.sendTxToL1(
            gw, abi.encodeCall(IL1ERC20Gateway.finalizeInboundTransfer, (l1Token, msg.sender, to, amount))
        );
        emit WithdrawalInitiated(l1Token, msg.sender, to, l2ToL1Id, amount);
    }

    /// @notice The CREATE2 address of `l1Token`'s bridged copy (deployed or not):
    ///         `keccak256(0xff ‖ this ‖ bytes32(uint256(uint160(l1Token))) ‖
    ///         keccak256(BridgedERC20 creation code))[12:]`.
    function calculateL2TokenAddress(address l1Token) public view returns (address) {
        bytes32 h = keccak256(
            abi.encodePacked(bytes1(0xff), address(this), _salt(l1Token), keccak256(type(BridgedERC20).creationCode))
        );
        return address(uint160(uint256(h)));
    }

    function _salt(address l1Token) private pure returns (bytes32) {
        return bytes32(uint256(uint160(l1Token)));
    }
}
