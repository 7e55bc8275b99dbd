#pragma once
/// BN254 groups: G1 = E(Fp): y^2 = x^3 + 3, and G2 = the order-r subgroup of the sextic twist
/// E'(Fp2): y^2 = x^3 + 3/(9+u). Points are kept in Jacobian coordinates (x = X/Z^2, y = Y/Z^3;
/// Z = 0 is the point at infinity). One template serves both groups.

#include "precompiles/bn254_field.hpp"

namespace fuse::precompiles::bn254 {

/// An affine point; `infinity` set means the point at infinity (EIP-196 encodes it as (0, 0)).
template <typename F>
struct Affine {
    F x, y;
    bool infinity = true;
};

template <typename F>
struct Jacobian {
    F x = F::one(), y = F::one(), z = F::zero();

    static constexpr Jacobian from_affine(const Affine<F>& a) {
        if (a.infinity) return {};
        return {a.x, a.y, F::one()};
    }
    constexpr bool is_infinity() const { return z.is_zero(); }
};

/// 2P (dbl-2009-l, a = 0).
template <typename F>
constexpr Jacobian<F> dbl(const Jacobian<F>& p) {
    if (p.is_infinity()) return p;
    const F a = p.x.sqr();
    const F b = p.y.sqr();
    const F c = b.sqr();
    const F d = ((p.x + b).sqr() - a - c).dbl();
    const F e = a.dbl() + a;
    const F x3 = e.sqr() - d.dbl();
    return {x3, e * (d - x3) - c.dbl().dbl().dbl(), (p.y * p.z).dbl()};
}

/// P + Q (add-2007-bl), handling infinity, P == Q and P == -Q.
template <typename F>
constexpr Jacobian<F> add(const Jacobian<F>& p, const Jacobian<F>& q) {
    if (p.is_infinity()) return q;
    if (q.is_infinity()) return p;
    const F z1z1 = p.z.sqr();
    const F z2z2 = q.z.sqr();
    const F u1 = p.x * z2z2;
    const F u2 = q.x * z1z1;
    const F s1 = p.y * q.z * z2z2;
    const F s2 = q.y * p.z * z1z1;
    const F h = u2 - u1;
    if (h.is_zero()) {
        if (s1 == s2) return dbl(p);
        return {};
    }
    const F i = h.dbl().sqr();
    const F j = h * i;
    const F r = (s2 - s1).dbl();
    const F v = u1 * i;
    const F x3 = r.sqr() - j - v.dbl();
    return {x3, r * (v - x3) - (s1 * j).dbl(), ((p.z + q.z).sqr() - z1z1 - z2z2) * h};
}

/// P + Q with Q affine (madd-2007-bl), handling infinity, P == Q and P == -Q.
template <typename F>
constexpr Jacobian<F> add_mixed(const Jacobian<F>& p, const Affine<F>& q) {
    if (q.infinity) return p;
    if (p.is_infinity()) return Jacobian<F>::from_affine(q);
    const F z1z1 = p.z.sqr();
    const F h = q.x * z1z1 - p.x;
    const F s = q.y * p.z * z1z1 - p.y;
    if (h.is_zero()) {
        if (s.is_zero()) return dbl(p);
        return {};
    }
    const F hh = h.sqr();
    const F i = hh.dbl().dbl();
    const F j = h * i;
    const F r = s.dbl();
    const F v = p.x * i;
    const F x3 = r.sqr() - j - v.dbl();
    return {x3, r * (v - x3) - (p.y * j).dbl(), (p.z + h).sqr() - z1z1 - hh};
}

/// [k]P for a 256-bit scalar k given as little-endian limbs (double and add, mixed additions).
template <typename F>
constexpr Jacobian<F> mul(const Affine<F>& p, const Limbs& k) {
    Jacobian<F> r{};
    for (int i = 3; i >= 0; --i)
        for (int bit = 63; bit >= 0; --bit) {
            r = dbl(r);
            if ((k[i] >> bit) & 1) r = add_mixed(r, p);
        }
    return r;
}

template <typename F>
Affine<F> to_affine(const Jacobian<F>& p) {
    if (p.is_infinity()) return {};
    const F zi = p.z.inv();
    const F zi2 = zi.sqr();
    return {p.x * zi2, p.y * zi2 * zi, false};
}

using G1 = Jacobian<Fp>;
using G2 = Jacobian<Fp2>;
using G1Affine = Affine<Fp>;
using G2Affine = Affine<Fp2>;

/// The twist coefficient b' = 3 / (9 + u).
const Fp2& twist_b();

bool is_on_curve(const G1Affine& p);
bool is_on_curve(const G2Affine& q);
/// Q (on the twist) lies in the prime-order subgroup G2, as EIP-197 requires; by the
/// endomorphism test of eprint 2022/348 (a 63-bit scalar multiplication).
bool is_in_subgroup(const G2Affine& q);
/// The same by definition, [r]Q == O (a 254-bit scalar multiplication); the test oracle.
bool is_in_subgroup_by_order(const G2Affine& q);

/// The Frobenius endomorphism on the twist: (x, y) -> (x^p g2, y^p g3) with g_k = xi^(k(p-1)/6).
G2Affine twist_frobenius(const G2Affine& q);

/// prod e(P_i, Q_i) == 1 with the optimal ate pairing; pairs where either point is infinity
/// contribute 1. Points must already be validated (on curve, Q in G2).
bool pairing_product_is_one(const G1Affine* ps, const G2Affine* qs, size_t n);

}  // namespace fuse::precompiles::bn254
