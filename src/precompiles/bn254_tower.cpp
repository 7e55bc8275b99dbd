#include "precompiles/bn254_tower.hpp"

namespace fuse::precompiles::bn254 {

namespace {

/// (p - 1) / 6 by schoolbook division of the limbs.
constexpr Limbs p_minus_1_over_6() {
    Limbs x = kP;
    x[0] -= 1;
    Limbs q{};
    u128 rem = 0;
    for (int i = 3; i >= 0; --i) {
        const u128 cur = (rem << 64) | x[i];
        q[i] = uint64_t(cur / 6);
        rem = cur % 6;
    }
    return q;
}

/// The BN parameter x (a.k.a. u) of BN254: p = 36x^4 + 36x^3 + 24x^2 + 6x + 1.
constexpr uint64_t kBnX = 0x44e992b44a6909f1;

}  // namespace

Fp6 Fp6::inv() const {
    const Fp2 t0 = c0.sqr() - (c1 * c2).mul_by_xi();
    const Fp2 t1 = c2.sqr().mul_by_xi() - c0 * c1;
    const Fp2 t2 = c1.sqr() - c0 * c2;
    const Fp2 d = (c0 * t0 + (c2 * t1 + c1 * t2).mul_by_xi()).inv();
    return {t0 * d, t1 * d, t2 * d};
}

Fp12 Fp12::inv() const {
    const Fp6 d = (c0.sqr() - c1.sqr().mul_by_v()).inv();
    return {c0 * d, -(c1 * d)};
}

const std::array<Fp2, 6>& frobenius_coeffs() {
    static const std::array<Fp2, 6> coeffs = [] {
        constexpr Limbs e = p_minus_1_over_6();
        const Fp2 xi = {Fp::from_u64(9), Fp::one()};
        std::array<Fp2, 6> c{};
        c[0] = Fp2::one();
        c[1] = xi.pow(e.data(), 4);
        for (int k = 2; k < 6; ++k)
            c[k] = c[k - 1] * c[1];
        return c;
    }();
    return coeffs;
}

Fp12 Fp12::frobenius() const {
    const auto& g = frobenius_coeffs();
    return {{c0.c0.conj(), c0.c1.conj() * g[2], c0.c2.conj() * g[4]},
            {c1.c0.conj() * g[1], c1.c1.conj() * g[3], c1.c2.conj() * g[5]}};
}

Fp12 Fp12::mul_by_line(const Fp2& a, const Fp2& b, const Fp2& c) const {
    const Fp6 t0 = c0.mul_fp2(a);
    const Fp6 t1 = c1.mul_by_01(b, c);
    return {t0 + t1.mul_by_v(), (c0 + c1).mul_by_01(a + b, c) - t0 - t1};
}

namespace {

/// (a + b y)^2 in Fp4 = Fp2[y]/(y^2 - xi): returns (a^2 + xi b^2, 2ab).
inline void fp4_sqr(const Fp2& a, const Fp2& b, Fp2& out0, Fp2& out1) {
    const Fp2 ab = a * b;
    out0 = (a + b) * (b.mul_by_xi() + a) - ab - ab.mul_by_xi();
    out1 = ab.dbl();
}

}  // namespace

Fp12 Fp12::cyclotomic_sqr() const {
    // Fp12 seen as Fp4^3 with the pairs (z0, z1) = (c0.c0, c1.c1), (z2, z3) = (c1.c0, c0.c2),
    // (z4, z5) = (c0.c1, c1.c2).
    Fp2 t0, t1, t2, t3, t4, t5;
    fp4_sqr(c0.c0, c1.c1, t0, t1);
    fp4_sqr(c1.c0, c0.c2, t2, t3);
    fp4_sqr(c0.c1, c1.c2, t4, t5);
    Fp12 r;
    // z0 = 3 t0 - 2 z0, z1 = 3 t1 + 2 z1
    r.c0.c0 = (t0 - c0.c0).dbl() + t0;
    r.c1.c1 = (t1 + c1.c1).dbl() + t1;
    // z2 = 3 xi t5 + 2 z2, z3 = 3 t4 - 2 z3
    const Fp2 t5xi = t5.mul_by_xi();
    r.c1.c0 = (t5xi + c1.c0).dbl() + t5xi;
    r.c0.c2 = (t4 - c0.c2).dbl() + t4;
    // z4 = 3 t2 - 2 z4, z5 = 3 t3 + 2 z5
    r.c0.c1 = (t2 - c0.c1).dbl() + t2;
    r.c1.c2 = (t3 + c1.c2).dbl() + t3;
    return r;
}

Fp12 Fp12::cyclotomic_pow_u64(uint64_t e) const {
    Fp12 result = one();
    bool started = false;
    for (int bit = 63; bit >= 0; --bit) {
        if (started) result = result.cyclotomic_sqr();
        if ((e >> bit) & 1) {
            result = started ? result * *this : *this;
            started = true;
        }
    }
    return result;
}

Fp12 final_exponentiation(const Fp12& in) {
    // Easy part: f^((p^6 - 1)(p^2 + 1)); the result is unitary, so its inverse is its conjugate.
    Fp12 t1 = in.conj() * in.inv();
    t1 = t1.frobenius().frobenius() * t1;

    // Hard part (Scott et al. 2009, section 6 / BN curves).
    const Fp12 fp = t1.frobenius();
    const Fp12 fp2 = fp.frobenius();
    const Fp12 fp3 = fp2.frobenius();

    const Fp12 fu = t1.cyclotomic_pow_u64(kBnX);
    const Fp12 fu2 = fu.cyclotomic_pow_u64(kBnX);
    const Fp12 fu3 = fu2.cyclotomic_pow_u64(kBnX);

    const Fp12 y3 = fu.frobenius().conj();
    const Fp12 fu2p = fu2.frobenius();
    const Fp12 fu3p = fu3.frobenius();
    const Fp12 y2 = fu2p.frobenius();

    const Fp12 y0 = fp * fp2 * fp3;
    const Fp12 y1 = t1.conj();
    const Fp12 y5 = fu2.conj();
    const Fp12 y4 = (fu * fu2p).conj();
    const Fp12 y6 = (fu3 * fu3p).conj();

    Fp12 t0 = y6.cyclotomic_sqr() * y4 * y5;
    Fp12 t = y3 * y5 * t0;
    t0 = t0 * y2;
    t = (t.cyclotomic_sqr() * t0).cyclotomic_sqr();
    t0 = t * y1;
    t = t * y0;
    return t0.cyclotomic_sqr() * t;
}

}  // namespace fuse::precompiles::bn254
