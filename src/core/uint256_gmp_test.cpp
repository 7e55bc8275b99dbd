// Randomized differential tests of uint256 against GMP (the reference), over values of every
// bit length and limb patterns chosen to hit the corner cases of Knuth's division (limbs of 0,
// 1, 2^63, 2^64-1), so that every EVM arithmetic operation agrees with exact big-integer math.
#include <gtest/gtest.h>

#include <random>

#include "core/uint256.hpp"
#include "core/uint256_gmp_ref.hpp"

namespace fuse {
namespace {

constexpr int kIterations = 20000;

/// Random values of every bit length plus limb patterns that stress carries and division.
class Gen {
public:
    explicit Gen(uint64_t seed) : rng_(seed) {}

    uint256 next() {
        uint256 x;
        switch (rng_() % 4) {
            case 0: {  // uniform bit length 0..256
                for (auto& l : x.w)
                    l = rng_();
                return x >> (rng_() % 257);
            }
            case 1: {  // limbs from a set of special values, random length
                static constexpr uint64_t kSpecial[] = {0,         1,          ~0ull,
                                                        ~0ull - 1, 1ull << 63, (1ull << 63) - 1};
                for (auto& l : x.w)
                    l = rng_() % 3 == 0 ? rng_() : kSpecial[rng_() % 6];
                return x >> (64 * (rng_() % 4));
            }
            case 2: {  // small
                return uint256{rng_() % 1000};
            }
            default: {  // full width
                for (auto& l : x.w)
                    l = rng_();
                return x;
            }
        }
    }
    uint64_t u64() { return rng_(); }

private:
    std::mt19937_64 rng_;
};

TEST(Uint256Gmp, Reciprocal) {
    // Against the definition, computed with a (slow) 128-bit division.
    std::mt19937_64 rng(9);
    auto check = [](uint64_t d) {
        const uint64_t want = uint64_t(((detail::uint128_t(~d) << 64) | ~0ull) / d);
        ASSERT_EQ(detail::reciprocal_2by1(d), want) << d;
        ASSERT_EQ(detail::reciprocal_2by1_newton(d), want) << d;
    };
    for (uint64_t d : {1ull << 63, (1ull << 63) + 1, ~0ull, ~0ull - 1, 0xc000000000000000ull})
        check(d);
    for (int i = 0; i < 1000000; ++i)
        check(rng() | (1ull << 63));
    for (int i = 0; i < 512; ++i) {  // both ends of every table slot
        const uint64_t d9 = 256 + uint64_t(i / 2);
        check((d9 << 55) | (i % 2 ? (1ull << 55) - 1 : 0));
    }
}

TEST(Uint256Gmp, DivideByOneLimbReciprocal) {
    // The portable one-limb path (x86-64 divides by DIV instead); same checks as DivMod.
    Gen g(10);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 a = g.next();
        const uint64_t d = g.next().low64() | (i % 5 == 0 ? 1ull << 63 : 1);
        uint256 q;
        const uint64_t r = detail::udivrem_by1_reciprocal(q.w, a.w, 4, d);
        Mpz ma(a), mq, mr;
        mpz_tdiv_qr_ui(mq.get(), mr.get(), ma.get(), d);
        ASSERT_EQ(q, mq.to_u256()) << a << " / " << d;
        ASSERT_EQ(uint256{r}, mr.to_u256()) << a << " % " << d;
    }
}

TEST(Uint256Gmp, AddSubMul) {
    Gen g(1);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 a = g.next(), b = g.next();
        Mpz ma(a), mb(b), r;
        mpz_add(r.get(), ma.get(), mb.get());
        ASSERT_EQ(a + b, r.to_u256()) << a << " + " << b;
        ASSERT_EQ(add_with_carry(a, b).carry, mpz_sizeinbase(r.get(), 2) > 256) << a << b;
        mpz_sub(r.get(), ma.get(), mb.get());
        ASSERT_EQ(a - b, r.to_u256()) << a << " - " << b;
        ASSERT_EQ(sub_with_borrow(a, b).carry, mpz_sgn(r.get()) < 0) << a << b;
        ASSERT_EQ(-a, (uint256{} - a));
        mpz_mul(r.get(), ma.get(), mb.get());
        ASSERT_EQ(a * b, r.to_u256()) << a << " * " << b;
        const uint512 p = umul(a, b);
        Mpz hi;
        mpz_fdiv_q_2exp(hi.get(), r.get(), 256);
        ASSERT_EQ(p.lo(), r.to_u256()) << a << " * " << b;
        ASSERT_EQ(p.hi(), hi.to_u256()) << a << " * " << b;
    }
}

TEST(Uint256Gmp, DivMod) {
    Gen g(2);
    for (int i = 0; i < kIterations * 4; ++i) {
        const uint256 a = g.next(), b = g.next();
        const DivResult qr = udivrem(a, b);
        if (b.is_zero()) {
            ASSERT_EQ(qr.quot, uint256{});
            ASSERT_EQ(qr.rem, uint256{});
            continue;
        }
        Mpz ma(a), mb(b), q, r;
        mpz_tdiv_qr(q.get(), r.get(), ma.get(), mb.get());
        ASSERT_EQ(qr.quot, q.to_u256()) << a << " / " << b;
        ASSERT_EQ(qr.rem, r.to_u256()) << a << " % " << b;
        ASSERT_EQ(a / b, qr.quot);
        ASSERT_EQ(a % b, qr.rem);
    }
}

TEST(Uint256Gmp, SignedDivMod) {
    Gen g(3);
    for (int i = 0; i < kIterations * 2; ++i) {
        uint256 a = g.next(), b = g.next();
        if (g.u64() % 2) a = -a;
        if (g.u64() % 2) b = -b;
        if (b.is_zero()) {
            ASSERT_EQ(sdiv(a, b), uint256{});
            ASSERT_EQ(smod(a, b), uint256{});
            continue;
        }
        Mpz sa, sb, q, r;
        to_signed(sa, a);
        to_signed(sb, b);
        mpz_tdiv_qr(q.get(), r.get(), sa.get(), sb.get());  // truncating, like the EVM
        ASSERT_EQ(sdiv(a, b), q.to_u256()) << a << " sdiv " << b;
        ASSERT_EQ(smod(a, b), r.to_u256()) << a << " smod " << b;
        ASSERT_EQ(slt(a, b), mpz_cmp(sa.get(), sb.get()) < 0) << a << " slt " << b;
        ASSERT_EQ(sgt(a, b), mpz_cmp(sa.get(), sb.get()) > 0) << a << " sgt " << b;
    }
}

TEST(Uint256Gmp, AddmodMulmod) {
    Gen g(4);
    for (int i = 0; i < kIterations * 2; ++i) {
        const uint256 a = g.next(), b = g.next();
        uint256 m = g.next();
        if (i % 7 == 0) m = uint256::max() - g.u64() % 3;  // sums that overflow 256 bits
        if (m.is_zero()) {
            ASSERT_EQ(addmod(a, b, m), uint256{});
            ASSERT_EQ(mulmod(a, b, m), uint256{});
            continue;
        }
        Mpz ma(a), mb(b), mm(m), r;
        mpz_add(r.get(), ma.get(), mb.get());
        mpz_mod(r.get(), r.get(), mm.get());
        ASSERT_EQ(addmod(a, b, m), r.to_u256()) << a << " " << b << " " << m;
        // Reduced operands take the fast path (a + b may still carry out of 256 bits).
        const uint256 ar = a % m, br = b % m;
        Mpz mar(ar), mbr(br);
        mpz_add(r.get(), mar.get(), mbr.get());
        mpz_mod(r.get(), r.get(), mm.get());
        ASSERT_EQ(addmod(ar, br, m), r.to_u256()) << ar << " " << br << " " << m;
        mpz_mul(r.get(), ma.get(), mb.get());
        mpz_mod(r.get(), r.get(), mm.get());
        ASSERT_EQ(mulmod(a, b, m), r.to_u256()) << a << " " << b << " " << m;
    }
}

/// mulmod / addmod against GMP for one (a, b, m).
void check_modular(const uint256& a, const uint256& b, const uint256& m) {
    Mpz ma(a), mb(b), mm(m), r;
    mpz_mul(r.get(), ma.get(), mb.get());
    mpz_mod(r.get(), r.get(), mm.get());
    ASSERT_EQ(mulmod(a, b, m), r.to_u256()) << a << " * " << b << " mod " << m;
    mpz_add(r.get(), ma.get(), mb.get());
    mpz_mod(r.get(), r.get(), mm.get());
    ASSERT_EQ(addmod(a, b, m), r.to_u256()) << a << " + " << b << " mod " << m;
}

TEST(Uint256Gmp, MulmodFourLimbModulus) {
    // The paths for m >= 2^192 (every 256-bit prime field): division for a modulus not seen
    // on the previous call (reduced operands skip the first quotient limb), Barrett reduction
    // for a repeated one; moduli of every top-limb length, several alternating.
    Gen g(11);
    const uint256 bn254_p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47_u256;
    const uint256 secp_p = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f_u256;
    for (int i = 0; i < kIterations * 2; ++i) {
        uint256 m = g.next();
        m.w[3] |= uint64_t{1} << (g.u64() % 64);  // top limb nonzero, any bit length
        if (i % 5 == 0) m = bn254_p;
        if (i % 5 == 1) m = secp_p;
        const uint256 a = g.next(), b = g.next();
        check_modular(a, b, m);
        // The first call with a new modulus divides; the next ones with the same modulus use
        // the cached Barrett constant (reduced and unreduced operands).
        check_modular(a % m, b % m, m);
        check_modular(a, b, m);
        check_modular(uint256::max() - a, uint256::max(), m);  // the largest products
    }
    // Many calls in a row with one modulus (the Barrett path), then the division path again.
    for (const uint256& m : {bn254_p, secp_p}) {
        for (int i = 0; i < kIterations; ++i)
            check_modular(g.next(), g.next(), m);
    }
}

TEST(Uint256Gmp, MulmodQuotientLimbAllOnes) {
    // Windows whose top two limbs equal the divisor's (the quotient limb is 2^64 - 1), which
    // random inputs almost never reach: products m * (2^256 - 1 - k) and neighbours.
    Gen g(12);
    const uint256 ones = uint256::max();
    for (int i = 0; i < kIterations; ++i) {
        uint256 m = g.next();
        m.w[3] |= uint64_t{1} << (g.u64() % 64);
        if (i % 3 == 0) m.w[0] = m.w[1] = 0;  // low limbs zero: the next limbs match as well
        const uint64_t k = g.u64() % 4;
        check_modular(m, ones - k, m);
        check_modular(m - 1, ones - k, m);
        check_modular(m + 1, ones - k, m);
        check_modular(ones - k, m - 2, m);
        check_modular(m - 1, m - 1, m);
    }
    // A modulus with 2^64 - 1 limbs and shift 0.
    for (uint64_t k = 0; k < 64; ++k) {
        check_modular(ones, ones - k, ones);
        check_modular(ones - 1, ones - k, ones - k);
    }
}

TEST(Uint256Gmp, PowerOfTwoDivisors) {
    // DIV/MOD/ADDMOD/MULMOD by 2^k take a shift-and-mask path.
    Gen g(13);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 a = g.next(), b = g.next();
        const unsigned k = unsigned(g.u64() % 256);
        const uint256 m = uint256{1} << k;
        Mpz ma(a), mm(m), q, r;
        mpz_tdiv_qr(q.get(), r.get(), ma.get(), mm.get());
        ASSERT_EQ(a / m, q.to_u256()) << a << " / 2^" << k;
        ASSERT_EQ(a % m, r.to_u256()) << a << " % 2^" << k;
        check_modular(a, b, m);
        check_modular(uint256::max(), uint256::max() - b, m);  // the sum carries out
    }
}

TEST(Uint256Gmp, Exp) {
    Gen g(5);
    Mpz two256;
    mpz_ui_pow_ui(two256.get(), 2, 256);
    for (int i = 0; i < kIterations / 4; ++i) {
        const uint256 base = g.next(), e = g.next();
        Mpz mb(base), me(e), r;
        mpz_powm(r.get(), mb.get(), me.get(), two256.get());
        ASSERT_EQ(exp(base, e), r.to_u256()) << base << " ** " << e;
    }
}

TEST(Uint256Gmp, ShiftsAndBitwise) {
    Gen g(6);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 x = g.next(), y = g.next();
        const uint64_t n = g.u64() % 300;
        Mpz mx(x), r, sx;
        mpz_mul_2exp(r.get(), mx.get(), n);
        ASSERT_EQ(x << n, r.to_u256()) << x << " << " << n;
        ASSERT_EQ(x << uint256{n}, r.to_u256());
        mpz_fdiv_q_2exp(r.get(), mx.get(), n);
        ASSERT_EQ(x >> n, r.to_u256()) << x << " >> " << n;
        ASSERT_EQ(x >> uint256{n}, r.to_u256());
        to_signed(sx, x);
        mpz_fdiv_q_2exp(r.get(), sx.get(), n);  // floor division is an arithmetic shift
        ASSERT_EQ(sar(uint256{n}, x), r.to_u256()) << x << " sar " << n;
        const uint256 huge{n, 0, 1, 0};
        ASSERT_EQ(x << huge, uint256{});
        ASSERT_EQ(sar(huge, x), is_negative(x) ? uint256::max() : uint256{});

        Mpz my(y);
        mpz_and(r.get(), mx.get(), my.get());
        ASSERT_EQ(x & y, r.to_u256());
        mpz_ior(r.get(), mx.get(), my.get());
        ASSERT_EQ(x | y, r.to_u256());
        mpz_xor(r.get(), mx.get(), my.get());
        ASSERT_EQ(x ^ y, r.to_u256());
        mpz_com(r.get(), mx.get());
        ASSERT_EQ(~x, r.to_u256());
        ASSERT_EQ(x < y, mpz_cmp(mx.get(), my.get()) < 0);
        ASSERT_EQ(x == y, mpz_cmp(mx.get(), my.get()) == 0);
        ASSERT_EQ(x.bit_width(), x.is_zero() ? 0u : mpz_sizeinbase(mx.get(), 2));
    }
}

TEST(Uint256Gmp, SignextendAndByte) {
    Gen g(7);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 x = g.next();
        const uint64_t b = g.u64() % 40;
        Mpz mx(x), r;
        if (b < 31) {
            const unsigned bits = unsigned(8 * (b + 1));
            mpz_fdiv_r_2exp(r.get(), mx.get(), bits);
            if (mpz_tstbit(r.get(), bits - 1)) {
                Mpz p;
                mpz_ui_pow_ui(p.get(), 2, bits);
                mpz_sub(r.get(), r.get(), p.get());
            }
            ASSERT_EQ(signextend(uint256{b}, x), r.to_u256()) << b << " " << x;
        } else {
            ASSERT_EQ(signextend(uint256{b}, x), x);
        }
        if (b < 32) {
            mpz_fdiv_q_2exp(r.get(), mx.get(), 8 * (31 - b));
            mpz_fdiv_r_2exp(r.get(), r.get(), 8);
            ASSERT_EQ(byte_at(uint256{b}, x), r.to_u256()) << b << " " << x;
        } else {
            ASSERT_EQ(byte_at(uint256{b}, x), uint256{});
        }
    }
}

TEST(Uint256Gmp, TextAndBytes) {
    Gen g(8);
    for (int i = 0; i < kIterations; ++i) {
        const uint256 x = g.next();
        Mpz mx(x);
        char buf[100];
        mpz_get_str(buf, 10, mx.get());
        ASSERT_EQ(x.to_dec(), buf);
        ASSERT_EQ(*uint256::from_dec(buf), x);
        mpz_get_str(buf, 16, mx.get());
        ASSERT_EQ(x.to_hex(), std::string("0x") + buf);
        ASSERT_EQ(*uint256::from_hex(x.to_hex()), x);
        uint8_t be[32];
        x.to_be(be);
        ASSERT_EQ(uint256::from_be32(be), x);
        const unsigned skip = 32 - x.byte_width();
        ASSERT_EQ(uint256::from_be(ByteView(be + skip, 32 - skip)), x);
        if (skip > 0) {
            ASSERT_EQ(be[skip - 1], 0);
        }
    }
}

}  // namespace
}  // namespace fuse
