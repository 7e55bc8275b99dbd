#include "bls12_381/curve.hpp"

#include <gtest/gtest.h>

namespace fuse::bls12_381 {
namespace {

template <typename F>
void check_group_laws(const Affine<F>& gen) {
    using J = Jacobian<F>;
    ASSERT_TRUE(gen.is_on_curve());
    const J g = J::from_affine(gen);
    EXPECT_TRUE(in_subgroup(g));
    const J g2 = g.dbl();
    const J g3 = g2 + g;
    EXPECT_EQ(g + g, g2);
    EXPECT_EQ(g3, g + g2);
    EXPECT_EQ(g3 + (-g), g2);
    EXPECT_TRUE((g + (-g)).is_identity());
    EXPECT_TRUE(g3.to_affine().is_on_curve());
    const uint64_t five = 5;
    EXPECT_EQ(g.mul(&five, 1), g3 + g2);
    // [r-1] G = -G.
    uint64_t rm1[4] = {kGroupOrder[0] - 1, kGroupOrder[1], kGroupOrder[2], kGroupOrder[3]};
    EXPECT_EQ(g.mul(rm1, 4), -g);
    EXPECT_TRUE(J::identity().to_affine().infinity);
}

TEST(Curve, G1GroupLaws) {
    check_group_laws(g1_generator());
}

TEST(Curve, G2GroupLaws) {
    check_group_laws(g2_generator());
}

TEST(Curve, PointOffSubgroupDetected) {
    // x = 0 gives y^2 = 4 on E(Fp): (0, 2) is on the curve but G1's cofactor is not 1, and this
    // point is not in the r-torsion.
    const G1Affine p{Fp::zero(), Fp::from_u64(2), false};
    ASSERT_TRUE(p.is_on_curve());
    EXPECT_FALSE(in_subgroup(G1::from_affine(p)));
}

}  // namespace
}  // namespace fuse::bls12_381
