// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title The L1 side of the ERC-20 gateway pair, as the L2 gateway calls it (docs/bridge.md)
interface IL1ERC20Gateway {
    /// @notice Releases `amount` of `l1Token` from escrow to `to`: the end of a withdrawal that
    ///         `from` started on L2. Only through the Outbox, for a message of the L2 gateway.
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount) external;
}

/// @title The L2 side of the ERC-20 gateway pair, as the L1 gateway calls it (docs/bridge.md)
interface IL2ERC20Gateway {
    /// @notice Mints `amount` of the bridged copy of `l1Token` to `to` (deploying the copy on first
    ///         use from `data = abi.encode(string name, string symbol, uint8 decimals)`). Only from
    ///         the L1 gateway's alias.
    function finalizeInboundTransfer(address l1Token, address from, address to, uint256 amount, bytes calldata data)
        external;
}
