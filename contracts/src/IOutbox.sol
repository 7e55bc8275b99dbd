// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Interface of the Fuse L2 Outbox (docs/bridge.md)
/// @notice What an L1 contract called by a withdrawal may ask about it, as Arbitrum's IOutbox.
interface IOutbox {
    /// @notice The L2 address that sent the withdrawal being executed; zero outside a call.
    function l2ToL1Sender() external view returns (address);

    /// @notice The L2 block number the withdrawal was sent in; zero outside a call.
    function l2ToL1Block() external view returns (uint256);

    /// @notice The L1 block number L2 knew when the withdrawal was sent; zero outside a call.
    function l2ToL1EthBlock() external view returns (uint256);

    /// @notice The L2 timestamp of the withdrawal; zero outside a call.
    function l2ToL1Timestamp() external view returns (uint256);
}
