#pragma once
/// The BLS12-381 base field Fp, p = 0x1a0111ea...ffffaaab (381 bits), as six 64-bit limbs in
/// Montgomery form (R = 2^384). Arithmetic is branch-light and allocation-free; p = 3 mod 4, so
/// square roots are a single exponentiation. Reference: draft-irtf-cfrg-pairing-friendly-curves
/// section 4.2.1 and RFC 9380 section 8.8.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace fuse::bls12_381 {

/// Little-endian 64-bit limbs of a non-Montgomery integer.
using Limbs6 = std::array<uint64_t, 6>;

namespace fp_const {
inline constexpr Limbs6 kModulus = {0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL,
                                    0x6730d2a0f6b0f624ULL, 0x64774b84f38512bfULL,
                                    0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
/// R^2 mod p, converts into Montgomery form.
inline constexpr Limbs6 kR2 = {0xf4df1f341c341746ULL, 0x0a76e6a609d104f1ULL, 0x8de5476c4c95b6d5ULL,
                               0x67eb88a9939d83c0ULL, 0x9a793e85b519952dULL, 0x11988fe592cae3aaULL};
/// R mod p, the Montgomery form of 1.
inline constexpr Limbs6 kOne = {0x760900000002fffdULL, 0xebf4000bc40c0002ULL,
                                0x5f48985753c758baULL, 0x77ce585370525745ULL,
                                0x5c071a97a256ec6dULL, 0x15f65ec3fa80e493ULL};
/// R^3 mod p: Montgomery-multiplying a plain inverse by it restores Montgomery form.
inline constexpr Limbs6 kR3 = {0xed48ac6bd94ca1e0ULL, 0x315f831e03a7adf8ULL, 0x9a53352a615e29ddULL,
                               0x34c04e5e921e1761ULL, 0x2512d43565724728ULL, 0x0aa6346091755d4dULL};
/// -p^-1 mod 2^64.
inline constexpr uint64_t kInv = 0x89f3fffcfffcfffdULL;
inline constexpr Limbs6 kPMinus2 = {0xb9feffffffffaaa9ULL, 0x1eabfffeb153ffffULL,
                                    0x6730d2a0f6b0f624ULL, 0x64774b84f38512bfULL,
                                    0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL};
inline constexpr Limbs6 kPPlus1Div4 = {0xee7fbfffffffeaabULL, 0x07aaffffac54ffffULL,
                                       0xd9cc34a83dac3d89ULL, 0xd91dd2e13ce144afULL,
                                       0x92c6e9ed90d2eb35ULL, 0x0680447a8e5ff9a6ULL};
inline constexpr Limbs6 kPMinus1Div2 = {0xdcff7fffffffd555ULL, 0x0f55ffff58a9ffffULL,
                                        0xb39869507b587b12ULL, 0xb23ba5c279c2895fULL,
                                        0x258dd3db21a5d66bULL, 0x0d0088f51cbff34dULL};
inline constexpr Limbs6 kPMinus3Div4 = {0xee7fbfffffffeaaaULL, 0x07aaffffac54ffffULL,
                                        0xd9cc34a83dac3d89ULL, 0xd91dd2e13ce144afULL,
                                        0x92c6e9ed90d2eb35ULL, 0x0680447a8e5ff9a6ULL};
inline constexpr Limbs6 kPMinus1Div6 = {0x49aa7ffffffff1c7ULL, 0x051caaaa72e35555ULL,
                                        0xe688231ad3c82906ULL, 0xe613e1eb7deb831fULL,
                                        0x0c849bf3b5e1f223ULL, 0x045582fc5eeaa66fULL};
}  // namespace fp_const

namespace detail {
using u128 = unsigned __int128;

/// a >= b for 6-limb integers.
constexpr bool geq(const Limbs6& a, const Limbs6& b) {
    for (int i = 5; i >= 0; --i) {
        if (a[i] != b[i]) return a[i] > b[i];
    }
    return true;
}
/// a -= b, returns the borrow.
constexpr uint64_t sub_in_place(Limbs6& a, const Limbs6& b) {
    uint64_t borrow = 0;
    for (int i = 0; i < 6; ++i) {
        const u128 d = u128(a[i]) - b[i] - borrow;
        a[i] = uint64_t(d);
        borrow = uint64_t(d >> 64) & 1;
    }
    return borrow;
}
}  // namespace detail

/// An element of Fp in Montgomery form; value-initialized to zero.
struct Fp {
    Limbs6 l{};

    static constexpr Fp zero() { return {}; }
    static constexpr Fp one() { return Fp{fp_const::kOne}; }
    /// The element equal to the integer `v`.
    static Fp from_u64(uint64_t v) { return from_limbs({v, 0, 0, 0, 0, 0}); }
    /// The element equal to the integer `v`, which must be < p.
    static Fp from_limbs(const Limbs6& v) { return Fp{v} * Fp{fp_const::kR2}; }
    /// Parses 48 big-endian bytes; nullopt when the value is >= p.
    static std::optional<Fp> from_be48(const uint8_t* in);
    /// Writes the canonical value as 48 big-endian bytes.
    void to_be48(uint8_t* out) const;
    /// The canonical integer (out of Montgomery form).
    Limbs6 to_limbs() const;

    bool is_zero() const { return (l[0] | l[1] | l[2] | l[3] | l[4] | l[5]) == 0; }
    friend bool operator==(const Fp&, const Fp&) = default;

    friend Fp operator+(const Fp& a, const Fp& b) {
        Fp r;
        uint64_t carry = 0;
        for (int i = 0; i < 6; ++i) {
            const detail::u128 s = detail::u128(a.l[i]) + b.l[i] + carry;
            r.l[i] = uint64_t(s);
            carry = uint64_t(s >> 64);
        }
        // p < 2^382 so the sum never overflows 384 bits.
        if (detail::geq(r.l, fp_const::kModulus)) detail::sub_in_place(r.l, fp_const::kModulus);
        return r;
    }
    friend Fp operator-(const Fp& a, const Fp& b) {
        Fp r = a;
        if (detail::sub_in_place(r.l, b.l)) {
            uint64_t carry = 0;
            for (int i = 0; i < 6; ++i) {
                const detail::u128 s = detail::u128(r.l[i]) + fp_const::kModulus[i] + carry;
                r.l[i] = uint64_t(s);
                carry = uint64_t(s >> 64);
            }
        }
        return r;
    }
    Fp operator-() const { return Fp{} - *this; }
    /// Montgomery multiplication (CIOS).
    friend Fp operator*(const Fp& a, const Fp& b) {
        uint64_t t[8] = {};
        for (int i = 0; i < 6; ++i) {
            uint64_t carry = 0;
            for (int j = 0; j < 6; ++j) {
                const detail::u128 s = detail::u128(a.l[j]) * b.l[i] + t[j] + carry;
                t[j] = uint64_t(s);
                carry = uint64_t(s >> 64);
            }
            detail::u128 s = detail::u128(t[6]) + carry;
            t[6] = uint64_t(s);
            t[7] = uint64_t(s >> 64);
            const uint64_t m = t[0] * fp_const::kInv;
            s = detail::u128(m) * fp_const::kModulus[0] + t[0];
            carry = uint64_t(s >> 64);
            for (int j = 1; j < 6; ++j) {
                s = detail::u128(m) * fp_const::kModulus[j] + t[j] + carry;
                t[j - 1] = uint64_t(s);
                carry = uint64_t(s >> 64);
            }
            s = detail::u128(t[6]) + carry;
            t[5] = uint64_t(s);
            t[6] = t[7] + uint64_t(s >> 64);
        }
        Fp r{{t[0], t[1], t[2], t[3], t[4], t[5]}};
        if (t[6] || detail::geq(r.l, fp_const::kModulus))
            detail::sub_in_place(r.l, fp_const::kModulus);
        return r;
    }
    Fp& operator+=(const Fp& b) { return *this = *this + b; }
    Fp& operator-=(const Fp& b) { return *this = *this - b; }
    Fp& operator*=(const Fp& b) { return *this = *this * b; }

    Fp square() const { return *this * *this; }
    Fp dbl() const { return *this + *this; }
    /// this^e for a little-endian multi-limb exponent.
    Fp pow(const uint64_t* e, size_t limbs) const;
    /// Multiplicative inverse by the binary extended Euclidean algorithm; 0 maps to 0 (RFC 9380
    /// inv0). Variable-time: every input of these precompiles is public.
    Fp inv() const;
    /// A square root when one exists (a^((p+1)/4), p = 3 mod 4).
    std::optional<Fp> sqrt() const;
    /// Legendre symbol test; zero counts as a square.
    bool is_square() const;
    /// RFC 9380 section 4.1 sgn0: parity of the canonical value.
    bool sgn0() const { return to_limbs()[0] & 1; }
    /// ZCash serialization sign: the canonical value is > (p-1)/2.
    bool is_lexicographically_largest() const;
};

/// Parses a big-endian hex constant (no prefix, at most 96 digits, value < p) for the built-in
/// curve constants; invalid digits are a programming error (asserted).
Fp fp_from_hex(const char* hex);

}  // namespace fuse::bls12_381
