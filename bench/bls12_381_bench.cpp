// Google Benchmark timings for the BLS12-381 / KZG precompiles (timings belong here, not in
// tests). Run: build/release/bench/bls12_381_bench (see bench/README.md)
#include <benchmark/benchmark.h>

#include "bls12_381/encoding.hpp"
#include "bls12_381/precompiles.hpp"
#include "core/hex.hpp"

namespace {

using namespace fuse;
using namespace fuse::bls12_381;

Bytes g1_bytes(uint64_t k) {
    Bytes out(kG1EncodedSize);
    encode_g1(G1::from_affine(g1_generator()).mul(&k, 1).to_affine(), out.data());
    return out;
}
Bytes g2_bytes(uint64_t k) {
    Bytes out(kG2EncodedSize);
    encode_g2(G2::from_affine(g2_generator()).mul(&k, 1).to_affine(), out.data());
    return out;
}
Bytes full_scalar(uint64_t seed) {
    Bytes s(32);
    for (size_t i = 0; i < 32; ++i)
        s[i] = uint8_t(seed * 0x9e3779b97f4a7c15ULL >> (i % 8 * 8)) ^ i;
    s[0] &= 0x7f;
    return s;
}

template <typename Fn>
void run(benchmark::State& state, Fn fn, const Bytes& in) {
    for (auto _ : state) {
        auto r = fn(in);
        if (!r) state.SkipWithError("precompile failed");
        benchmark::DoNotOptimize(r);
    }
}

void BM_G1Add(benchmark::State& state) {
    Bytes in = g1_bytes(3);
    const Bytes b = g1_bytes(5);
    in.insert(in.end(), b.begin(), b.end());
    run(state, g1_add, in);
}
void BM_G2Add(benchmark::State& state) {
    Bytes in = g2_bytes(3);
    const Bytes b = g2_bytes(5);
    in.insert(in.end(), b.begin(), b.end());
    run(state, g2_add, in);
}
void BM_G1Msm(benchmark::State& state) {
    Bytes in;
    for (int64_t i = 0; i < state.range(0); ++i) {
        const Bytes p = g1_bytes(uint64_t(i) + 2), s = full_scalar(uint64_t(i));
        in.insert(in.end(), p.begin(), p.end());
        in.insert(in.end(), s.begin(), s.end());
    }
    run(state, g1_msm, in);
    state.counters["gas"] = double(g1_msm_gas(in.size()));
}
void BM_G2Msm(benchmark::State& state) {
    Bytes in;
    for (int64_t i = 0; i < state.range(0); ++i) {
        const Bytes p = g2_bytes(uint64_t(i) + 2), s = full_scalar(uint64_t(i));
        in.insert(in.end(), p.begin(), p.end());
        in.insert(in.end(), s.begin(), s.end());
    }
    run(state, g2_msm, in);
    state.counters["gas"] = double(g2_msm_gas(in.size()));
}
void BM_Pairing(benchmark::State& state) {
    Bytes in;
    for (int64_t i = 0; i < state.range(0); ++i) {
        const Bytes p = g1_bytes(uint64_t(i) + 2), q = g2_bytes(uint64_t(i) + 3);
        in.insert(in.end(), p.begin(), p.end());
        in.insert(in.end(), q.begin(), q.end());
    }
    run(state, pairing_check, in);
    state.counters["gas"] = double(pairing_gas(in.size()));
}
void BM_MapFpToG1(benchmark::State& state) {
    Bytes in(64, 0);
    in[40] = 0x12;
    in[63] = 0x34;
    run(state, map_fp_to_g1, in);
}
void BM_MapFp2ToG2(benchmark::State& state) {
    Bytes in(128, 0);
    in[40] = 0x12;
    in[100] = 0x34;
    run(state, map_fp2_to_g2, in);
}
void BM_KzgPointEvaluation(benchmark::State& state) {
    // go-ethereum core/vm/testdata/precompiles/pointEvaluation.json
    const Bytes in = *from_hex(
        "01e798154708fe7789429634053cbf9f99b619f9f084048927333fce637f549b564c0a11a0f704f4fc3e8acf"
        "e0f8245f0ad1347b378fbf96e206da11a5d3630624d25032e67a7e6a4910df5834b8fe70e6bcfeeac0352434"
        "196bdf4b2485d5a18f59a8d2a1a625a17f3fea0fe5eb8c896db3764f3185481bc22f91b4aaffcca25f269368"
        "57bc3a7c2539ea8ec3a952b7873033e038326e87ed3e1276fd140253fa08e9fc25fb2d9a98527fc22a2c9612"
        "fbeafdad446cbc7bcdbdcd780af2c16a");
    run(state, kzg_point_evaluation, in);
}

BENCHMARK(BM_G1Add);
BENCHMARK(BM_G2Add);
BENCHMARK(BM_G1Msm)->Arg(1)->Arg(8)->Arg(128);
BENCHMARK(BM_G2Msm)->Arg(1)->Arg(8)->Arg(128);
BENCHMARK(BM_Pairing)->Arg(1)->Arg(2)->Arg(4);
BENCHMARK(BM_MapFpToG1);
BENCHMARK(BM_MapFp2ToG2);
BENCHMARK(BM_KzgPointEvaluation);

}  // namespace

BENCHMARK_MAIN();
