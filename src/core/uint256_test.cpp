// Edge cases of the EVM arithmetic; the randomized comparison with GMP is in
// uint256_gmp_test.cpp.
#include "core/uint256.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>

namespace fuse {
namespace {

constexpr uint256 kMax = uint256::max();
constexpr uint256 kMin = uint256{0, 0, 0, 1ull << 63};  // 2^255 = -2^255 as signed
constexpr uint256 kMinusOne = kMax;

static_assert(std::is_trivially_copyable_v<uint256>);
static_assert(sizeof(uint256) == 32);
static_assert(0x1_u256 == uint256{1});
static_assert(0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff_u256 == kMax);
static_assert(0x8000000000000000000000000000000000000000000000000000000000000000_u256 == kMin);
static_assert(18446744073709551616_u256 == uint256{0, 1, 0, 0});  // 2^64, decimal
static_assert((uint256{1} << 255) == kMin);
static_assert(kMax + 1 == uint256{});
static_assert(uint256{} - 1 == kMax);
static_assert(kMax * kMax == uint256{1});
// The portable (constant-evaluated) paths; run time uses the carry builtins.
static_assert(sub_with_borrow(uint256{}, uint256{1}).carry);
static_assert(sub_with_borrow(uint256{}, uint256{1}).value == kMax);
static_assert(add_with_carry(kMax, uint256{}, true).carry);
static_assert(umul(kMax, kMax).hi() == kMax - 1);
static_assert(umul(kMax, kMax).lo() == uint256{1});
static_assert((kMax >> 1) == kMin - 1);
static_assert(sar(uint256{8}, kMin) == (kMax << 247));
static_assert(signextend(uint256{0}, uint256{0x80}) == kMax - 0x7f);
static_assert(byte_at(uint256{31}, uint256{0xab}) == uint256{0xab});
static_assert(0x1'0000_u256 == uint256{0x10000});  // digit separators
static_assert(1'000_u256 == uint256{1000});

uint256 h(std::string_view s) {
    auto r = uint256::from_hex(s);
    EXPECT_TRUE(r) << s;
    return r.value_or(uint256{});
}

TEST(Uint256, ConstantAndRuntimePathsAgree) {
    // Values the compiler cannot see, so these use the x86-64 carry builtins.
    volatile uint64_t one = 1;
    const uint256 a{~0ull, ~0ull - one, 0x8000000000000000ull, ~0ull};
    const uint256 b{one, 0, ~0ull, 0x7fffffffffffffffull};
    constexpr uint256 ca{~0ull, ~0ull - 1, 0x8000000000000000ull, ~0ull};
    constexpr uint256 cb{1, 0, ~0ull, 0x7fffffffffffffffull};
    constexpr WithCarry cs = add_with_carry(ca, cb, true);
    constexpr WithCarry cd = sub_with_borrow(cb, ca, true);
    const WithCarry s = add_with_carry(a, b, one != 0);
    const WithCarry d = sub_with_borrow(b, a, one != 0);
    EXPECT_EQ(s.value, cs.value);
    EXPECT_EQ(s.carry, cs.carry);
    EXPECT_EQ(d.value, cd.value);
    EXPECT_EQ(d.carry, cd.carry);
    EXPECT_TRUE(s.carry);
    EXPECT_TRUE(d.carry);
}

TEST(Uint256, ConstructionAndLimbs) {
    const uint256 x{1, 2, 3, 4};
    EXPECT_EQ(x.w[0], 1u);
    EXPECT_EQ(x.w[3], 4u);
    EXPECT_TRUE(uint256{}.is_zero());
    EXPECT_FALSE(static_cast<bool>(uint256{}));
    EXPECT_TRUE(static_cast<bool>(uint256{0, 0, 0, 1}));
    EXPECT_EQ(uint256{42}.low64(), 42u);
    EXPECT_TRUE(uint256{~0ull}.fits_u64());
    EXPECT_FALSE((uint256{0, 1, 0, 0}).fits_u64());
}

TEST(Uint256, BitAndByteWidths) {
    EXPECT_EQ(uint256{}.bit_width(), 0u);
    EXPECT_EQ(uint256{}.count_leading_zeros(), 256u);
    EXPECT_EQ(uint256{}.byte_width(), 0u);
    EXPECT_EQ(uint256{1}.bit_width(), 1u);
    EXPECT_EQ(uint256{0xff}.byte_width(), 1u);
    EXPECT_EQ(uint256{0x100}.byte_width(), 2u);
    EXPECT_EQ(kMax.bit_width(), 256u);
    EXPECT_EQ(kMin.count_leading_zeros(), 0u);
    EXPECT_EQ((uint256{1} << 64).bit_width(), 65u);
    EXPECT_EQ(kMax.byte_width(), 32u);
}

TEST(Uint256, BigEndianBytes) {
    uint8_t be[32];
    for (int i = 0; i < 32; ++i)
        be[i] = uint8_t(i + 1);
    const uint256 x = uint256::from_be32(be);
    EXPECT_EQ(x.w[3], 0x0102030405060708u);
    EXPECT_EQ(x.w[0], 0x191a1b1c1d1e1f20u);
    uint8_t out[32];
    x.to_be(out);
    EXPECT_EQ(0, std::memcmp(be, out, 32));
    EXPECT_EQ(x.to_hash().bytes[0], 1u);
    EXPECT_EQ(uint256::from_hash(x.to_hash()), x);

    const uint8_t short_be[] = {0x01, 0x02};
    EXPECT_EQ(uint256::from_be(short_be), uint256{0x0102});
    EXPECT_EQ(uint256::from_be({}), uint256{});
    uint8_t long_be[33] = {0xff};
    long_be[32] = 7;
    EXPECT_EQ(uint256::from_be(long_be), uint256{7});
}

TEST(Uint256, HexAndDecimalText) {
    EXPECT_EQ(uint256{}.to_hex(), "0x0");
    EXPECT_EQ(uint256{255}.to_hex(), "0xff");
    EXPECT_EQ(kMax.to_hex(), "0x" + std::string(64, 'f'));
    EXPECT_EQ(uint256{}.to_dec(), "0");
    EXPECT_EQ(uint256{10}.to_dec(), "10");
    EXPECT_EQ(kMax.to_dec(),
              "115792089237316195423570985008687907853269984665640564039457584007913129639935");
    EXPECT_EQ((uint256{1} << 64).to_dec(), "18446744073709551616");
    EXPECT_EQ(uint256{10000000000000000000ull}.to_dec(), "10000000000000000000");

    EXPECT_EQ(h("0xFF"), uint256{255});
    EXPECT_EQ(h("ff"), uint256{255});
    EXPECT_EQ(h("0x" + std::string(70, '0') + "1"), uint256{1});
    EXPECT_EQ(h(kMax.to_hex()), kMax);
    EXPECT_EQ(uint256::from_hex("0x").error(), NumberError::kEmpty);
    EXPECT_EQ(uint256::from_hex("").error(), NumberError::kEmpty);
    EXPECT_EQ(uint256::from_hex("0xg").error(), NumberError::kBadCharacter);
    EXPECT_EQ(uint256::from_hex("0x1" + std::string(64, '0')).error(), NumberError::kOverflow);

    EXPECT_EQ(*uint256::from_dec(kMax.to_dec()), kMax);
    EXPECT_EQ(*uint256::from_dec("0"), uint256{});
    EXPECT_EQ(uint256::from_dec("").error(), NumberError::kEmpty);
    EXPECT_EQ(uint256::from_dec("12a").error(), NumberError::kBadCharacter);
    EXPECT_EQ(uint256::from_dec("0x12").error(), NumberError::kBadCharacter);
    EXPECT_EQ(uint256::from_dec(
                  "115792089237316195423570985008687907853269984665640564039457584007913129639936")
                  .error(),
              NumberError::kOverflow);
    EXPECT_STREQ(to_string(NumberError::kOverflow), "number does not fit in 256 bits");

    std::ostringstream os;
    os << uint256{16};
    EXPECT_EQ(os.str(), "0x10");
}

TEST(Uint256, Comparison) {
    EXPECT_LT(uint256{1}, uint256{2});
    EXPECT_LT(uint256{~0ull}, (uint256{0, 1, 0, 0}));
    EXPECT_GT(kMin, kMin - 1);
    EXPECT_EQ(kMax <=> kMax, std::strong_ordering::equal);
    EXPECT_TRUE(uint256{5} == 5);
    EXPECT_TRUE(slt(kMinusOne, uint256{0}));
    EXPECT_FALSE(slt(uint256{0}, kMinusOne));
    EXPECT_TRUE(slt(kMin, kMinusOne));
    EXPECT_TRUE(sgt(kMin - 1, kMin));  // max positive > most negative
    EXPECT_FALSE(slt(kMin, kMin));
    EXPECT_TRUE(slt(uint256{1}, uint256{2}));
}

TEST(Uint256, AddSubCarry) {
    auto [v, c] = add_with_carry(kMax, uint256{1});
    EXPECT_EQ(v, uint256{});
    EXPECT_TRUE(c);
    auto [v2, c2] = add_with_carry(kMax, uint256{0}, true);
    EXPECT_EQ(v2, uint256{});
    EXPECT_TRUE(c2);
    auto [v3, b3] = sub_with_borrow(uint256{0}, uint256{1});
    EXPECT_EQ(v3, kMax);
    EXPECT_TRUE(b3);
    auto [v4, b4] = sub_with_borrow(uint256{5}, uint256{5});
    EXPECT_EQ(v4, uint256{});
    EXPECT_FALSE(b4);
    EXPECT_EQ((uint256{~0ull, ~0ull, 0, 0}) + 1, (uint256{0, 0, 1, 0}));
    EXPECT_EQ(-uint256{1}, kMax);
    EXPECT_EQ(-kMin, kMin);
}

TEST(Uint256, MulAndUmul) {
    EXPECT_EQ(uint256{~0ull} * uint256{~0ull}, (uint256{1, ~0ull - 1, 0, 0}));
    const uint512 p = umul(kMax, kMax);  // (2^256-1)^2 = 2^512 - 2^257 + 1
    EXPECT_EQ(p.lo(), uint256{1});
    EXPECT_EQ(p.hi(), kMax - 1);
    const uint512 q = umul(kMin, uint256{2});
    EXPECT_EQ(q.lo(), uint256{});
    EXPECT_EQ(q.hi(), uint256{1});
}

TEST(Uint256, DivisionEdges) {
    EXPECT_EQ(uint256{7} / uint256{0}, uint256{});
    EXPECT_EQ(uint256{7} % uint256{0}, uint256{});
    EXPECT_EQ(kMax / kMax, uint256{1});
    EXPECT_EQ(kMax % kMax, uint256{});
    EXPECT_EQ(kMax / uint256{1}, kMax);
    EXPECT_EQ(uint256{3} / kMax, uint256{});
    EXPECT_EQ(uint256{3} % kMax, uint256{3});
    EXPECT_EQ(kMax / uint256{2}, kMin - 1);
    EXPECT_EQ(kMax % uint256{10}, uint256{5});
    // A divisor with n == 2 limbs where Knuth's qhat needs its correction.
    const uint256 v{0, 0x8000000000000000ull, 0, 0};
    EXPECT_EQ(kMax / v, (uint256{~0ull, ~0ull, 1, 0}));  // 2^129 - 1
    EXPECT_EQ(kMax % v, (uint256{~0ull, 0x7fffffffffffffffull, 0, 0}));
}

TEST(Uint256, SignedDivision) {
    EXPECT_EQ(sdiv(kMin, kMinusOne), kMin);  // -2^255 / -1 overflows back to -2^255
    EXPECT_EQ(sdiv(uint256{7}, uint256{0}), uint256{});
    EXPECT_EQ(sdiv(-uint256{7}, uint256{2}), -uint256{3});  // rounds toward zero
    EXPECT_EQ(sdiv(uint256{7}, -uint256{2}), -uint256{3});
    EXPECT_EQ(sdiv(-uint256{7}, -uint256{2}), uint256{3});
    EXPECT_EQ(smod(-uint256{7}, uint256{3}), -uint256{1});  // sign of the dividend
    EXPECT_EQ(smod(uint256{7}, -uint256{3}), uint256{1});
    EXPECT_EQ(smod(-uint256{7}, -uint256{3}), -uint256{1});
    EXPECT_EQ(smod(uint256{7}, uint256{0}), uint256{});
    EXPECT_EQ(smod(kMin, kMinusOne), uint256{});
}

TEST(Uint256, AddmodMulmod) {
    EXPECT_EQ(addmod(uint256{5}, uint256{6}, uint256{0}), uint256{});
    EXPECT_EQ(mulmod(uint256{5}, uint256{6}, uint256{0}), uint256{});
    // The sum overflows 256 bits: (2^256-1)*2 mod (2^256-2) = 2.
    EXPECT_EQ(addmod(kMax, kMax, kMax - 1), uint256{2});
    EXPECT_EQ(addmod(kMax, uint256{1}, uint256{10}), uint256{6});  // 2^256 mod 10 = 6
    EXPECT_EQ(addmod(uint256{1}, uint256{2}, uint256{1}), uint256{});
    // 2^256-1 = 1 mod (2^256-2), so its square is 1 too.
    EXPECT_EQ(mulmod(kMax, kMax, kMax - 1), uint256{1});
    EXPECT_EQ(mulmod(kMax, kMax, kMax), uint256{});
    EXPECT_EQ(mulmod(kMax, kMax, uint256{12}), uint256{9});  // 2^256-1 = 3 mod 12
}

TEST(Uint256, Exp) {
    EXPECT_EQ(exp(uint256{2}, uint256{255}), kMin);
    EXPECT_EQ(exp(uint256{2}, uint256{256}), uint256{});  // overflow wraps
    EXPECT_EQ(exp(uint256{3}, uint256{0}), uint256{1});
    EXPECT_EQ(exp(uint256{0}, uint256{0}), uint256{1});
    EXPECT_EQ(exp(uint256{0}, uint256{5}), uint256{});
    EXPECT_EQ(exp(uint256{10}, uint256{18}), uint256{1000000000000000000ull});
    EXPECT_EQ(exp(kMinusOne, kMax), kMinusOne);  // odd power of -1
    EXPECT_EQ(exp(kMinusOne, kMax - 1), uint256{1});
    EXPECT_EQ(exp(uint256{3}, uint256{5}), uint256{243});
}

TEST(Uint256, Shifts) {
    EXPECT_EQ(uint256{1} << 256u, uint256{});
    EXPECT_EQ(kMax >> 256u, uint256{});
    EXPECT_EQ(kMax << kMax, uint256{});
    EXPECT_EQ(kMax >> (uint256{0, 1, 0, 0}), uint256{});  // huge shift, low limb 0
    EXPECT_EQ(kMax << (uint256{0, 0, 0, 1}), uint256{});
    EXPECT_EQ(uint256{1} << 255u, kMin);
    EXPECT_EQ(kMin >> 255u, uint256{1});
    EXPECT_EQ(uint256{1} << 64u, (uint256{0, 1, 0, 0}));
    EXPECT_EQ(uint256{3} << 63u, (uint256{1ull << 63, 1, 0, 0}));
    EXPECT_EQ((uint256{0, 3, 0, 0}) >> 65u, uint256{1});
    EXPECT_EQ(kMax >> 0u, kMax);
    EXPECT_EQ(kMax << uint256{4}, kMax - 15);
}

TEST(Uint256, Sar) {
    EXPECT_EQ(sar(uint256{1}, kMinusOne), kMinusOne);
    EXPECT_EQ(sar(uint256{255}, kMin), kMinusOne);
    EXPECT_EQ(sar(uint256{256}, kMin), kMinusOne);
    EXPECT_EQ(sar(kMax, kMin), kMinusOne);
    EXPECT_EQ(sar(uint256{256}, kMin - 1), uint256{});
    EXPECT_EQ(sar(uint256{254}, kMin - 1), uint256{1});
    EXPECT_EQ(sar(uint256{4}, -uint256{32}), -uint256{2});
    EXPECT_EQ(sar(uint256{0}, kMin), kMin);
}

TEST(Uint256, Signextend) {
    EXPECT_EQ(signextend(uint256{0}, uint256{0xff}), kMinusOne);
    EXPECT_EQ(signextend(uint256{0}, uint256{0x7f}), uint256{0x7f});
    EXPECT_EQ(signextend(uint256{0}, uint256{0x1ff}), kMinusOne);
    EXPECT_EQ(signextend(uint256{1}, uint256{0x8000}), kMax - 0x7fff);
    EXPECT_EQ(signextend(uint256{7}, uint256{0x80ull << 56}),
              (uint256{0x80ull << 56, ~0ull, ~0ull, ~0ull}));
    EXPECT_EQ(signextend(uint256{30}, kMax >> 8), kMax);  // bit 247 is the sign bit
    EXPECT_EQ(signextend(uint256{30}, kMax >> 9), kMax >> 9);
    EXPECT_EQ(signextend(uint256{30}, uint256{1} << 247), kMax << 247);
    EXPECT_EQ(signextend(uint256{31}, uint256{0xff}), uint256{0xff});  // b >= 31: unchanged
    EXPECT_EQ(signextend(uint256{32}, kMin), kMin);
    EXPECT_EQ(signextend(kMax, uint256{0x80}), uint256{0x80});
}

TEST(Uint256, StdHash) {
    const std::hash<uint256> hash;
    EXPECT_NE(hash(uint256{1}), hash(uint256{2}));
    EXPECT_NE(hash((uint256{5, 5, 0, 0})), hash(uint256{}));
    EXPECT_NE(hash((uint256{0, 1, 0, 0})), hash((uint256{0, 0, 1, 0})));
    EXPECT_EQ(hash(kMax), hash(uint256::max()));
}

TEST(Uint256, ByteAt) {
    const uint256 x = h("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
    EXPECT_EQ(byte_at(uint256{0}, x), uint256{1});
    EXPECT_EQ(byte_at(uint256{31}, x), uint256{0x20});
    EXPECT_EQ(byte_at(uint256{8}, x), uint256{9});
    EXPECT_EQ(byte_at(uint256{32}, x), uint256{});
    EXPECT_EQ(byte_at(kMax, x), uint256{});
    EXPECT_EQ(byte_at(uint256{0, 1, 0, 0}, x), uint256{});
}

}  // namespace
}  // namespace fuse
