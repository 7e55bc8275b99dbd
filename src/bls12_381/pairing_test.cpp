#include "bls12_381/pairing.hpp"

#include <gtest/gtest.h>

namespace fuse::bls12_381 {
namespace {

TEST(Pairing, NonDegenerate) {
    const Fp12 e = pairing(g1_generator(), g2_generator());
    EXPECT_FALSE(e.is_one());
    // e lies in GT: e^r = 1.
    EXPECT_TRUE(e.pow(kGroupOrder, 4).is_one());
}

TEST(Pairing, Bilinear) {
    const G1 g1 = G1::from_affine(g1_generator());
    const G2 g2 = G2::from_affine(g2_generator());
    const uint64_t a = 0x1234567890abcdefULL, b = 0xfedcba0987654321ULL;
    const G1Affine ap = g1.mul(&a, 1).to_affine();
    const G2Affine bq = g2.mul(&b, 1).to_affine();
    const Fp12 lhs = pairing(ap, bq);
    const Fp12 base = pairing(g1_generator(), g2_generator());
    // e(aP, bQ) = e(P, Q)^(ab)
    const unsigned __int128 ab = (unsigned __int128)a * b;
    const uint64_t ab_limbs[2] = {uint64_t(ab), uint64_t(ab >> 64)};
    EXPECT_EQ(lhs, base.pow(ab_limbs, 2));
    // e(aP, Q) = e(P, aQ)
    const G2Affine aq = g2.mul(&a, 1).to_affine();
    EXPECT_EQ(pairing(ap, g2_generator()), pairing(g1_generator(), aq));
}

TEST(Pairing, ProductCheck) {
    const G1 g1 = G1::from_affine(g1_generator());
    const G2 g2 = G2::from_affine(g2_generator());
    const uint64_t a = 77, b = 1001;
    const uint64_t ab = a * b;
    // e(aP, bQ) * e(-abP, Q) == 1
    const PairingInput ok[2] = {{g1.mul(&a, 1).to_affine(), g2.mul(&b, 1).to_affine()},
                                {(-g1.mul(&ab, 1)).to_affine(), g2_generator()}};
    EXPECT_TRUE(pairing_product_is_one(ok));
    const uint64_t wrong = ab + 1;
    const PairingInput bad[2] = {{g1.mul(&a, 1).to_affine(), g2.mul(&b, 1).to_affine()},
                                 {(-g1.mul(&wrong, 1)).to_affine(), g2_generator()}};
    EXPECT_FALSE(pairing_product_is_one(bad));
    // Pairs with infinity contribute 1.
    const PairingInput inf[1] = {{G1Affine{}, g2_generator()}};
    EXPECT_TRUE(pairing_product_is_one(inf));
}

}  // namespace
}  // namespace fuse::bls12_381
