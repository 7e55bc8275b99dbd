#include "bls12_381/map_to_curve.hpp"

#include <gtest/gtest.h>

namespace fuse::bls12_381 {
namespace {

TEST(MapToCurve, FastG2CofactorClearingEqualsHEff) {
    int tested = 0;
    for (uint64_t i = 1; tested < 4; ++i) {
        const Fp2 x{Fp::from_u64(i), Fp::from_u64(2 * i + 1)};
        const auto y = (x.square() * x + curve_b(static_cast<const Fp2*>(nullptr))).sqrt();
        if (!y) continue;
        const G2 p = G2::from_affine({x, *y, false});
        const G2 fast = clear_cofactor_g2(p);
        EXPECT_EQ(fast, p.mul(kG2HEff, 10));
        EXPECT_TRUE(in_subgroup_by_order(fast));
        ++tested;
    }
}

TEST(MapToCurve, OutputsInSubgroup) {
    for (uint64_t i = 0; i < 4; ++i) {
        const G1 p = map_to_g1(Fp::from_u64(i * 1000003));
        EXPECT_TRUE(in_subgroup_by_order(p));
        const G2 q = map_to_g2({Fp::from_u64(i), Fp::from_u64(i * 7919)});
        EXPECT_TRUE(in_subgroup_by_order(q));
        EXPECT_FALSE(q.is_identity());
    }
}

}  // namespace
}  // namespace fuse::bls12_381
