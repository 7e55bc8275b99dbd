#include "bls12_381/precompiles.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bls12_381/encoding.hpp"
#include "core/hex.hpp"

namespace fuse::bls12_381 {
namespace {

Bytes hex(std::string_view s) {
    auto r = from_hex(s);
    EXPECT_TRUE(r.has_value());
    return r.has_value() ? *r : Bytes{};
}

std::string run_hex(Result<Bytes, Error> (*fn)(ByteView), const Bytes& in) {
    const auto out = fn(in);
    if (!out) return std::string("error: ") + std::string(to_string(out.error()));
    return to_hex(*out).substr(2);
}

Bytes concat(std::initializer_list<ByteView> parts) {
    Bytes out;
    for (auto p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes scalar(uint64_t v) {
    Bytes s(32, 0);
    for (int i = 0; i < 8; ++i)
        s[31 - i] = uint8_t(v >> (8 * i));
    return s;
}

Bytes enc_g1(const G1& p) {
    Bytes out(kG1EncodedSize);
    encode_g1(p.to_affine(), out.data());
    return out;
}
Bytes enc_g2(const G2& p) {
    Bytes out(kG2EncodedSize);
    encode_g2(p.to_affine(), out.data());
    return out;
}

const G1 kG1 = G1::from_affine(g1_generator());
const G2 kG2 = G2::from_affine(g2_generator());

// Known-answer vectors: go-ethereum core/vm/testdata/precompiles (the EIP-2537 "matter" set).
constexpr std::string_view kG2Gen =
    "00000000000000000000000000000000024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1"
    "770bac0326a805bbefd48056c8c121bdb80000000000000000000000000000000013e02b6052719f607dacd3a08827"
    "4f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e00000000000000000000000000"
    "0000000ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e1935486"
    "08b82801000000000000000000000000000000000606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492"
    "ab572e99ab3f370d275cec1da1aaa9075ff05f79be";
constexpr std::string_view kG2Double =  // bls_g2add_(g2+g2=2*g2)
    "000000000000000000000000000000001638533957d540a9d2370f17cc7ed5863bc0b995b8825e0ee1ea1e1e4d00db"
    "ae81f14b0bf3611b78c952aacab827a053000000000000000000000000000000000a4edef9c1ed7f729f520e47730a"
    "124fd70662a904ba1074728114d1031e1572c6c886f6b57ec72a6178288c47c3357700000000000000000000000000"
    "0000000468fb440d82b0630aeb8dca2b5256789a66da69bf91009cbfe6bd221e47aa8ae88dece9764bf3bd999d95d7"
    "1e4c9899000000000000000000000000000000000f6d4552fa65dd2638b361543f887136a43253d9c66c411697003f"
    "7a13c308f5422e1aa0a59c8967acdefd8b6e36ccf3";

TEST(Eip2537, G2AddKnownAnswer) {
    EXPECT_EQ(run_hex(g2_add, hex(std::string(kG2Gen) + std::string(kG2Gen))), kG2Double);
    // matter_g2_add_0
    const std::string in =
        "00000000000000000000000000000000039b10ccd664da6f273ea134bb55ee48f09ba585a7e2bb95b5aec61063"
        "1ac49810d5d616f67ba0147e6d1be476ea220e0000000000000000000000000000000000fbcdff4e48e07d1f73"
        "ec42fe7eb026f5c30407cfd2f22bbbfe5b2a09e8a7bb4884178cb6afd1c95f80e646929d300400000000000000"
        "00000000000000000001ed3b0e71acb0adbf44643374edbf4405af87cfc0507db7e8978889c6c3afbe9754d118"
        "2e98ac3060d64994d31ef576000000000000000000000000000000001681a2bf65b83be5a2ca50430949b6e2a0"
        "99977482e9405b593f34d2ed877a3f0d1bddc37d0cec4d59d7df74b2b8f2df0000000000000000000000000000"
        "0"
        "00017c9fcf0504e62d3553b2f089b64574150aa5117bd3d2e89a8c1ed59bb7f70fb83215975ef31976e757abf6"
        "0a75a1d9f0000000000000000000000000000000008f5a53d704298fe0cfc955e020442874fe87d5c729c7126a"
        "b"
        "bdcbed355eef6c8f07277bee6d49d56c4ebaf334848624000000000000000000000000000000001302dcc50c6c"
        "e4c28086f8e1b43f9f65543cf598be440123816765ab6bc93f62bceda80045fbcad8598d4f32d03ee8fa000000"
        "000000000000000000000000000bbb4eb37628d60b035a3e0c45c0ea8c4abef5a6ddc5625e0560097ef9caab20"
        "8221062e81cd77ef72162923a1906a40";
    EXPECT_EQ(
        run_hex(g2_add, hex(in)),
        "000000000000000000000000000000000a9b880c2c13da05bdeda62ea8f61e5fc2bf0b7aa5cc31eaf512be"
        "f7c5073d9e9927084b512e818dbf05eab697ba0661000000000000000000000000000000000b963b527aa3"
        "ec36813b108f2294115f732c878ac28551b5490615b436406773b5bb6a3f002be0e54db0bcebe40cb2e200"
        "0000000000000000000000000000000bd6e9060b42e36b57d88bc95b8b993da2d9d5acd95b73bad0509c23"
        "24212bcf7a94a46901932c0750535d00008a34f7000000000000000000000000000000000a374afd32bc3b"
        "b20c22a8864ce0dafe298bda17260b9d1d598a80830400c3fd4e8a8f677630eae5d4aa0a76a434e0ba");
}

TEST(Eip2537, MapFpToG1KnownAnswer) {
    // matter_fp_to_g1_0
    EXPECT_EQ(
        run_hex(map_fp_to_g1,
                hex("0000000000000000000000000000000014406e5bfb9209256a3820879a29ac2f62d6aca8"
                    "2324bf3ae2aa7d3c54792043bd8c791fccdb080c1a52dc68b8b69350")),
        "000000000000000000000000000000000d7721bcdb7ce1047557776eb2659a444166dc6dd55c7ca6e240e2"
        "1ae9aa18f529f04ac31d861b54faf3307692545db700000000000000000000000000000000108286acbdf4"
        "384f67659a8abe89e712a504cb3ce1cba07a716869025d60d499a00d1da8cdc92958918c222ea93d87f0");
}

TEST(Eip2537, MapFp2ToG2KnownAnswer) {
    // matter_fp2_to_g2_0
    EXPECT_EQ(
        run_hex(map_fp2_to_g2,
                hex("0000000000000000000000000000000014406e5bfb9209256a3820879a29ac2f62d6aca8"
                    "2324bf3ae2aa7d3c54792043bd8c791fccdb080c1a52dc68b8b69350000000000000000000"
                    "000000000000000e885bb33996e12f07da69073e2c0cc880bc8eff26d2a724299eb12d54f4"
                    "bcf26f4748bb020e80a7e3794a7b0e47a641")),
        "000000000000000000000000000000000d029393d3a13ff5b26fe52bd8953768946c5510f9441f1136f1e9"
        "38957882db6adbd7504177ee49281ecccba596f2bf000000000000000000000000000000001993f668fb1a"
        "e603aefbb1323000033fcb3b65d8ed3bf09c84c61e27704b745f540299a1872cd697ae45a5afd780f1d600"
        "000000000000000000000000000000079cb41060ef7a128d286c9ef8638689a49ca19da8672ea5c47b6ba6"
        "dbde193ee835d3b87a76a689966037c07159c10d0000000000000000000000000000000017c688ae9a8b59"
        "a7069c27f2d58dd2196cb414f4fb89da8510518a1142ab19d158badd1c3bad03408fafb1669903cd6c");
}

TEST(Eip2537, G1AddAndMsmAgree) {
    const Bytes g = enc_g1(kG1);
    const Bytes g2 = enc_g1(kG1.dbl());
    EXPECT_EQ(run_hex(g1_add, concat({g, g})), to_hex(g2).substr(2));
    // 3G + 5G == MSM((G, 3), (G, 5)) == MSM((G, 8))
    const uint64_t eight = 8;
    const std::string expected = to_hex(enc_g1(kG1.mul(&eight, 1))).substr(2);
    EXPECT_EQ(run_hex(g1_msm, concat({g, scalar(3), g, scalar(5)})), expected);
    EXPECT_EQ(run_hex(g1_msm, concat({g, scalar(8)})), expected);
    // Scalar r gives the identity; scalar 0 too.
    const Bytes r = hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    EXPECT_EQ(run_hex(g1_msm, concat({g, r})), std::string(256, '0'));
    EXPECT_EQ(run_hex(g1_msm, concat({g, scalar(0)})), std::string(256, '0'));
    // P + (-P) = identity.
    EXPECT_EQ(run_hex(g1_add, concat({g, enc_g1(-kG1)})), std::string(256, '0'));
}

TEST(Eip2537, G2MsmKnownAnswer) {
    EXPECT_EQ(run_hex(g2_msm, concat({hex(kG2Gen), scalar(2)})), kG2Double);
    EXPECT_EQ(run_hex(g2_msm, concat({hex(kG2Gen), scalar(1), hex(kG2Gen), scalar(1)})), kG2Double);
}

TEST(Eip2537, PairingCheck) {
    const uint64_t a = 12345, b = 678;
    const uint64_t ab = a * b;
    const Bytes ok = concat(
        {enc_g1(kG1.mul(&a, 1)), enc_g2(kG2.mul(&b, 1)), enc_g1(-kG1.mul(&ab, 1)), enc_g2(kG2)});
    EXPECT_EQ(run_hex(pairing_check, ok), std::string(63, '0') + "1");
    const Bytes bad =
        concat({enc_g1(kG1.mul(&a, 1)), enc_g2(kG2.mul(&b, 1)), enc_g1(kG1), enc_g2(kG2)});
    EXPECT_EQ(run_hex(pairing_check, bad), std::string(64, '0'));
    // A single pair with an infinity is 1.
    EXPECT_EQ(run_hex(pairing_check, concat({Bytes(128, 0), enc_g2(kG2)})),
              std::string(63, '0') + "1");
}

TEST(Eip2537, InvalidInputs) {
    const Bytes g = enc_g1(kG1);
    // Lengths.
    EXPECT_EQ(g1_add(g).error(), Error::kInvalidInputLength);
    EXPECT_EQ(g1_msm({}).error(), Error::kInvalidInputLength);
    EXPECT_EQ(g2_msm(Bytes(287, 0)).error(), Error::kInvalidInputLength);
    EXPECT_EQ(pairing_check({}).error(), Error::kInvalidInputLength);
    EXPECT_EQ(map_fp_to_g1(Bytes(63, 0)).error(), Error::kInvalidInputLength);
    EXPECT_EQ(map_fp2_to_g2(Bytes(129, 0)).error(), Error::kInvalidInputLength);
    // Non-zero padding byte.
    Bytes bad = concat({g, g});
    bad[0] = 1;
    EXPECT_EQ(g1_add(bad).error(), Error::kInvalidFieldElement);
    // Coordinate equal to p.
    Bytes fp_p = hex(
        "000000000000000000000000000000001a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6"
        "b0f6241eabfffeb153ffffb9feffffffffaaab");
    EXPECT_EQ(map_fp_to_g1(fp_p).error(), Error::kInvalidFieldElement);
    // Not on the curve: (1, 1).
    Bytes off(128, 0);
    off[63] = 1;
    off[127] = 1;
    EXPECT_EQ(g1_add(concat({off, g})).error(), Error::kPointNotOnCurve);
    // On the curve, outside the subgroup: (0, 2). ADD accepts it, MSM and pairing do not.
    Bytes nsg(128, 0);
    nsg[127] = 2;
    EXPECT_TRUE(g1_add(concat({nsg, g})).has_value());
    EXPECT_EQ(g1_msm(concat({nsg, scalar(1)})).error(), Error::kPointNotInSubgroup);
    EXPECT_EQ(pairing_check(concat({nsg, enc_g2(kG2)})).error(), Error::kPointNotInSubgroup);
}

TEST(Eip2537, Gas) {
    EXPECT_EQ(g1_msm_gas(160), 12000);
    EXPECT_EQ(g1_msm_gas(2 * 160), 2 * 12000 * 949 / 1000);
    EXPECT_EQ(g1_msm_gas(128 * 160), 128 * 12000 * 519 / 1000);
    EXPECT_EQ(g1_msm_gas(200 * 160), 200 * 12000 * 519 / 1000);
    EXPECT_EQ(g2_msm_gas(288), 22500);
    EXPECT_EQ(g2_msm_gas(2 * 288), 2 * 22500);
    EXPECT_EQ(g2_msm_gas(3 * 288), 3 * 22500 * 923 / 1000);
    EXPECT_EQ(g2_msm_gas(0), 0);
    EXPECT_EQ(pairing_gas(384), 32600 + 37700);
    EXPECT_EQ(pairing_gas(2 * 384), 2 * 32600 + 37700);
}

}  // namespace
}  // namespace fuse::bls12_381
