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

Fp Fp::inv() const {
    Limbs e{};
    detail::sub_limbs(e, kP, {2, 0, 0, 0});
    return pow(e.data(), 4);
}

Fp2 Fp2::pow(const uint64_t* e, int limbs) const {
    return pow_impl(*this, e, limbs);
}

}  // namespace fuse::precompiles::bn254
