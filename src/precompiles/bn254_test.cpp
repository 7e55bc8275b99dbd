#include "precompiles/bn254.hpp"

#include <gmp.h>
#include <gtest/gtest.h>

#include "precompiles/bn254_curve.hpp"
#include "precompiles/bn254_tower.hpp"
#include "precompiles/test_util.hpp"

namespace fuse::precompiles {
namespace {

using namespace bn254;
using test::hex;
using test::raw_hex;
using test::Vector;

// go-ethereum core/vm/testdata/precompiles/bn256Add.json (subset).
constexpr Vector kAddVectors[] = {
    {"chfast1",
     "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9063c909c4720840cb5134cb9f59fa"
     "74"
     "9755796819658d32efc0d288198f3726607c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a01"
     "4e"
     "ed06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7",
     "2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703301d1d33be6da8e509df21cc35964"
     "723"
     "180eed7532537db9ae5e7d48f195c915"},
    {"chfast2",
     "2243525c5efd4b9c3d3c45ac0ca3fe4dd85e830a4ce6b65fa1eeaee202839703301d1d33be6da8e509df21cc35964"
     "723"
     "180eed7532537db9ae5e7d48f195c91518b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093"
     "dc9"
     "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266",
     "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb721611ce0a6af85915e2f1d7030090"
     "9ce"
     "2e49dfad4a4619c8390cae66cefdb204"},
    {"cdetrio4_empty", "",
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0"
     "0000000000000000000000000000000000"},
    {"cdetrio8_short",
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "00"
     "000000000000000000000000000000002",
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "000"
     "00000000000000000000000000000002"},
    {"cdetrio11_double",
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "000"
     "000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000"
     "001"
     "0000000000000000000000000000000000000000000000000000000000000002",
     "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd315ed738c0e0a7c92e7845f96b2ae9"
     "c0a"
     "68a6a449e3538fc7ff3ebf7a5a18a2c4"},
    {"cdetrio13",
     "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa901e0559bacb160664764a357af8a9"
     "fe7"
     "0baa9258e0b959273ffc5718c6d4cc7c039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b"
     "869"
     "073a5ffcc6fc7a28c30723d6e58ce577356982d65b833a5a5c15bf9024b43d98",
     "15bf2bb17880144b5d1cd2b1f46eff9d617bffd1ca57c37fb5a49bd84e53cf66049c797f9ce0d17083deb32b5e36f"
     "2ea"
     "2a212ee036598dd7624c168993d1355f"},
    {"cdetrio14_p_plus_minus_p",
     "17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163fa901e0559bacb160664764a357af8a9"
     "fe7"
     "0baa9258e0b959273ffc5718c6d4cc7c17c139df0efee0f766bc0204762b774362e4ded88953a39ce849a8a7fa163"
     "fa9"
     "2e83f8d734803fc370eba25ed1f6b8768bd6d83887b87165fc2434fe11a830cb",
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000"
     "00000000000000000000000000000000"},
};

// go-ethereum core/vm/testdata/precompiles/bn256ScalarMul.json (subset).
constexpr Vector kMulVectors[] = {
    {"chfast1",
     "2bd3e6d0f3b142924f5ca7b49ce5b9d54c4703d7ae5648e61d02268b1a0a9fb721611ce0a6af85915e2f1d7030090"
     "9ce"
     "2e49dfad4a4619c8390cae66cefdb20400000000000000000000000000000000000000000000000011138ce750fa1"
     "5c2",
     "070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c031b8ce914eba3a9ffb989f9cdd5b"
     "0f0"
     "1943074bf4f0f315690ec3cec6981afc"},
    {"chfast2",
     "070a8d6a982153cae4be29d434e8faef8a47b274a053f5a4ee2a6c9c13c31e5c031b8ce914eba3a9ffb989f9cdd5b"
     "0f0"
     "1943074bf4f0f315690ec3cec6981afc30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cf"
     "d46",
     "025a6f4181d2b4ea8b724290ffb40156eb0adb514c688556eb79cdea0752c2bb2eff3f31dea215f1eb86023a133a9"
     "96e"
     "b6300b44da664d64251d05381bb8a02e"},
    {"cdetrio1_max_scalar",
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff815"
     "04b"
     "0fcd6d7cf59996efdc33d92bf7f9f8f6fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "fff",
     "2cde5879ba6f13c0b5aa4ef627f159a3347df9722efce88a9afbb20b763b4c411aa7e43076f6aee272755a7f9b848"
     "32e"
     "71559ba0d2e0b17d5f9f01755e5b0d11"},
    {"cdetrio2_r_minus_1",
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff815"
     "04b"
     "0fcd6d7cf59996efdc33d92bf7f9f8f630644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000"
     "000",
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3163511ddc1c3f25d3967453882000"
     "81"
     "287b3fd1472d8339d5fecb2eae0830451"},
    {"cdetrio4_nine",
     "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe31a2f3c951f6dadcc7ee9007dff815"
     "04b"
     "0fcd6d7cf59996efdc33d92bf7f9f8f60000000000000000000000000000000000000000000000000000000000000"
     "009",
     "1dbad7d39dbc56379f78fac1bca147dc8e66de1b9d183c7b167351bfe0aeab742cd757d51289cd8dbd0acf9e673ad"
     "67d"
     "0f0a89f912af47ed1be53664f5692575"},
    {"cdetrio11",
     "039730ea8dff1254c0fee9c0ea777d29a9c710b7e616683f194f18c43b43b869073a5ffcc6fc7a28c30723d6e58ce"
     "577"
     "356982d65b833a5a5c15bf9024b43d98fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
     "fff",
     "00a1a234d08efaa2616607e31eca1980128b00b415c845ff25bba3afcb81dc00242077290ed33906aeb8e42fd98c4"
     "1bc"
     "b9057ba03421af3f2d08cfc441186024"},
};

// G1 generator and the G2 generator / its negation as they appear in bn256Pairing.json.
constexpr const char* kG1Gen =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002";
constexpr const char* kG2Gen =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
constexpr const char* kG2GenNeg =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec"
    "1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d";

// go-ethereum core/vm/testdata/precompiles/bn256Pairing.json (subset).
const Vector kPairingVectors[] = {
    {"jeff1",
     "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678"
     "745"
     "fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35"
     "bf7"
     "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cf"
     "d0c"
     "a2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877"
     "550"
     "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c2032c61a830e3c17286de9462bf24"
     "2fc"
     "a2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef31"
     "2c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3"
     "395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7"
     "daa",
     "0000000000000000000000000000000000000000000000000000000000000001"},
    {"jeff6_false",
     "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678"
     "745"
     "fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35"
     "bf7"
     "04bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cf"
     "d0c"
     "a2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877"
     "550"
     "111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c103188585e2364128fe25c70558f1"
     "560"
     "f4f9350baf3959e603cc91486e110936198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef31"
     "2c2"
     "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3"
     "395"
     "bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7"
     "daa",
     "0000000000000000000000000000000000000000000000000000000000000000"},
    {"jeff4_three_pairs",
     "2f2ea0b3da1e8ef11914acf8b2e1b32d99df51f5f4f206fc6b947eae860eddb6068134ddb33dc888ef446b648d723"
     "386"
     "84d678d2eb2371c61a50734d78da4b7225f83c8b6ab9de74e7da488ef02645c5a16a6652c3c71a15dc37fe3a5dcb7"
     "cb1"
     "22acdedd6308e3bb230d226d16a105295f523a8a02bfc5e8bd2da135ac4c245d065bbad92e7c4e31bf3757f1fe736"
     "2a6"
     "3fbfee50e7dc68da116e67d600d9bf6806d302580dc0661002994e7cd3a7f224e7ddc27802777486bf80f40e4ca3c"
     "fdb"
     "186bac5188a98c45e6016873d107f5cd131f3a3e339d0375e58bd6219347b008122ae2b09e539e152ec5364e7e220"
     "4b0"
     "3d11d3caa038bfc7cd499f8176aacbee1f39e4e4afc4bc74790a4a028aff2c3d2538731fb755edefd8cb48d6ea589"
     "b5e"
     "283f150794b6736f670d6a1033f9b46c6f5204f50813eb85c8dc4b59db1c5d39140d97ee4d2b36d99bc49974d18ec"
     "ca3"
     "e7ad51011956051b464d9e27d46cc25e0764bb98575bd466d32db7b15f582b2d5c452b36aa394b789366e5e3ca5aa"
     "bd4"
     "15794ab061441e51d01e94640b7e3084a07e02c78cf3103c542bc5b298669f211b88da1679b0b64a63b7e0e7bfe52"
     "aae"
     "524f73a55be7fe70c7e9bfc94b4cf0da1213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b"
     "3ee"
     "2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d"
     "061"
     "1d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552e"
     "a5f",
     "0000000000000000000000000000000000000000000000000000000000000001"},
    {"two_point_match_3",
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "00"
     "000000000000000000000000000000002203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928"
     "ad7"
     "927dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9195e8aa5b7827463722b8c153931"
     "57"
     "9d3505566b4edf48d498e185f0509de15204bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122"
     "b5d"
     "2e030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd31a76dae6d3272396d0cbe61fced"
     "2bc5"
     "32edac647851e3ac53ce1cc9c7e645a83198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef3"
     "12c"
     "21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c"
     "339"
     "5bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa"
     "7daa",
     "0000000000000000000000000000000000000000000000000000000000000001"},
    {"two_point_match_4",
     "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf10160cf031d41b41557f3e7e3ba0c51be"
     "be5"
     "da8e6ecd855ec50fc87efcdeac168bcc0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec5"
     "7fd"
     "3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa114c059d74e5b6c4ec14ae5864ebe2"
     "3a7"
     "1781d86c29fb8fb6cce94f70d3de7a2101b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030"
     "427"
     "000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000"
     "000"
     "000000000000000000000000000000021a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c63"
     "5f7"
     "290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f2f997f3dbd66a7afe07fe7862ce23"
     "9ed"
     "ba9e05c5afff7f8a1259c9733b2dfbb929d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302cc"
     "d75",
     "0000000000000000000000000000000000000000000000000000000000000001"},
};

/// Points on the twist y^2 = x^3 + b' with x = k + u, k = 1, 2, ...: almost surely outside G2,
/// since the twist has order r * h with h = 2p - r.
std::vector<G2Affine> twist_points(size_t count) {
    std::vector<G2Affine> out;
    const Fp2 b = twist_b();
    Limbs e = kP;  // (p + 1) / 4: square roots in Fp (p = 3 mod 4)
    e[0] += 1;
    for (int s = 0; s < 2; ++s) {
        for (int i = 0; i < 3; ++i)
            e[i] = (e[i] >> 1) | (e[i + 1] << 63);
        e[3] >>= 1;
    }
    const Fp two_inv = Fp::from_u64(2).inv();
    for (uint64_t k = 1; out.size() < count && k < 1000; ++k) {
        const Fp2 x{Fp::from_u64(k), Fp::one()};
        const Fp2 rhs = x.sqr() * x + b;
        // sqrt(a + bu) = alpha + (b / 2 alpha) u with alpha^2 = (a +- |a + bu|) / 2.
        const Fp norm = rhs.c0.sqr() + rhs.c1.sqr();
        const Fp n_root = norm.pow(e.data(), 4);
        if (!(n_root.sqr() == norm)) continue;
        Fp alpha = (rhs.c0 + n_root) * two_inv;
        Fp a_root = alpha.pow(e.data(), 4);
        if (!(a_root.sqr() == alpha)) {
            alpha = (rhs.c0 - n_root) * two_inv;
            a_root = alpha.pow(e.data(), 4);
            if (!(a_root.sqr() == alpha)) continue;
        }
        const Fp2 y{a_root, rhs.c1 * (a_root.dbl()).inv()};
        if (!(y.sqr() == rhs)) continue;
        out.push_back({x, y, false});
    }
    return out;
}

G2Affine g2_generator() {
    const Bytes g2 = hex(kG2Gen);
    return {{*Fp::from_be32(g2.data() + 32), *Fp::from_be32(g2.data())},
            {*Fp::from_be32(g2.data() + 96), *Fp::from_be32(g2.data() + 64)},
            false};
}

TEST(Bn254Field, MontgomeryRoundTripAndInverse) {
    const Fp a = Fp::from_u64(123456789);
    EXPECT_EQ(a.to_limbs(), (Limbs{123456789, 0, 0, 0}));
    EXPECT_EQ(a * a.inv(), Fp::one());
    // (p - 1)^2 = 1.
    Limbs pm1 = kP;
    pm1[0] -= 1;
    EXPECT_EQ(Fp::from_limbs(pm1).sqr(), Fp::one());
    const Fp2 z{Fp::from_u64(5), Fp::from_u64(7)};
    EXPECT_EQ(z * z.inv(), Fp2::one());
    // u^2 = -1.
    const Fp2 u{Fp::zero(), Fp::one()};
    EXPECT_EQ(u.sqr(), -Fp2::one());
}

TEST(Bn254Field, RejectsCoordinatesNotBelowP) {
    uint8_t buf[32];
    Fp::from_limbs({0, 0, 0, 0}).to_be32(buf);
    EXPECT_TRUE(Fp::from_be32(buf).has_value());
    const Bytes p = hex("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47");
    EXPECT_FALSE(Fp::from_be32(p.data()).has_value());
    const Bytes pm1 = hex("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd46");
    EXPECT_TRUE(Fp::from_be32(pm1.data()).has_value());
}

TEST(Bn254Tower, Fp12InverseAndFrobeniusOrder) {
    Fp12 f;
    uint64_t seed = 1;
    for (Fp6* c : {&f.c0, &f.c1})
        for (Fp2* e : {&c->c0, &c->c1, &c->c2}) {
            e->c0 = Fp::from_u64(seed += 7919);
            e->c1 = Fp::from_u64(seed * seed);
        }
    EXPECT_EQ(f * f.inv(), Fp12::one());
    // The Frobenius has order 12 on Fp12 and is a ring homomorphism.
    Fp12 g = f;
    for (int i = 0; i < 12; ++i)
        g = g.frobenius();
    EXPECT_EQ(g, f);
    EXPECT_FALSE(f.frobenius() == f);
    EXPECT_EQ((f * f).frobenius(), f.frobenius() * f.frobenius());
    EXPECT_EQ(f.sqr(), f * f);
}

TEST(Bn254Field, MontgomeryProductMatchesGmp) {
    mpz_t p, a, b, expect, got;
    mpz_inits(p, a, b, expect, got, nullptr);
    mpz_set_str(p, "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47", 16);
    gmp_randstate_t rs;
    gmp_randinit_default(rs);
    gmp_randseed_ui(rs, 42);
    auto to_limbs = [](const mpz_t x) {
        Limbs l{};
        size_t count = 0;
        mpz_export(l.data(), &count, -1, 8, 0, 0, x);
        return l;
    };
    for (int i = 0; i < 2000; ++i) {
        mpz_urandomm(a, rs, p);
        mpz_urandomm(b, rs, p);
        if (i == 0) mpz_sub_ui(a, p, 1);  // extremes
        if (i == 1) mpz_set_ui(b, 0);
        const Fp fa = Fp::from_limbs(to_limbs(a));
        const Fp fb = Fp::from_limbs(to_limbs(b));
        mpz_mul(expect, a, b);
        mpz_mod(expect, expect, p);
        EXPECT_EQ((fa * fb).to_limbs(), to_limbs(expect));
        mpz_add(expect, a, b);
        mpz_mod(expect, expect, p);
        EXPECT_EQ((fa + fb).to_limbs(), to_limbs(expect));
        mpz_sub(expect, a, b);
        mpz_mod(expect, expect, p);
        EXPECT_EQ((fa - fb).to_limbs(), to_limbs(expect));
        if (mpz_sgn(a) != 0) {
            ASSERT_NE(mpz_invert(got, a, p), 0);
            EXPECT_EQ(fa.inv().to_limbs(), to_limbs(got));
        }
    }
    EXPECT_TRUE(Fp::zero().inv().is_zero());
    gmp_randclear(rs);
    mpz_clears(p, a, b, expect, got, nullptr);
}

TEST(Bn254Tower, CyclotomicSquareMatchesSquare) {
    Fp12 f;
    uint64_t seed = 5;
    for (Fp6* c : {&f.c0, &f.c1})
        for (Fp2* e : {&c->c0, &c->c1, &c->c2}) {
            e->c0 = Fp::from_u64(seed = seed * 6364136223846793005ull + 1);
            e->c1 = Fp::from_u64(seed = seed * 6364136223846793005ull + 1);
        }
    // f^((p^6 - 1)(p^2 + 1)) lies in the cyclotomic subgroup.
    Fp12 g = f.conj() * f.inv();
    g = g.frobenius().frobenius() * g;
    EXPECT_EQ(g.cyclotomic_sqr(), g.sqr());
    EXPECT_EQ(g.cyclotomic_pow_u64(0x44e992b44a6909f1),
              g.cyclotomic_pow_u64(0x44e992b44a6909f0) * g);
    Fp12 naive = Fp12::one();
    for (int i = 0; i < 13; ++i)
        naive = naive * g;
    EXPECT_EQ(g.cyclotomic_pow_u64(13), naive);
}

// The fast final exponentiation (Scott et al.) must equal f^((p^12-1)/r) computed naively.
TEST(Bn254Tower, FinalExponentiationMatchesNaive) {
    Fp12 f;
    uint64_t seed = 3;
    for (Fp6* c : {&f.c0, &f.c1})
        for (Fp2* e : {&c->c0, &c->c1, &c->c2}) {
            e->c0 = Fp::from_u64(seed = seed * 6364136223846793005ull + 1);
            e->c1 = Fp::from_u64(seed = seed * 6364136223846793005ull + 1);
        }
    mpz_t p, r, e;
    mpz_inits(p, r, e, nullptr);
    mpz_set_str(p, "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47", 16);
    mpz_set_str(r, "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001", 16);
    mpz_pow_ui(e, p, 12);
    mpz_sub_ui(e, e, 1);
    ASSERT_TRUE(mpz_divisible_p(e, r));
    mpz_divexact(e, e, r);
    Fp12 naive = Fp12::one();
    for (long bit = long(mpz_sizeinbase(e, 2)) - 1; bit >= 0; --bit) {
        naive = naive.sqr();
        if (mpz_tstbit(e, bit)) naive = naive * f;
    }
    mpz_clears(p, r, e, nullptr);
    EXPECT_EQ(final_exponentiation(f), naive);
}

Bytes run_ok(Result<Bytes, PrecompileError> r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : to_string(r.error()));
    return r ? *r : Bytes{};
}

TEST(Bn254Add, KnownAnswers) {
    for (const auto& v : kAddVectors)
        EXPECT_EQ(raw_hex(run_ok(bn254_add(hex(v.input)))), v.expected) << v.name;
}

TEST(Bn254Mul, KnownAnswers) {
    for (const auto& v : kMulVectors)
        EXPECT_EQ(raw_hex(run_ok(bn254_mul(hex(v.input)))), v.expected) << v.name;
}

TEST(Bn254Pairing, KnownAnswers) {
    for (const auto& v : kPairingVectors)
        EXPECT_EQ(raw_hex(run_ok(bn254_pairing(hex(v.input)))), v.expected) << v.name;
}

TEST(Bn254Pairing, GeneratorPairs) {
    const std::string g1 = kG1Gen;
    // Empty input: the empty product is one.
    EXPECT_EQ(run_ok(bn254_pairing({})).back(), 1);
    // e(G1, G2) alone is not one (non-degenerate).
    EXPECT_EQ(run_ok(bn254_pairing(hex(g1 + kG2Gen))).back(), 0);
    // e(G1, G2) e(G1, -G2) = 1.
    EXPECT_EQ(run_ok(bn254_pairing(hex(g1 + kG2Gen + g1 + kG2GenNeg))).back(), 1);
    // Infinity in either slot contributes one.
    const std::string zero64(128, '0');
    const std::string zero128(256, '0');
    EXPECT_EQ(run_ok(bn254_pairing(hex(zero64 + kG2Gen))).back(), 1);
    EXPECT_EQ(run_ok(bn254_pairing(hex(g1 + zero128))).back(), 1);
}

// Bilinearity: e(aP, bQ) e(-abP, Q) = 1 for a few (a, b).
TEST(Bn254Pairing, Bilinearity) {
    const G1Affine p{Fp::one(), Fp::from_u64(2), false};
    const G2Affine q = g2_generator();
    ASSERT_TRUE(is_on_curve(q));
    ASSERT_TRUE(is_in_subgroup(q));
    for (uint64_t a : {2ull, 7ull, 0x1234567890abcdefull})
        for (uint64_t b : {3ull, 0xfedcba0987654321ull}) {
            const G1Affine ap = to_affine(mul(p, Limbs{a, 0, 0, 0}));
            const G2Affine bq = to_affine(mul(q, Limbs{b, 0, 0, 0}));
            const u128 ab = u128(a) * b;
            G1Affine abp = to_affine(mul(p, Limbs{uint64_t(ab), uint64_t(ab >> 64), 0, 0}));
            abp.y = -abp.y;
            const G1Affine ps[] = {ap, abp};
            const G2Affine qs[] = {bq, q};
            EXPECT_TRUE(pairing_product_is_one(ps, qs, 2)) << a << " " << b;
            const G1Affine ps_wrong[] = {ap, ap};
            EXPECT_FALSE(pairing_product_is_one(ps_wrong, qs, 2)) << a << " " << b;
        }
}

TEST(Bn254Invalid, CoordinatesNotBelowP) {
    const std::string p = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
    // (p, 2) would be the point (0, 2) reduced: must be rejected, not reduced.
    auto r = bn254_add(hex(p + "0000000000000000000000000000000000000000000000000000000000000002"));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kCoordinateTooLarge);
    r = bn254_mul(hex(std::string(kG1Gen).substr(0, 64) + p + std::string(64, '0')));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kCoordinateTooLarge);
    // G2 x_im = p.
    const std::string g2 = kG2Gen;
    r = bn254_pairing(hex(std::string(kG1Gen) + p + g2.substr(64)));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kCoordinateTooLarge);
}

TEST(Bn254Invalid, PointsNotOnCurve) {
    const std::string one = "0000000000000000000000000000000000000000000000000000000000000001";
    auto r = bn254_add(hex(one + one));  // (1, 1)
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kPointNotOnCurve);
    r = bn254_mul(hex(one + one + one));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kPointNotOnCurve);
    // G2 with its y_re changed.
    std::string g2 = kG2Gen;
    g2.back() = 'b';
    r = bn254_pairing(hex(std::string(kG1Gen) + g2));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kPointNotOnCurve);
}

TEST(Bn254Invalid, G2PointOutsideSubgroup) {
    const auto pts = twist_points(1);
    ASSERT_EQ(pts.size(), 1u);
    const G2Affine& q = pts[0];
    ASSERT_TRUE(is_on_curve(q));
    EXPECT_FALSE(is_in_subgroup(q));
    Bytes in(192, 0);
    const Bytes g1 = hex(kG1Gen);
    std::copy(g1.begin(), g1.end(), in.begin());
    q.x.c1.to_be32(in.data() + 64);
    q.x.c0.to_be32(in.data() + 96);
    q.y.c1.to_be32(in.data() + 128);
    q.y.c0.to_be32(in.data() + 160);
    auto r = bn254_pairing(in);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), PrecompileError::kPointNotInSubgroup);
}

// The fast endomorphism test agrees with the definition [r]Q == O on points inside G2, on
// random twist points, on their cofactor components [r]R, and on sums Q + [r]R.
TEST(Bn254Subgroup, FastTestMatchesOrderTest) {
    const G2Affine g = g2_generator();
    std::vector<G2Affine> cases;
    for (uint64_t k : {1ull, 2ull, 3ull, 0xdeadbeefull, 0xffffffffffffffffull})
        cases.push_back(to_affine(mul(g, Limbs{k, k >> 1, 0, 0})));
    for (const G2Affine& rp : twist_points(6)) {
        cases.push_back(rp);
        const G2Affine cofactor_part = to_affine(mul(rp, kR));
        cases.push_back(cofactor_part);
        cases.push_back(to_affine(add_mixed(G2::from_affine(cofactor_part), g)));
    }
    size_t inside = 0;
    for (const G2Affine& q : cases) {
        ASSERT_TRUE(is_on_curve(q));
        const bool expected = is_in_subgroup_by_order(q);
        inside += expected;
        EXPECT_EQ(is_in_subgroup(q), expected);
    }
    EXPECT_EQ(inside, 5u);  // exactly the multiples of the generator
}

TEST(Bn254Invalid, PairingLengthNotMultipleOf192) {
    const Bytes in = hex(std::string(kG1Gen) + kG2Gen);
    for (size_t len : {size_t(1), size_t(64), size_t(191), size_t(193)}) {
        Bytes b(len, 0);
        std::copy_n(in.begin(), std::min(len, in.size()), b.begin());
        auto r = bn254_pairing(b);
        ASSERT_FALSE(r.has_value()) << len;
        EXPECT_EQ(r.error(), PrecompileError::kInvalidInputLength);
    }
}

}  // namespace
}  // namespace fuse::precompiles
