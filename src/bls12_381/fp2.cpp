#include "bls12_381/fp2.hpp"

namespace fuse::bls12_381 {

Fp2 Fp2::pow(const uint64_t* e, size_t limbs) const {
    Fp2 r = one();
    for (size_t i = limbs; i-- > 0;) {
        for (int b = 63; b >= 0; --b) {
            r = r.square();
            if ((e[i] >> b) & 1) r *= *this;
        }
    }
    return r;
}

std::optional<Fp2> Fp2::sqrt() const {
    if (is_zero()) return zero();
    // p = 3 mod 4: a1 = a^((p-3)/4), alpha = a1^2 a, a0 = alpha^(p+1) = conj(alpha) alpha.
    const Fp2 a1 = pow(fp_const::kPMinus3Div4.data(), 6);
    const Fp2 alpha = a1.square() * *this;
    const Fp2 a0 = alpha.conj() * alpha;
    const Fp2 minus_one = -one();
    if (a0 == minus_one) return std::nullopt;
    const Fp2 x0 = a1 * *this;
    Fp2 x;
    if (alpha == minus_one) {
        x = Fp2{-x0.c1, x0.c0};  // u * x0
    } else {
        const Fp2 b = (one() + alpha).pow(fp_const::kPMinus1Div2.data(), 6);
        x = b * x0;
    }
    if (x.square() != *this) return std::nullopt;
    return x;
}

}  // namespace fuse::bls12_381
