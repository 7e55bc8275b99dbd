#include "bls12_381/fp.hpp"

#include <gtest/gtest.h>

#include "bls12_381/fp12.hpp"
#include "bls12_381/fp2.hpp"

namespace fuse::bls12_381 {
namespace {

/// A deterministic stream of field elements (xorshift limbs, top limb masked below p).
struct Rng {
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    Fp fp() {
        Limbs6 v;
        for (auto& w : v)
            w = next();
        v[5] &= 0x0fffffffffffffffULL;
        return Fp::from_limbs(v);
    }
    Fp2 fp2() { return {fp(), fp()}; }
    Fp6 fp6() { return {fp2(), fp2(), fp2()}; }
    Fp12 fp12() { return {fp6(), fp6()}; }
};

TEST(Fp, RoundTripBytes) {
    uint8_t be[48];
    Fp::from_u64(0x1234).to_be48(be);
    for (int i = 0; i < 46; ++i)
        EXPECT_EQ(be[i], 0);
    EXPECT_EQ(be[46], 0x12);
    EXPECT_EQ(be[47], 0x34);
    const auto back = Fp::from_be48(be);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, Fp::from_u64(0x1234));
}

TEST(Fp, RejectsModulusAndAbove) {
    uint8_t be[48];
    const Limbs6 p = fp_const::kModulus;
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 8; ++j)
            be[(5 - i) * 8 + j] = uint8_t(p[i] >> (56 - 8 * j));
    EXPECT_FALSE(Fp::from_be48(be));
    be[47] -= 1;  // p - 1 is valid and equals -1
    const auto m1 = Fp::from_be48(be);
    ASSERT_TRUE(m1);
    EXPECT_EQ(*m1, -Fp::one());
}

TEST(Fp, SmallArithmetic) {
    EXPECT_EQ(Fp::from_u64(7) * Fp::from_u64(6), Fp::from_u64(42));
    EXPECT_EQ(Fp::from_u64(7) - Fp::from_u64(9) + Fp::from_u64(2), Fp::zero());
    EXPECT_EQ(Fp::from_u64(3) * Fp::from_u64(3).inv(), Fp::one());
    EXPECT_EQ(Fp::zero().inv(), Fp::zero());
}

TEST(Fp, FieldLaws) {
    Rng rng;
    for (int i = 0; i < 50; ++i) {
        const Fp a = rng.fp(), b = rng.fp(), c = rng.fp();
        EXPECT_EQ((a + b) * c, a * c + b * c);
        EXPECT_EQ(a * b, b * a);
        EXPECT_EQ(a - a, Fp::zero());
        if (!a.is_zero()) {
            EXPECT_EQ(a * a.inv(), Fp::one());
            // The binary-GCD inverse agrees with Fermat's a^(p-2).
            EXPECT_EQ(a.inv(), a.pow(fp_const::kPMinus2.data(), 6));
        }
        const Fp sq = a.square();
        const auto r = sq.sqrt();
        ASSERT_TRUE(r);
        EXPECT_TRUE(*r == a || *r == -a);
        EXPECT_TRUE(sq.is_square());
    }
    // -1 is not a square since p = 3 mod 4.
    EXPECT_FALSE((-Fp::one()).is_square());
    EXPECT_FALSE((-Fp::one()).sqrt());
}

TEST(Fp, Sgn0AndLexOrder) {
    EXPECT_TRUE(Fp::one().sgn0());
    EXPECT_FALSE(Fp::from_u64(2).sgn0());
    EXPECT_TRUE((-Fp::from_u64(2)).sgn0());  // p - 2 is odd
    EXPECT_FALSE(Fp::one().is_lexicographically_largest());
    EXPECT_TRUE((-Fp::one()).is_lexicographically_largest());
}

TEST(Fp2, FieldLaws) {
    Rng rng;
    const Fp2 u{Fp::zero(), Fp::one()};
    EXPECT_EQ(u.square(), -Fp2::one());
    for (int i = 0; i < 30; ++i) {
        const Fp2 a = rng.fp2(), b = rng.fp2(), c = rng.fp2();
        EXPECT_EQ((a + b) * c, a * c + b * c);
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(a * a.inv(), Fp2::one());
        const auto r = a.square().sqrt();
        ASSERT_TRUE(r);
        EXPECT_TRUE(*r == a || *r == -a);
        EXPECT_EQ(a.is_square(), a.sqrt().has_value());
        const Fp2 xi{Fp::one(), Fp::one()};
        EXPECT_EQ(a.mul_by_xi(), a * xi);
    }
}

TEST(Fp12, FieldLaws) {
    Rng rng;
    for (int i = 0; i < 10; ++i) {
        const Fp6 a6 = rng.fp6(), b6 = rng.fp6();
        EXPECT_EQ(a6 * a6.inv(), Fp6::one());
        EXPECT_EQ(a6 * b6, b6 * a6);
        const Fp12 a = rng.fp12(), b = rng.fp12(), c = rng.fp12();
        EXPECT_EQ((a * b) * c, a * (b * c));
        EXPECT_EQ(a.square(), a * a);
        EXPECT_EQ(a * a.inv(), Fp12::one());
        // Frobenius is a ring homomorphism and equals x -> x^p.
        EXPECT_EQ((a * b).frobenius(), a.frobenius() * b.frobenius());
        if (i == 0) {
            EXPECT_EQ(a.frobenius(), a.pow(fp_const::kModulus.data(), 6));
        }
        // Twelve Frobenius steps are the identity; six are conjugation.
        Fp12 f = a;
        for (int k = 0; k < 6; ++k)
            f = f.frobenius();
        EXPECT_EQ(f, a.conj());
        for (int k = 0; k < 6; ++k)
            f = f.frobenius();
        EXPECT_EQ(f, a);
    }
}

}  // namespace
}  // namespace fuse::bls12_381
