// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {OwnablePausable} from "./OwnablePausable.sol";
import {ISequencerInbox} from "./ISequencerInbox.sol";

/// @title Fuse L2 SequencerInbox
/// @notice Keeps a hash accumulator over the batches the sequencer posts, their sequence numbers,
///         L2 message counts and time bounds. The batch data stays in the L1 transaction's
///         calldata; validators read it from there (docs/contracts.md, "Reading a batch").
///         Unlike Arbitrum's SequencerInbox there is no delayed inbox, no force inclusion and no
///         `afterDelayedMessagesRead` (DESIGN.md §1, §3).
contract SequencerInbox is ISequencerInbox, OwnablePausable {
    /// @notice Format byte of a batch whose rest is a brotli-compressed stream of segments.
    uint8 public constant BROTLI_FORMAT = 0x00;
    /// @notice Format byte of a batch whose rest is a brotli-compressed stream of segments with the
    ///         transactions split into columns (docs/batch-format.md, "Format 0x01").
    uint8 public constant BROTLI_COLUMNAR_FORMAT = 0x01;
    /// @notice Format byte of a batch in columns whose address table may name entries of the
    ///         address registry built from earlier batches (docs/batch-format.md, "Format 0x02").
    uint8 public constant BROTLI_REGISTRY_FORMAT = 0x02;
    /// @notice Length of the header hashed in front of the data: six big-endian uint64 values.
    uint256 public constant HEADER_LENGTH = 48;

    /// @notice Largest accepted batch data, in bytes (format byte included).
    uint256 public immutable maxDataSize;
    uint64 private immutable _delayBlocks;
    uint64 private immutable _futureBlocks;
    uint64 private immutable _delaySeconds;
    uint64 private immutable _futureSeconds;

    /// @notice Whether an address may post batches.
    mapping(address => bool) public isBatchPoster;

    bytes32[] private _accs;
    uint64[] private _messageCounts;

    /// @param initialOwner receives the owner role (rotates posters, pauses).
    /// @param batchPosters the addresses allowed to post from the start.
    /// @param maxTimeVariation_ how far batch time claims may lie from the including L1 block.
    /// @param maxDataSize_ largest accepted batch data in bytes, > 0. Each time variation must be
    ///        at most 2^32-1 (else `InvalidConfig`).
    constructor(
        address initialOwner,
        address[] memory batchPosters,
        MaxTimeVariation memory maxTimeVariation_,
        uint256 maxDataSize_
    ) Ownable(initialOwner) {
        // Bounded so that `block.timestamp + futureSeconds` etc. can never overflow uint64.
        uint64 limit = type(uint32).max;
        if (
            maxDataSize_ == 0 || maxTimeVariation_.delayBlocks > limit || maxTimeVariation_.futureBlocks > limit
                || maxTimeVariation_.delaySeconds > limit || maxTimeVariation_.futureSeconds > limit
        ) revert InvalidConfig();
        maxDataSize = maxDataSize_;
        _delayBlocks = maxTimeVariation_.delayBlocks;
        _futureBlocks = maxTimeVariation_.futureBlocks;
        _delaySeconds = maxTimeVariation_.delaySeconds;
        _futureSeconds = maxTimeVariation_.futureSeconds;
        for (uint256 i = 0; i < batchPosters.length; ++i) {
            _setBatchPoster(batchPosters[i], true);
        }
    }

    /// @inheritdoc ISequencerInbox
    function addSequencerL2Batch(
        uint256 sequenceNumber,
        bytes calldata data,
        uint256 prevMessageCount,
        uint256 newMessageCount
    ) external whenNotPaused {
        if (!isBatchPoster[msg.sender]) revert NotBatchPoster(msg.sender);
        // Top-level call from a code-less EOA, so the data is exactly the transaction's calldata
        // (an EIP-7702 delegated EOA has code and is refused).
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert NotCodelessOrigin();

        uint256 count = _accs.length;
        if (sequenceNumber != count) revert BadSequenceNumber(count, sequenceNumber);
        uint256 expectedPrev = count == 0 ? 0 : _messageCounts[count - 1];
        if (prevMessageCount != expectedPrev) revert BadPrevMessageCount(expectedPrev, prevMessageCount);
        if (newMessageCount <= prevMessageCount || newMessageCount > type(uint64).max) {
            revert BadNewMessageCount(prevMessageCount, newMessageCount);
        }
        if (data.length == 0) revert EmptyBatchData();
        if (data.length > maxDataSize) revert DataTooLarge(data.length, maxDataSize);
        if (!isKnownFormat(uint8(data[0]))) revert UnknownBatchFormat(uint8(data[0]));

        TimeBounds memory bounds = currentTimeBounds();
        bytes32 dataHash = keccak256(
            abi.encodePacked(
                bounds.minTimestamp,
                bounds.maxTimestamp,
                bounds.minBlockNumber,
                bounds.maxBlockNumber,
                uint64(prevMessageCount),
                uint64(newMessageCount),
                data
            )
        );
        bytes32 beforeAcc = count == 0 ? bytes32(0) : _accs[count - 1];
        bytes32 afterAcc = keccak256(abi.encodePacked(beforeAcc, dataHash));
        _accs.push(afterAcc);
        _messageCounts.push(uint64(newMessageCount));

        emit SequencerBatchDelivered(
            sequenceNumber, beforeAcc, afterAcc, dataHash, bounds, prevMessageCount, newMessageCount
        );
    }

    /// @notice Whether `formatByte` is a batch format this inbox accepts: `BROTLI_FORMAT`,
    ///         `BROTLI_COLUMNAR_FORMAT` or `BROTLI_REGISTRY_FORMAT`.
    function isKnownFormat(uint8 formatByte) public pure returns (bool) {
        return formatByte == BROTLI_FORMAT || formatByte == BROTLI_COLUMNAR_FORMAT ||
            formatByte == BROTLI_REGISTRY_FORMAT;
    }

    /// @notice The time bounds a batch included in the current block gets:
    ///         [timestamp - delaySeconds, timestamp + futureSeconds] and
    ///         [number - delayBlocks, number + futureBlocks], lower bounds clamped at 0.
    function currentTimeBounds() public view returns (TimeBounds memory bounds) {
        uint64 ts = uint64(block.timestamp);
        uint64 num = uint64(block.number);
        bounds.minTimestamp = ts > _delaySeconds ? ts - _delaySeconds : 0;
        bounds.maxTimestamp = ts + _futureSeconds;
        bounds.minBlockNumber = num > _delayBlocks ? num - _delayBlocks : 0;
        bounds.maxBlockNumber = num + _futureBlocks;
    }

    /// @notice The bounds set at deployment.
    function maxTimeVariation() external view returns (MaxTimeVariation memory) {
        return MaxTimeVariation(_delayBlocks, _futureBlocks, _delaySeconds, _futureSeconds);
    }

    /// @inheritdoc ISequencerInbox
    function batchCount() external view returns (uint256) {
        return _accs.length;
    }

    /// @inheritdoc ISequencerInbox
    function inboxAccs(uint256 batchSequenceNumber) external view returns (bytes32) {
        _checkBatchExists(batchSequenceNumber);
        return _accs[batchSequenceNumber];
    }

    /// @inheritdoc ISequencerInbox
    function messageCountAfter(uint256 batchSequenceNumber) external view returns (uint256) {
        _checkBatchExists(batchSequenceNumber);
        return _messageCounts[batchSequenceNumber];
    }

    /// @inheritdoc ISequencerInbox
    function totalMessageCount() external view returns (uint256) {
        uint256 count = _messageCounts.length;
        return count == 0 ? 0 : _messageCounts[count - 1];
    }

    /// @notice Allows (`allowed = true`) or disallows `batchPoster` to post. Owner only.
    function setBatchPoster(address batchPoster, bool allowed) external onlyOwner {
        _setBatchPoster(batchPoster, allowed);
    }

    function _setBatchPoster(address batchPoster, bool allowed) private {
        if (batchPoster == address(0)) revert ZeroAddress();
        isBatchPoster[batchPoster] = allowed;
        emit BatchPosterSet(batchPoster, allowed);
    }

    function _checkBatchExists(uint256 batchSequenceNumber) private view {
        if (batchSequenceNumber >= _accs.length) revert BatchNotFound(batchSequenceNumber, _accs.length);
    }
}
