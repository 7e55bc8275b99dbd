#include "core/rlp.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>

#include "core/hex.hpp"

namespace fuse::rlp {
namespace {

Bytes hx(std::string_view s) {
    return from_hex(s).value();
}

ByteView str(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

RlpError item_error(std::string_view hex) {
    const Bytes b = hx(hex);
    auto r = decode_single(b);
    EXPECT_FALSE(r.has_value()) << hex;
    return r ? RlpError::kTooLarge : r.error();
}

// Vectors from the Yellow Paper, Appendix B, and the ethereum/tests RLPTests (rlptest.json).
TEST(Rlp, EncodesSpecVectors) {
    EXPECT_EQ(to_hex(encode(str("dog"))), "0x83646f67");
    EXPECT_EQ(to_hex(encode(ByteView{})), "0x80");
    EXPECT_EQ(to_hex(encode(uint64_t{0})), "0x80");
    EXPECT_EQ(to_hex(encode(uint64_t{15})), "0x0f");
    EXPECT_EQ(to_hex(encode(uint64_t{1024})), "0x820400");
    EXPECT_EQ(to_hex(encode(uint64_t{0x7f})), "0x7f");
    EXPECT_EQ(to_hex(encode(uint64_t{0x80})), "0x8180");
    EXPECT_EQ(to_hex(encode(~uint64_t{0})), "0x88ffffffffffffffff");
    const uint8_t zero = 0;
    EXPECT_EQ(to_hex(encode(ByteView{&zero, 1})), "0x00");

    Encoder cats;
    cats.begin_list().add(str("cat")).add(str("dog")).end_list();
    EXPECT_EQ(to_hex(cats.bytes()), "0xc88363617483646f67");

    // The set-theoretical representation of three: [ [], [[]], [ [], [[]] ] ].
    Encoder three;
    three.begin_list();
    three.begin_list().end_list();
    three.begin_list().begin_list().end_list().end_list();
    three.begin_list().begin_list().end_list().begin_list().begin_list().end_list().end_list();
    three.end_list().end_list();
    EXPECT_EQ(to_hex(three.bytes()), "0xc7c0c1c0c3c0c1c0");

    const std::string lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit";
    ASSERT_EQ(lorem.size(), 56u);
    EXPECT_EQ(to_hex(encode(str(lorem))).substr(0, 6), "0xb838");
}

TEST(Rlp, EncodesUint256) {
    EXPECT_EQ(to_hex(encode(uint256{})), "0x80");
    EXPECT_EQ(to_hex(encode(uint256{0x7f})), "0x7f");
    EXPECT_EQ(to_hex(encode(uint256{0, 1, 0, 0})), "0x89010000000000000000");
    const uint256 max{~0ull, ~0ull, ~0ull, ~0ull};
    EXPECT_EQ(to_hex(encode(max)), "0xa0" + std::string(64, 'f'));
    EXPECT_EQ(encode(max).size(), uint_length(max));
}

TEST(Rlp, LongListHeader) {
    Encoder e;
    e.begin_list();
    for (int i = 0; i < 100; ++i)
        e.add(uint64_t{1});
    e.end_list();
    EXPECT_EQ(to_hex(e.bytes()).substr(0, 6), "0xf864");
    EXPECT_EQ(e.bytes().size(), 102u);
    // 1 KiB and 70000-byte strings use 2 and 3 length bytes.
    EXPECT_EQ(to_hex(encode(Bytes(1024, 0xaa))).substr(0, 8), "0xb90400");
    EXPECT_EQ(to_hex(encode(Bytes(70000, 0xaa))).substr(0, 10), "0xba011170");
}

TEST(Rlp, RoundTripsLengthsAcrossTheShortLongBoundary) {
    for (size_t n : {0u, 1u, 2u, 54u, 55u, 56u, 57u, 255u, 256u, 65535u, 65536u}) {
        Bytes s(n, 0x99);
        Bytes enc = encode(s);
        EXPECT_EQ(enc.size(), string_length(s));
        auto item = decode_single(enc);
        ASSERT_TRUE(item) << n << ": " << to_string(item.error());
        EXPECT_FALSE(item->is_list);
        EXPECT_EQ(to_bytes(item->payload), s);
        // The payload is a view into the input, not a copy.
        if (n > 1) {
            EXPECT_EQ(item->payload.data(), enc.data() + header_length(n));
        }
    }
}

TEST(Rlp, RoundTripsIntegers) {
    for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x7f}, uint64_t{0x80}, uint64_t{0xff},
                       uint64_t{0x100}, uint64_t{0xdeadbeef}, ~uint64_t{0}}) {
        Bytes enc = encode(v);
        EXPECT_EQ(enc.size(), uint_length(v));
        Decoder d(enc);
        auto got = d.read_u64();
        ASSERT_TRUE(got) << v;
        EXPECT_EQ(*got, v);
        EXPECT_TRUE(d.finish());
    }
    std::mt19937_64 rng(7);
    for (int i = 0; i < 1000; ++i) {
        uint256 v{rng(), rng(), rng(), rng()};
        for (int k = 0; k < i % 4; ++k)
            v.w[3 - k] = 0;
        Bytes enc = encode(v);
        Decoder d(enc);
        auto got = d.read_uint256();
        ASSERT_TRUE(got);
        EXPECT_EQ(*got, v);
    }
}

TEST(Rlp, DecoderWalksNestedStructures) {
    Address a;
    a[19] = 0x42;
    Hash32 h;
    h[0] = 0x11;
    Encoder e;
    e.begin_list().add(uint64_t{5}).add(a).begin_list().add(h).add(h).end_list().add(ByteView{});
    e.end_list();
    const Bytes enc = e.take();

    Decoder top(enc);
    auto list = top.read_list();
    ASSERT_TRUE(list);
    EXPECT_EQ(list->depth(), 1);
    EXPECT_EQ(*list->read_u64(), 5u);
    EXPECT_EQ(*list->read_address(), a);
    auto hashes = list->read_hash_list();
    ASSERT_TRUE(hashes);
    ASSERT_EQ(hashes->size(), 2u);
    EXPECT_EQ((*hashes)[1], h);
    auto to = list->read_optional_address();
    ASSERT_TRUE(to);
    EXPECT_FALSE(to->has_value());
    EXPECT_TRUE(list->finish());
    EXPECT_TRUE(top.finish());
    EXPECT_TRUE(validate(enc));
}

TEST(Rlp, RejectsNonCanonicalEncodings) {
    EXPECT_EQ(item_error("8100"), RlpError::kNonCanonicalSingleByte);
    EXPECT_EQ(item_error("817f"), RlpError::kNonCanonicalSingleByte);
    // Long form for short payloads.
    EXPECT_EQ(item_error("b80100"), RlpError::kNonCanonicalSize);
    EXPECT_EQ(item_error("b837" + std::string(55 * 2, 'a')), RlpError::kNonCanonicalSize);
    EXPECT_EQ(item_error("f80180"), RlpError::kNonCanonicalSize);
    EXPECT_EQ(item_error("f800"), RlpError::kLeadingZeroInLength);
    // Leading zero in a length.
    EXPECT_EQ(item_error("b90038" + std::string(56 * 2, 'a')), RlpError::kLeadingZeroInLength);
    EXPECT_EQ(item_error("f90000"), RlpError::kLeadingZeroInLength);
}

TEST(Rlp, RejectsTruncatedAndTrailing) {
    EXPECT_EQ(item_error(""), RlpError::kInputTooShort);
    EXPECT_EQ(item_error("83646f"), RlpError::kInputTooShort);
    EXPECT_EQ(item_error("b8"), RlpError::kInputTooShort);
    EXPECT_EQ(item_error("b938"), RlpError::kInputTooShort);
    EXPECT_EQ(item_error("c88363617483646f"), RlpError::kInputTooShort);
    EXPECT_EQ(item_error("83646f6700"), RlpError::kTrailingBytes);
    EXPECT_EQ(item_error("c000"), RlpError::kTrailingBytes);
    // A list whose payload ends in the middle of an item.
    const Bytes bad = hx("c3830102");
    EXPECT_EQ(validate(bad).error(), RlpError::kInputTooShort);
}

TEST(Rlp, RejectsHugeLengthsWithoutOverflow) {
    EXPECT_EQ(item_error("bfffffffffffffffff"), RlpError::kLengthOverflow);
    EXPECT_EQ(item_error("ffffffffffffffffff"), RlpError::kLengthOverflow);
    EXPECT_EQ(item_error("bb7fffffff"), RlpError::kLengthOverflow);
    // Within the limit but past the end of the input.
    EXPECT_EQ(item_error("ba010000"), RlpError::kInputTooShort);
}

TEST(Rlp, RejectsBadIntegers) {
    auto u64 = [](std::string_view hex) {
        const Bytes b = hx(hex);
        Decoder d(b);
        return d.read_u64();
    };
    EXPECT_EQ(u64("820001").error(), RlpError::kLeadingZeroInInteger);
    EXPECT_EQ(u64("00").error(), RlpError::kLeadingZeroInInteger);
    EXPECT_EQ(u64("89010000000000000000").error(), RlpError::kIntegerOverflow);
    EXPECT_EQ(u64("c0").error(), RlpError::kUnexpectedList);
    EXPECT_EQ(*u64("88ffffffffffffffff"), ~uint64_t{0});

    const Bytes wide = hx("a1" + std::string(66, '1'));
    Decoder d(wide);
    EXPECT_EQ(d.read_uint256().error(), RlpError::kIntegerOverflow);
    const Bytes lead = hx("a000" + std::string(62, '1'));
    Decoder d2(lead);
    EXPECT_EQ(d2.read_uint256().error(), RlpError::kLeadingZeroInInteger);
}

TEST(Rlp, RejectsWrongKindsAndSizes) {
    const Bytes list = hx("c0");
    EXPECT_EQ(Decoder(list).read_bytes().error(), RlpError::kUnexpectedList);
    const Bytes s = hx("80");
    EXPECT_EQ(Decoder(s).read_list().error(), RlpError::kUnexpectedString);
    const Bytes short_addr = hx("93" + std::string(38, '1'));
    EXPECT_EQ(Decoder(short_addr).read_address().error(), RlpError::kUnexpectedLength);
    EXPECT_EQ(Decoder(short_addr).read_optional_address().error(), RlpError::kUnexpectedLength);
    const Bytes hash31 = hx("9f" + std::string(62, '1'));
    EXPECT_EQ(Decoder(hash31).read_hash().error(), RlpError::kUnexpectedLength);
}

TEST(Rlp, LimitsNestingDepth) {
    auto nested = [](int levels) {
        Encoder e;
        for (int i = 0; i < levels; ++i)
            e.begin_list();
        for (int i = 0; i < levels; ++i)
            e.end_list();
        return e.take();
    };
    EXPECT_TRUE(validate(nested(kMaxDepth)));
    EXPECT_EQ(validate(nested(kMaxDepth + 1)).error(), RlpError::kTooDeep);
    EXPECT_EQ(validate(nested(3), 2).error(), RlpError::kTooDeep);

    const Bytes deep = nested(kMaxDepth + 1);
    Decoder d(deep);
    RlpError err{};
    for (int i = 0; i <= kMaxDepth; ++i) {
        auto inner = d.read_list();
        if (!inner) {
            err = inner.error();
            EXPECT_EQ(i, kMaxDepth);
            break;
        }
        d = *inner;
    }
    EXPECT_EQ(err, RlpError::kTooDeep);

    // 100000 nested list headers must be refused without deep recursion.
    Bytes bomb(100000, 0xc0);
    EXPECT_FALSE(validate(bomb));
}

TEST(Rlp, RandomBytesNeverCrashAndAcceptedInputsRoundTrip) {
    std::mt19937_64 rng(12345);
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes b(rng() % 48);
        for (auto& x : b)
            x = static_cast<uint8_t>(rng());
        // Bias toward structured input: start with a plausible list header.
        if (!b.empty() && i % 2 == 0) b[0] = static_cast<uint8_t>(0xc0 + (b.size() - 1) % 56);
        if (validate(b)) {
            ++accepted;
            // Re-encode from the item tree: canonical input is a fixed point.
            std::function<void(Encoder&, const Item&)> re = [&](Encoder& e, const Item& it) {
                if (!it.is_list) {
                    e.add(it.payload);
                    return;
                }
                e.begin_list();
                Decoder d(it.payload);
                while (!d.empty())
                    re(e, *d.next());
                e.end_list();
            };
            Encoder e;
            re(e, *decode_single(b));
            EXPECT_EQ(e.bytes(), b);
        }
    }
    EXPECT_GT(accepted, 100);
}

TEST(Rlp, ErrorsHaveReasons) {
    for (int e = 0; e <= static_cast<int>(RlpError::kTooLarge); ++e)
        EXPECT_NE(std::string(to_string(static_cast<RlpError>(e))), "unknown RLP error");
}

}  // namespace
}  // namespace fuse::rlp
