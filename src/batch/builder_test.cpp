#include "batch/builder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "batch/test_util.hpp"

namespace fuse::batch {
namespace {

using testing::random_messages;
using testing::signed_txs;

TEST(BatchBuilder, RoundTripsAndReportsExactSize) {
    std::mt19937_64 rng(1);
    for (int q : {0, 4, 11}) {
        const auto msgs = random_messages(rng, 40, 5, 200);
        BatchBuilder b({}, q);
        for (const auto& m : msgs)
            ASSERT_TRUE(b.add(m).value());
        EXPECT_EQ(b.message_count(), msgs.size());
        const size_t predicted = b.compressed_size();
        const Bytes flushed = b.finish(false);
        EXPECT_EQ(flushed.size(), predicted);
        const auto back = decode_batch(flushed);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, msgs);

        BatchBuilder b2({}, q);
        for (const auto& m : msgs)
            ASSERT_TRUE(b2.add(m).value());
        const Bytes best = b2.finish(true);
        EXPECT_LE(best.size(), predicted);
        EXPECT_EQ(decode_batch(best).value(), msgs);
    }
}

TEST(BatchBuilder, EmptyBatchIsAValidStream) {
    for (bool recompress : {false, true}) {
        BatchBuilder b;
        const auto back = decode_batch(b.finish(recompress));
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_TRUE(back->empty());
    }
}

TEST(BatchBuilder, ClosesAtTheSizeLimit) {
    std::mt19937_64 rng(2);
    const BatchLimits limits{.max_compressed_size = 4000};
    const auto msgs = random_messages(rng, 400, 4, 120);
    BatchBuilder b(limits, 6);
    size_t added = 0;
    for (const auto& m : msgs) {
        auto r = b.add(m);
        ASSERT_TRUE(r);
        if (!*r) break;
        ++added;
        ASSERT_LE(b.compressed_size(), limits.max_compressed_size);
    }
    ASSERT_GT(added, 0u);
    ASSERT_LT(added, msgs.size()) << "the limit should have been reached";
    EXPECT_TRUE(b.full());
    EXPECT_FALSE(b.add(msgs[added]).value());  // stays full
    const Bytes data = b.finish();
    EXPECT_LE(data.size(), limits.max_compressed_size);
    const auto back = decode_batch(data, limits);
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, std::vector<L2Message>(msgs.begin(), msgs.begin() + added));
}

TEST(BatchBuilder, RespectsSegmentAndTxLimits) {
    const BatchLimits limits{.max_segments = 5, .max_txs_per_message = 2, .max_tx_size = 10};
    BatchBuilder b(limits, 5);
    L2Message m{1, uint256{1}, 1, {Bytes{0x02, 0x01}}};
    EXPECT_TRUE(b.add(m).value());  // 3 segments
    EXPECT_TRUE(b.add(m).value());  // 4
    m.timestamp = 2;
    EXPECT_FALSE(b.add(m).value());  // would be 6
    EXPECT_EQ(decode_batch(b.finish(), limits).value().size(), 2u);

    BatchBuilder c(limits, 5);
    m.txs = {Bytes{1}, Bytes{2}, Bytes{3}};
    EXPECT_EQ(c.add(m).error(), BatchError::kTooManyTxs);
    m.txs = {Bytes(11, 1)};
    EXPECT_EQ(c.add(m).error(), BatchError::kTxTooLarge);
    m.txs = {Bytes{}};
    EXPECT_EQ(c.add(m).error(), BatchError::kEmptyTx);
}

TEST(BatchBuilder, RefusesBackwardsHeadersAndOversizedMessages) {
    BatchBuilder b;
    ASSERT_TRUE(b.add(L2Message{5, uint256{1}, 100, {}}).value());
    EXPECT_EQ(b.add(L2Message{5, uint256{1}, 99, {}}).error(), BatchError::kTimestampBackwards);
    EXPECT_EQ(b.add(L2Message{4, uint256{1}, 100, {}}).error(), BatchError::kL1BlockBackwards);
    EXPECT_EQ(b.add(L2Message{5, uint256{2}, 100, {}}).error(), BatchError::kBaseFeeChangedInBlock);
    EXPECT_EQ(b.message_count(), 1u);

    std::mt19937_64 rng(3);
    L2Message big{1, uint256{1}, 1, {}};
    for (int i = 0; i < 4; ++i) {
        Bytes tx(100'000);
        for (auto& x : tx)
            x = static_cast<uint8_t>(rng());  // incompressible
        big.txs.push_back(std::move(tx));
    }
    BatchBuilder e;
    EXPECT_EQ(e.add(big).error(), BatchError::kMessageTooLarge);
}

std::vector<L2Message> signed_messages(std::mt19937_64& rng, size_t count) {
    std::vector<L2Message> msgs;
    for (size_t i = 0; i < count; ++i)
        msgs.push_back(L2Message{100 + i / 10, uint256{7 + i / 10}, 1000 + i / 3,
                                 signed_txs(rng, rng() % 12)});
    return msgs;
}

TEST(ColumnarBuilder, RoundTripsAtEveryQuality) {
    std::mt19937_64 rng(4);
    const auto msgs = signed_messages(rng, 30);
    for (int q : {0, 5, 11}) {
        BatchBuilder b({}, q, kColumnarFormat);
        EXPECT_EQ(b.format(), kColumnarFormat);
        for (const auto& m : msgs)
            ASSERT_TRUE(b.add(m).value());
        const size_t bound = b.compressed_size();
        const Bytes data = b.finish();
        EXPECT_EQ(data.at(0), kColumnarFormat);
        EXPECT_LE(data.size(), bound);
        const auto back = decode_batch(data);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, msgs);
    }
}

TEST(ColumnarBuilder, EmptyBatchIsValid) {
    BatchBuilder b({}, 11, kColumnarFormat);
    const auto back = decode_batch(b.finish());
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_TRUE(back->empty());
}

TEST(ColumnarBuilder, ClosesAtTheSizeLimitAndKeepsEveryAcceptedMessage) {
    std::mt19937_64 rng(5);
    for (size_t limit : {1500, 6000, 20000}) {
        const BatchLimits limits{.max_compressed_size = limit};
        const auto msgs = signed_messages(rng, 600);
        BatchBuilder b(limits, 11, kColumnarFormat);
        size_t added = 0;
        for (const auto& m : msgs) {
            auto r = b.add(m);
            ASSERT_TRUE(r) << to_string(r.error());
            if (!*r) break;
            ++added;
        }
        ASSERT_GT(added, 0u);
        ASSERT_LT(added, msgs.size());
        EXPECT_TRUE(b.full());
        EXPECT_FALSE(b.add(msgs[added]).value());
        const Bytes data = b.finish();
        EXPECT_LE(data.size(), limit);
        const auto back = decode_batch(data, limits);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, std::vector<L2Message>(msgs.begin(), msgs.begin() + added));
        // Reasonably full: the next message would not have fitted by much.
        EXPECT_GT(data.size(), limit * 7 / 10) << limit;
    }
}

TEST(ColumnarBuilder, SameErrorsAsFormatZero) {
    const BatchLimits limits{.max_segments = 5, .max_txs_per_message = 2, .max_tx_size = 10};
    BatchBuilder b(limits, 5, kColumnarFormat);
    L2Message m{1, uint256{1}, 1, {Bytes{0x02, 0x01}}};
    EXPECT_TRUE(b.add(m).value());
    EXPECT_TRUE(b.add(m).value());
    m.timestamp = 2;
    EXPECT_FALSE(b.add(m).value());
    EXPECT_EQ(decode_batch(b.finish(), limits).value().size(), 2u);
    BatchBuilder c(limits, 5, kColumnarFormat);
    m.txs = {Bytes{1}, Bytes{2}, Bytes{3}};
    EXPECT_EQ(c.add(m).error(), BatchError::kTooManyTxs);
    ASSERT_TRUE(c.add(L2Message{5, uint256{1}, 100, {}}).value());
    EXPECT_EQ(c.add(L2Message{5, uint256{1}, 99, {}}).error(), BatchError::kTimestampBackwards);
    EXPECT_EQ(c.add(L2Message{5, uint256{2}, 100, {}}).error(), BatchError::kBaseFeeChangedInBlock);
}

}  // namespace
}  // namespace fuse::batch
