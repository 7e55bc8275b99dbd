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

Fp12 Fp12::pow_u64(uint64_t e) const {
    Fp12 result = one();
    bool started = false;
    for (int bit = 63; bit >= 0; --bit) {
        if (started) result = result.sqr();
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

    const Fp12 fu = t1.pow_u64(kBnX);
    const Fp12 fu2 = fu.pow_u64(kBnX);
    const Fp12 fu3 = fu2.pow_u64(kBnX);

    const Fp12 y3 = fu.frobenius().conj();
    const Fp12 fu2p = fu2.frobenius();
    const Fp12 fu3p = fu3.frobenius();
    const Fp12 y2 = fu2p.frobenius();

    const Fp12 y0 = fp * fp2 * fp3;
    const Fp12 y1 = t1.conj();
    const Fp12 y5 = fu2.conj();
    const Fp12 y4 = (fu * fu2p).conj();
    const Fp12 y6 = (fu3 * fu3p).conj();

    Fp12 t0 = y6.sqr() * y4 * y5;
    Fp12 t = y3 * y5 * t0;
    t0 = t0 * y2;
    t = (t.sqr() * t0).sqr();
    t0 = t * y1;
    t = t * y0;
    return t0.sqr() * t;
}

}  // namespace fuse::precompiles::bn254
