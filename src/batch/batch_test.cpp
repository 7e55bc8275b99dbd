#include "batch/batch.hpp"

#include <gtest/gtest.h>

#include <random>

#include "batch/test_util.hpp"
#include "core/hex.hpp"

namespace fuse::batch {
namespace {

using testing::brotli_batch;
using testing::random_messages;
using testing::signed_txs;

Bytes hex(std::string_view s) {
    return from_hex(s).value();
}

BatchError decode_error(ByteView data, const BatchLimits& limits = {}) {
    auto r = decode_batch(data, limits);
    EXPECT_FALSE(r.has_value());
    return r ? BatchError::kEmpty : r.error();
}

BatchError stream_error(std::string_view stream_hex, const BatchLimits& limits = {}) {
    return decode_error(brotli_batch(hex(stream_hex)), limits);
}

// The worked example of docs/batch-format.md, byte for byte.
constexpr std::string_view kExampleStream =
    "01846553f100"  // advance timestamp by 1700000000
    "02c48203e807"  // advance L1 block by 1000, base fee 7
    "00c48302aabb"  // message: one tx 0x02aabb
    "00c0"          // message: no txs, same header
    "0102"          // advance timestamp by 2
    "00c0";         // message: no txs

std::vector<L2Message> example_messages() {
    return {L2Message{1000, uint256{7}, 1'700'000'000, {hex("02aabb")}},
            L2Message{1000, uint256{7}, 1'700'000'000, {}},
            L2Message{1000, uint256{7}, 1'700'000'002, {}}};
}

TEST(BatchFormat, ExactLayoutOfTheDocumentedExample) {
    const auto encoded = encode_batch(example_messages());
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->at(0), kBrotliFormat);
    const auto stream = decompress_batch(*encoded);
    ASSERT_TRUE(stream);
    EXPECT_EQ(to_hex(*stream), std::string("0x") + std::string(kExampleStream));
    // And the hand-written stream decodes to the messages, whatever brotli quality made it.
    for (int q : {0, 5, 11}) {
        const auto decoded = decode_batch(brotli_batch(hex(kExampleStream), q));
        ASSERT_TRUE(decoded) << to_string(decoded.error());
        EXPECT_EQ(*decoded, example_messages());
    }
}

TEST(BatchFormat, RoundTripRandomMessagesManySizes) {
    std::mt19937_64 rng(42);
    for (size_t count : {0, 1, 2, 7, 50, 300}) {
        for (int q : {1, 11}) {
            const auto msgs = random_messages(rng, count, 6, 300);
            const auto data = encode_batch(msgs, q);
            ASSERT_TRUE(data);
            const auto back = decode_batch(*data);
            ASSERT_TRUE(back) << to_string(back.error());
            EXPECT_EQ(*back, msgs) << "count " << count << " quality " << q;
        }
    }
}

TEST(BatchFormat, EmptyStreamIsZeroMessages) {
    const auto r = decode_batch(brotli_batch({}));
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

TEST(BatchFormat, RejectsBadEnvelope) {
    EXPECT_EQ(decode_error({}), BatchError::kEmpty);
    Bytes data = brotli_batch(hex(kExampleStream));
    data[0] = 0x03;
    EXPECT_EQ(decode_error(data), BatchError::kUnknownFormat);
    data[0] = 0xff;
    EXPECT_EQ(decode_error(data), BatchError::kUnknownFormat);
    data[0] = kBrotliFormat;
    EXPECT_EQ(decode_error(data, BatchLimits{.max_compressed_size = data.size() - 1}),
              BatchError::kCompressedTooLarge);
    EXPECT_TRUE(decode_batch(data, BatchLimits{.max_compressed_size = data.size()}));
}

TEST(BatchFormat, RejectsTruncatedBrotliAtEveryLength) {
    const Bytes data = *encode_batch(example_messages());
    for (size_t len = 1; len < data.size(); ++len) {
        const auto r = decode_batch(ByteView{data}.first(len));
        ASSERT_FALSE(r) << len;
        EXPECT_TRUE(r.error() == BatchError::kBrotliTruncated ||
                    r.error() == BatchError::kBrotliCorrupt)
            << len << ": " << to_string(r.error());
    }
}

TEST(BatchFormat, RejectsTrailingBytesAfterTheStream) {
    Bytes data = *encode_batch(example_messages());
    data.push_back(0x00);
    EXPECT_EQ(decode_error(data), BatchError::kTrailingBytes);
}

TEST(BatchFormat, DecompressionBombStopsAtTheCap) {
    const Bytes zeros(size_t{17} << 20, 0);  // 17 MiB of zero bytes, a few hundred compressed
    const Bytes bomb = brotli_batch(zeros, 9);
    ASSERT_LT(bomb.size(), 100'000u);
    EXPECT_EQ(decode_error(bomb), BatchError::kDecompressedTooLarge);
    // A stream exactly at the cap decompresses; one byte over does not.
    const Bytes at_cap = brotli_batch(Bytes(1000, 0));
    EXPECT_TRUE(decompress_batch(at_cap, BatchLimits{.max_decompressed_size = 1000}));
    EXPECT_EQ(decompress_batch(at_cap, BatchLimits{.max_decompressed_size = 999}).error(),
              BatchError::kDecompressedTooLarge);
}

TEST(BatchFormat, RejectsNonCanonicalRlp) {
    EXPECT_EQ(stream_error("018105"
                           "02c20107"
                           "00c0"),
              BatchError::kBadRlp);  // 0x05 wrapped
    EXPECT_EQ(stream_error("01820005"
                           "02c20107"
                           "00c0"),
              BatchError::kBadRlp);  // leading zero
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00b800"),
              BatchError::kBadRlp);  // long form < 56
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00c3"),
              BatchError::kBadRlp);  // truncated
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00"),
              BatchError::kBadRlp);  // kind, no item
    EXPECT_EQ(stream_error("0105"
                           "02c3010780"
                           "00c0"),
              BatchError::kBadRlp);  // extra field
    EXPECT_EQ(stream_error("0105"
                           "02c101"
                           "00c0"),
              BatchError::kBadRlp);  // missing fee
    EXPECT_EQ(stream_error("01c105"
                           "02c20107"
                           "00c0"),
              BatchError::kBadRlp);  // list delta
    EXPECT_EQ(stream_error("0105"
                           "020107"
                           "00c0"),
              BatchError::kBadRlp);  // not a list
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "0080"),
              BatchError::kBadRlp);  // msg not list
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00c1c0"),
              BatchError::kBadRlp);  // tx is a list
    EXPECT_EQ(stream_error("0189010000000000000000"
                           "02c20107"
                           "00c0"),
              BatchError::kBadRlp);  // 9-byte delta does not fit uint64
}

TEST(BatchFormat, RejectsBadSegments) {
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "04c0"),
              BatchError::kUnknownSegment);
    EXPECT_EQ(stream_error("ff"), BatchError::kUnknownSegment);
    EXPECT_EQ(stream_error("0180"
                           "02c20107"
                           "00c0"),
              BatchError::kZeroAdvance);
    EXPECT_EQ(stream_error("0105"
                           "02c28007"
                           "00c0"),
              BatchError::kZeroAdvance);
    EXPECT_EQ(stream_error("00c0"), BatchError::kHeaderNotSet);
    EXPECT_EQ(stream_error("0105"
                           "00c0"),
              BatchError::kHeaderNotSet);
    EXPECT_EQ(stream_error("02c20107"
                           "00c0"),
              BatchError::kHeaderNotSet);
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00c0"
                           "0101"),
              BatchError::kTrailingAdvance);
    EXPECT_EQ(stream_error("0105"
                           "02c20107"),
              BatchError::kTrailingAdvance);
    EXPECT_EQ(stream_error("0188ffffffffffffffff"
                           "0101"
                           "02c20107"
                           "00c0"),
              BatchError::kHeaderOverflow);
    EXPECT_EQ(stream_error("0101"
                           "02ca88ffffffffffffffff07"
                           "02c20107"
                           "00c0"),
              BatchError::kHeaderOverflow);
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "00c180"),
              BatchError::kEmptyTx);
}

TEST(BatchFormat, EnforcesCountAndSizeLimits) {
    const std::string_view ok =
        "0105"
        "02c20107"
        "00c0"
        "00c0";  // 4 segments
    EXPECT_TRUE(decode_batch(brotli_batch(hex(ok)), BatchLimits{.max_segments = 4}));
    EXPECT_EQ(stream_error(ok, BatchLimits{.max_segments = 3}), BatchError::kTooManySegments);

    const std::string_view three_txs =
        "0105"
        "02c20107"
        "00c5"
        "820102"
        "01"
        "02";
    EXPECT_TRUE(decode_batch(brotli_batch(hex(three_txs)), BatchLimits{.max_txs_per_message = 3}));
    EXPECT_EQ(stream_error(three_txs, BatchLimits{.max_txs_per_message = 2}),
              BatchError::kTooManyTxs);
    EXPECT_TRUE(decode_batch(brotli_batch(hex(three_txs)), BatchLimits{.max_tx_size = 2}));
    EXPECT_EQ(stream_error(three_txs, BatchLimits{.max_tx_size = 1}), BatchError::kTxTooLarge);

    // Default tx cap: 128 KiB accepted, one byte more rejected.
    L2Message m{1, uint256{1}, 1, {Bytes(131'072, 0x02)}};
    EXPECT_TRUE(decode_batch(*encode_batch({m})));
    m.txs[0].push_back(0);
    EXPECT_EQ(decode_error(*encode_batch({m})), BatchError::kTxTooLarge);
}

TEST(BatchFormat, EncoderRefusesInvalidHeaderSequences) {
    L2Message a{10, uint256{5}, 100, {}};
    L2Message b = a;
    b.timestamp = 99;
    EXPECT_EQ(encode_batch({a, b}).error(), BatchError::kTimestampBackwards);
    b = a;
    b.l1_block_number = 9;
    EXPECT_EQ(encode_batch({a, b}).error(), BatchError::kL1BlockBackwards);
    b = a;
    b.l1_base_fee = uint256{6};
    EXPECT_EQ(encode_batch({a, b}).error(), BatchError::kBaseFeeChangedInBlock);
}

TEST(BatchFormat, RandomGarbageNeverCrashes) {
    std::mt19937_64 rng(7);
    size_t decoded = 0;
    for (int i = 0; i < 20'000; ++i) {
        Bytes junk(rng() % 64);
        for (auto& b : junk)
            b = static_cast<uint8_t>(rng() % 8 == 0 ? rng() : rng() % 4);
        // Raw garbage after a valid format byte, and garbage as a valid brotli stream.
        Bytes raw{kBrotliFormat};
        raw.insert(raw.end(), junk.begin(), junk.end());
        if (decode_batch(raw)) ++decoded;
        if (decode_batch(brotli_batch(junk, 1))) ++decoded;
    }
    // Mutations of a valid batch.
    const Bytes good = *encode_batch(random_messages(rng, 20, 3, 40));
    for (int i = 0; i < 20'000; ++i) {
        Bytes m = good;
        m[1 + rng() % (m.size() - 1)] ^= static_cast<uint8_t>(1 + rng() % 255);
        if (decode_batch(m)) ++decoded;
    }
    EXPECT_LT(decoded, 60'000u);  // some inputs are rejected; the point is no crash
}

TEST(BatchFormat, EveryErrorHasAMessage) {
    for (int e = 0; e <= static_cast<int>(BatchError::kDanglingDepositRef); ++e)
        EXPECT_STRNE(to_string(static_cast<BatchError>(e)), "unknown batch error") << e;
}

// ---- Format 0x01: segments with tx counts, then the tx columns ----

// The documented example in format 0x01: the segments with counts (20 bytes), then the tx
// section: kinds [0x00 raw], raw [len 3, 02aabb], 25 empty columns.
constexpr std::string_view kColumnarExampleStream =
    "14"                                                   // 20 bytes of segments
    "01846553f100"                                         // advance timestamp by 1700000000
    "02c48203e807"                                         // advance L1 block by 1000, base fee 7
    "0001"                                                 // message: 1 tx
    "0080"                                                 // message: 0 txs
    "0102"                                                 // advance timestamp by 2
    "0080"                                                 // message: 0 txs
    "0100"                                                 // kinds: one byte, raw
    "040302aabb"                                           // raw: 4 bytes: length 3, 02aabb
    "00000000000000000000000000000000000000000000000000";  // the other 25 columns, empty

TEST(ColumnarFormat, ExactLayoutOfTheDocumentedExample) {
    const auto encoded = encode_batch(example_messages(), 11, kColumnarFormat);
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->at(0), kColumnarFormat);
    const auto stream = decompress_batch(*encoded);
    ASSERT_TRUE(stream);
    EXPECT_EQ(to_hex(*stream), std::string("0x") + std::string(kColumnarExampleStream));
    Bytes data = brotli_batch(hex(kColumnarExampleStream), 5);
    data[0] = kColumnarFormat;
    EXPECT_EQ(decode_batch(data).value(), example_messages());
}

Bytes columnar_batch(std::string_view stream_hex) {
    Bytes data = brotli_batch(hex(stream_hex));
    data[0] = kColumnarFormat;
    return data;
}

TEST(ColumnarFormat, RoundTripsOpaqueAndSignedTransactions) {
    std::mt19937_64 rng(43);
    for (size_t count : {0, 1, 7, 120}) {
        auto msgs = random_messages(rng, count, 6, 200);  // opaque bytes: the raw column
        for (auto& m : msgs) {
            auto more = signed_txs(rng, rng() % 8);  // columnar
            m.txs.insert(m.txs.begin() + static_cast<std::ptrdiff_t>(rng() % (m.txs.size() + 1)),
                         more.begin(), more.end());
        }
        for (int q : {1, 11}) {
            const auto data = encode_batch(msgs, q, kColumnarFormat);
            ASSERT_TRUE(data);
            EXPECT_EQ(data->at(0), kColumnarFormat);
            const auto back = decode_batch(*data);
            ASSERT_TRUE(back) << to_string(back.error());
            EXPECT_EQ(*back, msgs) << "count " << count << " quality " << q;
        }
    }
}

TEST(ColumnarFormat, SignedTransactionsCostFewerBytesThanFormatZero) {
    std::mt19937_64 rng(44);
    std::vector<L2Message> msgs;
    for (int i = 0; i < 40; ++i)
        msgs.push_back(
            L2Message{100, uint256{7}, 1000 + static_cast<uint64_t>(i), signed_txs(rng, 10)});
    const size_t v0 = encode_batch(msgs, 11, kBrotliFormat)->size();
    const size_t v1 = encode_batch(msgs, 11, kColumnarFormat)->size();
    EXPECT_LT(v1, v0);
}

TEST(ColumnarFormat, RejectsMismatchedSegmentsAndCounts) {
    // Format 0x01 message segments carry an integer, format 0x00 ones a list.
    EXPECT_EQ(decode_error(columnar_batch("08"
                                          "0105"
                                          "02c20107"
                                          "00c0"
                                          "00" +
                                          std::string(52, '0'))),
              BatchError::kBadRlp);
    EXPECT_EQ(stream_error("0105"
                           "02c20107"
                           "0080"),
              BatchError::kBadRlp);
    // Two txs announced, one in the columns; the segment length past the stream.
    const std::string empty_cols(50, '0');
    EXPECT_EQ(decode_error(columnar_batch("08"
                                          "0105"
                                          "02c20107"
                                          "0002"
                                          "0100"
                                          "040302aabb" +
                                          empty_cols)),
              BatchError::kBadTxColumns);
    EXPECT_EQ(decode_error(columnar_batch("0b"
                                          "0105"
                                          "02c20107"
                                          "0001")),
              BatchError::kBadTxColumns);
    EXPECT_EQ(decode_error(columnar_batch("8000")), BatchError::kBadTxColumns);  // non-minimal
    // The same batch with a correct count decodes; the per-message tx cap holds.
    const Bytes ok = columnar_batch(
        "08"
        "0105"
        "02c20107"
        "0001"
        "0100"
        "040302aabb" +
        empty_cols);
    EXPECT_TRUE(decode_batch(ok));
    EXPECT_EQ(decode_error(ok, BatchLimits{.max_txs_per_message = 0}), BatchError::kTooManyTxs);
    // Trailing bytes after the columns.
    EXPECT_EQ(decode_error(columnar_batch("08"
                                          "0105"
                                          "02c20107"
                                          "0001"
                                          "0100"
                                          "040302aabb" +
                                          empty_cols + "00")),
              BatchError::kBadTxColumns);
}

TEST(ColumnarFormat, RandomGarbageNeverCrashes) {
    std::mt19937_64 rng(45);
    std::vector<L2Message> msgs;
    for (int i = 0; i < 10; ++i)
        msgs.push_back(
            L2Message{100, uint256{7}, 1000 + static_cast<uint64_t>(i), signed_txs(rng, 4)});
    const Bytes stream = make_stream(msgs, kColumnarFormat).value();
    size_t decoded = 0;
    for (int i = 0; i < 20'000; ++i) {
        Bytes m = stream;
        m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        if (parse_columnar_stream(m)) ++decoded;
        Bytes junk(rng() % 64);
        for (auto& b : junk)
            b = static_cast<uint8_t>(rng() % 8 == 0 ? rng() : rng() % 4);
        if (parse_columnar_stream(junk)) ++decoded;
    }
    EXPECT_LT(decoded, 40'000u);
}

}  // namespace
}  // namespace fuse::batch
