#include "l1/abi.hpp"

#include <gtest/gtest.h>

#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

std::vector<AbiType> types(std::string_view list) {
    auto t = parse_types(list);
    EXPECT_TRUE(t) << list;
    return t ? *t : std::vector<AbiType>{};
}

Bytes hex(std::string_view s) {
    return *from_hex(s);
}

std::string word(uint64_t v) {
    char buf[65];
    std::snprintf(buf, sizeof buf, "%064llx", static_cast<unsigned long long>(v));
    return buf;
}

AbiValue u(uint64_t v) {
    return AbiValue::of(uint256(v));
}

AbiValue left_bytes(std::string_view s) {  // bytes<N> value: left-aligned in the word
    Hash32 h;
    std::copy(s.begin(), s.end(), h.data());
    return AbiValue::of(h);
}

// Solidity ABI spec, "Examples": baz(uint32,bool), bar(bytes3[2]), sam(bytes,bool,uint256[]).
TEST(Abi, SpecExampleStatic) {
    EXPECT_EQ(selector_u32("baz(uint32,bool)"), 0xcdcd77c0u);
    auto enc = abi_encode(types("uint32,bool"), {u(69), AbiValue::of_bool(true)});
    ASSERT_TRUE(enc);
    EXPECT_EQ(to_hex_raw(*enc), word(69) + word(1));

    EXPECT_EQ(selector_u32("bar(bytes3[2])"), 0xfce353f6u);
    auto t = types("bytes3[2]");
    auto v = AbiValue::of_items({left_bytes("abc"), left_bytes("def")});
    auto enc2 = abi_encode(t, {v});
    ASSERT_TRUE(enc2);
    EXPECT_EQ(to_hex_raw(*enc2),
              "6162630000000000000000000000000000000000000000000000000000000000"
              "6465660000000000000000000000000000000000000000000000000000000000");
    auto dec = abi_decode_exact(t, *enc2);
    ASSERT_TRUE(dec);
    EXPECT_EQ((*dec)[0], v);
}

TEST(Abi, SpecExampleSam) {
    EXPECT_EQ(selector_u32("sam(bytes,bool,uint256[])"), 0xa5643bf2u);
    auto t = types("bytes,bool,uint256[]");
    std::vector<AbiValue> v = {AbiValue::of_string("dave"), AbiValue::of_bool(true),
                               AbiValue::of_items({u(1), u(2), u(3)})};
    auto enc = abi_encode(t, v);
    ASSERT_TRUE(enc);
    EXPECT_EQ(to_hex_raw(*enc),
              word(0x60) + word(1) + word(0xa0) + word(4) +
                  "6461766500000000000000000000000000000000000000000000000000000000" + word(3) +
                  word(1) + word(2) + word(3));
    auto dec = abi_decode_exact(t, *enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, v);
}

// Spec, "Use of Dynamic Types": f(uint256,uint32[],bytes10,bytes).
TEST(Abi, SpecExampleDynamic) {
    EXPECT_EQ(selector_u32("f(uint256,uint32[],bytes10,bytes)"), 0x8be65246u);
    auto t = types("uint256,uint32[],bytes10,bytes");
    std::vector<AbiValue> v = {u(0x123), AbiValue::of_items({u(0x456), u(0x789)}),
                               left_bytes("1234567890"), AbiValue::of_string("Hello, world!")};
    auto enc = abi_encode(t, v);
    ASSERT_TRUE(enc);
    EXPECT_EQ(to_hex_raw(*enc),
              word(0x123) + word(0x80) +
                  "3132333435363738393000000000000000000000000000000000000000000000" + word(0xe0) +
                  word(2) + word(0x456) + word(0x789) + word(0xd) +
                  "48656c6c6f2c20776f726c642100000000000000000000000000000000000000");
    auto dec = abi_decode_exact(t, *enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, v);
}

// Spec: g(uint256[][],string[]) with ([[1, 2], [3]], ["one", "two", "three"]).
TEST(Abi, SpecExampleNestedDynamic) {
    EXPECT_EQ(selector_u32("g(uint256[][],string[])"), 0x2289b18cu);
    auto t = types("uint256[][],string[]");
    std::vector<AbiValue> v = {
        AbiValue::of_items({AbiValue::of_items({u(1), u(2)}), AbiValue::of_items({u(3)})}),
        AbiValue::of_items({AbiValue::of_string("one"), AbiValue::of_string("two"),
                            AbiValue::of_string("three")})};
    auto enc = abi_encode(t, v);
    ASSERT_TRUE(enc);
    const std::string expected =
        word(0x40) + word(0x140) + word(2) + word(0x40) + word(0xa0) + word(2) + word(1) + word(2) +
        word(1) + word(3) + word(3) + word(0x60) + word(0xa0) + word(0xe0) + word(3) +
        "6f6e650000000000000000000000000000000000000000000000000000000000" + word(3) +
        "74776f0000000000000000000000000000000000000000000000000000000000" + word(5) +
        "7468726565000000000000000000000000000000000000000000000000000000";
    EXPECT_EQ(to_hex_raw(*enc), expected);
    auto dec = abi_decode_exact(t, *enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, v);
}

TEST(Abi, TypeParsing) {
    EXPECT_EQ(AbiType::parse("tuple(uint64,bytes32)[]")->canonical(), "(uint64,bytes32)[]");
    EXPECT_EQ(AbiType::parse("(address,(bool,string))")->canonical(), "(address,(bool,string))");
    EXPECT_TRUE(AbiType::parse("(uint64,uint64)")->components.size() == 2);
    EXPECT_FALSE(AbiType::parse("(uint64,uint64)")->is_dynamic());
    EXPECT_TRUE(AbiType::parse("(uint64,bytes)")->is_dynamic());
    EXPECT_EQ(AbiType::parse("uint64[3]")->head_size(), 96u);
    for (const char* bad :
         {"uint7", "uint264", "int0", "bytes33", "bytes0", "addr", "uint256[0]", "uint[01]",
          "(uint256", "uint256)", "", "tuple(", "uint256[x]", "()", "()[]"})
        EXPECT_FALSE(AbiType::parse(bad)) << bad;
    EXPECT_EQ(AbiType::parse("uint")->bits, 256u);
}

TEST(Abi, SignedIntegers) {
    auto t = types("int8,int256");
    const uint256 minus_one = ~uint256(0);
    auto enc = abi_encode(t, {AbiValue::of(minus_one), AbiValue::of(minus_one - uint256(4))});
    ASSERT_TRUE(enc);
    EXPECT_EQ(to_hex_raw(*enc), std::string(128, 'f').substr(0, 64) + std::string(63, 'f') + "b");
    EXPECT_EQ(format_value(t[0], AbiValue::of(minus_one)), "-1");
    EXPECT_EQ(format_value(t[1], AbiValue::of(minus_one - uint256(4))), "-5");
    // 128 does not fit int8: the word must be the sign extension.
    EXPECT_EQ(abi_encode(t, {u(128), u(0)}).error(), AbiError::kValueMismatch);
    EXPECT_EQ(abi_decode(types("int8"), hex(word(128))).error(), AbiError::kDirtyPadding);
}

TEST(Abi, StrictDecoding) {
    // High bits set in a uint32, a bool of 2, an address with dirty upper bytes.
    EXPECT_EQ(abi_decode(types("uint32"), hex(word(1ull << 32))).error(), AbiError::kDirtyPadding);
    EXPECT_EQ(abi_decode(types("bool"), hex(word(2))).error(), AbiError::kDirtyPadding);
    EXPECT_EQ(abi_decode(types("address"), hex("01" + std::string(61, '0') + "1")).error(),
              AbiError::kDirtyPadding);
    // bytes3 with a byte past its width.
    EXPECT_EQ(abi_decode(types("bytes3"), hex("61626364" + std::string(56, '0'))).error(),
              AbiError::kDirtyPadding);
    // Truncated head.
    EXPECT_EQ(abi_decode(types("uint256,uint256"), hex(word(1))).error(), AbiError::kTruncated);
    // Offset past the end, offset 2^64, huge length, length past the end.
    EXPECT_EQ(abi_decode(types("bytes"), hex(word(0x40) + word(0))).error(), AbiError::kTruncated);
    EXPECT_EQ(abi_decode(types("bytes"), hex(word(0x60) + word(0))).error(), AbiError::kBadOffset);
    EXPECT_EQ(abi_decode(types("bytes"), hex(std::string(46, '0') + "010000000000000000" + word(0)))
                  .error(),
              AbiError::kBadOffset);
    EXPECT_EQ(abi_decode(types("bytes"), hex(word(0x20) + std::string(64, 'f'))).error(),
              AbiError::kBadOffset);
    EXPECT_EQ(abi_decode(types("bytes"), hex(word(0x20) + word(33) + word(0))).error(),
              AbiError::kBadOffset);
    // A dynamic array claiming more elements than the data could hold (no huge allocation).
    EXPECT_EQ(abi_decode(types("uint256[]"), hex(word(0x20) + word(1000000) + word(1))).error(),
              AbiError::kBadOffset);
    // Nonzero padding after bytes.
    EXPECT_EQ(
        abi_decode(types("bytes"), hex(word(0x20) + word(1) + "61" + std::string(61, '0') + "1"))
            .error(),
        AbiError::kDirtyPadding);
    // Trailing bytes: accepted by abi_decode, refused by abi_decode_exact.
    const Bytes extra = hex(word(7) + word(0));
    EXPECT_TRUE(abi_decode(types("uint256"), extra));
    EXPECT_EQ(abi_decode_exact(types("uint256"), extra).error(), AbiError::kTrailingBytes);
}

TEST(Abi, EncodeArityAndKindMismatch) {
    EXPECT_EQ(abi_encode(types("uint256,uint256"), {u(1)}).error(), AbiError::kValueMismatch);
    EXPECT_EQ(abi_encode(types("uint256[2]"), {AbiValue::of_items({u(1)})}).error(),
              AbiError::kValueMismatch);
    EXPECT_EQ(abi_encode(types("uint8"), {u(256)}).error(), AbiError::kValueMismatch);
}

TEST(Abi, TupleRoundTripAndTopics) {
    auto t = types("address[],(uint64,uint64,uint64,uint64),uint256");
    Address a = *address_from_hex("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    std::vector<AbiValue> v = {AbiValue::of_items({AbiValue::of(a)}),
                               AbiValue::of_items({u(1), u(2), u(3), u(4)}), u(122880)};
    auto enc = abi_encode(t, v);
    ASSERT_TRUE(enc);
    EXPECT_EQ(enc->size(),
              32u * (1 + 4 + 1 + 2));  // head: offset, 4 inline words, uint; tail: len + 1
    auto dec = abi_decode_exact(t, *enc);
    ASSERT_TRUE(dec);
    EXPECT_EQ(*dec, v);
    EXPECT_EQ((*dec)[0].items[0].as_address(), a);
    // ERC-20 Transfer topic, well known.
    EXPECT_EQ(to_hex(event_topic("Transfer(address,address,uint256)")),
              "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    EXPECT_EQ(selector_u32("transfer(address,uint256)"), 0xa9059cbbu);
}

// Random and mutated inputs never crash the decoder, and whatever it accepts is a value the
// encoder accepts for the same types (so nothing out of range gets through).
TEST(Abi, RandomInputsAreSafe) {
    const auto t = types("uint256,bytes,(uint64,bytes)[],string[2],bool");
    std::vector<AbiValue> v = {
        u(5), AbiValue::of_bytes(Bytes(40, 0xab)),
        AbiValue::of_items({AbiValue::of_items({u(1), AbiValue::of_string("x")})}),
        AbiValue::of_items({AbiValue::of_string("a"), AbiValue::of_string("bc")}),
        AbiValue::of_bool(false)};
    const Bytes good = *abi_encode(t, v);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    size_t accepted = 0;
    for (int i = 0; i < 3000; ++i) {
        Bytes in = good;
        const int flips = 1 + static_cast<int>(next() % 4);
        for (int f = 0; f < flips; ++f)
            in[next() % in.size()] = static_cast<uint8_t>(next());
        if (i % 3 == 0) in.resize(next() % (good.size() + 1));
        auto dec = abi_decode(t, in);
        if (dec) {
            ++accepted;
            EXPECT_TRUE(abi_encode(t, *dec));
        }
    }
    EXPECT_GT(accepted, 0u);  // some mutations only touch data bytes
}

}  // namespace
}  // namespace fuse::l1
