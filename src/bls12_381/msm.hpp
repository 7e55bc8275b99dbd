#pragma once
/// Multi-scalar multiplication sum [k_i] P_i for EIP-2537 G1MSM / G2MSM: Pippenger's bucket
/// method (window c bits: per window, each point goes into the bucket of its digit, then
/// the buckets are summed with a running sum), with plain double-and-add for tiny inputs.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "bls12_381/curve.hpp"

namespace fuse::bls12_381 {

/// A 256-bit scalar, little-endian limbs (EIP-2537 scalars are not reduced mod r).
using Scalar = std::array<uint64_t, 4>;

template <typename F>
Jacobian<F> msm(std::span<const Affine<F>> points, std::span<const Scalar> scalars) {
    using J = Jacobian<F>;
    const size_t n = points.size();
    if (n < 4) {
        J acc;
        for (size_t i = 0; i < n; ++i)
            acc += J::from_affine(points[i]).mul(scalars[i].data(), 4);
        return acc;
    }
    // Per window: n bucket additions plus ~2^(c+1) for the bucket sums; c ~ log2(n) - 2
    // minimises (256 / c) (n + 2^(c+1)).
    unsigned log_n = 1;
    while ((size_t(1) << log_n) < n)
        ++log_n;
    const unsigned c = log_n < 4 ? 2 : (log_n > 18 ? 16 : log_n - 2);
    const unsigned windows = (256 + c - 1) / c;
    std::vector<J> buckets(size_t(1) << c);
    J result;
    for (unsigned w = windows; w-- > 0;) {
        for (unsigned d = 0; d < c; ++d)
            result = result.dbl();
        for (auto& b : buckets)
            b = J::identity();
        const unsigned bit = w * c;
        for (size_t i = 0; i < n; ++i) {
            // Digit: bits [bit, bit + c) of scalar i (may span two limbs).
            const unsigned limb = bit / 64, shift = bit % 64;
            uint64_t digit = scalars[i][limb] >> shift;
            if (shift + c > 64 && limb + 1 < 4) digit |= scalars[i][limb + 1] << (64 - shift);
            digit &= (uint64_t(1) << c) - 1;
            if (digit) buckets[digit] = buckets[digit].add_affine(points[i]);
        }
        J running, sum;
        for (size_t j = buckets.size() - 1; j >= 1; --j) {
            running += buckets[j];
            sum += running;
        }
        result += sum;
    }
    return result;
}

}  // namespace fuse::bls12_381
