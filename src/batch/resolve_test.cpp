#include "batch/resolve.hpp"

#include <gtest/gtest.h>

namespace fuse::batch {
namespace {

BatchContext context(uint64_t prev_count, uint64_t new_count) {
    BatchContext ctx;
    ctx.bounds = {1000, 2000, 50, 80};
    ctx.prev_message_count = prev_count;
    ctx.new_message_count = new_count;
    ctx.prev_header = L2Message{60, uint256{9}, 1500, {}};
    return ctx;
}

std::vector<L2Message> good_messages() {
    return {L2Message{60, uint256{9}, 1500, {Bytes{0x02, 0x01}}},
            L2Message{61, uint256{11}, 1502, {}}};
}

void expect_filler(const ResolvedBatch& r, const BatchContext& ctx, ResolveError why) {
    EXPECT_EQ(r.invalid, why) << to_string(r.invalid);
    ASSERT_EQ(r.messages.size(), ctx.new_message_count - ctx.prev_message_count);
    for (const auto& m : r.messages) {
        EXPECT_EQ(m.timestamp, std::max(ctx.prev_header.timestamp, ctx.bounds.min_timestamp));
        EXPECT_EQ(m.l1_block_number,
                  std::max(ctx.prev_header.l1_block_number, ctx.bounds.min_block_number));
        EXPECT_EQ(m.l1_base_fee, ctx.prev_header.l1_base_fee);
        EXPECT_TRUE(m.txs.empty());
    }
}

TEST(ResolveBatch, ValidBatchYieldsItsMessages) {
    const Bytes data = *encode_batch(good_messages());
    const auto r = resolve_batch(data, context(10, 12));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->invalid, ResolveError::kNone);
    EXPECT_EQ(r->messages, good_messages());
}

TEST(ResolveBatch, UndecodableBatchYieldsFiller) {
    const auto ctx = context(10, 13);
    const auto r = resolve_batch(Bytes{0x07, 1, 2}, ctx);
    ASSERT_TRUE(r);
    expect_filler(*r, ctx, ResolveError::kDecode);
    EXPECT_EQ(r->decode_error, BatchError::kUnknownFormat);
}

TEST(ResolveBatch, CountMismatchYieldsFiller) {
    const Bytes data = *encode_batch(good_messages());
    for (uint64_t n : {1, 3}) {
        const auto ctx = context(10, 10 + n);
        const auto r = resolve_batch(data, ctx);
        ASSERT_TRUE(r);
        expect_filler(*r, ctx, ResolveError::kMessageCountMismatch);
    }
}

TEST(ResolveBatch, OutOfBoundsOrBackwardsYieldsFiller) {
    struct Case {
        void (*mutate)(std::vector<L2Message>&);
        ResolveError why;
    };
    const Case cases[] = {
        {[](auto& m) { m[1].timestamp = 2001; }, ResolveError::kOutOfTimeBounds},
        {[](auto& m) { m[1].l1_block_number = 81; }, ResolveError::kOutOfBlockBounds},
        {[](auto& m) { m[0].timestamp = 1499; }, ResolveError::kTimestampBackwards},
        {[](auto& m) { m[0].l1_block_number = 59; }, ResolveError::kL1BlockBackwards},
        {[](auto& m) { m[0].l1_base_fee = uint256{10}; }, ResolveError::kBaseFeeChangedInBlock},
    };
    for (const Case& c : cases) {
        auto msgs = good_messages();
        c.mutate(msgs);
        const Bytes data = *encode_batch(msgs);
        const auto ctx = context(0, 2);
        const auto r = resolve_batch(data, ctx);
        ASSERT_TRUE(r);
        expect_filler(*r, ctx, c.why);
    }
    // Timestamps below min_timestamp: filler rises to the bound.
    auto ctx = context(0, 1);
    ctx.bounds.min_timestamp = 1600;
    ctx.bounds.min_block_number = 70;
    const auto r = resolve_batch(*encode_batch({good_messages()[0]}), ctx);
    ASSERT_TRUE(r);
    expect_filler(*r, ctx, ResolveError::kOutOfTimeBounds);
    EXPECT_EQ(r->messages[0].timestamp, 1600u);
    EXPECT_EQ(r->messages[0].l1_block_number, 70u);
}

// docs/batch-format.md rule 2, L1 checks: block <= inclusion block, base fee = header's.
TEST(ResolveBatch, L1FactsAreChecked) {
    const auto msgs = good_messages();  // blocks 60 (fee 9) and 61 (fee 11)
    EXPECT_EQ(referenced_l1_blocks(msgs, 61), (std::vector<uint64_t>{60, 61}));
    EXPECT_EQ(referenced_l1_blocks(msgs, 60), (std::vector<uint64_t>{60}));
    const Bytes data = *encode_batch(msgs);
    auto ctx = context(0, 2);
    ctx.l1 = L1Facts{61, {{60, uint256{9}}, {61, uint256{11}}}};
    auto r = resolve_batch(data, ctx);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->invalid, ResolveError::kNone);
    EXPECT_EQ(r->messages, msgs);

    ctx.l1->base_fees[61] = uint256{12};  // header disagrees with the message
    r = resolve_batch(data, ctx);
    ASSERT_TRUE(r);
    expect_filler(*r, ctx, ResolveError::kL1BaseFeeMismatch);

    ctx.l1->base_fees.erase(61);  // header not supplied: treated as a mismatch
    r = resolve_batch(data, ctx);
    ASSERT_TRUE(r);
    expect_filler(*r, ctx, ResolveError::kL1BaseFeeMismatch);

    ctx.l1 = L1Facts{60, {{60, uint256{9}}, {61, uint256{11}}}};  // block 61 is in the future
    r = resolve_batch(data, ctx);
    ASSERT_TRUE(r);
    expect_filler(*r, ctx, ResolveError::kL1BlockAfterInclusion);

    // resolve_decoded gives the same answer as resolve_batch.
    ctx.l1 = L1Facts{61, {{60, uint256{9}}, {61, uint256{11}}}};
    const auto d = resolve_decoded(decode_batch(data), ctx);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->messages, msgs);
}

TEST(ResolveBatch, HugeClaimedCountHalts) {
    const Bytes data = *encode_batch(good_messages());
    const BatchLimits limits{};
    EXPECT_TRUE(resolve_batch(data, context(0, max_messages_per_batch(limits)), limits));
    const auto r = resolve_batch(data, context(0, max_messages_per_batch(limits) + 1), limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), HaltError::kMessageCountTooLarge);
}

}  // namespace
}  // namespace fuse::batch
