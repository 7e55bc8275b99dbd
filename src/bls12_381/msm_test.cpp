#include "bls12_381/msm.hpp"

#include <gtest/gtest.h>

namespace fuse::bls12_381 {
namespace {

template <typename F>
void check_against_naive(const Affine<F>& gen, size_t n) {
    using J = Jacobian<F>;
    std::vector<Affine<F>> points;
    std::vector<Scalar> scalars;
    uint64_t s = 0x243f6a8885a308d3ULL;
    auto next = [&] {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    };
    J p = J::from_affine(gen);
    J naive;
    for (size_t i = 0; i < n; ++i) {
        p = p.dbl() + J::from_affine(gen);
        Scalar k{next(), next(), next(), next()};
        if (i == 3) k = {0, 0, 0, 0};                  // zero scalar
        if (i == 5) k = {~0ULL, ~0ULL, ~0ULL, ~0ULL};  // all-ones (>= r) scalar
        points.push_back(p.to_affine());
        scalars.push_back(k);
        naive += p.mul(k.data(), 4);
    }
    EXPECT_EQ(msm<F>(points, scalars), naive) << "n = " << n;
}

TEST(Msm, G1MatchesNaive) {
    for (size_t n : {1, 2, 5, 17, 64})
        check_against_naive(g1_generator(), n);
}

TEST(Msm, G2MatchesNaive) {
    for (size_t n : {3, 9, 33})
        check_against_naive(g2_generator(), n);
}

TEST(Msm, RepeatedPointsHitDoublingInBuckets) {
    // The same point many times with the same scalar: buckets add P to P.
    std::vector<G1Affine> points(20, g1_generator());
    std::vector<Scalar> scalars(20, Scalar{7, 0, 0, 0});
    const uint64_t k = 140;
    EXPECT_EQ(msm<Fp>(points, scalars), G1::from_affine(g1_generator()).mul(&k, 1));
}

}  // namespace
}  // namespace fuse::bls12_381
