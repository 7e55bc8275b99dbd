#include "batch/resolve.hpp"

#include <algorithm>

namespace fuse::batch {

const char* to_string(ResolveError e) {
    switch (e) {
        case ResolveError::kNone:
            return "valid";
        case ResolveError::kDecode:
            return "batch data does not decode";
        case ResolveError::kMessageCountMismatch:
            return "decoded message count differs from the inbox's message counts";
        case ResolveError::kOutOfTimeBounds:
            return "a message timestamp is outside the time bounds";
        case ResolveError::kOutOfBlockBounds:
            return "a message L1 block number is outside the block bounds";
        case ResolveError::kTimestampBackwards:
            return "first timestamp is below the previous batch's last timestamp";
        case ResolveError::kL1BlockBackwards:
            return "first L1 block number is below the previous batch's last one";
        case ResolveError::kBaseFeeChangedInBlock:
            return "L1 base fee differs from the previous batch's for the same L1 block";
        case ResolveError::kL1BlockAfterInclusion:
            return "a message names an L1 block after the block that includes the batch";
        case ResolveError::kL1BaseFeeMismatch:
            return "a message's L1 base fee differs from that L1 block's baseFeePerGas";
        case ResolveError::kDepositRef:
            return "a deposit ref that the L1 Bridge does not support";
    }
    return "unknown resolve error";
}

std::vector<L2Message> filler_messages(const BatchContext& ctx) {
    const uint64_t n = ctx.new_message_count > ctx.prev_message_count
                           ? ctx.new_message_count - ctx.prev_message_count
                           : 0;
    L2Message m;
    m.timestamp = std::max(ctx.prev_header.timestamp, ctx.bounds.min_timestamp);
    m.l1_block_number = std::max(ctx.prev_header.l1_block_number, ctx.bounds.min_block_number);
    m.l1_base_fee = ctx.prev_header.l1_base_fee;
    return std::vector<L2Message>(static_cast<size_t>(n), m);
}

namespace {

ResolveError check(const std::vector<L2Message>& msgs, const BatchContext& ctx) {
    if (msgs.size() != ctx.new_message_count - ctx.prev_message_count)
        return ResolveError::kMessageCountMismatch;
    const L2Message& first = msgs.front();
    const L2Message& prev = ctx.prev_header;
    if (first.timestamp < prev.timestamp) return ResolveError::kTimestampBackwards;
    if (first.l1_block_number < prev.l1_block_number) return ResolveError::kL1BlockBackwards;
    if (first.l1_block_number == prev.l1_block_number && first.l1_base_fee != prev.l1_base_fee)
        return ResolveError::kBaseFeeChangedInBlock;
    for (const L2Message& m : msgs) {
        if (m.timestamp < ctx.bounds.min_timestamp || m.timestamp > ctx.bounds.max_timestamp)
            return ResolveError::kOutOfTimeBounds;
        if (m.l1_block_number < ctx.bounds.min_block_number ||
            m.l1_block_number > ctx.bounds.max_block_number)
            return ResolveError::kOutOfBlockBounds;
    }
    if (ctx.l1) {
        // A block after the inclusion block is reported before any base fee mismatch.
        for (const L2Message& m : msgs)
            if (check_l1_message(m, *ctx.l1) == ResolveError::kL1BlockAfterInclusion)
                return ResolveError::kL1BlockAfterInclusion;
        for (const L2Message& m : msgs)
            if (const ResolveError e = check_l1_message(m, *ctx.l1); e != ResolveError::kNone)
                return e;
    }
    return ResolveError::kNone;
}

}  // namespace

ResolveError check_l1_message(const L2Message& m, const L1Facts& facts) {
    if (m.l1_block_number > facts.inclusion_block_number)
        return ResolveError::kL1BlockAfterInclusion;
    const auto it = facts.base_fees.find(m.l1_block_number);
    if (it == facts.base_fees.end() || it->second != m.l1_base_fee)
        return ResolveError::kL1BaseFeeMismatch;
    return ResolveError::kNone;
}

std::vector<uint64_t> referenced_l1_blocks(const std::vector<L2Message>& msgs,
                                           uint64_t inclusion_block_number) {
    std::vector<uint64_t> out;
    for (const L2Message& m : msgs)
        if (m.l1_block_number <= inclusion_block_number &&
            (out.empty() || out.back() != m.l1_block_number))
            out.push_back(m.l1_block_number);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<ResolvedBatch, HaltError> resolve_batch(ByteView data, const BatchContext& ctx,
                                               const BatchLimits& limits) {
    return resolve_decoded(decode_batch(data, limits), ctx, limits);
}

Result<ResolvedBatch, HaltError> resolve_decoded(Result<std::vector<L2Message>, BatchError> decoded,
                                                 const BatchContext& ctx,
                                                 const BatchLimits& limits) {
    // The inbox guarantees prev < new; a context violating it is treated as a zero-count batch.
    const uint64_t n = ctx.new_message_count > ctx.prev_message_count
                           ? ctx.new_message_count - ctx.prev_message_count
                           : 0;
    if (n > max_messages_per_batch(limits)) return Unexpected{HaltError::kMessageCountTooLarge};
    ResolvedBatch out;
    if (!decoded) {
        out.invalid = ResolveError::kDecode;
        out.decode_error = decoded.error();
    } else if (decoded->size() != n) {
        out.invalid = ResolveError::kMessageCountMismatch;
    } else if (n > 0) {
        out.invalid = check(*decoded, ctx);
    }
    if (out.invalid == ResolveError::kNone) {
        out.messages = std::move(*decoded);
    } else {
        out.messages = filler_messages(ctx);
    }
    return out;
}

}  // namespace fuse::batch
