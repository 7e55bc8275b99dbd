#include "core/uint256.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ostream>

namespace fuse {
namespace {

using detail::uint128_t;

/// v0 = floor((2^19 - 3 * 2^8) / d9) for the top 9 bits d9 in [256, 511] of the divisor.
constexpr auto kReciprocalTable = [] {
    std::array<uint16_t, 256> t{};
    for (unsigned i = 0; i < 256; ++i)
        t[i] = uint16_t(0x7fd00 / (256 + i));
    return t;
}();

inline uint64_t umulh(uint64_t a, uint64_t b) noexcept {
    return uint64_t((uint128_t(a) * b) >> 64);
}

#if FUSE_UINT256_X86_64
/// DIV r64: (hi:lo) / d for hi < d. Recent x86-64 cores (Zen 3+, Ice Lake+) divide in about
/// 10-18 cycles, less than the table-and-Newton reciprocal's dependency chain (measured here:
/// 5.6 ns against 11.5 ns latency).
inline uint64_t hw_divide(uint64_t hi, uint64_t lo, uint64_t d, uint64_t& rem) noexcept {
    uint64_t q;
    asm("divq %4" : "=a"(q), "=d"(rem) : "a"(lo), "d"(hi), "rm"(d));
    return q;
}
#endif

struct QR64 {
    uint64_t q, r;
};

/// (u1:u0) / d for normalized d with u1 < d, using the reciprocal v (Algorithm 4 of the paper).
inline QR64 udivrem_2by1(uint64_t u1, uint64_t u0, uint64_t d, uint64_t v) noexcept {
    uint128_t q = uint128_t(v) * u1;
    q += (uint128_t(u1) << 64) | u0;
    uint64_t q1 = uint64_t(q >> 64) + 1;
    const uint64_t q0 = uint64_t(q);
    uint64_t r = u0 - q1 * d;
    if (r > q0) {
        --q1;
        r += d;
    }
    if (r >= d) [[unlikely]] {
        ++q1;
        r -= d;
    }
    return {q1, r};
}

}  // namespace

namespace detail {
uint64_t reciprocal_2by1_newton(uint64_t d) noexcept {
    const uint64_t d9 = d >> 55;
    const uint64_t v0 = kReciprocalTable[d9 - 256];
    const uint64_t d40 = (d >> 24) + 1;
    const uint64_t v1 = (v0 << 11) - ((v0 * v0 * d40) >> 40) - 1;
    const uint64_t v2 = (v1 << 13) + ((v1 * ((1ull << 60) - v1 * d40)) >> 47);
    const uint64_t d0 = d & 1;
    const uint64_t d63 = (d >> 1) + d0;  // ceil(d / 2)
    const uint64_t e = ((v2 >> 1) & (0 - d0)) - v2 * d63;
    const uint64_t v3 = (umulh(v2, e) >> 1) + (v2 << 31);
    const uint128_t p = uint128_t(v3) * d + d;
    return v3 - uint64_t(p >> 64) - d;
}

uint64_t udivrem_by1_reciprocal(uint64_t* q, const uint64_t* u, int n, uint64_t d) noexcept {
    const int s = std::countl_zero(d);
    d <<= s;
    const uint64_t v = reciprocal_2by1_newton(d);
    uint64_t r = s != 0 ? u[n - 1] >> (64 - s) : 0;
    for (int i = n - 1; i >= 0; --i) {
        const uint64_t lo = s != 0 ? (u[i] << s) | (i > 0 ? u[i - 1] >> (64 - s) : 0) : u[i];
        const QR64 qr = udivrem_2by1(r, lo, d, v);
        q[i] = qr.q;
        r = qr.r;
    }
    return r >> s;
}

uint64_t reciprocal_2by1(uint64_t d) noexcept {
#if FUSE_UINT256_X86_64
    uint64_t rem;
    return hw_divide(~d, ~0ull, d, rem);
#else
    return reciprocal_2by1_newton(d);
#endif
}
}  // namespace detail

namespace {

using detail::reciprocal_2by1;

/// The reciprocal of the normalized two-limb divisor (d1:d0) (Möller & Granlund, Algorithm 6).
inline uint64_t reciprocal_3by2(uint64_t d1, uint64_t d0) noexcept {
    uint64_t v = reciprocal_2by1(d1);
    uint64_t p = d1 * v + d0;
    if (p < d0) {
        --v;
        if (p >= d1) {
            --v;
            p -= d1;
        }
        p -= d1;
    }
    const uint128_t t = uint128_t(v) * d0;
    const uint64_t t1 = uint64_t(t >> 64), t0 = uint64_t(t);
    p += t1;
    if (p < t1) {
        --v;
        if (p > d1 || (p == d1 && t0 >= d0)) --v;
    }
    return v;
}

struct QR128 {
    uint64_t q;
    uint128_t r;
};

/// (u2:u1:u0) / (d1:d0) for a normalized divisor with (u2:u1) < (d1:d0): one quotient limb
/// and a two-limb remainder (Möller & Granlund, Algorithm 5).
inline QR128 udivrem_3by2(uint64_t u2, uint64_t u1, uint64_t u0, uint64_t d1, uint64_t d0,
                          uint64_t v) noexcept {
    uint128_t q = uint128_t(v) * u2;
    q += (uint128_t(u2) << 64) | u1;
    uint64_t q1 = uint64_t(q >> 64);
    const uint64_t q0 = uint64_t(q);
    const uint64_t r1 = u1 - q1 * d1;
    const uint128_t d = (uint128_t(d1) << 64) | d0;
    uint128_t r = ((uint128_t(r1) << 64) | u0) - uint128_t(d0) * q1 - d;
    ++q1;
    if (uint64_t(r >> 64) >= q0) {
        --q1;
        r += d;
    }
    if (r >= d) [[unlikely]] {
        ++q1;
        r -= d;
    }
    return {q1, r};
}

/// Significant limbs of a little-endian number.
inline int limb_count(const uint64_t* x, int n) noexcept {
    while (n > 0 && x[n - 1] == 0)
        --n;
    return n;
}

/// q = u / d, returns u % d; u has n limbs, d != 0.
uint64_t udivrem_by1(uint64_t* q, const uint64_t* u, int n, uint64_t d) noexcept {
#if FUSE_UINT256_X86_64
    uint64_t r = 0;  // r < d holds throughout, so DIV cannot overflow
    for (int i = n - 1; i >= 0; --i)
        q[i] = hw_divide(r, u[i], d, r);
    return r;
#else
    return detail::udivrem_by1_reciprocal(q, u, n, d);
#endif
}

/// Knuth's algorithm D (TAOCP vol. 2, 4.3.1) for m-limb u by n-limb v, 2 <= n <= m <= 8,
/// v[n-1] != 0. Writes m-n+1 quotient limbs to q and n remainder limbs to r.
/// The divisor length is a template parameter so the limb loops unroll.
template <int n>
void udivrem_knuth_n(uint64_t* q, uint64_t* r, const uint64_t* u, int m,
                     const uint64_t* v) noexcept {
    const int s = std::countl_zero(v[n - 1]);
    uint64_t vn[4];
    uint64_t un[9];
    if (s != 0) {
        for (int i = n - 1; i > 0; --i)
            vn[i] = (v[i] << s) | (v[i - 1] >> (64 - s));
        vn[0] = v[0] << s;
        un[m] = u[m - 1] >> (64 - s);
        for (int i = m - 1; i > 0; --i)
            un[i] = (u[i] << s) | (u[i - 1] >> (64 - s));
        un[0] = u[0] << s;
    } else {
        std::copy(v, v + n, vn);
        std::copy(u, u + m, un);
        un[m] = 0;
    }
    const uint64_t d1 = vn[n - 1], d0 = vn[n - 2];
    const uint64_t rec = reciprocal_3by2(d1, d0);

    if constexpr (n ==
                  2) {  // each quotient limb and the running remainder come straight from 3-by-2
        uint128_t rem = (uint128_t(un[m]) << 64) | un[m - 1];
        for (int j = m - 2; j >= 0; --j) {
            const QR128 qr = udivrem_3by2(uint64_t(rem >> 64), uint64_t(rem), un[j], d1, d0, rec);
            q[j] = qr.q;
            rem = qr.r;
        }
        un[0] = uint64_t(rem);
        un[1] = uint64_t(rem >> 64);
        un[2] = 0;
    }

    for (int j = m - n; n > 2 && j >= 0; --j) {
        const uint64_t u2 = un[j + n], u1 = un[j + n - 1], u0 = un[j + n - 2];
        // The 3-by-2 estimate of the quotient limb is exact or one too large; when the top
        // two limbs equal the divisor's, the limb is 2^64 - 1.
        const uint64_t qhat =
            (u2 == d1 && u1 == d0) ? ~0ull : udivrem_3by2(u2, u1, u0, d1, d0, rec).q;
        // D4: un[j..j+n] -= qhat * vn.
        uint64_t k = 0;
        for (int i = 0; i < n; ++i) {
            const uint128_t p = uint128_t(qhat) * vn[i] + k;
            const uint64_t plo = uint64_t(p);
            const uint64_t t = un[i + j];
            un[i + j] = t - plo;
            k = uint64_t(p >> 64) + (t < plo);
        }
        uint64_t qfix = qhat;
        const uint64_t top = un[j + n];
        un[j + n] = top - k;
        if (top < k) {  // D6: qhat was one too large; add v back.
            --qfix;
            uint64_t c = 0;
            for (int i = 0; i < n; ++i) {
                const uint128_t t = uint128_t(un[i + j]) + vn[i] + c;
                un[i + j] = uint64_t(t);
                c = uint64_t(t >> 64);
            }
            un[j + n] += c;
        }
        q[j] = qfix;
    }
    if (s != 0) {
        for (int i = 0; i < n; ++i)
            r[i] = (un[i] >> s) | (un[i + 1] << (64 - s));
    } else {
        std::copy(un, un + n, r);
    }
}

void udivrem_knuth(uint64_t* q, uint64_t* r, const uint64_t* u, int m, const uint64_t* v,
                   int n) noexcept {
    switch (n) {
        case 2:
            return udivrem_knuth_n<2>(q, r, u, m, v);
        case 3:
            return udivrem_knuth_n<3>(q, r, u, m, v);
        default:
            return udivrem_knuth_n<4>(q, r, u, m, v);
    }
}

/// r = u mod v for an m-limb u (m <= 8) and a 4-limb v != 0.
uint256 mod_words(const uint64_t* u, int m, const uint256& v) noexcept {
    m = limb_count(u, m);
    const int n = limb_count(v.w, 4);
    uint256 r;
    if (m < n) {
        std::copy(u, u + m, r.w);
        return r;
    }
    uint64_t q[8];
    if (n == 1) {
        r.w[0] = udivrem_by1(q, u, m, v.w[0]);
        return r;
    }
    udivrem_knuth(q, r.w, u, m, v.w, n);
    return r;
}

/// True when x is a power of two (x != 0).
inline bool is_pow2(const uint256& x) noexcept {
    return !x.is_zero() && (x & (x - 1)).is_zero();
}

/// One step of the schoolbook division by the normalized four-limb divisor d: the window
/// (r3 r2 r1 r0 u), whose top four limbs are below d, becomes its remainder modulo d in
/// (r3 r2 r1 r0). The quotient limb comes from the 3-by-2 division of the top three limbs,
/// which also yields the top two remainder limbs, so only q * (d1:d0) is subtracted below
/// them (as GMP's sbpi1_div_qr does); a borrow out means q was one too large.
inline void reduce_step4(uint64_t& r3, uint64_t& r2, uint64_t& r1, uint64_t& r0, uint64_t u,
                         const uint64_t* d, uint64_t v) noexcept {
    if (r3 == d[3] && r2 == d[2]) [[unlikely]] {
        // The quotient limb is exactly 2^64 - 1: remainder = W - d * 2^64 + d, which is < d.
        const uint64_t w[5] = {u, r0, r1, r2, r3};
        const uint64_t sub[5] = {0, d[0], d[1], d[2], d[3]};
        const uint64_t add[5] = {d[0], d[1], d[2], d[3], 0};
        uint64_t out[5];
        uint128_t acc = 0;  // two's complement running sum of w - sub + add
        uint64_t carry = 0, borrow = 0;
        for (int i = 0; i < 5; ++i) {
            acc = uint128_t(w[i]) + add[i] + carry;
            carry = uint64_t(acc >> 64);
            const uint64_t lo = uint64_t(acc);
            const uint128_t diff = uint128_t(lo) - sub[i] - borrow;
            out[i] = uint64_t(diff);
            borrow = uint64_t(diff >> 64) & 1;
        }
        r0 = out[0];
        r1 = out[1];
        r2 = out[2];
        r3 = out[3];
        return;
    }
    const QR128 qr = udivrem_3by2(r3, r2, r1, d[3], d[2], v);
    const uint128_t p0 = uint128_t(qr.q) * d[0];
    const uint128_t p1 = uint128_t(qr.q) * d[1] + uint64_t(p0 >> 64);
    const uint256 window{u, r0, uint64_t(qr.r), uint64_t(qr.r >> 64)};
    const uint256 prod{uint64_t(p0), uint64_t(p1), uint64_t(p1 >> 64), 0};
    WithCarry x = sub_with_borrow(window, prod);
    if (x.carry) [[unlikely]]  // q was one too large: add d back (the carry out cancels)
        x.value = x.value + uint256{d[0], d[1], d[2], d[3]};
    r0 = x.value.w[0];
    r1 = x.value.w[1];
    r2 = x.value.w[2];
    r3 = x.value.w[3];
}

/// p mod m for a 512-bit p and a modulus with a nonzero top limb (m >= 2^192), by
/// schoolbook division with the divisor length fixed and the running remainder in registers.
uint256 mod512_by4_knuth(const uint512& p, const uint256& m) noexcept {
    const unsigned s = unsigned(std::countl_zero(m.w[3]));
    const uint256 dn = m << s;
    const uint64_t* d = dn.w;
    const uint64_t v = reciprocal_3by2(d[3], d[2]);
    // Normalize: u = p << s as 9 limbs; (x >> 1) >> (63 - s) is x >> (64 - s), and 0 for s = 0.
    uint64_t u[9];
    u[8] = (p.w[7] >> 1) >> (63 - s);
    for (int i = 7; i > 0; --i)
        u[i] = (p.w[i] << s) | ((p.w[i - 1] >> 1) >> (63 - s));
    u[0] = p.w[0] << s;
    uint64_t r3 = u[8], r2 = u[7], r1 = u[6], r0 = u[5];
    int j = 4;
    // With reduced operands p < m^2 < m * 2^256, so the top quotient limb is zero and the
    // first step can be skipped: the top four limbs u[7..4] are already below d.
    if (r3 == 0 && uint256{u[4], u[5], u[6], u[7]} < dn) {
        r3 = u[7];
        r2 = u[6];
        r1 = u[5];
        r0 = u[4];
        j = 3;
    }
    for (; j >= 0; --j)
        reduce_step4(r3, r2, r1, r0, u[j], d, v);
    // Denormalize.
    return {(r0 >> s) | ((r1 << 1) << (63 - s)), (r1 >> s) | ((r2 << 1) << (63 - s)),
            (r2 >> s) | ((r3 << 1) << (63 - s)), r3 >> s};
}

/// The 5-limb number a - b and whether it borrowed.
inline bool sub5(uint64_t* r, const uint64_t* a, const uint64_t* b) noexcept {
    uint64_t borrow = 0;
    for (int i = 0; i < 5; ++i) {
        const uint128_t t = uint128_t(a[i]) - b[i] - borrow;
        r[i] = uint64_t(t);
        borrow = uint64_t(t >> 64) & 1;
    }
    return borrow != 0;
}

/// Barrett reduction (Handbook of Applied Cryptography, Algorithm 14.42, base 2^64, k = 4) of a
/// 512-bit p by m >= 2^192, m not a power of two, with mu = floor(2^512 / m) (5 limbs).
/// Every multiplication is independent of the previous quotient limb, so the dependency chain
/// is three products long instead of Knuth's four sequential quotient steps.
uint256 mod512_barrett(const uint512& p, const uint256& m, const uint64_t* mu) noexcept {
    using detail::add_column;
    // q3 = floor(floor(p / 2^192) * mu / 2^320): columns 5..9 of the 5x5 product. Columns 0..2
    // are skipped (HAC Note 14.44): they add less than 6 * 2^256 < 2^320, so q3 comes out at
    // most one too small, and the true quotient is at most q3 + 3.
    const uint64_t* q1 = p.w + 3;
    uint64_t q3[5];
    uint128_t acc = 0;
#pragma GCC unroll 10
    for (int k = 3; k < 9; ++k) {
        uint64_t hi = 0;
#pragma GCC unroll 5
        for (int i = k < 5 ? 0 : k - 4; i <= (k < 5 ? k : 4); ++i)
            add_column(acc, hi, uint128_t(q1[i]) * mu[k - i]);
        if (k >= 5) q3[k - 5] = uint64_t(acc);
        acc = (acc >> 64) | (uint128_t(hi) << 64);
    }
    q3[4] = uint64_t(acc);
    // r = (p - q3 * m) mod 2^320, which is p - q3 * m < 4m < 2^258: columns 0..4 of q3 * m.
    uint64_t qm[5];
    acc = 0;
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
        uint64_t hi = 0;
#pragma GCC unroll 4
        for (int i = 0; i <= k; ++i)
            add_column(acc, hi, uint128_t(q3[i]) * m.w[k - i]);
        qm[k] = uint64_t(acc);
        acc = (acc >> 64) | (uint128_t(hi) << 64);
    }
    qm[4] = uint64_t(acc) + q3[1] * m.w[3] + q3[2] * m.w[2] + q3[3] * m.w[1] + q3[4] * m.w[0];
    uint64_t r[5], t[5];
    sub5(r, p.w, qm);
    const uint64_t m5[5] = {m.w[0], m.w[1], m.w[2], m.w[3], 0};
    for (int i = 0; i < 3; ++i)  // at most three corrections
        if (!sub5(t, r, m5)) std::copy(t, t + 5, r);
    return {r[0], r[1], r[2], r[3]};
}

/// Per-thread state of `mod512_by4`: the last modulus with its Barrett constant, and the last
/// modulus that missed. The constant costs a division, so it is only computed for a modulus
/// seen twice in a row (modular code reduces by one prime over and over); code that keeps
/// switching moduli stays on the division path. The cache only saves work: the result
/// never depends on it.
struct BarrettCache {
    uint256 m;  ///< 0: empty (never a modulus here)
    uint64_t mu[5];
    uint256 last_miss;
};

/// p mod m for a 512-bit p and m >= 2^192 that is not a power of two (MULMOD in every
/// 256-bit prime field).
uint256 mod512_by4(const uint512& p, const uint256& m) noexcept {
    thread_local BarrettCache cache{};
    if (cache.m == m) return mod512_barrett(p, m, cache.mu);
    if (cache.last_miss == m) {
        // mu = floor((2^512 - 1) / m), equal to floor(2^512 / m) as m is not a power of two.
        uint64_t ones[8];
        std::fill(ones, ones + 8, ~0ull);
        uint64_t rem[4];
        udivrem_knuth_n<4>(cache.mu, rem, ones, 8, m.w);
        cache.m = m;
        return mod512_barrett(p, m, cache.mu);
    }
    cache.last_miss = m;
    return mod512_by4_knuth(p, m);
}

}  // namespace

const char* to_string(NumberError e) {
    switch (e) {
        case NumberError::kEmpty:
            return "number has no digits";
        case NumberError::kBadCharacter:
            return "number has a character that is not a digit of its base";
        case NumberError::kOverflow:
            return "number does not fit in 256 bits";
    }
    return "unknown number error";
}

namespace detail {
void invalid_u256_literal() noexcept {
    std::abort();
}
}  // namespace detail

uint256 uint256::from_be(ByteView be) noexcept {
    if (be.size() >= 32) return from_be32(be.data() + (be.size() - 32));
    uint8_t buf[32] = {};
    std::copy(be.begin(), be.end(), buf + (32 - be.size()));
    return from_be32(buf);
}

DivResult udivrem(const uint256& u, const uint256& v) noexcept {
    DivResult res{};
    if (u < v) {
        res.rem = u;
        return res;
    }
    const int n = limb_count(v.w, 4);
    if (n == 0) return res;
    if (is_pow2(v)) {  // e.g. Solidity's shifts written as divisions: a shift and a mask
        const unsigned k = 64 * unsigned(n - 1) + unsigned(std::countr_zero(v.w[n - 1]));
        return {u >> k, u & (v - 1)};
    }
    if (n == 1) {
        if (u.fits_u64()) return {uint256{u.w[0] / v.w[0]}, uint256{u.w[0] % v.w[0]}};
        res.rem.w[0] = udivrem_by1(res.quot.w, u.w, limb_count(u.w, 4), v.w[0]);
        return res;
    }
    udivrem_knuth(res.quot.w, res.rem.w, u.w, limb_count(u.w, 4), v.w, n);
    return res;
}

uint256 operator/(const uint256& a, const uint256& b) noexcept {
    return udivrem(a, b).quot;
}

uint256 operator%(const uint256& a, const uint256& b) noexcept {
    return udivrem(a, b).rem;
}

uint256 sdiv(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a), nb = is_negative(b);
    const uint256 q = udivrem(na ? -a : a, nb ? -b : b).quot;
    return na != nb ? -q : q;
}

uint256 smod(const uint256& a, const uint256& b) noexcept {
    const bool na = is_negative(a);
    const uint256 r = udivrem(na ? -a : a, is_negative(b) ? -b : b).rem;
    return na ? -r : r;
}

uint256 addmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    if (m.is_zero()) return {};
    const WithCarry s = add_with_carry(a, b);
    if (a < m && b < m) {  // reduced operands (the usual case in modular code): a + b < 2m
        const WithCarry t = sub_with_borrow(s.value, m);
        return (s.carry || !t.carry) ? t.value : s.value;
    }
    if (is_pow2(m)) return s.value & (m - 1);  // the carry out is a multiple of m
    if (!s.carry) return udivrem(s.value, m).rem;
    const uint64_t u[5] = {s.value.w[0], s.value.w[1], s.value.w[2], s.value.w[3], 1};
    return mod_words(u, 5, m);
}

uint256 mulmod(const uint256& a, const uint256& b, const uint256& m) noexcept {
    if (is_pow2(m)) return (a * b) & (m - 1);  // 2^256 is a multiple of m
    if (m.w[3] != 0) return mod512_by4(umul(a, b), m);
    if (m.is_zero()) return {};
    const uint512 p = umul(a, b);
    return mod_words(p.w, 8, m);
}

uint256 exp(uint256 base, const uint256& exponent) noexcept {
    uint256 result = 1;
    const unsigned bits = exponent.bit_width();
    for (unsigned i = 0; i < bits; ++i) {
        if ((exponent.w[i / 64] >> (i % 64)) & 1) result *= base;
        if (i + 1 < bits) base *= base;
    }
    return result;
}

Result<uint256, NumberError> uint256::from_hex(std::string_view s) noexcept {
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    uint256 r;
    NumberError err{};
    if (!detail::parse_digits(s, 16, false, r, err)) return Unexpected{err};
    return r;
}

Result<uint256, NumberError> uint256::from_dec(std::string_view s) noexcept {
    uint256 r;
    NumberError err{};
    if (!detail::parse_digits(s, 10, false, r, err)) return Unexpected{err};
    return r;
}

std::string uint256::to_hex() const {
    static constexpr char kDigits[] = "0123456789abcdef";
    const unsigned nibbles = std::max(1u, (bit_width() + 3) / 4);
    std::string out(2 + nibbles, '0');
    out[1] = 'x';
    for (unsigned i = 0; i < nibbles; ++i)
        out[out.size() - 1 - i] = kDigits[(w[i / 16] >> (4 * (i % 16))) & 0xf];
    return out;
}

std::string uint256::to_dec() const {
    constexpr uint64_t kChunk = 10000000000000000000ull;  // 10^19
    char buf[80];
    char* p = buf + sizeof(buf);
    uint256 x = *this;
    do {
        uint256 q;
        uint64_t rem = udivrem_by1(q.w, x.w, 4, kChunk);
        x = q;
        for (int i = 0; i < 19 && (rem != 0 || !x.is_zero()); ++i, rem /= 10)
            *--p = char('0' + rem % 10);
    } while (!x.is_zero());
    if (p == buf + sizeof(buf)) *--p = '0';
    return std::string(p, buf + sizeof(buf));
}

std::ostream& operator<<(std::ostream& os, const uint256& x) {
    return os << x.to_hex();
}

}  // namespace fuse
