// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {OwnablePausable} from "./OwnablePausable.sol";
import {ISequencerInbox} from "./ISequencerInbox.sol";

/// @title Fuse L2 RollupCore
/// @notice Records, for every inbox batch in order, the L2 state after executing it (block number,
///         block hash, state root, send root) as posted by an allowed proposer, and the inbox
///         accumulator that state commits to. No challenges, no stakes (DESIGN.md §1, §5); watchers
///         recompute the roots and raise an alarm on mismatch.
contract RollupCore is OwnablePausable {
    /// @notice What a proposer posted for one batch.
    struct StateRootRecord {
        bytes32 l2BlockHash;
        bytes32 stateRoot;
        bytes32 sendRoot;
        /// @dev `inbox.inboxAccs(batch)` when the root was posted.
        bytes32 inboxAcc;
        uint64 l2BlockNumber;
        /// @dev L1 block number and timestamp of the posting transaction.
        uint64 postedAtL1Block;
        uint64 postedAtTimestamp;
    }

    /// @notice A proposer posted the L2 state after batch `batchSequenceNumber`.
    event StateRootPosted(
        uint256 indexed batchSequenceNumber,
        uint64 indexed l2BlockNumber,
        bytes32 l2BlockHash,
        bytes32 stateRoot,
        bytes32 sendRoot,
        bytes32 inboxAcc,
        address proposer
    );
    /// @notice An address was allowed (`allowed = true`) or disallowed to post state roots.
    event ProposerSet(address indexed proposer, bool allowed);

    /// @notice The caller is not an allowed proposer.
    error NotProposer(address sender);
    /// @notice Roots are posted for every batch in order; `expected` is the next one.
    error OutOfOrderBatch(uint256 expected, uint256 given);
    /// @notice The batch does not exist in the inbox (yet).
    error BatchNotInInbox(uint256 batchSequenceNumber, uint256 inboxBatchCount);
    /// @notice The L2 block number does not increase over the previous record (or the genesis, 0),
    ///         or does not fit 64 bits.
    error L2BlockNumberNotIncreasing(uint256 previous, uint256 given);
    /// @notice The block hash or the state root is zero.
    error ZeroRoot();
    /// @notice No root has been posted for this batch.
    error RootNotPosted(uint256 batchSequenceNumber);
    /// @notice No root has been posted at all.
    error NoRootPosted();
    /// @notice A zero address or zero hash was given where a real one is required.
    error ZeroAddress();
    error ZeroGenesisHash();

    /// @notice Hash of the L2 genesis (chain config + alloc); every node checks it at start.
    bytes32 public immutable genesisHash;
    /// @notice The inbox whose batches the roots are for.
    ISequencerInbox public immutable inbox;

    /// @notice Whether an address may post state roots.
    mapping(address => bool) public isProposer;
    /// @notice Number of batches with a posted root; the next root is for this batch number.
    uint256 public postedBatchCount;

    mapping(uint256 => StateRootRecord) private _records;

    /// @dev For each non-zero send root: 1 + the first batch whose record carries it (0 = never).
    mapping(bytes32 => uint256) private _sendRootBatchPlusOne;

    /// @param initialOwner receives the owner role (rotates proposers, pauses).
    /// @param genesisHash_ hash of the L2 genesis file, non-zero.
    /// @param inbox_ the SequencerInbox.
    /// @param proposers the addresses allowed to post from the start.
    constructor(address initialOwner, bytes32 genesisHash_, ISequencerInbox inbox_, address[] memory proposers)
        Ownable(initialOwner)
    {
        if (genesisHash_ == bytes32(0)) revert ZeroGenesisHash();
        if (address(inbox_) == address(0)) revert ZeroAddress();
        genesisHash = genesisHash_;
        inbox = inbox_;
        for (uint256 i = 0; i < proposers.length; ++i) {
            _setProposer(proposers[i], true);
        }
    }

    /// @notice Posts the L2 state after batch `batchSequenceNumber`. Only an allowed proposer,
    ///         exactly the next batch (`postedBatchCount`), only for a batch in the inbox, with an
    ///         L2 block number above the previous record's.
    function postStateRoot(
        uint256 batchSequenceNumber,
        uint256 l2BlockNumber,
        bytes32 l2BlockHash,
        bytes32 stateRoot,
        bytes32 sendRoot
    ) external whenNotPaused {
        if (!isProposer[msg.sender]) revert NotProposer(msg.sender);
        uint256 next = postedBatchCount;
        if (batchSequenceNumber != next) revert OutOfOrderBatch(next, batchSequenceNumber);
        uint256 inboxCount = inbox.batchCount();
        if (batchSequenceNumber >= inboxCount) revert BatchNotInInbox(batchSequenceNumber, inboxCount);
        uint256 prevBlock = next == 0 ? 0 : _records[next - 1].l2BlockNumber;
        if (l2BlockNumber <= prevBlock || l2BlockNumber > type(uint64).max) {
            revert L2BlockNumberNotIncreasing(prevBlock, l2BlockNumber);
        }
        if (l2BlockHash == bytes32(0) || stateRoot == bytes32(0)) revert ZeroRoot();

        bytes32 acc = inbox.inboxAccs(batchSequenceNumber);
        _records[batchSequenceNumber] = StateRootRecord({
            l2BlockHash: l2BlockHash,
            stateRoot: stateRoot,
            sendRoot: sendRoot,
            inboxAcc: acc,
            l2BlockNumber: uint64(l2BlockNumber),
            postedAtL1Block: uint64(block.number),
            postedAtTimestamp: uint64(block.timestamp)
        });
        postedBatchCount = next + 1;
        // The Outbox ages a send root from its first posting (docs/bridge.md).
        if (sendRoot != bytes32(0) && _sendRootBatchPlusOne[sendRoot] == 0) {
            _sendRootBatchPlusOne[sendRoot] = batchSequenceNumber + 1;
        }
        emit StateRootPosted(
            batchSequenceNumber, uint64(l2BlockNumber), l2BlockHash, stateRoot, sendRoot, acc, msg.sender
        );
    }

    /// @notice The record for `batchSequenceNumber`; reverts `RootNotPosted` if there is none.
    function getRecord(uint256 batchSequenceNumber) external view returns (StateRootRecord memory) {
        if (batchSequenceNumber >= postedBatchCount) revert RootNotPosted(batchSequenceNumber);
        return _records[batchSequenceNumber];
    }

    /// @notice The latest batch with a posted root and its record; reverts `NoRootPosted` if none.
    function latestPosted() external view returns (uint256 batchSequenceNumber, StateRootRecord memory record) {
        uint256 count = postedBatchCount;
        if (count == 0) revert NoRootPosted();
        return (count - 1, _records[count - 1]);
    }

    /// @notice Whether `sendRoot` is non-zero and was posted, and the first batch whose record
    ///         carries it (its `postedAtTimestamp` starts the Outbox's withdrawal delay).
    function sendRootPostedIn(bytes32 sendRoot) external view returns (bool posted, uint256 batchSequenceNumber) {
        uint256 plusOne = _sendRootBatchPlusOne[sendRoot];
        if (plusOne == 0) return (false, 0);
        return (true, plusOne - 1);
    }

    /// @notice Allows (`allowed = true`) or disallows `proposer` to post roots. Owner only.
    function setProposer(address proposer, bool allowed) external onlyOwner {
        _setProposer(proposer, allowed);
    }

    function _setProposer(address proposer, bool allowed) private {
        if (proposer == address(0)) revert ZeroAddress();
        isProposer[proposer] = allowed;
        emit ProposerSet(proposer, allowed);
    }
}
