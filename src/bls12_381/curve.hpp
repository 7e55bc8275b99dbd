#pragma once
/// The BLS12-381 groups: G1 on E(Fp): y^2 = x^3 + 4 and G2 on the sextic twist
/// E'(Fp2): y^2 = x^3 + 4(1 + u) (draft-irtf-cfrg-pairing-friendly-curves section 4.2.1).
/// Points are Jacobian (X, Y, Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity.
/// Formulas for a = 0 from the Explicit-Formulas Database (dbl-2009-l, add-2007-bl).

#include <cstddef>
#include <cstdint>

#include "bls12_381/fp2.hpp"

namespace fuse::bls12_381 {

/// The curve constant b for the curve over field F.
inline Fp curve_b(const Fp*) {
    return Fp::from_u64(4);
}
inline Fp2 curve_b(const Fp2*) {
    const Fp four = Fp::from_u64(4);
    return {four, four};
}

/// An affine point; `infinity` set means the identity and x, y are ignored.
template <typename F>
struct Affine {
    F x, y;
    bool infinity = true;

    /// y^2 == x^3 + b (the identity counts as on the curve).
    bool is_on_curve() const {
        if (infinity) return true;
        return y.square() == x.square() * x + curve_b(static_cast<const F*>(nullptr));
    }
    friend bool operator==(const Affine& a, const Affine& b) {
        if (a.infinity || b.infinity) return a.infinity == b.infinity;
        return a.x == b.x && a.y == b.y;
    }
};

template <typename F>
struct Jacobian {
    F x = F::one(), y = F::one(), z = F::zero();

    static Jacobian identity() { return {}; }
    static Jacobian from_affine(const Affine<F>& a) {
        if (a.infinity) return {};
        return {a.x, a.y, F::one()};
    }
    bool is_identity() const { return z.is_zero(); }

    Affine<F> to_affine() const {
        if (is_identity()) return {};
        const F zi = z.inv();
        const F zi2 = zi.square();
        return {x * zi2, y * zi2 * zi, false};
    }

    Jacobian dbl() const {
        if (is_identity()) return *this;
        const F a = x.square();
        const F b = y.square();
        const F c = b.square();
        const F d = ((x + b).square() - a - c).dbl();
        const F e = a.dbl() + a;
        const F f = e.square();
        Jacobian r;
        r.x = f - d.dbl();
        const F c8 = c.dbl().dbl().dbl();
        r.y = e * (d - r.x) - c8;
        r.z = (y * z).dbl();
        return r;
    }

    friend Jacobian operator+(const Jacobian& p, const Jacobian& q) {
        if (p.is_identity()) return q;
        if (q.is_identity()) return p;
        const F z1z1 = p.z.square();
        const F z2z2 = q.z.square();
        const F u1 = p.x * z2z2;
        const F u2 = q.x * z1z1;
        const F s1 = p.y * q.z * z2z2;
        const F s2 = q.y * p.z * z1z1;
        const F h = u2 - u1;
        const F rr = (s2 - s1).dbl();
        if (h.is_zero()) {
            if (rr.is_zero()) return p.dbl();
            return identity();
        }
        const F i = h.dbl().square();
        const F j = h * i;
        const F v = u1 * i;
        Jacobian r;
        r.x = rr.square() - j - v.dbl();
        r.y = rr * (v - r.x) - (s1 * j).dbl();
        r.z = ((p.z + q.z).square() - z1z1 - z2z2) * h;
        return r;
    }
    Jacobian& operator+=(const Jacobian& q) { return *this = *this + q; }

    /// this + q for an affine q (mixed addition, madd-2007-bl).
    Jacobian add_affine(const Affine<F>& q) const {
        if (q.infinity) return *this;
        if (is_identity()) return from_affine(q);
        const F z1z1 = z.square();
        const F u2 = q.x * z1z1;
        const F s2 = q.y * z * z1z1;
        const F h = u2 - x;
        const F rr = (s2 - y).dbl();
        if (h.is_zero()) {
            if (rr.is_zero()) return dbl();
            return identity();
        }
        const F hh = h.square();
        const F i = hh.dbl().dbl();
        const F j = h * i;
        const F v = x * i;
        Jacobian r;
        r.x = rr.square() - j - v.dbl();
        r.y = rr * (v - r.x) - (y * j).dbl();
        r.z = (z + h).square() - z1z1 - hh;
        return r;
    }
    Jacobian operator-() const { return {x, -y, z}; }

    friend bool operator==(const Jacobian& p, const Jacobian& q) {
        if (p.is_identity() || q.is_identity()) return p.is_identity() == q.is_identity();
        const F z1z1 = p.z.square();
        const F z2z2 = q.z.square();
        return p.x * z2z2 == q.x * z1z1 && p.y * q.z * z2z2 == q.y * p.z * z1z1;
    }

    /// [k] this for a little-endian multi-limb scalar (not reduced; double-and-add).
    Jacobian mul(const uint64_t* k, size_t limbs) const {
        Jacobian r;
        for (size_t i = limbs; i-- > 0;) {
            for (int b = 63; b >= 0; --b) {
                r = r.dbl();
                if ((k[i] >> b) & 1) r += *this;
            }
        }
        return r;
    }
};

using G1 = Jacobian<Fp>;
using G2 = Jacobian<Fp2>;
using G1Affine = Affine<Fp>;
using G2Affine = Affine<Fp2>;

/// The group order r (little-endian limbs).
inline constexpr uint64_t kGroupOrder[4] = {0xffffffff00000001ULL, 0x53bda402fffe5bfeULL,
                                            0x3339d80809a1d805ULL, 0x73eda753299d7d48ULL};

/// The standard generators (draft-irtf-cfrg-pairing-friendly-curves section 4.2.1).
G1Affine g1_generator();
G2Affine g2_generator();

/// Membership in the prime-order subgroup by the endomorphism tests (see curve.cpp).
bool in_subgroup(const G1& p);
bool in_subgroup(const G2& p);
/// The definition, [r] P == O; slower, kept to cross-check the fast tests.
bool in_subgroup_by_order(const G1& p);
bool in_subgroup_by_order(const G2& p);

}  // namespace fuse::bls12_381
