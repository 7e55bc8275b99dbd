#include <gtest/gtest.h>

#include "bls12_381/encoding.hpp"
#include "bls12_381/precompiles.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse::bls12_381 {
namespace {

Bytes hex(std::string_view s) {
    auto r = from_hex(s);
    EXPECT_TRUE(r.has_value());
    return r.has_value() ? *r : Bytes{};
}

// go-ethereum core/vm/testdata/precompiles/pointEvaluation.json, "pointEvaluation1".
constexpr std::string_view kValidInput =
    "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b564c0a11a0f704f4fc3e8acfe0f824"
    "5f0ad1347b378fbf96e206da11a5d3630624d25032e67a7e6a4910df5834b8fe70e6bcfeeac0352434196bdf4b2485"
    "d5a18f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f26936857bc3a7c2539ea8ec3"
    "a952b7873033e038326e87ed3e1276fd140253fa08e9fc25fb2d9a98527fc22a2c9612fbeafdad446cbc7bcdbdcd78"
    "0af2c16a";

TEST(Kzg, ValidProof) {
    const auto out = kzg_point_evaluation(hex(kValidInput));
    ASSERT_TRUE(out.has_value()) << to_string(out.error());
    EXPECT_EQ(to_hex(*out),
              "0x000000000000000000000000000000000000000000000000000000000000100073eda753299d7d48"
              "3339d80809a1d80553bda402fffe5bfeffffffff00000001");
}

TEST(Kzg, WrongYFails) {
    Bytes in = hex(kValidInput);
    in[95] ^= 1;  // y changes, proof no longer opens to it
    const auto out = kzg_point_evaluation(in);
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error(), Error::kProofVerificationFailed);
}

TEST(Kzg, WrongVersionedHashFails) {
    Bytes in = hex(kValidInput);
    in[0] = 0x02;
    EXPECT_EQ(kzg_point_evaluation(in).error(), Error::kInvalidVersionedHash);
}

TEST(Kzg, ZOutOfRangeFails) {
    Bytes in = hex(kValidInput);
    const Bytes r = hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    std::copy(r.begin(), r.end(), in.begin() + 32);
    EXPECT_EQ(kzg_point_evaluation(in).error(), Error::kScalarOutOfRange);
}

TEST(Kzg, LengthChecked) {
    Bytes in = hex(kValidInput);
    in.push_back(0);
    EXPECT_EQ(kzg_point_evaluation(in).error(), Error::kInvalidInputLength);
    EXPECT_EQ(kzg_point_evaluation({}).error(), Error::kInvalidInputLength);
}

TEST(Kzg, TrivialOpeningOfZeroPolynomial) {
    // The zero polynomial: commitment = proof = point at infinity (0xc0 || 0...), y = 0 for any z.
    Bytes commitment(48, 0);
    commitment[0] = 0xc0;
    Bytes in(192, 0);
    const Hash32 h = sha256(commitment);
    std::copy(h.bytes.begin(), h.bytes.end(), in.begin());
    in[0] = 0x01;
    in[32 + 31] = 5;  // z = 5
    std::copy(commitment.begin(), commitment.end(), in.begin() + 96);
    std::copy(commitment.begin(), commitment.end(), in.begin() + 144);
    ASSERT_TRUE(kzg_point_evaluation(in).has_value());
    in[64 + 31] = 1;  // y = 1 is wrong
    EXPECT_EQ(kzg_point_evaluation(in).error(), Error::kProofVerificationFailed);
}

TEST(Compressed, G1RoundTripAndFlags) {
    const G1Affine g = g1_generator();
    uint8_t buf[48];
    compress_g1(g, buf);
    // The well-known compressed G1 generator.
    EXPECT_EQ(to_hex(ByteView{buf, 48}),
              "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb"
              "3af00adb22c6bb");
    const auto back = decompress_g1(buf);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, g);
    uint8_t bad[48];
    std::copy(buf, buf + 48, bad);
    bad[0] &= 0x7f;  // not compressed
    EXPECT_EQ(decompress_g1(bad).error(), Error::kInvalidEncoding);
    std::copy(buf, buf + 48, bad);
    bad[0] ^= 0x20;  // other sign: -G, still valid
    const auto neg = decompress_g1(bad);
    ASSERT_TRUE(neg.has_value());
    EXPECT_EQ(neg->y, -g.y);
    uint8_t inf[48] = {0xc0};
    EXPECT_TRUE(decompress_g1(inf)->infinity);
    inf[47] = 1;  // infinity with non-zero bits
    EXPECT_EQ(decompress_g1(inf).error(), Error::kInvalidEncoding);
    uint8_t inf_sign[48] = {0xe0};
    EXPECT_EQ(decompress_g1(inf_sign).error(), Error::kInvalidEncoding);
}

}  // namespace
}  // namespace fuse::bls12_381
