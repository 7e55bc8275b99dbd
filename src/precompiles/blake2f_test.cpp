#include "precompiles/blake2f.hpp"

#include <gtest/gtest.h>

#include "precompiles/test_util.hpp"

namespace fuse::precompiles {
namespace {

using test::hex;
using test::raw_hex;

// The EIP-152 test vectors 4-7 (also go-ethereum core/vm/testdata/precompiles/blake2F.json).
// All share h, m, t of BLAKE2b("abc"); they differ in rounds and the final flag.
// Vector 4 in full; the others replace its rounds (first 4 bytes) and flag (last byte).
const std::string kVector4 =
    "0000000048c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e"
    "2b"
    "8c68059b6bbd41fbabd9831f79217e1319cde05b616263000000000000000000000000000000000000000000000000"
    "00"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00"
    "000000000300000000000000000000000000000001";
const std::string kBody = kVector4.substr(8, 2 * 208);

struct Case {
    const char* rounds;
    const char* flag;
    const char* expected;
    int64_t gas;
};

const Case kCases[] = {
    {"00000000", "01",
     "08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c680"
     "59b"
     "9442be0454267ce079217e1319cde05b",
     0},
    {"0000000c", "01",
     "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533c"
     "c95"
     "18d38aa8dbf1925ab92386edd4009923",
     12},
    {"0000000c", "00",
     "75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd"
     "31b"
     "4e426ac4f2d3d666a610c2116fde4735",
     12},
    {"00000001", "01",
     "b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53"
     "923"
     "de3d64fcc68c034e717b9293fed7a421",
     1},
};

TEST(Blake2f, Eip152Vectors) {
    for (const auto& c : kCases) {
        const Bytes in = hex(std::string(c.rounds) + kBody + c.flag);
        ASSERT_EQ(in.size(), kBlake2fInputSize);
        EXPECT_EQ(blake2f_gas(in), c.gas);
        auto out = blake2f(in);
        ASSERT_TRUE(out.has_value());
        EXPECT_EQ(raw_hex(*out), c.expected) << c.rounds << " " << c.flag;
    }
}

TEST(Blake2f, GasIsRoundsBigEndian) {
    Bytes in = hex(std::string("ffffffff") + kBody + "01");
    EXPECT_EQ(blake2f_gas(in), int64_t(0xffffffff));
    in[0] = 0x00;
    in[1] = 0x7a;
    in[2] = 0x12;
    in[3] = 0x00;
    EXPECT_EQ(blake2f_gas(in), 8000000);
}

TEST(Blake2f, RejectsBadLength) {
    const Bytes good = hex(std::string("0000000c") + kBody + "01");
    for (size_t len : {size_t(0), size_t(212), size_t(214)}) {
        Bytes in(len, 0);
        std::copy_n(good.begin(), std::min(len, good.size()), in.begin());
        auto r = blake2f(in);
        ASSERT_FALSE(r.has_value()) << len;
        EXPECT_EQ(r.error(), PrecompileError::kInvalidInputLength);
        EXPECT_EQ(blake2f_gas(in), 0);
    }
}

TEST(Blake2f, RejectsBadFinalFlag) {
    for (const char* flag : {"02", "ff"}) {
        auto r = blake2f(hex(std::string("0000000c") + kBody + flag));
        ASSERT_FALSE(r.has_value()) << flag;
        EXPECT_EQ(r.error(), PrecompileError::kInvalidFinalFlag);
    }
}

}  // namespace
}  // namespace fuse::precompiles
