// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title L1-to-L2 address aliasing (Arbitrum's AddressAliasHelper)
/// @notice A contract on L1 that sends a message to L2 does not control the same address on L2, so
///         the L2 sees it as `l1Address + 0x1111000000000000000000000000000000001111` (mod 2^160).
///         EOAs are not aliased (the Bridge decides which senders are; docs/bridge.md, "Aliasing").
library AddressAliasHelper {
    /// @notice The offset added to an L1 contract's address (Arbitrum's value).
    uint160 internal constant OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L2 address an L1 contract's messages come from: `l1Address + OFFSET`, wrapping.
    function applyL1ToL2Alias(address l1Address) internal pure returns (address l2Address) {
        unchecked {
            l2Address = address(uint160(l1Address) + OFFSET);
        }
    }

    /// @notice The inverse of `applyL1ToL2Alias`: `l2Address - OFFSET`, wrapping.
    function undoL1ToL2Alias(address l2Address) internal pure returns (address l1Address) {
        unchecked {
            l1Address = address(uint160(l2Address) - OFFSET);
        }
    }
}
