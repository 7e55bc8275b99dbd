// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Interface of the Fuse L2 Bridge (docs/bridge.md)
/// @notice The L1 escrow of FUSE, the queue of deposits (L1-to-L2 transfers and messages) with its
///         hash accumulator, and the executor of the Outbox's withdrawals.
interface IBridge {
    /// @notice Deposits `msg.value` FUSE to `to` on L2 (kind 0). Returns the deposit index.
    function depositNative(address to) external payable returns (uint256 index);

    /// @notice Queues a call of `to` with `data` on L2 (kind 1), paying
    ///         `l2GasLimit * l2GasPrice()` as fee; the rest of `msg.value` is the call's L2 value.
    ///         Returns the deposit index.
    function sendMessage(address to, uint256 l2GasLimit, bytes calldata data)
        external
        payable
        returns (uint256 index);

    /// @notice Pays `value` from the escrow and calls `to` with `data`. Only the Outbox.
    function executeCall(address to, uint256 value, bytes calldata data)
        external
        returns (bool success, bytes memory returnData);

    /// @notice The Outbox allowed to call `executeCall`.
    function outbox() external view returns (address);

    /// @notice Fee per unit of L2 gas of a message, in wei.
    function l2GasPrice() external view returns (uint256);
}
