#pragma once
/// The consensus rule that turns one SequencerInbox batch into L2 messages, valid or not
/// (docs/batch-format.md, "Invalid batches"). Every validator computes the same result.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "batch/batch.hpp"

namespace fuse::batch {

/// The batch's time bounds as stamped by the SequencerInbox (docs/contracts.md).
struct TimeBounds {
    uint64_t min_timestamp = 0;
    uint64_t max_timestamp = 0;
    uint64_t min_block_number = 0;
    uint64_t max_block_number = 0;
};

/// What the L1 says about the blocks a batch's messages name (docs/batch-format.md, rule 2,
/// "L1 checks"): the block that includes the batch and the base fee of each referenced block.
struct L1Facts {
    /// Number of the L1 block whose transaction carries the batch.
    uint64_t inclusion_block_number = 0;
    /// baseFeePerGas (EIP-1559; 0 for a pre-London block) of every L1 block number returned by
    /// referenced_l1_blocks(). A referenced block missing here fails the check like a mismatch.
    std::map<uint64_t, uint256> base_fees;
};

/// What the validator knows about a batch besides its data.
struct BatchContext {
    TimeBounds bounds;
    uint64_t prev_message_count = 0;
    uint64_t new_message_count = 0;
    /// Header of the last message before this batch (the genesis header for batch 0).
    L2Message prev_header;
    /// When set, every message must name an L1 block <= the inclusion block whose base fee
    /// equals the message's (kL1BlockAfterInclusion / kL1BaseFeeMismatch). Unset: not checked.
    std::optional<L1Facts> l1;
};

/// Why a batch was replaced by filler messages (a decode error, or one of the checks below).
enum class ResolveError {
    kNone,
    kDecode,                 ///< decode_batch failed (see `decode_error`)
    kMessageCountMismatch,   ///< decoded count != new_message_count - prev_message_count
    kOutOfTimeBounds,        ///< a message's timestamp is outside [min, max]
    kOutOfBlockBounds,       ///< a message's L1 block number is outside [min, max]
    kTimestampBackwards,     ///< first timestamp below the previous batch's last one
    kL1BlockBackwards,       ///< first L1 block below the previous batch's last one
    kBaseFeeChangedInBlock,  ///< same L1 block as the previous batch's last, other base fee
    kL1BlockAfterInclusion,  ///< a message names an L1 block after the batch's inclusion block
    kL1BaseFeeMismatch,      ///< a message's L1 base fee differs from that L1 block's header
    /// A deposit ref the L1 Bridge does not support: skipped or repeated deposits, a deposit
    /// missing on L1 or from an L1 block after its message's, another accumulator (rule 2,
    /// "Deposit checks"; decided by the inbox reader with the L1 Bridge's deposits).
    kDepositRef,
};

/// Human-readable reason.
const char* to_string(ResolveError e);

/// The messages a batch contributes to the chain.
struct ResolvedBatch {
    std::vector<L2Message> messages;
    ResolveError invalid = ResolveError::kNone;  ///< kNone: the batch was valid
    std::optional<BatchError> decode_error;      ///< set when invalid == kDecode
};

/// Fatal: the batch claims more messages than any batch can hold; the chain halts here.
enum class HaltError { kMessageCountTooLarge };

/// Most messages one batch can carry (one per segment); larger claimed counts halt the chain.
inline uint64_t max_messages_per_batch(const BatchLimits& limits) {
    return limits.max_segments;
}

/// Rule 2 ("L1 checks") for one message against what the L1 says: kL1BlockAfterInclusion when it
/// names a block after `facts.inclusion_block_number`, kL1BaseFeeMismatch when its base fee is not
/// that block's (or the block is missing from `facts`), else kNone. This one function is "does the
/// L1 support this message": validators apply it with the batch's inclusion block, the sequencer
/// with the current L1 head before posting and to decide how far to rewind (docs/sequencer.md,
/// "When L1 goes back in time").
ResolveError check_l1_message(const L2Message& m, const L1Facts& facts);

/// The filler for an invalid batch: N = new - prev empty messages, each with timestamp
/// max(prev.timestamp, min_timestamp), L1 block max(prev.l1_block, min_block_number) and the
/// previous base fee.
std::vector<L2Message> filler_messages(const BatchContext& ctx);

/// The distinct L1 block numbers (ascending) whose base fee the L1 checks need for `msgs`: every
/// message's block that is <= `inclusion_block_number` (later ones fail without a lookup).
std::vector<uint64_t> referenced_l1_blocks(const std::vector<L2Message>& msgs,
                                           uint64_t inclusion_block_number);

/// Decodes `data` and applies the checks; a valid batch yields its messages, an invalid one
/// filler_messages(ctx). Fails only with kMessageCountTooLarge.
Result<ResolvedBatch, HaltError> resolve_batch(ByteView data, const BatchContext& ctx,
                                               const BatchLimits& limits = {});

/// As resolve_batch, for data already decoded with decode_batch(data, limits) (the validator
/// decodes once to learn which L1 headers to fetch, then resolves).
Result<ResolvedBatch, HaltError> resolve_decoded(Result<std::vector<L2Message>, BatchError> decoded,
                                                 const BatchContext& ctx,
                                                 const BatchLimits& limits = {});

}  // namespace fuse::batch
