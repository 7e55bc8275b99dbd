#pragma once
/// BN254 (alt_bn128) base field Fp and its quadratic extension Fp2 = Fp[u]/(u^2 + 1), as used by
/// the EIP-196/197 precompiles. Fp elements are kept in Montgomery form (R = 2^256) over four
/// little-endian 64-bit limbs and are always fully reduced (< p), so equality is limb equality.

#include <array>
#include <cstdint>
#include <optional>
#include <type_traits>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace fuse::precompiles::bn254 {

using Limbs = std::array<uint64_t, 4>;
using u128 = unsigned __int128;

/// The field modulus p = 0x30644e72...d87cfd47 (EIP-196).
inline constexpr Limbs kP = {0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d,
                             0x30644e72e131a029};
/// The prime order r of G1 and of the G2 subgroup (EIP-197).
inline constexpr Limbs kR = {0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d,
                             0x30644e72e131a029};

namespace detail {

constexpr bool geq(const Limbs& a, const Limbs& b) {
    for (int i = 3; i >= 0; --i)
        if (a[i] != b[i]) return a[i] > b[i];
    return true;
}

/// a - b, returning the borrow.
constexpr uint64_t sub_limbs(Limbs& out, const Limbs& a, const Limbs& b) {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r0, r1, r2, r3;
        unsigned char c = _subborrow_u64(0, a[0], b[0], &r0);
        c = _subborrow_u64(c, a[1], b[1], &r1);
        c = _subborrow_u64(c, a[2], b[2], &r2);
        c = _subborrow_u64(c, a[3], b[3], &r3);
        out = {r0, r1, r2, r3};
        return c;
    }
#endif
    uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
        const u128 d = u128(a[i]) - b[i] - borrow;
        out[i] = uint64_t(d);
        borrow = uint64_t(d >> 64) & 1;
    }
    return borrow;
}

/// a + b, returning the carry.
constexpr uint64_t add_limbs(Limbs& out, const Limbs& a, const Limbs& b) {
#if defined(__x86_64__)
    if (!std::is_constant_evaluated()) {
        unsigned long long r0, r1, r2, r3;
        unsigned char c = _addcarry_u64(0, a[0], b[0], &r0);
        c = _addcarry_u64(c, a[1], b[1], &r1);
        c = _addcarry_u64(c, a[2], b[2], &r2);
        c = _addcarry_u64(c, a[3], b[3], &r3);
        out = {r0, r1, r2, r3};
        return c;
    }
#endif
    uint64_t carry = 0;
    for (int i = 0; i < 4; ++i) {
        const u128 s = u128(a[i]) + b[i] + carry;
        out[i] = uint64_t(s);
        carry = uint64_t(s >> 64);
    }
    return carry;
}

/// `cond ? a : b` limb by limb (cond is 0 or 1) with masks, so data-dependent reductions cost
/// no mispredicted branches. The empty asm statements hide the mask's value range from GCC, which
/// would otherwise turn the selection back into a branch or into SSE shuffles.
constexpr Limbs select(uint64_t cond, const Limbs& a, const Limbs& b) {
    uint64_t mask = 0 - cond;
#if defined(__GNUC__)
    if (!std::is_constant_evaluated()) __asm__("" : "+r"(mask));
#endif
    Limbs r{};
    for (int i = 0; i < 4; ++i) {
        uint64_t v = b[i] ^ ((a[i] ^ b[i]) & mask);
#if defined(__GNUC__)
        if (!std::is_constant_evaluated()) __asm__("" : "+r"(v));
#endif
        r[i] = v;
    }
    return r;
}

/// -p^-1 mod 2^64 by Newton iteration.
constexpr uint64_t mont_inv() {
    uint64_t inv = 1;
    for (int i = 0; i < 6; ++i)
        inv *= 2 - kP[0] * inv;
    return ~inv + 1;
}

/// 2^512 mod p, by doubling 1 modulo p 512 times.
constexpr Limbs mont_r2() {
    Limbs x = {1, 0, 0, 0};
    for (int i = 0; i < 512; ++i) {
        Limbs d{};
        add_limbs(d, x, x);  // p < 2^254, so no carry out
        if (geq(d, kP)) sub_limbs(d, d, kP);
        x = d;
    }
    return x;
}

inline constexpr uint64_t kInv = mont_inv();
inline constexpr Limbs kR2 = mont_r2();

/// 2^768 mod p: turns a plain inverse of a Montgomery value back into Montgomery form.
constexpr Limbs mont_r3() {
    Limbs x = kR2;
    for (int i = 0; i < 256; ++i) {
        Limbs d{};
        add_limbs(d, x, x);
        if (geq(d, kP)) sub_limbs(d, d, kP);
        x = d;
    }
    return x;
}
inline constexpr Limbs kR3 = mont_r3();

/// Montgomery product a*b*2^-256 mod p; inputs < p, output < p. CIOS without the two extra
/// carry words, valid because p's top limb is below 2^63 - 1 (the "no-carry" variant used by
/// gnark-crypto).
constexpr Limbs mont_mul(const Limbs& a, const Limbs& b) {
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; ++i) {
        const uint64_t bi = b[i];
        u128 x = u128(a[0]) * bi + t0;
        uint64_t hi_a = uint64_t(x >> 64);
        t0 = uint64_t(x);
        const uint64_t m = t0 * kInv;
        u128 y = u128(m) * kP[0] + t0;
        uint64_t hi_c = uint64_t(y >> 64);
        x = u128(a[1]) * bi + t1 + hi_a;
        hi_a = uint64_t(x >> 64);
        y = u128(m) * kP[1] + uint64_t(x) + hi_c;
        hi_c = uint64_t(y >> 64);
        t0 = uint64_t(y);
        x = u128(a[2]) * bi + t2 + hi_a;
        hi_a = uint64_t(x >> 64);
        y = u128(m) * kP[2] + uint64_t(x) + hi_c;
        hi_c = uint64_t(y >> 64);
        t1 = uint64_t(y);
        x = u128(a[3]) * bi + t3 + hi_a;
        hi_a = uint64_t(x >> 64);
        y = u128(m) * kP[3] + uint64_t(x) + hi_c;
        hi_c = uint64_t(y >> 64);
        t2 = uint64_t(y);
        t3 = hi_c + hi_a;
    }
    const Limbs r = {t0, t1, t2, t3};
    Limbs d{};
    return select(sub_limbs(d, r, kP), r, d);
}

/// a + b mod p for a, b < p (no carry out since 2p < 2^256); branch-free selection.
constexpr Limbs mod_add(const Limbs& a, const Limbs& b) {
    Limbs r{};
    add_limbs(r, a, b);
    Limbs d{};
    return select(sub_limbs(d, r, kP), r, d);
}

/// a - b mod p for a, b < p.
constexpr Limbs mod_sub(const Limbs& a, const Limbs& b) {
    Limbs r{};
    const uint64_t borrow = sub_limbs(r, a, b);
    Limbs back{};
    add_limbs(back, r, kP);
    return select(borrow, back, r);
}

/// x^-1 mod p by the binary extended Euclidean algorithm (Hankerson, Menezes, Vanstone,
/// "Guide to Elliptic Curve Cryptography", Alg. 2.22); 0 for x = 0.
Limbs binary_inverse(const Limbs& x);

}  // namespace detail

/// An element of Fp in Montgomery form.
struct Fp {
    Limbs m{};  ///< Montgomery representation, always < p

    static constexpr Fp zero() { return {}; }
    static constexpr Fp one() { return from_limbs({1, 0, 0, 0}); }
    /// From a canonical integer (< p).
    static constexpr Fp from_limbs(const Limbs& x) { return {detail::mont_mul(x, detail::kR2)}; }
    static constexpr Fp from_u64(uint64_t x) { return from_limbs({x, 0, 0, 0}); }
    /// From 32 big-endian bytes; nullopt if the value is >= p (EIP-196 rejects it).
    static std::optional<Fp> from_be32(const uint8_t* in);
    /// The canonical integer value.
    constexpr Limbs to_limbs() const { return detail::mont_mul(m, {1, 0, 0, 0}); }
    void to_be32(uint8_t* out) const;

    constexpr bool is_zero() const { return (m[0] | m[1] | m[2] | m[3]) == 0; }
    friend constexpr bool operator==(const Fp&, const Fp&) = default;

    friend constexpr Fp operator+(const Fp& a, const Fp& b) { return {detail::mod_add(a.m, b.m)}; }
    friend constexpr Fp operator-(const Fp& a, const Fp& b) { return {detail::mod_sub(a.m, b.m)}; }
    friend constexpr Fp operator-(const Fp& a) { return Fp{} - a; }
    friend constexpr Fp operator*(const Fp& a, const Fp& b) { return {detail::mont_mul(a.m, b.m)}; }
    Fp& operator+=(const Fp& b) { return *this = *this + b; }
    Fp& operator-=(const Fp& b) { return *this = *this - b; }
    Fp& operator*=(const Fp& b) { return *this = *this * b; }

    constexpr Fp sqr() const { return *this * *this; }
    constexpr Fp dbl() const { return *this + *this; }
    /// this^e for a little-endian multi-limb exponent.
    Fp pow(const uint64_t* e, int limbs) const;
    /// Multiplicative inverse (binary extended Euclid); inverse of zero is zero.
    Fp inv() const { return {detail::mont_mul(detail::binary_inverse(m), detail::kR3)}; }
};

/// An element c0 + c1*u of Fp2, u^2 = -1 (EIP-197 encodes it as (c1, c0)).
struct Fp2 {
    Fp c0, c1;

    static constexpr Fp2 zero() { return {}; }
    static constexpr Fp2 one() { return {Fp::one(), Fp::zero()}; }
    constexpr bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
    friend constexpr bool operator==(const Fp2&, const Fp2&) = default;

    friend constexpr Fp2 operator+(const Fp2& a, const Fp2& b) {
        return {a.c0 + b.c0, a.c1 + b.c1};
    }
    friend constexpr Fp2 operator-(const Fp2& a, const Fp2& b) {
        return {a.c0 - b.c0, a.c1 - b.c1};
    }
    friend constexpr Fp2 operator-(const Fp2& a) { return {-a.c0, -a.c1}; }
    friend constexpr Fp2 operator*(const Fp2& a, const Fp2& b) {
        const Fp t0 = a.c0 * b.c0;
        const Fp t1 = a.c1 * b.c1;
        return {t0 - t1, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1};
    }
    friend constexpr Fp2 operator*(const Fp2& a, const Fp& s) { return {a.c0 * s, a.c1 * s}; }
    Fp2& operator+=(const Fp2& b) { return *this = *this + b; }
    Fp2& operator-=(const Fp2& b) { return *this = *this - b; }
    Fp2& operator*=(const Fp2& b) { return *this = *this * b; }

    constexpr Fp2 sqr() const { return {(c0 + c1) * (c0 - c1), (c0 * c1).dbl()}; }
    constexpr Fp2 dbl() const { return {c0.dbl(), c1.dbl()}; }
    constexpr Fp2 conj() const { return {c0, -c1}; }
    /// Multiplication by xi = 9 + u, the non-residue defining Fp6 (and the sextic twist).
    constexpr Fp2 mul_by_xi() const {
        const Fp2 t2 = dbl();
        const Fp2 t8 = t2.dbl().dbl();
        const Fp2 t9 = t8 + *this;  // 9*(c0 + c1 u)
        return {t9.c0 - c1, t9.c1 + c0};
    }
    Fp2 inv() const {
        const Fp d = (c0.sqr() + c1.sqr()).inv();
        return {c0 * d, -(c1 * d)};
    }
    /// this^e for a little-endian multi-limb exponent.
    Fp2 pow(const uint64_t* e, int limbs) const;
};

}  // namespace fuse::precompiles::bn254
