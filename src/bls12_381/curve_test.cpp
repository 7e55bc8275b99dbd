#include "bls12_381/curve.hpp"

#include <gtest/gtest.h>

#include <vector>

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

/// Points of E(F) with small x (whichever x give a square), not cleared of the cofactor.
template <typename F>
std::vector<Jacobian<F>> raw_points(int count) {
    std::vector<Jacobian<F>> out;
    for (uint64_t i = 1; out.size() < size_t(count); ++i) {
        F x{};
        if constexpr (std::is_same_v<F, Fp>) {
            x = Fp::from_u64(i);
        } else {
            x = Fp2{Fp::from_u64(i), Fp::from_u64(i * 7 + 3)};
        }
        const auto y = (x.square() * x + curve_b(static_cast<const F*>(nullptr))).sqrt();
        if (y) out.push_back(Jacobian<F>::from_affine({x, *y, false}));
    }
    return out;
}

TEST(Curve, FastSubgroupChecksMatchDefinition) {
    const uint64_t g1_cofactor_part = 0xd201000000010001ULL;  // h_eff of G1 (RFC 9380)
    for (const G1& p : raw_points<Fp>(12)) {
        EXPECT_EQ(in_subgroup(p), in_subgroup_by_order(p));
        const G1 q = p.mul(&g1_cofactor_part, 1);
        EXPECT_TRUE(in_subgroup(q));
        EXPECT_TRUE(in_subgroup_by_order(q));
    }
    int outside = 0;
    for (const G2& p : raw_points<Fp2>(8)) {
        const bool fast = in_subgroup(p);
        EXPECT_EQ(fast, in_subgroup_by_order(p));
        outside += !fast;
        // A subgroup point plus a non-subgroup point is outside.
        const G2 q = p + G2::from_affine(g2_generator());
        EXPECT_EQ(in_subgroup(q), in_subgroup_by_order(q));
    }
    EXPECT_GT(outside, 0);
    EXPECT_TRUE(in_subgroup(G2::from_affine(g2_generator()).dbl()));
    EXPECT_TRUE(in_subgroup(G2::identity()));
}

}  // namespace
}  // namespace fuse::bls12_381
