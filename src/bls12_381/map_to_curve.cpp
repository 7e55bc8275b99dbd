#include "bls12_381/map_to_curve.hpp"

namespace fuse::bls12_381 {
namespace {

// RFC 9380 Appendix E.2: 11-isogeny E1' -> E1, coefficients in ascending powers of x'
// (the leading 1 of each monic denominator included).
constexpr const char* kIso11XNum[12] = {
    "11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649"
    "b7",
    "17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83"
    "bb",
    "d54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb"
    "0",
    "1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b68"
    "61",
    "e99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d"
    "9",
    "1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f6529"
    "83",
    "d6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed8"
    "4",
    "17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c8"
    "8e",
    "80d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e31"
    "7",
    "169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c"
    "9e",
    "10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb"
    "7b",
    "6e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d22"
    "9",
};
constexpr const char* kIso11XDen[11] = {
    "8ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1"
    "c",
    "12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3b"
    "ff",
    "b2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e1"
    "9",
    "3425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd"
    "8",
    "13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a2"
    "1e",
    "e7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a"
    "5",
    "772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3"
    "a",
    "14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a"
    "5e",
    "a10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d64"
    "1",
    "95fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0"
    "a",
    "1",
};
constexpr const char* kIso11YNum[16] = {
    "90d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb3"
    "3",
    "134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c6"
    "96",
    "cc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f"
    "6",
    "1f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4c"
    "b",
    "8cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fed"
    "b",
    "16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5"
    "f0",
    "4ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f"
    "2",
    "987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb2"
    "9",
    "9fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba58"
    "7",
    "e1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c3"
    "0",
    "19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c1"
    "32",
    "18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d"
    "8e",
    "b182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef"
    "8",
    "245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db98013"
    "3",
    "5c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224"
    "b",
    "15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b6"
    "04",
};
constexpr const char* kIso11YDen[16] = {
    "16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663"
    "c1",
    "1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a0"
    "3d",
    "58df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f"
    "2",
    "16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f54"
    "16",
    "be0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001"
    "d",
    "8d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7a"
    "c",
    "166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a77"
    "5c",
    "16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812e"
    "d9",
    "1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d"
    "4a",
    "167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f"
    "55",
    "4d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa"
    "8",
    "accbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e256109"
    "2",
    "ad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345c"
    "c",
    "2660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f"
    "7",
    "e0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8"
    "f",
    "1",
};
// RFC 9380 Appendix E.3: 3-isogeny E2' -> E2, {c0, c1} coefficients in ascending powers.
constexpr const char* kIso3XNum[4][2] = {
    {"5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97"
     "d6",
     "5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97"
     "d6"},
    {"0",
     "11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc"
     "71a"},
    {"11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc"
     "71e",
     "8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe3"
     "8d"},
    {"171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38d0f671c7188e2aaaaaaaa5"
     "ed1",
     "0"},
};
constexpr const char* kIso3XDen[3][2] = {
    {"0",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "a63"},
    {"c",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "a9f"},
    {"1", "0"},
};
constexpr const char* kIso3YNum[4][2] = {
    {"1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d"
     "706",
     "1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d"
     "706"},
    {"0",
     "5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97"
     "be"},
    {"11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc"
     "71c",
     "8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe3"
     "8f"},
    {"124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097a56dc4bd9e1b371c71c718"
     "b10",
     "0"},
};
constexpr const char* kIso3YDen[4][2] = {
    {"1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "8fb",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "8fb"},
    {"0",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "9d3"},
    {"12",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa"
     "a99"},
    {"1", "0"},
};

/// RFC 9380 section 8.8.1: h_eff for G1 (= 1 - x).
constexpr uint64_t kG1HEff = 0xd201000000010001ULL;

template <typename F>
struct SswuCurve {
    F a, b, z;
};

/// RFC 9380 section 6.6.2 simplified SWU onto y^2 = x^3 + A x + B (A B != 0). The result does
/// not depend on which square root is taken: the sign is fixed by sgn0(y) == sgn0(u).
template <typename F>
Affine<F> sswu(const F& u, const SswuCurve<F>& c) {
    const F u2 = u.square();
    const F zu2 = c.z * u2;
    const F tv1 = (zu2.square() + zu2).inv();  // inv0
    F x1;
    if (tv1.is_zero()) {
        x1 = c.b * (c.z * c.a).inv();
    } else {
        x1 = -c.b * c.a.inv() * (F::one() + tv1);
    }
    const F gx1 = (x1.square() + c.a) * x1 + c.b;
    F x, y;
    if (gx1.is_square()) {
        x = x1;
        y = *gx1.sqrt();
    } else {
        x = zu2 * x1;
        const F gx2 = (x.square() + c.a) * x + c.b;
        y = *gx2.sqrt();  // gx2 = Z^3 u^6 gx1 is square when gx1 is not (Z non-square)
    }
    if (u.sgn0() != y.sgn0()) y = -y;
    return {x, y, false};
}

/// Horner evaluation of sum k[i] x^i.
template <typename F, size_t N>
F horner(const F (&k)[N], const F& x) {
    F acc = k[N - 1];
    for (size_t i = N - 1; i-- > 0;)
        acc = acc * x + k[i];
    return acc;
}

/// x = xnum(x') / xden(x'), y = y' ynum(x') / yden(x'); a zero denominator maps to the identity.
template <typename F, size_t A, size_t B, size_t C, size_t D>
Affine<F> isogeny(const Affine<F>& p, const F (&xnum)[A], const F (&xden)[B], const F (&ynum)[C],
                  const F (&yden)[D]) {
    const F xd = horner(xden, p.x);
    const F yd = horner(yden, p.x);
    if (xd.is_zero() || yd.is_zero()) return {};
    return {horner(xnum, p.x) * xd.inv(), p.y * horner(ynum, p.x) * yd.inv(), false};
}

struct G1MapConstants {
    SswuCurve<Fp> curve;
    Fp xnum[12], xden[11], ynum[16], yden[16];
    G1MapConstants() {
        // RFC 9380 section 8.8.1: E1' and Z = 11.
        curve.a = fp_from_hex(
            "144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428"
            "082d584c1d");
        curve.b = fp_from_hex(
            "12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc"
            "48e98e172be0");
        curve.z = Fp::from_u64(11);
        for (size_t i = 0; i < 12; ++i)
            xnum[i] = fp_from_hex(kIso11XNum[i]);
        for (size_t i = 0; i < 11; ++i)
            xden[i] = fp_from_hex(kIso11XDen[i]);
        for (size_t i = 0; i < 16; ++i)
            ynum[i] = fp_from_hex(kIso11YNum[i]);
        for (size_t i = 0; i < 16; ++i)
            yden[i] = fp_from_hex(kIso11YDen[i]);
    }
};

struct G2MapConstants {
    SswuCurve<Fp2> curve;
    Fp2 xnum[4], xden[3], ynum[4], yden[4];
    static Fp2 fp2(const char* const (&c)[2]) { return {fp_from_hex(c[0]), fp_from_hex(c[1])}; }
    G2MapConstants() {
        // RFC 9380 section 8.8.2: A' = 240 i, B' = 1012 (1 + i), Z = -(2 + i).
        curve.a = {Fp::zero(), Fp::from_u64(240)};
        curve.b = {Fp::from_u64(1012), Fp::from_u64(1012)};
        curve.z = -Fp2{Fp::from_u64(2), Fp::one()};
        for (size_t i = 0; i < 4; ++i)
            xnum[i] = fp2(kIso3XNum[i]);
        for (size_t i = 0; i < 3; ++i)
            xden[i] = fp2(kIso3XDen[i]);
        for (size_t i = 0; i < 4; ++i)
            ynum[i] = fp2(kIso3YNum[i]);
        for (size_t i = 0; i < 4; ++i)
            yden[i] = fp2(kIso3YDen[i]);
    }
};

const G1MapConstants& g1_map_constants() {
    static const G1MapConstants c;
    return c;
}
const G2MapConstants& g2_map_constants() {
    static const G2MapConstants c;
    return c;
}

}  // namespace

G1 map_to_g1(const Fp& u) {
    const G1MapConstants& c = g1_map_constants();
    const G1Affine q = isogeny(sswu(u, c.curve), c.xnum, c.xden, c.ynum, c.yden);
    return G1::from_affine(q).mul(&kG1HEff, 1);
}

G2 map_to_g2(const Fp2& u) {
    const G2MapConstants& c = g2_map_constants();
    const G2Affine q = isogeny(sswu(u, c.curve), c.xnum, c.xden, c.ynum, c.yden);
    return clear_cofactor_g2(G2::from_affine(q));
}

G2 clear_cofactor_g2(const G2& p) {
    // RFC 9380 Appendix G.3, with c1 = x = -0xd201000000010000.
    constexpr uint64_t kAbsX = 0xd201000000010000ULL;
    const G2 t1 = -p.mul(&kAbsX, 1);  // [x] P
    G2 t2 = psi(p);
    G2 t3 = psi(psi(p.dbl()));
    t3 = t3 + (-t2);
    t2 = -(t1 + t2).mul(&kAbsX, 1);  // [x] (t1 + t2)
    t3 = t3 + t2;
    t3 = t3 + (-t1);
    return t3 + (-p);
}

}  // namespace fuse::bls12_381
