#include "precompiles/bn254_field.hpp"

namespace fuse::precompiles::bn254 {

namespace {

uint64_t load_be64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | p[i];
    return v;
}

template <typename F>
F pow_impl(const F& base, const uint64_t* e, int limbs) {
    F result = F::one();
    bool started = false;
    for (int i = limbs - 1; i >= 0; --i) {
        for (int bit = 63; bit >= 0; --bit) {
            if (started) result = result.sqr();
            if ((e[i] >> bit) & 1) {
                result = started ? result * base : base;
                started = true;
            }
        }
    }
    return result;
}

}  // namespace

std::optional<Fp> Fp::from_be32(const uint8_t* in) {
    const Limbs x = {load_be64(in + 24), load_be64(in + 16), load_be64(in + 8), load_be64(in)};
    if (detail::geq(x, kP)) return std::nullopt;
    return from_limbs(x);
}

void Fp::to_be32(uint8_t* out) const {
    const Limbs x = to_limbs();
    for (int i = 0; i < 4; ++i)
        for (int b = 0; b < 8; ++b)
            out[(3 - i) * 8 + (7 - b)] = uint8_t(x[i] >> (8 * b));
}

Fp Fp::pow(const uint64_t* e, int limbs) const {
    return pow_impl(*this, e, limbs);
}

namespace detail {

namespace {

constexpr bool is_one(const Limbs& x) {
    return x[0] == 1 && (x[1] | x[2] | x[3]) == 0;
}

constexpr void shr1(Limbs& x) {
    x[0] = (x[0] >> 1) | (x[1] << 63);
    x[1] = (x[1] >> 1) | (x[2] << 63);
    x[2] = (x[2] >> 1) | (x[3] << 63);
    x[3] >>= 1;
}

/// x / 2 mod p for x < p: (x + p) / 2 when x is odd (x + p < 2^255, no overflow).
constexpr void half_mod(Limbs& x) {
    if (x[0] & 1) add_limbs(x, x, kP);
    shr1(x);
}

}  // namespace

Limbs binary_inverse(const Limbs& x) {
    if ((x[0] | x[1] | x[2] | x[3]) == 0) return x;
    Limbs u = x, v = kP;
    Limbs x1 = {1, 0, 0, 0}, x2 = {0, 0, 0, 0};
    while (!is_one(u) && !is_one(v)) {
        while ((u[0] & 1) == 0) {
            shr1(u);
            half_mod(x1);
        }
        while ((v[0] & 1) == 0) {
            shr1(v);
            half_mod(x2);
        }
        if (geq(u, v)) {
            sub_limbs(u, u, v);
            x1 = mod_sub(x1, x2);
        } else {
            sub_limbs(v, v, u);
            x2 = mod_sub(x2, x1);
        }
    }
    return is_one(u) ? x1 : x2;
}

}  // namespace detail

Fp2 Fp2::pow(const uint64_t* e, int limbs) const {
    return pow_impl(*this, e, limbs);
}

}  // namespace fuse::precompiles::bn254
