// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title The part of ArbSys (the precompile at 0x64) the L2 gateway uses
/// @notice Arbitrum's selector; ArbOS appends a leaf to the send accumulator (docs/arbos.md).
interface IArbSys {
    /// @notice Sends an L2-to-L1 message: `destination` is called with `data` on L1 by the Outbox,
    ///         with `msg.value` (burnt here) paid from the Bridge. Returns the leaf index.
    function sendTxToL1(address destination, bytes calldata data) external payable returns (uint256);
}
