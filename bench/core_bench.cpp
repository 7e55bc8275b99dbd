// uint256 micro-benchmarks (the EVM's arithmetic opcodes), with GMP's mpz as a reference point
// for division and mulmod. Each iteration runs one operation on the next pair of a table of
// random inputs, so results are not constant-folded and branches see realistic data.
#include <benchmark/benchmark.h>
#include <gmp.h>

#include <algorithm>
#include <random>
#include <vector>

#include "core/uint256.hpp"

namespace fuse {
namespace {

constexpr size_t kTable = 1024;  // power of two

/// The machine is shared: with --benchmark_repetitions, the minimum is the figure least
/// disturbed by other processes.
double min_of(const std::vector<double>& v) {
    return *std::min_element(v.begin(), v.end());
}
#define FUSE_BENCHMARK(fn) BENCHMARK(fn)->ComputeStatistics("min", min_of)

/// A random value with exactly `bits` significant bits (bits in 0..256).
uint256 random_bits(std::mt19937_64& rng, unsigned bits) {
    if (bits == 0) return {};
    uint256 x{rng(), rng(), rng(), rng()};
    x = x >> (256 - bits);
    return x | (uint256{1} << (bits - 1));
}

std::vector<uint256> table(unsigned bits, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint256> v(kTable);
    for (auto& x : v)
        x = random_bits(rng, bits);
    return v;
}

/// Runs `op(a[i], b[i])` over the tables, one pair per iteration.
template <typename Op>
void run_binary(benchmark::State& state, const std::vector<uint256>& a,
                const std::vector<uint256>& b, Op op) {
    size_t i = 0;
    for (auto _ : state) {
        auto r = op(a[i], b[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
}

void BM_add(benchmark::State& s) {
    run_binary(s, table(256, 1), table(256, 2), [](auto& x, auto& y) { return x + y; });
}
void BM_sub(benchmark::State& s) {
    run_binary(s, table(256, 1), table(256, 2), [](auto& x, auto& y) { return x - y; });
}
void BM_mul(benchmark::State& s) {
    run_binary(s, table(256, 1), table(256, 2), [](auto& x, auto& y) { return x * y; });
}
void BM_umul(benchmark::State& s) {
    run_binary(s, table(256, 1), table(256, 2), [](auto& x, auto& y) { return umul(x, y); });
}
FUSE_BENCHMARK(BM_add);
FUSE_BENCHMARK(BM_sub);
FUSE_BENCHMARK(BM_mul);
FUSE_BENCHMARK(BM_umul);

/// Latency: each result feeds the next operation (as in EXP's square-and-multiply chain).
void BM_mul_latency(benchmark::State& s) {
    const auto a = table(256, 1);
    uint256 x = a[0];
    size_t i = 0;
    for (auto _ : s) {
        x = x * a[i];
        i = (i + 1) & (kTable - 1);
    }
    benchmark::DoNotOptimize(x);
}
FUSE_BENCHMARK(BM_mul_latency);

/// Args: dividend bits, divisor bits.
void BM_div(benchmark::State& s) {
    run_binary(s, table(unsigned(s.range(0)), 3), table(unsigned(s.range(1)), 4),
               [](auto& x, auto& y) { return x / y; });
}
void BM_mod(benchmark::State& s) {
    run_binary(s, table(unsigned(s.range(0)), 3), table(unsigned(s.range(1)), 4),
               [](auto& x, auto& y) { return x % y; });
}
void div_args(benchmark::internal::Benchmark* b) {
    for (auto [n, d] :
         {std::pair{64, 64}, {128, 64}, {256, 64}, {256, 128}, {256, 192}, {256, 256}, {192, 128}})
        b->Args({n, d});
}
FUSE_BENCHMARK(BM_div)->Apply(div_args);
FUSE_BENCHMARK(BM_mod)->Args({256, 128});

void BM_sdiv(benchmark::State& s) {
    auto a = table(256, 5), b = table(128, 6);
    for (size_t i = 0; i < kTable; i += 2)
        b[i] = -b[i];
    run_binary(s, a, b, [](auto& x, auto& y) { return sdiv(x, y); });
}
FUSE_BENCHMARK(BM_sdiv);

void BM_addmod(benchmark::State& s) {
    const auto m = table(unsigned(s.range(0)), 9);
    const auto a = table(256, 7), b = table(256, 8);
    size_t i = 0;
    for (auto _ : s) {
        auto r = addmod(a[i], b[i], m[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
}
void BM_mulmod(benchmark::State& s) {
    const auto m = table(unsigned(s.range(0)), 9);
    const auto a = table(256, 7), b = table(256, 8);
    size_t i = 0;
    for (auto _ : s) {
        auto r = mulmod(a[i], b[i], m[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
}
/// Operands already reduced mod m (the usual case in modular code): the fast path.
void BM_addmod_reduced(benchmark::State& s) {
    const auto m = table(256, 9);
    auto a = table(256, 7), b = table(256, 8);
    for (size_t i = 0; i < kTable; ++i) {
        a[i] = a[i] % m[i];
        b[i] = b[i] % m[i];
    }
    size_t i = 0;
    for (auto _ : s) {
        auto r = addmod(a[i], b[i], m[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
}
/// One prime modulus (BN254's p, as in weierstrudel), reduced operands, each product feeding
/// the next (x = x * y mod p): the latency of MULMOD inside field arithmetic.
void BM_mulmod_field_latency(benchmark::State& s) {
    const uint256 p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47_u256;
    auto y = table(256, 8);
    for (auto& v : y)
        v = v % p;
    uint256 x = y[7];
    size_t i = 0;
    for (auto _ : s) {
        x = mulmod(x, y[i], p);
        benchmark::DoNotOptimize(x);
        i = (i + 1) & (kTable - 1);
    }
}
FUSE_BENCHMARK(BM_mulmod_field_latency);
FUSE_BENCHMARK(BM_addmod)->Arg(256)->Arg(64);
FUSE_BENCHMARK(BM_addmod_reduced);
FUSE_BENCHMARK(BM_mulmod)->Arg(256)->Arg(128)->Arg(64);

/// Arg: exponent bits (the EVM charges per exponent byte).
void BM_exp(benchmark::State& s) {
    run_binary(s, table(256, 10), table(unsigned(s.range(0)), 11),
               [](auto& x, auto& y) { return exp(x, y); });
}
FUSE_BENCHMARK(BM_exp)->Arg(8)->Arg(64)->Arg(256);

std::vector<uint256> shifts() {
    std::mt19937_64 rng(12);
    std::vector<uint256> v(kTable);
    for (auto& x : v)
        x = rng() % 256;
    return v;
}
void BM_shl(benchmark::State& s) {
    run_binary(s, table(256, 13), shifts(), [](auto& x, auto& n) { return x << n; });
}
void BM_shr(benchmark::State& s) {
    run_binary(s, table(256, 13), shifts(), [](auto& x, auto& n) { return x >> n; });
}
void BM_sar(benchmark::State& s) {
    run_binary(s, table(256, 13), shifts(), [](auto& x, auto& n) { return sar(n, x); });
}
FUSE_BENCHMARK(BM_shl);
FUSE_BENCHMARK(BM_shr);
FUSE_BENCHMARK(BM_sar);

void BM_from_be32(benchmark::State& s) {
    std::vector<uint8_t> bytes(kTable * 32);
    std::mt19937_64 rng(14);
    for (auto& b : bytes)
        b = uint8_t(rng());
    size_t i = 0;
    for (auto _ : s) {
        auto r = uint256::from_be32(bytes.data() + 32 * i);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
}
void BM_to_be(benchmark::State& s) {
    const auto a = table(256, 15);
    uint8_t out[32];
    size_t i = 0;
    for (auto _ : s) {
        a[i].to_be(out);
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
        i = (i + 1) & (kTable - 1);
    }
}
FUSE_BENCHMARK(BM_from_be32);
FUSE_BENCHMARK(BM_to_be);

// ---- GMP reference: the same operations on preallocated mpz_t (no allocation in the loop).

std::vector<mpz_t*> to_mpz(const std::vector<uint256>& v) {
    std::vector<mpz_t*> out;
    for (const auto& x : v) {
        auto* z = new mpz_t[1];
        mpz_init2(*z, 512);
        mpz_import(*z, 4, -1, sizeof(uint64_t), 0, 0, x.w);
        out.push_back(z);
    }
    return out;
}
void free_mpz(std::vector<mpz_t*>& v) {
    for (auto* z : v) {
        mpz_clear(*z);
        delete[] z;
    }
}

void BM_div_gmp(benchmark::State& s) {
    auto a = to_mpz(table(unsigned(s.range(0)), 3)), b = to_mpz(table(unsigned(s.range(1)), 4));
    mpz_t q, r;
    mpz_init2(q, 512);
    mpz_init2(r, 512);
    size_t i = 0;
    for (auto _ : s) {
        mpz_tdiv_qr(q, r, *a[i], *b[i]);
        benchmark::DoNotOptimize(q);
        i = (i + 1) & (kTable - 1);
    }
    mpz_clear(q);
    mpz_clear(r);
    free_mpz(a);
    free_mpz(b);
}
FUSE_BENCHMARK(BM_div_gmp)->Apply(div_args);

void BM_mulmod_gmp(benchmark::State& s) {
    auto m = to_mpz(table(unsigned(s.range(0)), 9));
    auto a = to_mpz(table(256, 7)), b = to_mpz(table(256, 8));
    mpz_t p, r;
    mpz_init2(p, 1024);
    mpz_init2(r, 512);
    size_t i = 0;
    for (auto _ : s) {
        mpz_mul(p, *a[i], *b[i]);
        mpz_tdiv_r(r, p, *m[i]);
        benchmark::DoNotOptimize(r);
        i = (i + 1) & (kTable - 1);
    }
    mpz_clear(p);
    mpz_clear(r);
    free_mpz(m);
    free_mpz(a);
    free_mpz(b);
}
FUSE_BENCHMARK(BM_mulmod_gmp)->Arg(256)->Arg(128)->Arg(64);

}  // namespace
}  // namespace fuse

BENCHMARK_MAIN();
