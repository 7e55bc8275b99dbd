#pragma once
/// The pairing target tower: Fp6 = Fp2[v] / (v^3 - xi), Fp12 = Fp6[w] / (w^2 - v), xi = 1 + u
/// (draft-irtf-cfrg-pairing-friendly-curves section 4.2.1). So w^6 = xi and an Fp12 element
/// c0 + c1 w has Fp2 coefficients of w^0, w^2, w^4 in c0 and of w^1, w^3, w^5 in c1.

#include "bls12_381/fp2.hpp"

namespace fuse::bls12_381 {

struct Fp6 {
    Fp2 c0, c1, c2;

    static constexpr Fp6 zero() { return {}; }
    static constexpr Fp6 one() { return {Fp2::one(), Fp2::zero(), Fp2::zero()}; }
    bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
    friend bool operator==(const Fp6&, const Fp6&) = default;

    friend Fp6 operator+(const Fp6& a, const Fp6& b) {
        return {a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2};
    }
    friend Fp6 operator-(const Fp6& a, const Fp6& b) {
        return {a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2};
    }
    Fp6 operator-() const { return {-c0, -c1, -c2}; }
    friend Fp6 operator*(const Fp6& a, const Fp6& b);
    Fp6 square() const { return *this * *this; }
    /// Multiplication by v: (c0, c1, c2) -> (xi c2, c0, c1).
    Fp6 mul_by_v() const { return {c2.mul_by_xi(), c0, c1}; }
    Fp6 inv() const;
};

struct Fp12 {
    Fp6 c0, c1;

    static constexpr Fp12 one() { return {Fp6::one(), Fp6::zero()}; }
    bool is_one() const { return *this == one(); }
    friend bool operator==(const Fp12&, const Fp12&) = default;

    friend Fp12 operator*(const Fp12& a, const Fp12& b);
    Fp12& operator*=(const Fp12& b) { return *this = *this * b; }
    Fp12 square() const;
    /// Conjugation over Fp6, the p^6-power Frobenius; the inverse on the cyclotomic subgroup.
    Fp12 conj() const { return {c0, -c1}; }
    Fp12 inv() const;
    /// The p-power Frobenius map.
    Fp12 frobenius() const;
    Fp12 pow(const uint64_t* e, size_t limbs) const;
};

}  // namespace fuse::bls12_381
