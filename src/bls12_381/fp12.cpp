#include "bls12_381/fp12.hpp"

namespace fuse::bls12_381 {

Fp6 operator*(const Fp6& a, const Fp6& b) {
    // Karatsuba over the cubic extension (Devegili et al. 2006, section 4).
    const Fp2 t0 = a.c0 * b.c0;
    const Fp2 t1 = a.c1 * b.c1;
    const Fp2 t2 = a.c2 * b.c2;
    const Fp2 r0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0;
    const Fp2 r1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi();
    const Fp2 r2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1;
    return {r0, r1, r2};
}

Fp6 Fp6::inv() const {
    const Fp2 t0 = c0.square() - (c1 * c2).mul_by_xi();
    const Fp2 t1 = c2.square().mul_by_xi() - c0 * c1;
    const Fp2 t2 = c1.square() - c0 * c2;
    const Fp2 n = (c0 * t0 + (c2 * t1 + c1 * t2).mul_by_xi()).inv();
    return {t0 * n, t1 * n, t2 * n};
}

Fp12 operator*(const Fp12& a, const Fp12& b) {
    const Fp6 t0 = a.c0 * b.c0;
    const Fp6 t1 = a.c1 * b.c1;
    return {t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
}

Fp12 Fp12::square() const {
    const Fp6 t = c0 * c1;
    // (c0 + c1 w)^2 = (c0 + c1)(c0 + v c1) - t - v t + 2 t w
    const Fp6 r0 = (c0 + c1) * (c0 + c1.mul_by_v()) - t - t.mul_by_v();
    return {r0, t + t};
}

Fp12 Fp12::inv() const {
    const Fp6 n = (c0.square() - c1.square().mul_by_v()).inv();
    return {c0 * n, -(c1 * n)};
}

namespace {
/// gamma[i] = xi^(i (p-1) / 6), so that (a w^i)^p = conj(a) gamma[i] w^i.
struct FrobeniusCoeffs {
    Fp2 gamma[6];
    FrobeniusCoeffs() {
        const Fp2 xi{Fp::one(), Fp::one()};
        const Fp2 g1 = xi.pow(fp_const::kPMinus1Div6.data(), 6);
        gamma[0] = Fp2::one();
        for (int i = 1; i < 6; ++i)
            gamma[i] = gamma[i - 1] * g1;
    }
};
const FrobeniusCoeffs& frobenius_coeffs() {
    static const FrobeniusCoeffs coeffs;
    return coeffs;
}
}  // namespace

Fp12 Fp12::frobenius() const {
    const Fp2* g = frobenius_coeffs().gamma;
    // c0 holds w^0, w^2, w^4; c1 holds w^1, w^3, w^5.
    return {{c0.c0.conj(), c0.c1.conj() * g[2], c0.c2.conj() * g[4]},
            {c1.c0.conj() * g[1], c1.c1.conj() * g[3], c1.c2.conj() * g[5]}};
}

Fp12 Fp12::pow(const uint64_t* e, size_t limbs) const {
    Fp12 r = one();
    for (size_t i = limbs; i-- > 0;) {
        for (int b = 63; b >= 0; --b) {
            r = r.square();
            if ((e[i] >> b) & 1) r *= *this;
        }
    }
    return r;
}

}  // namespace fuse::bls12_381
