// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title The L2 copy of an L1 ERC-20 bridged through the gateway pair
/// @notice OpenZeppelin's ERC-20 with the L1 token's name, symbol and decimals; only the L2
///         gateway that deployed it mints (deposits) and burns (withdrawals). Its creation code
///         takes no arguments, so its CREATE2 address depends only on the gateway and the L1
///         token (`L2ERC20Gateway.calculateL2TokenAddress`); the gateway initializes it in the same
///         transaction.
contract BridgedERC20 is ERC20 {
    /// @notice The caller is not the gateway.
    error NotGateway(address sender);
    /// @notice `initialize` was already called.
    error AlreadyInitialized();

    /// @notice The gateway that deployed this token: the only minter and burner.
    address public immutable gateway;
    /// @notice The L1 token this is the copy of.
    address public l1Token;

    string private _tokenName;
    string private _tokenSymbol;
    uint8 private _tokenDecimals;

    modifier onlyGateway() {
        if (msg.sender != gateway) revert NotGateway(msg.sender);
        _;
    }

    constructor() ERC20("", "") {
        gateway = msg.sender;
    }

    /// @notice Sets the L1 token and its metadata, once. Gateway only.
    function initialize(address l1Token_, string calldata name_, string calldata symbol_, uint8 decimals_)
        external
        onlyGateway
    {
        if (l1Token != address(0)) revert AlreadyInitialized();
        l1Token = l1Token_;
        _tokenName = name_;
        _tokenSymbol = symbol_;
        _tokenDecimals = decimals_;
    }

    /// @notice Mints `amount` to `to` (a deposit). Gateway only.
    function bridgeMint(address to, uint256 amount) external onlyGateway {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from` (a withdrawal; no allowance needed). Gateway only.
    function bridgeBurn(address from, uint256 amount) external onlyGateway {
        _burn(from, amount);
    }

    /// @notice The L1 token's name.
    function name() public view override returns (string memory) {
        return _tokenName;
    }

    /// @notice The L1 token's symbol.
    function symbol() public view override returns (string memory) {
        return _tokenSymbol;
    }

    /// @notice The L1 token's decimals.
    function decimals() public view override returns (uint8) {
        return _tokenDecimals;
    }
}
