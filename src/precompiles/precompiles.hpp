#pragma once
/// Ethereum precompiled contracts and their dispatcher (interface 4 in the team notes).
///
/// 0x01-0x09 are implemented in this library; 0x0a (KZG point evaluation, EIP-4844) and
/// 0x0b-0x11 (BLS12-381, EIP-2537) are forwarded to `bls12_381/precompiles.hpp`.
/// The caller (state) charges `gas_cost` first and fails the call with all gas consumed when the
/// gas is short or `run` returns an error. Nothing here throws.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::precompiles {

/// Precompile identifiers; the value is the last byte of the address.
enum class PrecompileId : uint8_t {
    kEcRecover = 0x01,        ///< Yellow Paper Appendix E
    kSha256 = 0x02,           ///< Yellow Paper Appendix E
    kRipemd160 = 0x03,        ///< Yellow Paper Appendix E
    kIdentity = 0x04,         ///< Yellow Paper Appendix E
    kModExp = 0x05,           ///< EIP-198, priced by EIP-2565
    kBn254Add = 0x06,         ///< EIP-196, priced by EIP-1108
    kBn254Mul = 0x07,         ///< EIP-196, priced by EIP-1108
    kBn254Pairing = 0x08,     ///< EIP-197, priced by EIP-1108
    kBlake2f = 0x09,          ///< EIP-152
    kPointEvaluation = 0x0a,  ///< EIP-4844 (Cancun)
    kBlsG1Add = 0x0b,         ///< EIP-2537 (Prague)
    kBlsG1Msm = 0x0c,         ///< EIP-2537 (Prague)
    kBlsG2Add = 0x0d,         ///< EIP-2537 (Prague)
    kBlsG2Msm = 0x0e,         ///< EIP-2537 (Prague)
    kBlsPairing = 0x0f,       ///< EIP-2537 (Prague)
    kBlsMapFpToG1 = 0x10,     ///< EIP-2537 (Prague)
    kBlsMapFp2ToG2 = 0x11,    ///< EIP-2537 (Prague)
};

/// Why a precompile call failed. Any error consumes all gas given to the call.
enum class PrecompileError {
    kInvalidInputLength,  ///< input length not what the precompile accepts
    kCoordinateTooLarge,  ///< a field element encoding is >= the field modulus
    kPointNotOnCurve,     ///< a point does not satisfy the curve equation
    kPointNotInSubgroup,  ///< a G2 point is on the twist but not in the r-torsion subgroup
    kInvalidFinalFlag,    ///< BLAKE2 F final-block flag is neither 0 nor 1 (EIP-152)
    kBlsFailure,          ///< a BLS12-381 / KZG precompile rejected its input
    kNotAvailable,        ///< the precompile is not built into this binary
};

/// Human-readable message for an error.
std::string_view to_string(PrecompileError err);

/// The precompile at `addr`, if any: 0x01-0x0a before Prague (Cancun), 0x01-0x11 from Prague.
std::optional<PrecompileId> find_precompile(const Address& addr, bool prague);

/// Gas charged for calling `id` with `input`; saturates at INT64_MAX instead of overflowing.
/// Computed without allocating, whatever lengths the input declares (modexp).
int64_t gas_cost(PrecompileId id, ByteView input);

/// Executes the precompile. An error means the call fails and consumes all its gas.
/// ecrecover on an invalid signature succeeds with empty output (not an error).
Result<Bytes, PrecompileError> run(PrecompileId id, ByteView input);

}  // namespace fuse::precompiles
