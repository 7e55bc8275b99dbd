#include "precompiles/precompiles.hpp"

#include <gmp.h>
#include <gtest/gtest.h>

#include <limits>

#include "core/hash.hpp"
#include "precompiles/test_util.hpp"

namespace fuse::precompiles {
namespace {

using test::hex;
using test::raw_hex;

Address addr(uint8_t last) {
    Address a;
    a[19] = last;
    return a;
}

Bytes run_ok(PrecompileId id, ByteView in) {
    auto r = run(id, in);
    EXPECT_TRUE(r.has_value()) << (r ? "" : to_string(r.error()));
    return r ? *r : Bytes{0xde, 0xad};
}

TEST(Dispatch, CancunAndPragueRanges) {
    EXPECT_FALSE(find_precompile(addr(0), false));
    EXPECT_FALSE(find_precompile(addr(0), true));
    for (uint8_t i = 1; i <= 0x0a; ++i) {
        ASSERT_TRUE(find_precompile(addr(i), false)) << int(i);
        EXPECT_EQ(uint8_t(*find_precompile(addr(i), false)), i);
    }
    EXPECT_FALSE(find_precompile(addr(0x0b), false));
    for (uint8_t i = 1; i <= 0x11; ++i) {
        ASSERT_TRUE(find_precompile(addr(i), true)) << int(i);
        EXPECT_EQ(uint8_t(*find_precompile(addr(i), true)), i);
    }
    EXPECT_FALSE(find_precompile(addr(0x12), true));
    EXPECT_FALSE(find_precompile(addr(0xff), true));
    Address high = addr(1);
    high[0] = 1;  // 0x0100..01 is an ordinary account
    EXPECT_FALSE(find_precompile(high, true));
    high = addr(1);
    high[18] = 1;  // 0x...0101
    EXPECT_FALSE(find_precompile(high, true));
}

TEST(Dispatch, ErrorsHaveMessages) {
    for (auto e : {PrecompileError::kInvalidInputLength, PrecompileError::kCoordinateTooLarge,
                   PrecompileError::kPointNotOnCurve, PrecompileError::kPointNotInSubgroup,
                   PrecompileError::kInvalidFinalFlag, PrecompileError::kBlsFailure,
                   PrecompileError::kNotAvailable})
        EXPECT_NE(to_string(e), "unknown precompile error");
}

TEST(Hashes, Sha256AndGas) {
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kSha256, {})),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const Bytes abc = {'a', 'b', 'c'};
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kSha256, abc)),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(gas_cost(PrecompileId::kSha256, {}), 60);
    EXPECT_EQ(gas_cost(PrecompileId::kSha256, Bytes(32)), 72);
    EXPECT_EQ(gas_cost(PrecompileId::kSha256, Bytes(33)), 84);
}

TEST(Hashes, Ripemd160LeftPaddedAndGas) {
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kRipemd160, {})),
              "0000000000000000000000009c1185a5c5e9fc54612808977ee8f548b2258d31");
    const Bytes abc = {'a', 'b', 'c'};
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kRipemd160, abc)),
              "0000000000000000000000008eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    EXPECT_EQ(gas_cost(PrecompileId::kRipemd160, {}), 600);
    EXPECT_EQ(gas_cost(PrecompileId::kRipemd160, Bytes(64)), 840);
    EXPECT_EQ(gas_cost(PrecompileId::kRipemd160, Bytes(65)), 960);
}

TEST(Identity, CopiesInputAndGas) {
    const Bytes in = {1, 2, 3, 4, 5};
    EXPECT_EQ(run_ok(PrecompileId::kIdentity, in), in);
    EXPECT_TRUE(run_ok(PrecompileId::kIdentity, {}).empty());
    EXPECT_EQ(gas_cost(PrecompileId::kIdentity, {}), 15);
    EXPECT_EQ(gas_cost(PrecompileId::kIdentity, Bytes(31)), 18);
    EXPECT_EQ(gas_cost(PrecompileId::kIdentity, Bytes(64)), 21);
}

// go-ethereum core/vm/testdata/precompiles/ecRecover.json.
const std::string kHash = "18c547e4f7b0f325ad1e56f57e26c745b09a3e503d86e00e5255ff7f715d3d1c";
const std::string kR = "73b1693892219d736caba55bdb67216e485557ea6b6af75f37096c9aa6a5a75f";
const std::string kS = "eeb940b1d03b21e36b0e47e79769f095fe2ab855bd91e3a38756b7d75a9c4549";
const std::string kV28 = "000000000000000000000000000000000000000000000000000000000000001c";
const std::string kV27 = "000000000000000000000000000000000000000000000000000000000000001b";
const char* kSigner = "000000000000000000000000a94f5374fce5edbc8e2a8697c15331677e6ebf0b";
const std::string kN = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

TEST(EcRecover, ValidKeyWithHighS) {
    // s of this vector is above n/2: the precompile accepts it (no low-s rule).
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kEcRecover, hex(kHash + kV28 + kR + kS))), kSigner);
    EXPECT_EQ(gas_cost(PrecompileId::kEcRecover, {}), 3000);
}

TEST(EcRecover, LowSTwinRecoversSameAddress) {
    // (r, n - s) with the other parity is the same signature.
    mpz_t n, s;
    mpz_init_set_str(n, kN.c_str(), 16);
    mpz_init_set_str(s, kS.c_str(), 16);
    mpz_sub(s, n, s);
    char buf[80];
    gmp_snprintf(buf, sizeof(buf), "%064Zx", s);
    mpz_clears(n, s, nullptr);
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kEcRecover, hex(kHash + kV27 + kR + buf))), kSigner);
    // Same s with the wrong parity recovers a different key.
    EXPECT_NE(raw_hex(run_ok(PrecompileId::kEcRecover, hex(kHash + kV27 + kR + kS))), kSigner);
}

TEST(EcRecover, InvalidInputsGiveEmptyOutput) {
    const std::string zero(64, '0');
    const std::string one = std::string(63, '0') + "1";
    const std::vector<std::string> bad = {
        // go-ethereum: unrecoverable key, high v bits.
        "a8b53bdf3306a35a7103ab5504a0c9b492295564b6202b1942a84ef30010728100000000000000000000000000"
        "0"
        "000000000000000000000000000000000001b30783565316530336635336365313862373732636362303039336"
        "66637"
        "316633663533663563373562373464636233316138356161386238383932623465386211223344556677889910"
        "1112"
        "1314151617181920212223242526272829303132",
        kHash + "100000000000000000000000000000000000000000000000000000000000001c" + kR + kS,
        kHash + "000000000000000000000000000000000000001000000000000000000000001c" + kR + kS,
        kHash + "000000000000000000000000000000000000001000000000000000000000011c" + kR + kS,
        // v = 29, v = 0, v = 1.
        kHash + "000000000000000000000000000000000000000000000000000000000000001d" + kR + kS,
        kHash + zero + kR + kS,
        kHash + one + kR + kS,
        // r = 0, s = 0, r = n, s = n.
        kHash + kV28 + zero + kS,
        kHash + kV28 + kR + zero,
        kHash + kV28 + kN + kS,
        kHash + kV28 + kR + kN,
        // Empty input (all zeros after padding).
        "",
    };
    for (const auto& in : bad) {
        auto r = run(PrecompileId::kEcRecover, hex(in));
        ASSERT_TRUE(r.has_value()) << in;  // never a failure
        EXPECT_TRUE(r->empty()) << in;
    }
}

TEST(EcRecover, ShortInputIsPaddedExtraIgnored) {
    const Bytes full = hex(kHash + kV28 + kR + kS);
    Bytes longer = full;
    longer.push_back(0xff);
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kEcRecover, longer)), kSigner);
}

TEST(DispatchGas, Bn254AndBlake) {
    EXPECT_EQ(gas_cost(PrecompileId::kBn254Add, {}), 150);
    EXPECT_EQ(gas_cost(PrecompileId::kBn254Mul, {}), 6000);
    EXPECT_EQ(gas_cost(PrecompileId::kBn254Pairing, {}), 45000);
    EXPECT_EQ(gas_cost(PrecompileId::kBn254Pairing, Bytes(192)), 79000);
    EXPECT_EQ(gas_cost(PrecompileId::kBn254Pairing, Bytes(384)), 113000);
    Bytes b(213, 0);
    b[3] = 12;
    EXPECT_EQ(gas_cost(PrecompileId::kBlake2f, b), 12);
    // Runs through the dispatcher.
    EXPECT_EQ(run_ok(PrecompileId::kBn254Pairing, {}).back(), 1);
    EXPECT_EQ(run_ok(PrecompileId::kBn254Add, {}), Bytes(64, 0));
    EXPECT_EQ(run_ok(PrecompileId::kBlake2f, b).size(), 64u);
}

TEST(DispatchBls, GasForwardedToBls12381) {
    EXPECT_EQ(gas_cost(PrecompileId::kPointEvaluation, {}), 50000);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsG1Add, {}), 375);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsG2Add, {}), 600);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsMapFpToG1, {}), 5500);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsMapFp2ToG2, {}), 23800);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsPairing, Bytes(384)), 37700 + 32600);
    EXPECT_EQ(gas_cost(PrecompileId::kBlsG1Msm, Bytes(160)), 12000);  // k = 1: no discount
    EXPECT_EQ(gas_cost(PrecompileId::kBlsG2Msm, Bytes(288)), 22500);
}

TEST(DispatchBls, RunForwardedToBls12381) {
    // G1ADD of two points at infinity (all zeros, EIP-2537) is the point at infinity.
    EXPECT_EQ(run_ok(PrecompileId::kBlsG1Add, Bytes(256, 0)), Bytes(128, 0));
    EXPECT_EQ(run_ok(PrecompileId::kBlsG2Add, Bytes(512, 0)), Bytes(256, 0));
    // Bad lengths fail with the BLS error kind.
    for (auto id : {PrecompileId::kBlsG1Add, PrecompileId::kBlsG1Msm, PrecompileId::kBlsG2Add,
                    PrecompileId::kBlsG2Msm, PrecompileId::kBlsPairing, PrecompileId::kBlsMapFpToG1,
                    PrecompileId::kBlsMapFp2ToG2, PrecompileId::kPointEvaluation}) {
        auto r = run(id, Bytes(7, 0));
        ASSERT_FALSE(r.has_value()) << int(id);
        EXPECT_EQ(r.error(), PrecompileError::kBlsFailure);
    }
}

TEST(DispatchBls, PointEvaluationTrivialProof) {
    // EIP-4844: commitment = proof = point at infinity (0xc0 ‖ 0...), y = 0 verifies for any z.
    Bytes commitment(48, 0);
    commitment[0] = 0xc0;
    Hash32 versioned = sha256(commitment);
    versioned[0] = 0x01;
    Bytes in(versioned.bytes.begin(), versioned.bytes.end());
    Bytes z(32, 0);
    z[31] = 5;
    in.insert(in.end(), z.begin(), z.end());
    in.insert(in.end(), 32, 0);  // y
    in.insert(in.end(), commitment.begin(), commitment.end());
    in.insert(in.end(), commitment.begin(), commitment.end());  // proof
    ASSERT_EQ(in.size(), 192u);
    EXPECT_EQ(raw_hex(run_ok(PrecompileId::kPointEvaluation, in)),
              "0000000000000000000000000000000000000000000000000000000000001000"
              "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
    // y = 1 no longer verifies.
    in[32 + 32 + 31] = 1;
    EXPECT_FALSE(run(PrecompileId::kPointEvaluation, in).has_value());
}

}  // namespace
}  // namespace fuse::precompiles
