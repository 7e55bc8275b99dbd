// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Interface of the Fuse L2 SequencerInbox (docs/contracts.md).
/// @notice Arbitrum's SequencerInbox without the delayed inbox: a hash accumulator over the
///         batches the sequencer posts; the batch data itself stays in L1 calldata.
interface ISequencerInbox {
    /// @notice Bounds on how far a batch's L1 block number and timestamp claims may lie from the
    ///         L1 block that includes the batch. Set at deployment, immutable.
    struct MaxTimeVariation {
        uint64 delayBlocks;
        uint64 futureBlocks;
        uint64 delaySeconds;
        uint64 futureSeconds;
    }

    /// @notice Time bounds stamped on a batch from the L1 block that includes it (inclusive).
    struct TimeBounds {
        uint64 minTimestamp;
        uint64 maxTimestamp;
        uint64 minBlockNumber;
        uint64 maxBlockNumber;
    }

    /// @notice One batch was appended. `dataHash = keccak256(header ‖ data)`,
    ///         `afterAcc = keccak256(beforeAcc ‖ dataHash)`; `beforeAcc` is zero for batch 0.
    event SequencerBatchDelivered(
        uint256 indexed batchSequenceNumber,
        bytes32 indexed beforeAcc,
        bytes32 indexed afterAcc,
        bytes32 dataHash,
        TimeBounds timeBounds,
        uint256 prevMessageCount,
        uint256 newMessageCount
    );

    /// @notice An address was allowed (`allowed = true`) or disallowed to post batches.
    event BatchPosterSet(address indexed batchPoster, bool allowed);

    /// @notice The caller is not an allowed batch poster.
    error NotBatchPoster(address sender);
    /// @notice The caller is a contract, or the call is not the transaction's top-level call
    ///         (the data must be readable from the L1 transaction's calldata).
    error NotCodelessOrigin();
    /// @notice `sequenceNumber` is not the next batch number.
    error BadSequenceNumber(uint256 expected, uint256 given);
    /// @notice `prevMessageCount` does not equal the message count after the previous batch.
    error BadPrevMessageCount(uint256 expected, uint256 given);
    /// @notice `newMessageCount` is not greater than `prevMessageCount` (or does not fit 64 bits).
    error BadNewMessageCount(uint256 prevMessageCount, uint256 newMessageCount);
    /// @notice The batch data is empty (it must at least hold the format byte).
    error EmptyBatchData();
    /// @notice The batch data is longer than `maxDataSize`.
    error DataTooLarge(uint256 size, uint256 maxDataSize);
    /// @notice The first data byte is not a known batch format.
    error UnknownBatchFormat(uint8 formatByte);
    /// @notice There is no batch with this sequence number.
    error BatchNotFound(uint256 batchSequenceNumber, uint256 batchCount);
    /// @notice A zero address was given where an account is required.
    error ZeroAddress();
    /// @notice A deployment parameter is out of range: `maxDataSize` is 0 or a time variation
    ///         exceeds 2^32-1.
    error InvalidConfig();

    /// @notice Appends one batch. Only an allowed batch poster, calling directly from an EOA.
    function addSequencerL2Batch(
        uint256 sequenceNumber,
        bytes calldata data,
        uint256 prevMessageCount,
        uint256 newMessageCount
    ) external;

    /// @notice Number of batches posted so far (the next sequence number).
    function batchCount() external view returns (uint256);

    /// @notice Accumulator after batch `batchSequenceNumber`.
    function inboxAccs(uint256 batchSequenceNumber) external view returns (bytes32);

    /// @notice Total L2 message count after batch `batchSequenceNumber`.
    function messageCountAfter(uint256 batchSequenceNumber) external view returns (uint256);

    /// @notice Total L2 message count after the latest batch (0 before any batch).
    function totalMessageCount() external view returns (uint256);
}
