#include "bls12_381/pairing.hpp"

#include <vector>

namespace fuse::bls12_381 {
namespace {

/// |x| for the BLS12-381 loop parameter x = -0xd201000000010000.
constexpr uint64_t kLoopParam = 0xd201000000010000ULL;

/// f^x for f in the cyclotomic subgroup (where the inverse is the conjugate); x < 0.
Fp12 cyclotomic_exp_by_x(const Fp12& f) {
    Fp12 r = f;
    for (int bit = 62; bit >= 0; --bit) {
        r = r.square();
        if ((kLoopParam >> bit) & 1) r *= f;
    }
    return r.conj();
}

/// A line evaluated at P and scaled by w^3 and by a factor in Fp2: c00 + c01 w^2 + c11 w^3.
/// Both scalings lie in proper subfields and vanish in the final exponentiation.
Fp12 line(const Fp2& c00, const Fp2& c01, const Fp2& c11) {
    Fp12 l{};
    l.c0.c0 = c00;
    l.c0.c1 = c01;
    l.c1.c1 = c11;
    return l;
}

struct LoopState {
    G1Affine p;
    G2Affine q;
    G2 t;  ///< Jacobian (X, Y, Z): x = X/Z^2, y = Y/Z^3, so the loop needs no inversions
};

/// Multiplies f by the tangent line at T and doubles T. With slope 3X^2 / (2YZ), the line
/// (lambda xT - yT) + (-lambda xP) w^2 + yP w^3 times 2YZ^3 is
/// (3X^3 - 2Y^2) + (-3X^2 Z^2 xP) w^2 + (2YZ^3 yP) w^3.
void double_step(Fp12& f, LoopState& s) {
    const Fp2& x = s.t.x;
    const Fp2& y = s.t.y;
    const Fp2 x2 = x.square();
    const Fp2 z2 = s.t.z.square();
    const Fp2 x2_3 = x2.dbl() + x2;
    const Fp2 c00 = x2_3 * x - y.square().dbl();
    const Fp2 c01 = -((x2_3 * z2) * s.p.x);
    const G2 doubled = s.t.dbl();  // Z' = 2YZ
    const Fp2 c11 = (doubled.z * z2) * s.p.y;
    f *= line(c00, c01, c11);
    s.t = doubled;
}

/// Multiplies f by the chord through T and Q and sets T = T + Q. With N = yQ Z^3 - Y and
/// H = xQ Z^2 - X the slope is N / (HZ); using the point Q on the line and scaling by HZ:
/// (N xQ - yQ HZ) + (-N xP) w^2 + (HZ yP) w^3.
void add_step(Fp12& f, LoopState& s) {
    const Fp2 z2 = s.t.z.square();
    const Fp2 n = s.q.y * z2 * s.t.z - s.t.y;
    const Fp2 hz = (s.q.x * z2 - s.t.x) * s.t.z;
    const Fp2 c00 = n * s.q.x - s.q.y * hz;
    const Fp2 c01 = -(n * s.p.x);
    const Fp2 c11 = hz * s.p.y;
    f *= line(c00, c01, c11);
    s.t = s.t.add_affine(s.q);
}

}  // namespace

Fp12 miller_loop(std::span<const PairingInput> pairs) {
    std::vector<LoopState> states;
    states.reserve(pairs.size());
    for (const auto& [p, q] : pairs) {
        if (p.infinity || q.infinity) continue;
        states.push_back({p, q, G2::from_affine(q)});
    }
    Fp12 f = Fp12::one();
    if (states.empty()) return f;
    // In [1, |x|) no multiple of Q is +-Q or has y = 0 (Q has prime order r > |x|), so the
    // line scalings (2YZ^3, HZ) are never zero.
    for (int bit = 62; bit >= 0; --bit) {
        f = f.square();
        for (auto& s : states)
            double_step(f, s);
        if ((kLoopParam >> bit) & 1) {
            for (auto& s : states)
                add_step(f, s);
        }
    }
    // x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to factors the final exponentiation removes, and on the
    // cyclotomic subgroup the inverse is the conjugate.
    return f.conj();
}

Fp12 final_exponentiation(const Fp12& f) {
    // Easy part: f^((p^6 - 1)(p^2 + 1)); the result lies in the cyclotomic subgroup.
    Fp12 t = f.conj() * f.inv();
    t = t.frobenius().frobenius() * t;
    // Hard part, raised to 3 (p^4 - p^2 + 1) / r = (x - 1)^2 (x + p) (x^2 + p^2 - 1) + 3
    // (Hayashida, Hayasaka and Teruya, ePrint 2020/875). The cube is still a non-degenerate
    // bilinear pairing (gcd(3, r) = 1), and "product == 1" checks are unaffected.
    const Fp12 a = cyclotomic_exp_by_x(t) * t.conj();       // t^(x-1)
    const Fp12 b = cyclotomic_exp_by_x(a) * a.conj();       // t^((x-1)^2)
    const Fp12 c = cyclotomic_exp_by_x(b) * b.frobenius();  // b^(x+p)
    const Fp12 d = cyclotomic_exp_by_x(cyclotomic_exp_by_x(c)) * c.frobenius().frobenius() *
                   c.conj();  // c^(x^2+p^2-1)
    return d * t.square() * t;
}

Fp12 pairing(const G1Affine& p, const G2Affine& q) {
    const PairingInput in[1] = {{p, q}};
    return final_exponentiation(miller_loop(in));
}

bool pairing_product_is_one(std::span<const PairingInput> pairs) {
    return final_exponentiation(miller_loop(pairs)).is_one();
}

}  // namespace fuse::bls12_381
