#pragma once
/// The BN254 extension tower used by the optimal ate pairing (EIP-197):
///   Fp6  = Fp2[v] / (v^3 - xi),  xi = 9 + u
///   Fp12 = Fp6[w] / (w^2 - v)
/// so that w^6 = xi and the sextic (D-type) twist maps E'(Fp2) -> E(Fp12), (x, y) -> (x w^2, y
/// w^3).

#include "precompiles/bn254_field.hpp"

namespace fuse::precompiles::bn254 {

/// c0 + c1 v + c2 v^2.
struct Fp6 {
    Fp2 c0, c1, c2;

    static constexpr Fp6 zero() { return {}; }
    static constexpr Fp6 one() { return {Fp2::one(), Fp2::zero(), Fp2::zero()}; }
    friend constexpr bool operator==(const Fp6&, const Fp6&) = default;

    friend constexpr Fp6 operator+(const Fp6& a, const Fp6& b) {
        return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2};
    }
    friend constexpr Fp6 operator-(const Fp6& a, const Fp6& b) {
        return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2};
    }
    friend constexpr Fp6 operator-(const Fp6& a) { return {-a.c0, -a.c1, -a.c2}; }
    friend constexpr Fp6 operator*(const Fp6& a, const Fp6& b) {
        const Fp2 t0 = a.c0 * b.c0;
        const Fp2 t1 = a.c1 * b.c1;
        const Fp2 t2 = a.c2 * b.c2;
        return {((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).mul_by_xi() + t0,
                (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.mul_by_xi(),
                (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1};
    }
    /// Product with the sparse element b0 + b1 v.
    constexpr Fp6 mul_by_01(const Fp2& b0, const Fp2& b1) const {
        const Fp2 t0 = c0 * b0;
        const Fp2 t1 = c1 * b1;
        return {((c1 + c2) * b1 - t1).mul_by_xi() + t0, (c0 + c1) * (b0 + b1) - t0 - t1,
                (c0 + c2) * b0 - t0 + t1};
    }
    /// Product with an Fp2 scalar.
    constexpr Fp6 mul_fp2(const Fp2& s) const { return {c0 * s, c1 * s, c2 * s}; }
    /// Product with v: (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2.
    constexpr Fp6 mul_by_v() const { return {c2.mul_by_xi(), c0, c1}; }
    constexpr Fp6 sqr() const { return *this * *this; }
    Fp6 inv() const;
};

/// c0 + c1 w.
struct Fp12 {
    Fp6 c0, c1;

    static constexpr Fp12 one() { return {Fp6::one(), Fp6::zero()}; }
    friend constexpr bool operator==(const Fp12&, const Fp12&) = default;

    friend constexpr Fp12 operator*(const Fp12& a, const Fp12& b) {
        const Fp6 t0 = a.c0 * b.c0;
        const Fp6 t1 = a.c1 * b.c1;
        return {t0 + t1.mul_by_v(), (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    Fp12& operator*=(const Fp12& b) { return *this = *this * b; }
    constexpr Fp12 sqr() const {
        const Fp6 ab = c0 * c1;
        const Fp6 t = (c0 + c1) * (c0 + c1.mul_by_v());
        return {t - ab - ab.mul_by_v(), ab + ab};
    }
    /// x^(p^6): the conjugate over Fp6, equal to the inverse for unitary elements.
    constexpr Fp12 conj() const { return {c0, -c1}; }
    Fp12 inv() const;
    /// x^p.
    Fp12 frobenius() const;
    /// Product with the sparse line value a + b w + c w^3 (= (a,0,0) + (b,c,0) w).
    Fp12 mul_by_line(const Fp2& a, const Fp2& b, const Fp2& c) const;
    /// x^2 for x in the cyclotomic subgroup (x^(p^4 - p^2 + 1) = 1, e.g. after the easy part
    /// of the final exponentiation): Granger and Scott, "Faster Squaring in the Cyclotomic
    /// Subgroup of Sixth Degree Extensions", PKC 2010. Wrong for other elements.
    Fp12 cyclotomic_sqr() const;
    /// x^e for a 64-bit exponent, x in the cyclotomic subgroup.
    Fp12 cyclotomic_pow_u64(uint64_t e) const;
};

/// xi^(k (p-1)/6) for k = 0..5, the Frobenius coefficients of w^k.
const std::array<Fp2, 6>& frobenius_coeffs();

/// f^((p^12 - 1) / r), the final exponentiation of the pairing (easy part, then the hard part
/// (p^4 - p^2 + 1)/r by the method of Scott et al., "On the final exponentiation for calculating
/// pairings on ordinary elliptic curves", 2009).
Fp12 final_exponentiation(const Fp12& f);

}  // namespace fuse::precompiles::bn254
