#pragma once
/// 256-bit unsigned integer: the EVM word (Yellow Paper §9.1). Four little-endian 64-bit limbs,
/// trivially copyable, no heap. Signed EVM operations (SDIV, SMOD, SAR, SLT, SGT, SIGNEXTEND)
/// read the same bits as two's complement.
///
/// Inline and `constexpr`: construction, comparison, bitwise ops, add/sub/mul, shifts.
/// Out of line (uint256.cpp): division (Knuth D), addmod/mulmod (512-bit intermediates), exp,
/// text conversions.

#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/bytes.hpp"
#include "core/result.hpp"

/// x86-64 carry-chain builtins and DIV; define FUSE_UINT256_PORTABLE (for the whole program:
/// the inline functions must not differ between files) to build and test the portable code.
#if defined(__x86_64__) && !defined(FUSE_UINT256_PORTABLE)
#define FUSE_UINT256_X86_64 1
#else
#define FUSE_UINT256_X86_64 0
#endif

namespace fuse {

/// Errors of `uint256::from_hex` / `from_dec`.
enum class NumberError {
    kEmpty,         ///< no digits at all ("" or "0x")
    kBadCharacter,  ///< a character that is not a digit of the base
    kOverflow,      ///< the value does not fit in 256 bits
};

/// Human-readable reason for a number parsing error.
const char* to_string(NumberError e);

namespace detail {
__extension__ using uint128_t = unsigned __int128;
}  // namespace detail

/// The EVM word. Arithmetic wraps modulo 2^256; division and modulus by zero give 0 (EVM rule).
struct uint256 {
    uint64_t w[4];  ///< limbs, w[0] least significant

    constexpr uint256() noexcept : w{0, 0, 0, 0} {}
    /// Zero-extends: a negative `int` argument becomes 2^64 - |v|, not -|v| (use `-uint256{v}`).
    constexpr uint256(uint64_t v) noexcept : w{v, 0, 0, 0} {}  // NOLINT: implicit by design
    constexpr uint256(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept
        : w{w0, w1, w2, w3} {}

    /// The largest value, 2^256 - 1.
    static constexpr uint256 max() noexcept { return {~0ull, ~0ull, ~0ull, ~0ull}; }

    /// Big-endian bytes, left-padded; input longer than 32 bytes keeps only its last 32 bytes.
    static uint256 from_be(ByteView be) noexcept;
    /// Exactly 32 big-endian bytes.
    static uint256 from_be32(const uint8_t* be) noexcept {
        uint256 r;
        for (int i = 0; i < 4; ++i) {
            uint64_t v;
            std::memcpy(&v, be + 8 * i, 8);
            r.w[3 - i] = to_big_endian64(v);
        }
        return r;
    }
    /// Writes 32 big-endian bytes.
    void to_be(uint8_t* out32) const noexcept {
        for (int i = 0; i < 4; ++i) {
            const uint64_t v = to_big_endian64(w[3 - i]);
            std::memcpy(out32 + 8 * i, &v, 8);
        }
    }
    /// The 32-byte big-endian word (e.g. a storage key or value as hashed in the trie).
    Hash32 to_hash() const noexcept {
        Hash32 h;
        to_be(h.data());
        return h;
    }
    static uint256 from_hash(const Hash32& h) noexcept { return from_be32(h.data()); }

    /// Parses hex digits with an optional "0x"/"0X" prefix; leading zeros are allowed.
    static Result<uint256, NumberError> from_hex(std::string_view s) noexcept;
    /// Parses decimal digits.
    static Result<uint256, NumberError> from_dec(std::string_view s) noexcept;
    /// "0x"-prefixed lower-case hex with no leading zeros; "0x0" for zero (JSON-RPC QUANTITY).
    std::string to_hex() const;
    /// Decimal digits.
    std::string to_dec() const;

    constexpr explicit operator bool() const noexcept { return !is_zero(); }
    constexpr bool is_zero() const noexcept { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    constexpr uint64_t low64() const noexcept { return w[0]; }
    constexpr bool fits_u64() const noexcept { return (w[1] | w[2] | w[3]) == 0; }
    /// Number of leading zero bits; 256 for zero.
    constexpr unsigned count_leading_zeros() const noexcept {
        for (int i = 3; i >= 0; --i)
            if (w[i] != 0) return unsigned(64 * (3 - i) + std::countl_zero(w[i]));
        return 256;
    }
    /// Number of significant bits; 0 for zero.
    constexpr unsigned bit_width() const noexcept { return 256 - count_leading_zeros(); }
    /// Number of significant bytes; 0 for zero.
    constexpr unsigned byte_width() const noexcept { return (bit_width() + 7) / 8; }

    friend constexpr bool operator==(const uint256& a, const uint256& b) noexcept {
        return ((a.w[0] ^ b.w[0]) | (a.w[1] ^ b.w[1]) | (a.w[2] ^ b.w[2]) | (a.w[3] ^ b.w[3])) == 0;
    }
    friend constexpr std::strong_ordering operator<=>(const uint256& a, const uint256& b) noexcept {
        for (int i = 3; i >= 0; --i)
            if (a.w[i] != b.w[i])
                return a.w[i] < b.w[i] ? std::strong_ordering::less : std::strong_ordering::greater;
        return std::strong_ordering::equal;
    }

    friend constexpr uint256 operator&(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] & b.w[0], a.w[1] & b.w[1], a.w[2] & b.w[2], a.w[3] & b.w[3]};
    }
    friend constexpr uint256 operator|(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] | b.w[0], a.w[1] | b.w[1], a.w[2] | b.w[2], a.w[3] | b.w[3]};
    }
    friend constexpr uint256 operator^(const uint256& a, const uint256& b) noexcept {
        return {a.w[0] ^ b.w[0], a.w[1] ^ b.w[1], a.w[2] ^ b.w[2], a.w[3] ^ b.w[3]};
    }
    friend constexpr uint256 operator~(const uint256& a) noexcept {
        return {~a.w[0], ~a.w[1], ~a.w[2], ~a.w[3]};
    }

    friend constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept;
    friend constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept;
    friend constexpr uint256 operator-(const uint256& a) noexcept { return uint256{} - a; }
    friend constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept;
    /// Unsigned division; division by zero gives 0 (EVM DIV).
    friend uint256 operator/(const uint256& a, const uint256& b) noexcept;
    /// Unsigned remainder; modulus zero gives 0 (EVM MOD).
    friend uint256 operator%(const uint256& a, const uint256& b) noexcept;

    /// Shifts by `n` bits; `n >= 256` gives 0 (EVM SHL/SHR, EIP-145).
    friend constexpr uint256 operator<<(const uint256& x, uint64_t n) noexcept;
    friend constexpr uint256 operator>>(const uint256& x, uint64_t n) noexcept;
    friend constexpr uint256 operator<<(const uint256& x, const uint256& n) noexcept {
        return n.fits_u64() ? x << n.w[0] : uint256{};
    }
    friend constexpr uint256 operator>>(const uint256& x, const uint256& n) noexcept {
        return n.fits_u64() ? x >> n.w[0] : uint256{};
    }

    constexpr uint256& operator+=(const uint256& b) noexcept { return *this = *this + b; }
    constexpr uint256& operator-=(const uint256& b) noexcept { return *this = *this - b; }
    constexpr uint256& operator*=(const uint256& b) noexcept { return *this = *this * b; }
    uint256& operator/=(const uint256& b) noexcept { return *this = *this / b; }
    uint256& operator%=(const uint256& b) noexcept { return *this = *this % b; }
    constexpr uint256& operator&=(const uint256& b) noexcept { return *this = *this & b; }
    constexpr uint256& operator|=(const uint256& b) noexcept { return *this = *this | b; }
    constexpr uint256& operator^=(const uint256& b) noexcept { return *this = *this ^ b; }
    constexpr uint256& operator<<=(uint64_t n) noexcept { return *this = *this << n; }
    constexpr uint256& operator>>=(uint64_t n) noexcept { return *this = *this >> n; }
    constexpr uint256& operator++() noexcept { return *this += 1; }
    constexpr uint256& operator--() noexcept { return *this -= 1; }

private:
    /// Byte swap on little-endian hosts (its own inverse).
    static uint64_t to_big_endian64(uint64_t v) noexcept {
        if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
        return v;
    }
};

/// A 512-bit product, limbs little-endian (w[0] least significant).
struct uint512 {
    uint64_t w[8];
    constexpr uint256 lo() const noexcept { return {w[0], w[1], w[2], w[3]}; }
    constexpr uint256 hi() const noexcept { return {w[4], w[5], w[6], w[7]}; }
};

/// A sum or difference with its carry-out / borrow-out bit.
struct WithCarry {
    uint256 value;
    bool carry;
};

/// Quotient and remainder of an unsigned division.
struct DivResult {
    uint256 quot;
    uint256 rem;
};

/// a + b + carry_in, with the carry out of bit 255.
constexpr WithCarry add_with_carry(const uint256& a, const uint256& b,
                                   bool carry_in = false) noexcept {
    WithCarry r{};
#if FUSE_UINT256_X86_64
    if (!std::is_constant_evaluated()) {  // an ADD/ADC chain
        unsigned char c = carry_in;
        unsigned long long o;
        for (int i = 0; i < 4; ++i) {
            c = __builtin_ia32_addcarryx_u64(c, a.w[i], b.w[i], &o);
            r.value.w[i] = o;
        }
        r.carry = c != 0;
        return r;
    }
#endif
    uint64_t c = carry_in;
    for (int i = 0; i < 4; ++i) {
        const uint64_t s = a.w[i] + b.w[i];
        const uint64_t t = s + c;
        c = uint64_t(s < a.w[i]) | uint64_t(t < s);
        r.value.w[i] = t;
    }
    r.carry = c != 0;
    return r;
}

/// a - b - borrow_in, with the borrow out of bit 255 (set when a < b + borrow_in).
constexpr WithCarry sub_with_borrow(const uint256& a, const uint256& b,
                                    bool borrow_in = false) noexcept {
    WithCarry r{};
#if FUSE_UINT256_X86_64
    if (!std::is_constant_evaluated()) {  // a SUB/SBB chain
        unsigned char c = borrow_in;
        unsigned long long o;
        for (int i = 0; i < 4; ++i) {
#if defined(__clang__)
            c = __builtin_ia32_subborrow_u64(c, a.w[i], b.w[i], &o);
#else
            c = __builtin_ia32_sbb_u64(c, a.w[i], b.w[i], &o);
#endif
            r.value.w[i] = o;
        }
        r.carry = c != 0;
        return r;
    }
#endif
    uint64_t c = borrow_in;
    for (int i = 0; i < 4; ++i) {
        const uint64_t d = a.w[i] - b.w[i];
        const uint64_t t = d - c;
        c = uint64_t(a.w[i] < b.w[i]) | uint64_t(d < c);
        r.value.w[i] = t;
    }
    r.carry = c != 0;
    return r;
}

constexpr uint256 operator+(const uint256& a, const uint256& b) noexcept {
    return add_with_carry(a, b).value;
}
constexpr uint256 operator-(const uint256& a, const uint256& b) noexcept {
    return sub_with_borrow(a, b).value;
}

namespace detail {
/// acc (a 192-bit column accumulator: 128 bits in `acc`, the rest in `hi`) += v.
constexpr void add_column(uint128_t& acc, uint64_t& hi, uint128_t v) noexcept {
    acc += v;
    hi += acc < v;
}
}  // namespace detail

/// Product modulo 2^256 (EVM MUL, Yellow Paper appendix H). Column-wise (Comba): the limb products
/// are independent, so the dependency chain is short (about 5x lower latency than row-by-row on
/// x86-64); the top column only needs low halves.
constexpr uint256 operator*(const uint256& a, const uint256& b) noexcept {
    using detail::uint128_t;
    uint256 r;
    uint128_t acc = 0;
#pragma GCC unroll 4
    for (int k = 0; k < 3; ++k) {
        uint64_t hi = 0;
#pragma GCC unroll 4
        for (int i = 0; i <= k; ++i)
            detail::add_column(acc, hi, uint128_t(a.w[i]) * b.w[k - i]);
        r.w[k] = uint64_t(acc);
        acc = (acc >> 64) | (uint128_t(hi) << 64);
    }
    r.w[3] = uint64_t(acc) + a.w[0] * b.w[3] + a.w[1] * b.w[2] + a.w[2] * b.w[1] + a.w[3] * b.w[0];
    return r;
}

/// Full 512-bit product a * b (column-wise like operator*).
constexpr uint512 umul(const uint256& a, const uint256& b) noexcept {
    using detail::uint128_t;
    uint512 r{};
    uint128_t acc = 0;
#pragma GCC unroll 8
    for (int k = 0; k < 7; ++k) {
        uint64_t hi = 0;
#pragma GCC unroll 4
        for (int i = k < 3 ? 0 : k - 3; i <= (k < 3 ? k : 3); ++i)
            detail::add_column(acc, hi, uint128_t(a.w[i]) * b.w[k - i]);
        r.w[k] = uint64_t(acc);
        acc = (acc >> 64) | (uint128_t(hi) << 64);
    }
    r.w[7] = uint64_t(acc);
    return r;
}

// Shifts: whole limbs by a switch with constant indices, then bits with branch-free funnel
// shifts ((y << 1) << (63 - bits) is y >> (64 - bits), and 0 for bits == 0). Writing limbs
// through a variable index instead stored them one by one to the stack, and the next 128-bit
// load of the result stalled on store forwarding (measured: SHR 5.9 ns, most of it that stall).
constexpr uint256 operator<<(const uint256& x, uint64_t n) noexcept {
    if (n >= 256) return {};
    uint256 y;
    switch (n / 64) {
        case 0:
            y = x;
            break;
        case 1:
            y = {0, x.w[0], x.w[1], x.w[2]};
            break;
        case 2:
            y = {0, 0, x.w[0], x.w[1]};
            break;
        default:
            y = {0, 0, 0, x.w[0]};
            break;
    }
    const unsigned bits = unsigned(n % 64), inv = 63 - bits;
    return {y.w[0] << bits, (y.w[1] << bits) | ((y.w[0] >> 1) >> inv),
            (y.w[2] << bits) | ((y.w[1] >> 1) >> inv), (y.w[3] << bits) | ((y.w[2] >> 1) >> inv)};
}

constexpr uint256 operator>>(const uint256& x, uint64_t n) noexcept {
    if (n >= 256) return {};
    uint256 y;
    switch (n / 64) {
        case 0:
            y = x;
            break;
        case 1:
            y = {x.w[1], x.w[2], x.w[3], 0};
            break;
        case 2:
            y = {x.w[2], x.w[3], 0, 0};
            break;
        default:
            y = {x.w[3], 0, 0, 0};
            break;
    }
    const unsigned bits = unsigned(n % 64), inv = 63 - bits;
    return {(y.w[0] >> bits) | ((y.w[1] << 1) << inv), (y.w[1] >> bits) | ((y.w[2] << 1) << inv),
            (y.w[2] >> bits) | ((y.w[3] << 1) << inv), y.w[3] >> bits};
}

/// True when the two's-complement value is negative (bit 255 set).
constexpr bool is_negative(const uint256& x) noexcept {
    return (x.w[3] >> 63) != 0;
}

/// Quotient and remainder; division by zero gives {0, 0}. Knuth, TAOCP vol. 2, 4.3.1 D.
DivResult udivrem(const uint256& u, const uint256& v) noexcept;
/// Signed division rounding toward zero; b == 0 gives 0; sdiv(-2^255, -1) = -2^255 (EVM SDIV).
uint256 sdiv(const uint256& a, const uint256& b) noexcept;
/// Signed remainder with the sign of `a`; b == 0 gives 0 (EVM SMOD).
uint256 smod(const uint256& a, const uint256& b) noexcept;
/// (a + b) mod m without overflow of the sum; m == 0 gives 0 (EVM ADDMOD).
uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept;
/// (a * b) mod m over the full 512-bit product; m == 0 gives 0 (EVM MULMOD).
uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept;
/// base^exponent mod 2^256 by square-and-multiply (EVM EXP).
uint256 exp(uint256 base, const uint256& exponent) noexcept;

/// Sign-extends `x` from byte `b` (0 = least significant); b >= 31 leaves x (EVM SIGNEXTEND).
constexpr uint256 signextend(const uint256& b, const uint256& x) noexcept {
    if (!b.fits_u64() || b.w[0] >= 31) return x;
    const uint64_t bit = b.w[0] * 8 + 7;  // the sign bit, 7..247
    const unsigned limb = unsigned(bit / 64), off = unsigned(bit % 64);
    const bool neg = ((x.w[limb] >> off) & 1) != 0;
    uint256 r = x;
    const uint64_t keep = off == 63 ? ~0ull : (2ull << off) - 1;  // bits 0..off of that limb
    r.w[limb] = neg ? (x.w[limb] | ~keep) : (x.w[limb] & keep);
    for (unsigned i = limb + 1; i < 4; ++i)
        r.w[i] = neg ? ~0ull : 0;
    return r;
}

/// Byte `i` of `x` counted from the most significant (0) end; i >= 32 gives 0 (EVM BYTE).
constexpr uint256 byte_at(const uint256& i, const uint256& x) noexcept {
    if (!i.fits_u64() || i.w[0] >= 32) return {};
    const uint64_t from_low = 31 - i.w[0];
    return (x.w[from_low / 8] >> (8 * (from_low % 8))) & 0xff;
}

/// Arithmetic shift right; shift >= 256 gives 0 or -1 by the sign of x (EVM SAR, EIP-145).
constexpr uint256 sar(const uint256& shift, const uint256& x) noexcept {
    if (!is_negative(x)) return x >> shift;
    if (!shift.fits_u64() || shift.w[0] >= 256) return uint256::max();
    return ~(~x >> shift.w[0]);
}

/// Signed less-than (EVM SLT).
constexpr bool slt(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    return na != nb ? na : a < b;
}
/// Signed greater-than (EVM SGT).
constexpr bool sgt(const uint256& a, const uint256& b) noexcept {
    return slt(b, a);
}

/// Writes "0x..." (uint256::to_hex) so test frameworks can print values.
std::ostream& operator<<(std::ostream& os, const uint256& x);

namespace detail {
/// Parses digits of `base` (10 or 16) without any prefix; shared by from_hex/from_dec and
/// the _u256 literal. Digit separators (') are skipped when `allow_separators`.
constexpr bool parse_digits(std::string_view s, unsigned base, bool allow_separators, uint256& out,
                            NumberError& err) noexcept {
    uint256 r;
    bool any = false;
    for (char c : s) {
        if (allow_separators && c == '\'') continue;
        unsigned d;
        if (c >= '0' && c <= '9')
            d = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = unsigned(c - 'A' + 10);
        else {
            err = NumberError::kBadCharacter;
            return false;
        }
        any = true;
        if (base == 16) {
            if ((r.w[3] >> 60) != 0) {
                err = NumberError::kOverflow;
                return false;
            }
            r = (r << 4) | d;
        } else {
            // r * 10 + d, checking the carry out of the top limb.
            uint64_t k = d;
            for (int i = 0; i < 4; ++i) {
                const uint128_t t = uint128_t(r.w[i]) * 10 + k;
                r.w[i] = uint64_t(t);
                k = uint64_t(t >> 64);
            }
            if (k != 0) {
                err = NumberError::kOverflow;
                return false;
            }
        }
    }
    if (!any) {
        err = NumberError::kEmpty;
        return false;
    }
    out = r;
    return true;
}

/// floor((2^128 - 1) / d) - 2^64 for a normalized d (bit 63 set): the reciprocal that turns
/// 128/64 division into multiplications. One DIV instruction on x86-64, else
/// reciprocal_2by1_newton. Internal; declared here for its tests.
uint64_t reciprocal_2by1(uint64_t d) noexcept;
/// The same by table lookup and Newton steps (Möller & Granlund, "Improved division by
/// invariant integers", 2011, Algorithm 2), for targets without a fast 128/64 divide.
uint64_t reciprocal_2by1_newton(uint64_t d) noexcept;
/// q = u / d for an n-limb u and d != 0, returning u % d, by reciprocal multiplication: the
/// portable path of the one-limb-divisor case (x86-64 uses DIV). Internal; for its tests.
uint64_t udivrem_by1_reciprocal(uint64_t* q, const uint64_t* u, int n, uint64_t d) noexcept;

/// Not constexpr on purpose: reaching it in a constant expression makes a bad literal a
/// compile error.
[[noreturn]] void invalid_u256_literal() noexcept;
}  // namespace detail

/// 256-bit literal, hex (0x...) or decimal: `0xffffffffffffffffffffffffffffffffff_u256`.
constexpr uint256 operator""_u256(const char* s) noexcept {
    std::string_view sv(s);
    unsigned base = 10;
    if (sv.size() >= 2 && sv[0] == '0' && (sv[1] == 'x' || sv[1] == 'X')) {
        sv.remove_prefix(2);
        base = 16;
    }
    uint256 r;
    NumberError err{};
    if (!detail::parse_digits(sv, base, true, r, err)) detail::invalid_u256_literal();
    return r;
}

}  // namespace fuse

template <>
struct std::hash<fuse::uint256> {
    size_t operator()(const fuse::uint256& x) const noexcept {
        // Every limb weighted differently, so values like {a, a, 0, 0} do not collide.
        const uint64_t h = x.w[0] + x.w[1] * 0xC2B2AE3D27D4EB4Full +
                           x.w[2] * 0x165667B19E3779F9ull + x.w[3] * 0x27D4EB2F165667C5ull;
        return size_t((h ^ (h >> 29)) * 0x9E3779B97F4A7C15ull);
    }
};
