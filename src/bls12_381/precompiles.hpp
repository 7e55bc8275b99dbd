#pragma once
/// BLS12-381 precompiles of EIP-2537 (Prague, addresses 0x0b-0x11) and the KZG point
/// evaluation precompile of EIP-4844 (Cancun, address 0x0a). Pure functions over the raw call
/// input: they return the output bytes or an `Error`; gas is priced separately by the caller.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::bls12_381 {

/// Why a precompile call failed. Every failure consumes all gas given to the call.
enum class Error {
    kInvalidInputLength,      ///< input length not what the precompile requires
    kInvalidFieldElement,     ///< Fp top 16 padding bytes non-zero, or value >= p
    kPointNotOnCurve,         ///< point does not satisfy the curve equation
    kPointNotInSubgroup,      ///< point is on the curve but not in the r-order subgroup
    kInvalidEncoding,         ///< compressed point flags inconsistent (EIP-4844 / ZCash format)
    kInvalidVersionedHash,    ///< versioned hash != 0x01 || sha256(commitment)[1:]
    kScalarOutOfRange,        ///< KZG z or y >= BLS_MODULUS
    kProofVerificationFailed  ///< the KZG opening proof does not verify
};

/// Human-readable description of `e`.
std::string_view to_string(Error e);

/// EIP-2537 BLS12_G1ADD (0x0b): 256 bytes (two G1 points) -> 128 bytes. No subgroup check.
Result<Bytes, Error> g1_add(ByteView input);
/// EIP-2537 BLS12_G1MSM (0x0c): k * 160 bytes (G1 point || 32-byte scalar) -> 128 bytes.
Result<Bytes, Error> g1_msm(ByteView input);
/// EIP-2537 BLS12_G2ADD (0x0d): 512 bytes (two G2 points) -> 256 bytes. No subgroup check.
Result<Bytes, Error> g2_add(ByteView input);
/// EIP-2537 BLS12_G2MSM (0x0e): k * 288 bytes (G2 point || 32-byte scalar) -> 256 bytes.
Result<Bytes, Error> g2_msm(ByteView input);
/// EIP-2537 BLS12_PAIRING_CHECK (0x0f): k * 384 bytes (G1 || G2) -> 32 bytes, 1 iff the
/// product of the pairings is the identity.
Result<Bytes, Error> pairing_check(ByteView input);
/// EIP-2537 BLS12_MAP_FP_TO_G1 (0x10): 64 bytes -> 128 bytes (RFC 9380 SSWU + 11-isogeny).
Result<Bytes, Error> map_fp_to_g1(ByteView input);
/// EIP-2537 BLS12_MAP_FP2_TO_G2 (0x11): 128 bytes -> 256 bytes (RFC 9380 SSWU + 3-isogeny).
Result<Bytes, Error> map_fp2_to_g2(ByteView input);

/// EIP-4844 point evaluation (0x0a): versioned_hash || z || y || commitment || proof (192 bytes)
/// -> FIELD_ELEMENTS_PER_BLOB || BLS_MODULUS (64 bytes).
Result<Bytes, Error> kzg_point_evaluation(ByteView input);

/// EIP-2537 gas constants.
inline constexpr int64_t kG1AddGas = 375;
inline constexpr int64_t kG2AddGas = 600;
inline constexpr int64_t kG1MulGas = 12000;
inline constexpr int64_t kG2MulGas = 22500;
inline constexpr int64_t kPairingPerPairGas = 32600;
inline constexpr int64_t kPairingBaseGas = 37700;
inline constexpr int64_t kMapFpToG1Gas = 5500;
inline constexpr int64_t kMapFp2ToG2Gas = 23800;
/// EIP-4844 POINT_EVALUATION_PRECOMPILE_GAS.
inline constexpr int64_t kPointEvaluationGas = 50000;

/// EIP-2537 G1MSM gas for an input of `input_size` bytes: k = size / 160 pairs,
/// k * kG1MulGas * discount(k) / 1000; 0 when k == 0 (the call then fails on length).
int64_t g1_msm_gas(size_t input_size);
/// EIP-2537 G2MSM gas (k = size / 288, kG2MulGas, the G2 discount table).
int64_t g2_msm_gas(size_t input_size);
/// EIP-2537 pairing gas: kPairingPerPairGas * (size / 384) + kPairingBaseGas.
int64_t pairing_gas(size_t input_size);

}  // namespace fuse::bls12_381
