#include "precompiles/modexp.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "precompiles/test_util.hpp"

namespace fuse::precompiles {
namespace {

using test::hex;
using test::raw_hex;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string word(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
    return std::string(48, '0') + buf;
}

const std::string kAllFf(64, 'f');

struct GasVector {
    const char* name;
    const char* input;
    const char* expected;
    int64_t gas;
};

// go-ethereum core/vm/testdata/precompiles/modexp_eip2565.json (subset).
const GasVector kVectors[] = {
    {"eip_example1",
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "0"
     "000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000"
     "000"
     "2003fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffff"
     "ff"
     "ffffffffffffffffffffffffffffefffffc2f",
     "0000000000000000000000000000000000000000000000000000000000000001", 1360},
    {"eip_example2",
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000"
     "000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000"
     "020"
     "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2efffffffffffffffffffffffffffff"
     "fff"
     "fffffffffffffffffffffffefffffc2f",
     "0000000000000000000000000000000000000000000000000000000000000000", 1360},
    {"nagydani-1-square",
     "000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000"
     "0"
     "000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000"
     "000"
     "40e09ad9675465c53a109fac66a445c91b292d2bb2c5268addb30cd82f80fcb0033ff97c80a5fc6f39193ae969c6e"
     "de6"
     "710a6b7ac27078a06d90ef1c72e5c85fb502fc9e1f6beb81516545975218075ec2af118cd8798df6e08a147c60fd6"
     "095"
     "ac2bb02c2908cf4dd7c81f11c289e4bce98f3553768f392a80ce22bf5c4f4a248c6b",
     "60008f1614cc01dcfb6bfb09c625cf90b47d4468db81b5f8b7a39d42f332eab9b2da8f2d95311648a8f243f4bb13c"
     "fb3"
     "d8f7f2a3c014122ebb3ed41b02783adc",
     200},
    {"nagydani-1-qube",
     "000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000"
     "0"
     "000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000"
     "000"
     "40e09ad9675465c53a109fac66a445c91b292d2bb2c5268addb30cd82f80fcb0033ff97c80a5fc6f39193ae969c6e"
     "de6"
     "710a6b7ac27078a06d90ef1c72e5c85fb503fc9e1f6beb81516545975218075ec2af118cd8798df6e08a147c60fd6"
     "095"
     "ac2bb02c2908cf4dd7c81f11c289e4bce98f3553768f392a80ce22bf5c4f4a248c6b",
     "4834a46ba565db27903b1c720c9d593e84e4cbd6ad2e64b31885d944f68cd801f92225a8961c952ddf2797fa4701b"
     "330"
     "c85c4b363798100b921a1a22a46a7fec",
     200},
    {"nagydani-1-pow0x10001",
     "000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000000"
     "0"
     "000000000000000000000000000000000300000000000000000000000000000000000000000000000000000000000"
     "000"
     "40e09ad9675465c53a109fac66a445c91b292d2bb2c5268addb30cd82f80fcb0033ff97c80a5fc6f39193ae969c6e"
     "de6"
     "710a6b7ac27078a06d90ef1c72e5c85fb5010001fc9e1f6beb81516545975218075ec2af118cd8798df6e08a147c6"
     "0fd"
     "6095ac2bb02c2908cf4dd7c81f11c289e4bce98f3553768f392a80ce22bf5c4f4a248c6b",
     "c36d804180c35d4426b57b50c5bfcca5c01856d104564cd513b461d3c8b8409128a5573e416d0ebe38f5f736766d9"
     "dc2"
     "7143e4da981dfa4d67f7dc474cbee6d2",
     341},
    {"nagydani-2-pow0x10001",
     "000000000000000000000000000000000000000000000000000000000000008000000000000000000000000000000"
     "0"
     "000000000000000000000000000000000300000000000000000000000000000000000000000000000000000000000"
     "000"
     "80cad7d991a00047dd54d3399b6b0b937c718abddef7917c75b6681f40cc15e2be0003657d8d4c34167b2f0bbbca0"
     "cc"
     "aa407c2a6a07d50f1517a8f22979ce12a81dcaf707cc0cebfc0ce2ee84ee7f77c38b9281b9822a8d3de62784c089c"
     "9b"
     "18dcb9a2a5eecbede90ea788a862a9ddd9d609c2c52972d63e289e28f6a590ffbf51010001e6d893b80aeed5e6e9c"
     "e9a"
     "fa8a5d5675c93a32ac05554cb20e9951b2c140e3ef4e433068cf0fb73bc9f33af1853f64aa27a0028cbf570d7ac90"
     "48e"
     "ae5dc7b28c87c31e5810f1e7fa2cda6adf9f1076dbc1ec1238560071e7efc4e9565c49be9e7656951985860a558a7"
     "545"
     "94115830bcdb421f741408346dd5997bb01c287087",
     "ad85e8ef13fd1dd46eae44af8b91ad1ccae5b7a1c92944f92a19f21b0b658139e0cabe9c1f679507c2de354bf2c91"
     "ebd"
     "965d1e633978a830d517d2f6f8dd5fd58065d58559de7e2334a878f8ec6992d9b9e77430d4764e863d77c0f87beed"
     "e8f"
     "2f7f2ab2e7222f85cc9d98b8467f4bb72e87ef2882423ebdb6daf02dddac6db2",
     1365},
};

TEST(ModExp, KnownAnswersAndGas) {
    for (const auto& v : kVectors) {
        const Bytes in = hex(v.input);
        ASSERT_FALSE(in.empty()) << v.name;
        EXPECT_EQ(modexp_gas(in), v.gas) << v.name;
        auto out = modexp(in);
        ASSERT_TRUE(out.has_value()) << v.name;
        EXPECT_EQ(raw_hex(*out), v.expected) << v.name;
    }
}

TEST(ModExp, SmallValues) {
    // 3^5 mod 7 = 5; 0^0 mod 5 = 1 (EVM convention); anything mod 1 = 0.
    auto run = [](uint8_t b, uint8_t e, uint8_t m) {
        const Bytes in = hex(word(1) + word(1) + word(1) + test::raw_hex(Bytes{b, e, m}));
        auto r = modexp(in);
        return r ? *r : Bytes{0xee, 0xee};
    };
    EXPECT_EQ(run(3, 5, 7), Bytes{5});
    EXPECT_EQ(run(0, 0, 5), Bytes{1});
    EXPECT_EQ(run(9, 0, 1), Bytes{0});
    EXPECT_EQ(run(200, 3, 255), Bytes{uint8_t((200ull * 200 * 200) % 255)});
}

TEST(ModExp, ZeroModulusGivesZeros) {
    const Bytes in = hex(word(1) + word(1) + word(4) + "0302" + "00000000");
    auto r = modexp(in);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, Bytes(4, 0));
    EXPECT_EQ(modexp_gas(in), 200);
}

TEST(ModExp, ZeroModulusLengthIsEmptyOutput) {
    const Bytes in = hex(word(1) + word(1) + word(0) + "0302");
    auto r = modexp(in);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->empty());
}

TEST(ModExp, TruncatedInputIsZeroPadded) {
    // Base 2, exponent 0x10 then padding (0x1000), modulus absent (zero) -> zeros.
    const Bytes in = hex(word(1) + word(2) + word(2) + "02" + "10");
    auto r = modexp(in);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, Bytes(2, 0));
    // Modulus "01" then padding = 0x0100: 2^3 mod 256 = 8.
    const Bytes in2 = hex(word(1) + word(1) + word(2) + "02" + "03" + "01");
    r = modexp(in2);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Bytes{0, 8}));
}

TEST(ModExpGas, EmptyInput) {
    EXPECT_EQ(modexp_gas({}), 200);
    auto r = modexp({});
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->empty());
}

TEST(ModExpGas, HugeExponentLengthWithZeroBaseAndModulus) {
    // Complexity 0: minimum gas, no allocation of 2^256 - 1 bytes, empty output.
    const Bytes in = hex(word(0) + kAllFf + word(0));
    EXPECT_EQ(modexp_gas(in), 200);
    auto r = modexp(in);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->empty());
}

TEST(ModExpGas, HugeLengthsSaturate) {
    EXPECT_EQ(modexp_gas(hex(word(1) + kAllFf + word(1))), kMax);
    EXPECT_EQ(modexp_gas(hex(kAllFf + word(1) + word(1))), kMax);
    EXPECT_EQ(modexp_gas(hex(word(1) + word(1) + kAllFf)), kMax);
    EXPECT_EQ(modexp_gas(hex(word(0) + word(0) + word(uint64_t(1) << 33))), kMax);
    // Exponent length 2^40: 8 * (2^40 - 32) iterations, complexity 1.
    EXPECT_EQ(modexp_gas(hex(word(1) + word(uint64_t(1) << 40) + word(1))),
              int64_t(8 * ((uint64_t(1) << 40) - 32) / 3));
    // Runs that could never be paid for fail instead of allocating.
    auto r = modexp(hex(word(1) + word(uint64_t(1) << 40) + word(1)));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kInvalidInputLength);
}

TEST(ModExpGas, LongExponentIterationCount) {
    // Mlen = 64 -> complexity 64; Elen = 40 with a zero head -> 8 * 8 = 64 iterations.
    const std::string mod(128, '1');
    EXPECT_EQ(modexp_gas(hex(word(0) + word(40) + word(64) + std::string(80, '0') + mod)),
              64 * 64 / 3);
    // Head 0x80.. (bit length 256) adds 255 iterations.
    EXPECT_EQ(modexp_gas(hex(word(0) + word(40) + word(64) + "80" + std::string(78, '0') + mod)),
              64 * (64 + 255) / 3);
    // Elen <= 32: iterations = bit length - 1; exponent 1 -> max(0, 1) = 1 iteration.
    EXPECT_EQ(modexp_gas(hex(word(0) + word(1) + word(512) + "01")), 64 * 64 / 3);
    EXPECT_EQ(modexp_gas(hex(word(0) + word(1) + word(512) + "ff")), 64 * 64 * 7 / 3);
    // Exponent starting beyond the input counts as zero.
    EXPECT_EQ(modexp_gas(hex(word(512) + word(1) + word(512))), 64 * 64 / 3);
}

}  // namespace
}  // namespace fuse::precompiles
