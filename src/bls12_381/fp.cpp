#include "bls12_381/fp.hpp"

#include <cassert>
#include <cstring>

namespace fuse::bls12_381 {

std::optional<Fp> Fp::from_be48(const uint8_t* in) {
    Limbs6 v{};
    for (int i = 0; i < 6; ++i) {
        uint64_t w = 0;
        for (int j = 0; j < 8; ++j)
            w = (w << 8) | in[(5 - i) * 8 + j];
        v[i] = w;
    }
    if (detail::geq(v, fp_const::kModulus)) return std::nullopt;
    return from_limbs(v);
}

Limbs6 Fp::to_limbs() const {
    // Multiplying by plain 1 divides by R.
    return (*this * Fp{{1, 0, 0, 0, 0, 0}}).l;
}

void Fp::to_be48(uint8_t* out) const {
    const Limbs6 v = to_limbs();
    for (int i = 0; i < 6; ++i) {
        for (int j = 0; j < 8; ++j)
            out[(5 - i) * 8 + j] = uint8_t(v[i] >> (56 - 8 * j));
    }
}

Fp Fp::pow(const uint64_t* e, size_t limbs) const {
    Fp r = one();
    for (size_t i = limbs; i-- > 0;) {
        for (int b = 63; b >= 0; --b) {
            r = r.square();
            if ((e[i] >> b) & 1) r *= *this;
        }
    }
    return r;
}

namespace {
bool is_one(const Limbs6& a) {
    return a[0] == 1 && (a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}
bool is_even(const Limbs6& a) {
    return (a[0] & 1) == 0;
}
void shr1(Limbs6& a) {
    for (int i = 0; i < 5; ++i)
        a[i] = (a[i] >> 1) | (a[i + 1] << 63);
    a[5] >>= 1;
}
/// a = a / 2 mod p for a < p.
void half_mod_p(Limbs6& a) {
    if (!is_even(a)) {
        uint64_t carry = 0;  // a + p < 2^382: no overflow out of 6 limbs
        for (int i = 0; i < 6; ++i) {
            const detail::u128 s = detail::u128(a[i]) + fp_const::kModulus[i] + carry;
            a[i] = uint64_t(s);
            carry = uint64_t(s >> 64);
        }
    }
    shr1(a);
}
/// a = a - b mod p for a, b < p.
void sub_mod_p(Limbs6& a, const Limbs6& b) {
    if (detail::sub_in_place(a, b)) {
        uint64_t carry = 0;
        for (int i = 0; i < 6; ++i) {
            const detail::u128 s = detail::u128(a[i]) + fp_const::kModulus[i] + carry;
            a[i] = uint64_t(s);
            carry = uint64_t(s >> 64);
        }
    }
}
}  // namespace

Fp Fp::inv() const {
    if (is_zero()) return zero();
    // Invert the Montgomery representative m = aR as an integer: m^-1 = a^-1 R^-1, then
    // mont(m^-1, R^3) = a^-1 R, the Montgomery form of a^-1.
    Limbs6 u = l, v = fp_const::kModulus;
    Limbs6 x1 = {1, 0, 0, 0, 0, 0}, x2 = {};
    while (!is_one(u) && !is_one(v)) {
        while (is_even(u)) {
            shr1(u);
            half_mod_p(x1);
        }
        while (is_even(v)) {
            shr1(v);
            half_mod_p(x2);
        }
        if (detail::geq(u, v)) {
            detail::sub_in_place(u, v);
            sub_mod_p(x1, x2);
        } else {
            detail::sub_in_place(v, u);
            sub_mod_p(x2, x1);
        }
    }
    return Fp{is_one(u) ? x1 : x2} * Fp{fp_const::kR3};
}

std::optional<Fp> Fp::sqrt() const {
    const Fp s = pow(fp_const::kPPlus1Div4.data(), 6);
    if (s.square() != *this) return std::nullopt;
    return s;
}

bool Fp::is_square() const {
    const Fp l = pow(fp_const::kPMinus1Div2.data(), 6);
    return l.is_zero() || l == one();
}

bool Fp::is_lexicographically_largest() const {
    Limbs6 v = to_limbs();
    // v > (p-1)/2  <=>  v >= (p-1)/2 + 1
    Limbs6 half = fp_const::kPMinus1Div2;
    half[0] += 1;  // no carry: low limb of (p-1)/2 is not all ones
    return detail::geq(v, half);
}

Fp fp_from_hex(const char* hex) {
    const size_t n = std::strlen(hex);
    assert(n <= 96);
    uint8_t be[48] = {};
    for (size_t i = 0; i < n; ++i) {
        const char c = hex[n - 1 - i];
        const int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        assert(d >= 0 && d < 16);
        be[47 - i / 2] |= uint8_t(d << (4 * (i % 2)));
    }
    const auto v = Fp::from_be48(be);
    assert(v.has_value());
    return *v;
}

}  // namespace fuse::bls12_381
