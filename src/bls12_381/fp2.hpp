#pragma once
/// Fp2 = Fp[u] / (u^2 + 1), the field of the G2 coordinates (draft-irtf-cfrg-pairing-friendly-
/// curves section 4.2.1). Elements are c0 + c1*u.

#include "bls12_381/fp.hpp"

namespace fuse::bls12_381 {

struct Fp2 {
    Fp c0, c1;

    static constexpr Fp2 zero() { return {}; }
    static constexpr Fp2 one() { return {Fp::one(), Fp::zero()}; }
    bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
    friend bool operator==(const Fp2&, const Fp2&) = default;

    friend Fp2 operator+(const Fp2& a, const Fp2& b) { return {a.c0 + b.c0, a.c1 + b.c1}; }
    friend Fp2 operator-(const Fp2& a, const Fp2& b) { return {a.c0 - b.c0, a.c1 - b.c1}; }
    Fp2 operator-() const { return {-c0, -c1}; }
    /// Karatsuba: 3 base-field multiplications.
    friend Fp2 operator*(const Fp2& a, const Fp2& b) {
        const Fp t0 = a.c0 * b.c0;
        const Fp t1 = a.c1 * b.c1;
        return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    friend Fp2 operator*(const Fp2& a, const Fp& b) { return {a.c0 * b, a.c1 * b}; }
    Fp2& operator+=(const Fp2& b) { return *this = *this + b; }
    Fp2& operator-=(const Fp2& b) { return *this = *this - b; }
    Fp2& operator*=(const Fp2& b) { return *this = *this * b; }

    Fp2 square() const {
        // (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u
        return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()};
    }
    Fp2 dbl() const { return {c0.dbl(), c1.dbl()}; }
    /// Complex conjugate, equal to the p-power Frobenius map.
    Fp2 conj() const { return {c0, -c1}; }
    /// Multiplication by xi = 1 + u, the non-residue defining Fp6 and the twist.
    Fp2 mul_by_xi() const { return {c0 - c1, c0 + c1}; }
    /// c0^2 + c1^2, the norm to Fp.
    Fp norm() const { return c0.square() + c1.square(); }
    /// Inverse (0 maps to 0).
    Fp2 inv() const {
        const Fp n = norm().inv();
        return {c0 * n, -(c1 * n)};
    }
    Fp2 pow(const uint64_t* e, size_t limbs) const;
    /// A square root when one exists (Adj & Rodriguez-Henriquez 2012, algorithm 9).
    std::optional<Fp2> sqrt() const;
    /// Square test through the norm; zero counts as a square.
    bool is_square() const { return norm().is_square(); }
    /// RFC 9380 section 4.1 sgn0 for m = 2.
    bool sgn0() const {
        const bool sign0 = c0.sgn0();
        const bool zero0 = c0.is_zero();
        return sign0 || (zero0 && c1.sgn0());
    }
    /// ZCash serialization sign of an Fp2 element: c1 decides unless it is zero.
    bool is_lexicographically_largest() const {
        return c1.is_zero() ? c0.is_lexicographically_largest() : c1.is_lexicographically_largest();
    }
};

}  // namespace fuse::bls12_381
