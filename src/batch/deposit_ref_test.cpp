// The deposits segment (kind 0x03, docs/batch-format.md "Deposits"): layout, round trips in
// both formats and through the builder, and every rejection.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "batch/batch.hpp"
#include "batch/builder.hpp"
#include "batch/test_util.hpp"
#include "core/hex.hpp"

namespace fuse::batch {
namespace {

using testing::brotli_batch;
using testing::random_messages;

Bytes hex(std::string_view s) {
    return from_hex(s).value();
}
Hash32 h32(std::string_view s) {
    Hash32 h;
    const Bytes b = hex(s);
    std::copy(b.begin(), b.end(), h.data());
    return h;
}

/// The Bridge's accumulator after deposits 0 and 1 of scripts/deposit-vectors.mjs.
constexpr std::string_view kAcc =
    "5ae9c9b1004a71dd4db290e4b71c5bd87917b46c27d4d4aa5fe9c85e17429219";

Bytes columnar(std::string_view stream_hex) {
    Bytes data = brotli_batch(hex(stream_hex));
    data[0] = kColumnarFormat;
    return data;
}

BatchError error_of(const Bytes& data) {
    auto r = decode_batch(data);
    EXPECT_FALSE(r.has_value());
    return r ? BatchError::kEmpty : r.error();
}
BatchError stream_error(const std::string& stream_hex) {
    return error_of(brotli_batch(hex(stream_hex)));
}
/// The same segments as a format-0x01 stream with no transactions (27 empty columns).
BatchError columnar_error(const std::string& segments_hex) {
    const Bytes seg = hex(segments_hex);
    EXPECT_LT(seg.size(), 128u);
    std::string s = to_hex(Bytes{static_cast<uint8_t>(seg.size())}).substr(2) + segments_hex +
                    std::string(54, '0');
    return error_of(columnar(s));
}

// docs/batch-format.md, "Worked example": the format-0x00 example with deposits 0 and 1
// attached to its second message.
const std::string kStream = std::string(
                                "01846553f100"   // advance timestamp by 1700000000
                                "02c48203e807"   // advance L1 block by 1000, base fee 7
                                "00c48302aabb"   // message: one tx 0x02aabb
                                "03e38002a0") +  // deposits [first 0, count 2, acc]
                            std::string(kAcc) +
                            "00c0"   // message: no txs, carries the deposits
                            "0102"   // advance timestamp by 2
                            "00c0";  // message: no txs

std::vector<L2Message> example() {
    std::vector<L2Message> m = {L2Message{1000, uint256{7}, 1'700'000'000, {hex("02aabb")}},
                                L2Message{1000, uint256{7}, 1'700'000'000, {}},
                                L2Message{1000, uint256{7}, 1'700'000'002, {}}};
    m[1].deposit_ref = DepositRef{0, 2, h32(kAcc)};
    return m;
}

TEST(DepositSegment, ExactLayoutOfTheDocumentedExample) {
    const auto stream = make_stream(example(), kBrotliFormat);
    ASSERT_TRUE(stream);
    EXPECT_EQ(to_hex(*stream), "0x" + kStream);
    EXPECT_EQ(stream->size(), 61u);
    EXPECT_EQ(decode_batch(brotli_batch(hex(kStream))).value(), example());

    const std::string columnar_stream = "39" + kStream.substr(0, 24) + "0001" +
                                        kStream.substr(36, 74) + "0080" + "0102" + "0080" + "0100" +
                                        "040302aabb" + std::string(50, '0');
    const auto col = make_stream(example(), kColumnarFormat);
    ASSERT_TRUE(col);
    EXPECT_EQ(to_hex(*col), "0x" + columnar_stream);
    EXPECT_EQ(decode_batch(columnar(columnar_stream)).value(), example());
}

TEST(DepositSegment, AttachesToTheNextMessageInAnyPositionBeforeIt) {
    // Before the advance segments instead of after them: same messages.
    const std::string early = std::string("03e38002a0") + std::string(kAcc) +
                              "01846553f100"
                              "02c48203e807"
                              "00c0"
                              "00c0";
    const auto msgs = decode_batch(brotli_batch(hex(early))).value();
    ASSERT_EQ(msgs.size(), 2u);
    EXPECT_EQ(msgs[0].deposit_ref, (DepositRef{0, 2, h32(kAcc)}));
    EXPECT_FALSE(msgs[1].deposit_ref);  // only the next message
}

TEST(DepositSegment, RoundTripsRandomRefsInBothFormatsAndTheBuilder) {
    std::mt19937_64 rng(31);
    for (size_t count : {1, 5, 60}) {
        auto msgs = random_messages(rng, count, 3, 60);
        uint64_t next = rng() % 1000;
        for (auto& m : msgs) {
            if (rng() % 2) continue;
            const uint64_t n = 1 + rng() % (rng() % 4 == 0 ? 100'000 : 3);
            Hash32 acc;
            for (auto& b : acc.bytes)
                b = static_cast<uint8_t>(rng());
            m.deposit_ref = DepositRef{next, n, acc};
            next += n;
        }
        for (uint8_t format : {kBrotliFormat, kColumnarFormat}) {
            const auto data = encode_batch(msgs, 5, format);
            ASSERT_TRUE(data);
            EXPECT_EQ(decode_batch(*data).value(), msgs);
            BatchBuilder b({}, 5, format);
            for (const auto& m : msgs)
                ASSERT_TRUE(b.add(m).value());
            EXPECT_EQ(decode_batch(b.finish()).value(), msgs);
        }
    }
    // The extremes of the range: the last index is exactly 2^64 - 1.
    L2Message m{1, uint256{1}, 1, {}};
    m.deposit_ref = DepositRef{UINT64_MAX, 1, Hash32{}};
    EXPECT_EQ(decode_batch(encode_batch({m}).value()).value().at(0), m);
    m.deposit_ref = DepositRef{0, UINT64_MAX, Hash32{}};
    EXPECT_EQ(decode_batch(encode_batch({m}).value()).value().at(0), m);
}

TEST(DepositSegment, RejectsEveryBadRef) {
    const std::string hdr =
        "0105"
        "02c20107";
    const std::string acc = "a0" + std::string(kAcc);
    // `M` stands for an empty message: 00c0 in format 0x00, 0080 (zero txs) in format 0x01.
    auto both = [&](const std::string& segments) {
        auto with = [&](std::string_view msg) {
            std::string out;
            for (char c : segments)
                out += c == 'M' ? std::string(msg) : std::string(1, c);
            return out;
        };
        const BatchError e0 = stream_error(with("00c0"));
        EXPECT_EQ(columnar_error(with("0080")), e0) << segments;  // same rules in format 0x01
        return e0;
    };
    // Well-formed: accepted.
    EXPECT_TRUE(decode_batch(brotli_batch(hex(hdr + "03e30102" + acc + "00c0"))));
    // Count 0; non-minimal count (0x00 is not the integer 0, 0x8102 not 2).
    EXPECT_EQ(both(hdr + "03e30180" + acc + "M"), BatchError::kZeroDepositCount);
    EXPECT_EQ(both(hdr + "03e30100" + acc + "M"), BatchError::kBadRlp);
    EXPECT_EQ(both(hdr + "03e4018102" + acc + "M"), BatchError::kBadRlp);
    // first_index + count - 1 past 2^64 - 1.
    EXPECT_EQ(both(hdr + "03eb88ffffffffffffffff02" + acc + "M"),
              BatchError::kDepositRangeOverflow);
    // first_index wider than 64 bits.
    EXPECT_EQ(both(hdr + "03ec89010000000000000000" + "01" + acc + "M"), BatchError::kBadRlp);
    // Not a list; two items; four items; a 31-byte accumulator; a list as the accumulator.
    EXPECT_EQ(both(hdr + "0301" + "M"), BatchError::kBadRlp);
    EXPECT_EQ(both(hdr + "03c20102" + "M"), BatchError::kBadRlp);
    EXPECT_EQ(both(hdr + "03e40102" + acc + "01" + "M"), BatchError::kBadRlp);
    EXPECT_EQ(both(hdr + "03e20102" + "9f" + std::string(kAcc).substr(2) + "M"),
              BatchError::kBadRlp);
    EXPECT_EQ(both(hdr + "03c30102c0" + "M"), BatchError::kBadRlp);
    // Two refs for one message (also across an advance segment).
    EXPECT_EQ(both(hdr + "03e30102" + acc + "03e30302" + acc + "M"),
              BatchError::kDuplicateDepositRef);
    EXPECT_EQ(both(hdr + "03e30102" + acc + "0101" + "03e30302" + acc + "M"),
              BatchError::kDuplicateDepositRef);
    // No message after the ref: at the end, or followed only by advances.
    EXPECT_EQ(both(hdr + "M" + "03e30102" + acc), BatchError::kDanglingDepositRef);
    EXPECT_EQ(both(hdr + "M" + "03e30102" + acc + "0101"), BatchError::kDanglingDepositRef);
    EXPECT_EQ(both("03e30102" + acc), BatchError::kDanglingDepositRef);
    // A ref does not set the header: the message after it still needs both advances.
    EXPECT_EQ(both("0105" + std::string("03e30102") + acc + "M"), BatchError::kHeaderNotSet);
}

TEST(DepositSegment, CountsAsASegment) {
    L2Message m{1, uint256{1}, 1, {}};
    m.deposit_ref = DepositRef{0, 1, Hash32{}};
    const Bytes data = encode_batch({m}).value();  // 4 segments: time, L1 block, ref, message
    EXPECT_TRUE(decode_batch(data, BatchLimits{.max_segments = 4}));
    EXPECT_EQ(decode_batch(data, BatchLimits{.max_segments = 3}).error(),
              BatchError::kTooManySegments);
    BatchBuilder b(BatchLimits{.max_segments = 3});
    EXPECT_EQ(b.add(m).error(), BatchError::kMessageTooLarge);
    m.deposit_ref.reset();
    BatchBuilder b2(BatchLimits{.max_segments = 3});
    EXPECT_TRUE(b2.add(m).value());
}

TEST(DepositSegment, EncoderRefusesRefsTheDecoderWouldRefuse) {
    L2Message m{1, uint256{1}, 1, {}};
    m.deposit_ref = DepositRef{5, 0, Hash32{}};
    EXPECT_EQ(encode_batch({m}).error(), BatchError::kZeroDepositCount);
    EXPECT_EQ(BatchBuilder().add(m).error(), BatchError::kZeroDepositCount);
    m.deposit_ref = DepositRef{UINT64_MAX, 2, Hash32{}};
    EXPECT_EQ(encode_batch({m}, 5, kColumnarFormat).error(), BatchError::kDepositRangeOverflow);
    EXPECT_EQ(BatchBuilder({}, 5, kColumnarFormat).add(m).error(),
              BatchError::kDepositRangeOverflow);
}

TEST(DepositSegment, MakeDepositRefChainsFromThePreviousAccumulator) {
    Deposit a;
    a.index = 7;
    a.value = uint256(1);
    Deposit b = a;
    b.index = 8;
    b.kind = DepositKind::kMessage;
    const Hash32 prev = h32(kAcc);
    const std::vector<Deposit> ds = {a, b};
    const DepositRef ref = make_deposit_ref(prev, ds);
    EXPECT_EQ(ref.first_index, 7u);
    EXPECT_EQ(ref.count, 2u);
    EXPECT_EQ(ref.acc, chain_acc(chain_acc(prev, a.deposit_hash()), b.deposit_hash()));
}

}  // namespace
}  // namespace fuse::batch
