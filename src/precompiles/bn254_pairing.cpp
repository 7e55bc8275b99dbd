// The optimal ate pairing on BN254 (EIP-197): multi-pair Miller loop over 6x+2 with line functions
// evaluated in Jacobian coordinates on the twist, then the final exponentiation.
#include <array>
#include <vector>

#include "precompiles/bn254_curve.hpp"
#include "precompiles/bn254_tower.hpp"

namespace fuse::precompiles::bn254 {

namespace {

/// The BN parameter x of BN254.
constexpr uint64_t kBnX = 0x44e992b44a6909f1;

/// The ate loop count 6x + 2 = 0x1_9d797039be763ba8 in non-adjacent form (digits -1, 0, 1, least
/// significant first): 22 non-zero digits instead of 37 bits set, so fewer addition steps.
struct AteNaf {
    std::array<int8_t, 68> digits{};
    int length = 0;
};

constexpr AteNaf ate_loop_naf() {
    AteNaf naf;
    unsigned __int128 k = (unsigned __int128)1 << 64 | 0x9d797039be763ba8u;
    while (k > 0) {
        int8_t d = 0;
        if (k & 1) {
            d = (k & 3) == 1 ? 1 : -1;
            k = d == 1 ? k - 1 : k + 1;
        }
        naf.digits[naf.length++] = d;
        k >>= 1;
    }
    return naf;
}

constexpr AteNaf kAteNaf = ate_loop_naf();
static_assert(kAteNaf.length == 66 && kAteNaf.digits[65] == 1);

struct Line {
    Fp2 a, b, c;  ///< the value a + b w + c w^3 in Fp12
};

/// T <- 2T; returns the tangent line at T evaluated at P, scaled by 2YZ^3 (an Fp2 factor, which
/// the final exponentiation removes): 2YZ^3 yP - 3X^2 Z^2 xP w + (3X^3 - 2Y^2) w^3.
Line double_step(G2& t, const G1Affine& p) {
    const Fp2 z2 = t.z.sqr();
    const Fp2 a = t.x.sqr();
    const Fp2 b = t.y.sqr();
    const Fp2 c = b.sqr();
    const Fp2 d = ((t.x + b).sqr() - a - c).dbl();
    const Fp2 e = a.dbl() + a;
    const Fp2 x3 = e.sqr() - d.dbl();
    const Fp2 z3 = (t.y * t.z).dbl();
    Line l{z3 * z2 * p.y, -((e * z2) * p.x), e * t.x - b.dbl()};
    t = {x3, e * (d - x3) - c.dbl().dbl().dbl(), z3};
    return l;
}

/// T <- T + Q (Q affine); returns the line through T and Q evaluated at P, scaled by Z H:
/// Z H yP - R xP w + (R xQ - Z H yQ) w^3 with H = xQ Z^2 - X, R = yQ Z^3 - Y.
Line add_step(G2& t, const G2Affine& q, const G1Affine& p) {
    const Fp2 z2 = t.z.sqr();
    const Fp2 h = q.x * z2 - t.x;
    const Fp2 r = q.y * t.z * z2 - t.y;
    const Fp2 hh = h.sqr();
    const Fp2 hhh = h * hh;
    const Fp2 v = t.x * hh;
    const Fp2 x3 = r.sqr() - hhh - v.dbl();
    const Fp2 z3 = t.z * h;
    Line l{z3 * p.y, -(r * p.x), r * q.x - z3 * q.y};
    t = {x3, r * (v - x3) - t.y * hhh, z3};
    return l;
}

struct Prepared {
    G1Affine p;
    G2Affine q, neg_q;
    G2 t;
};

}  // namespace

const Fp2& twist_b() {
    static const Fp2 b = Fp2{Fp::from_u64(9), Fp::one()}.inv() * Fp::from_u64(3);
    return b;
}

bool is_on_curve(const G1Affine& p) {
    if (p.infinity) return true;
    return p.y.sqr() == p.x.sqr() * p.x + Fp::from_u64(3);
}

bool is_on_curve(const G2Affine& q) {
    if (q.infinity) return true;
    return q.y.sqr() == q.x.sqr() * q.x + twist_b();
}

bool is_in_subgroup_by_order(const G2Affine& q) {
    return mul(q, kR).is_infinity();
}

namespace {

/// The twist Frobenius in Jacobian coordinates: (X, Y, Z) -> (X^p g2, Y^p g3, Z^p).
G2 psi(const G2& p) {
    const auto& g = frobenius_coeffs();
    return {p.x.conj() * g[2], p.y.conj() * g[3], p.z.conj()};
}

bool jacobian_equal(const G2& a, const G2& b) {
    if (a.is_infinity() || b.is_infinity()) return a.is_infinity() && b.is_infinity();
    const Fp2 az2 = a.z.sqr();
    const Fp2 bz2 = b.z.sqr();
    return a.x * bz2 == b.x * az2 && a.y * bz2 * b.z == b.y * az2 * a.z;
}

}  // namespace

bool is_in_subgroup(const G2Affine& q) {
    if (q.infinity) return true;
    // Housni, Guillevic, Piellard, "Co-factor clearing and subgroup membership testing on
    // pairing-friendly curves" (eprint 2022/348): for BN254 (x != 4 mod 13, x != 92 mod 97),
    // Q is in G2 iff [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q).
    const G2 xq = mul(q, Limbs{kBnX, 0, 0, 0});
    const G2 psi_xq = psi(xq);
    const G2 lhs = add(add(add_mixed(xq, q), psi_xq), psi(psi_xq));
    const G2 rhs = psi(psi(psi(dbl(xq))));
    return jacobian_equal(lhs, rhs);
}

G2Affine twist_frobenius(const G2Affine& q) {
    if (q.infinity) return q;
    const auto& g = frobenius_coeffs();
    return {q.x.conj() * g[2], q.y.conj() * g[3], false};
}

bool pairing_product_is_one(const G1Affine* ps, const G2Affine* qs, size_t n) {
    std::vector<Prepared> pairs;
    pairs.reserve(n);
    for (size_t i = 0; i < n; ++i)
        if (!ps[i].infinity && !qs[i].infinity)
            pairs.push_back({ps[i], qs[i], {qs[i].x, -qs[i].y, false}, G2::from_affine(qs[i])});
    if (pairs.empty()) return true;

    Fp12 f = Fp12::one();
    for (int i = kAteNaf.length - 2; i >= 0; --i) {
        f = f.sqr();
        for (auto& pr : pairs) {
            const Line l = double_step(pr.t, pr.p);
            f = f.mul_by_line(l.a, l.b, l.c);
        }
        if (const int8_t d = kAteNaf.digits[size_t(i)]; d != 0) {
            for (auto& pr : pairs) {
                const Line l = add_step(pr.t, d > 0 ? pr.q : pr.neg_q, pr.p);
                f = f.mul_by_line(l.a, l.b, l.c);
            }
        }
    }
    // Final two lines: T + pi(Q), then + (-pi^2(Q)).
    for (auto& pr : pairs) {
        const G2Affine q1 = twist_frobenius(pr.q);
        G2Affine q2 = twist_frobenius(q1);
        q2.y = -q2.y;
        Line l = add_step(pr.t, q1, pr.p);
        f = f.mul_by_line(l.a, l.b, l.c);
        l = add_step(pr.t, q2, pr.p);
        f = f.mul_by_line(l.a, l.b, l.c);
    }
    return final_exponentiation(f) == Fp12::one();
}

}  // namespace fuse::precompiles::bn254
