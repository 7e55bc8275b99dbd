// Benchmarks for the precompiles whose gas prices assume fast implementations:
// ecrecover, BN254 add/mul/pairing (2 pairs), modexp, blake2f. Figures in bench/README.md.
#include <benchmark/benchmark.h>

#include <string>

#include "core/hex.hpp"
#include "precompiles/precompiles.hpp"

namespace {

using fuse::Bytes;
using fuse::precompiles::PrecompileId;

Bytes hex(const std::string& s) {
    auto r = fuse::from_hex(s);
    return r ? *r : Bytes{};
}

void run_precompile(benchmark::State& state, PrecompileId id, const Bytes& input) {
    for (auto _ : state) {
        auto out = fuse::precompiles::run(id, input);
        if (!out) state.SkipWithError("precompile failed");
        benchmark::DoNotOptimize(out);
    }
    state.counters["gas"] = double(fuse::precompiles::gas_cost(id, input));
}

// go-ethereum ecRecover.json "ValidKey".
const std::string kEcRecoverInput =
    "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c"
    "000000000000000000000000000000000000000000000000000000000000001c"
    "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f"
    "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";

// go-ethereum bn256Add.json "chfast1", bn256ScalarMul.json "cdetrio1" (scalar 2^256 - 1).
const std::string kAddInput =
    "18b18acfb4c2c30276db5411368e7185b311dd124691610c5d3b74034e093dc9"
    "063c909c4720840cb5134cb9f59fa749755796819658d32efc0d288198f37266"
    "07c2b7f58a84bd6145f00c9c2bc0bb1a187f20ff2c92963a88019e7c6a014eed"
    "06614e20c147e940f2d70da3f74c9a17df361706a4485c742bd6788478fa17d7";
const std::string kMulInput =
    "1a87b0584ce92f4593d161480614f2989035225609f08058ccfa3d0f940febe3"
    "1a2f3c951f6dadcc7ee9007dff81504b0fcd6d7cf59996efdc33d92bf7f9f8f6"
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

// e(G1, G2) e(G1, -G2): 2 pairs (go-ethereum bn256Pairing.json "two_point_match_2").
const std::string kG1 =
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000002";
const std::string kG2 =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
const std::string kG2Neg =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec"
    "1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d";

std::string word(unsigned v) {
    char buf[65];
    std::snprintf(buf, sizeof(buf), "%064x", v);
    return buf;
}

// modexp with 32-byte base/exponent/modulus (secp256k1 p - 2: a field inversion) and with
// 256-byte operands and exponent 0x10001 (an RSA-2048 verification).
std::string modexp_input(unsigned len, const std::string& exp) {
    std::string base, mod;
    for (unsigned i = 0; i < len; ++i) {
        char b[3];
        std::snprintf(b, sizeof(b), "%02x", (i * 37 + 11) & 0xff);
        base += b;
        std::snprintf(b, sizeof(b), "%02x",
                      ((i * 91 + 200) & 0xff) | (i == 0 ? 0x80 : 0) | (i + 1 == len ? 1 : 0));
        mod += b;
    }
    return word(len) + word(unsigned(exp.size() / 2)) + word(len) + base + exp + mod;
}

void BM_EcRecover(benchmark::State& s) {
    run_precompile(s, PrecompileId::kEcRecover, hex(kEcRecoverInput));
}
void BM_Bn254Add(benchmark::State& s) {
    run_precompile(s, PrecompileId::kBn254Add, hex(kAddInput));
}
void BM_Bn254Mul(benchmark::State& s) {
    run_precompile(s, PrecompileId::kBn254Mul, hex(kMulInput));
}
void BM_Bn254Pairing2(benchmark::State& s) {
    run_precompile(s, PrecompileId::kBn254Pairing, hex(kG1 + kG2 + kG1 + kG2Neg));
}
void BM_ModExp256BitInverse(benchmark::State& s) {
    run_precompile(
        s, PrecompileId::kModExp,
        hex(modexp_input(32, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2d")));
}
void BM_ModExp2048BitRsaVerify(benchmark::State& s) {
    run_precompile(s, PrecompileId::kModExp, hex(modexp_input(256, "010001")));
}
void BM_Blake2f12Rounds(benchmark::State& s) {
    Bytes in(213, 0);
    in[3] = 12;
    in[212] = 1;
    run_precompile(s, PrecompileId::kBlake2f, in);
}

BENCHMARK(BM_EcRecover);
BENCHMARK(BM_Bn254Add);
BENCHMARK(BM_Bn254Mul);
BENCHMARK(BM_Bn254Pairing2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ModExp256BitInverse)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ModExp2048BitRsaVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Blake2f12Rounds);

}  // namespace

BENCHMARK_MAIN();
