#include "precompiles/precompiles.hpp"

#include <limits>
#include <utility>

#include "bls12_381/precompiles.hpp"
#include "core/hash.hpp"
#include "precompiles/blake2f.hpp"
#include "precompiles/bn254.hpp"
#include "precompiles/ecrecover.hpp"
#include "precompiles/modexp.hpp"

namespace fuse::precompiles {

namespace {

constexpr int64_t kMaxGas = std::numeric_limits<int64_t>::max();

/// base + per_word * ceil(size / 32), saturating (Yellow Paper Appendix E).
int64_t linear_gas(size_t size, int64_t base, int64_t per_word) {
    const uint64_t words = (uint64_t(size) + 31) / 32;
    if (words > uint64_t(kMaxGas - base) / uint64_t(per_word)) return kMaxGas;
    return base + int64_t(words) * per_word;
}

/// BLS12-381 / KZG results: every error is a failed call; the detail stays with bls12_381.
Result<Bytes, PrecompileError> from_bls(Result<Bytes, bls12_381::Error> r) {
    if (!r) return Unexpected{PrecompileError::kBlsFailure};
    return std::move(*r);
}

}  // namespace

std::string_view to_string(PrecompileError err) {
    switch (err) {
        case PrecompileError::kInvalidInputLength:
            return "invalid input length for this precompile";
        case PrecompileError::kCoordinateTooLarge:
            return "field element is not below the field modulus";
        case PrecompileError::kPointNotOnCurve:
            return "point is not on the curve";
        case PrecompileError::kPointNotInSubgroup:
            return "point is not in the prime-order subgroup";
        case PrecompileError::kInvalidFinalFlag:
            return "blake2f final-block flag must be 0 or 1";
        case PrecompileError::kBlsFailure:
            return "BLS12-381/KZG precompile rejected its input";
        case PrecompileError::kNotAvailable:
            return "precompile not available in this build";
    }
    return "unknown precompile error";
}

std::optional<PrecompileId> find_precompile(const Address& addr, bool prague) {
    for (size_t i = 0; i < 19; ++i)
        if (addr[i] != 0) return std::nullopt;
    const uint8_t last = addr[19];
    const uint8_t max = prague ? 0x11 : 0x0a;
    if (last == 0 || last > max) return std::nullopt;
    return static_cast<PrecompileId>(last);
}

int64_t gas_cost(PrecompileId id, ByteView input) {
    switch (id) {
        case PrecompileId::kEcRecover:
            return kEcRecoverGas;
        case PrecompileId::kSha256:
            return linear_gas(input.size(), 60, 12);
        case PrecompileId::kRipemd160:
            return linear_gas(input.size(), 600, 120);
        case PrecompileId::kIdentity:
            return linear_gas(input.size(), 15, 3);
        case PrecompileId::kModExp:
            return modexp_gas(input);
        case PrecompileId::kBn254Add:
            return kBn254AddGas;
        case PrecompileId::kBn254Mul:
            return kBn254MulGas;
        case PrecompileId::kBn254Pairing: {
            const uint64_t pairs = input.size() / kBn254PairSize;
            if (pairs > uint64_t(kMaxGas - kBn254PairingBaseGas) / kBn254PairingPerPairGas)
                return kMaxGas;
            return kBn254PairingBaseGas + int64_t(pairs) * kBn254PairingPerPairGas;
        }
        case PrecompileId::kBlake2f:
            return blake2f_gas(input);
        case PrecompileId::kPointEvaluation:
            return bls12_381::kPointEvaluationGas;
        case PrecompileId::kBlsG1Add:
            return bls12_381::kG1AddGas;
        case PrecompileId::kBlsG1Msm:
            return bls12_381::g1_msm_gas(input.size());
        case PrecompileId::kBlsG2Add:
            return bls12_381::kG2AddGas;
        case PrecompileId::kBlsG2Msm:
            return bls12_381::g2_msm_gas(input.size());
        case PrecompileId::kBlsPairing:
            return bls12_381::pairing_gas(input.size());
        case PrecompileId::kBlsMapFpToG1:
            return bls12_381::kMapFpToG1Gas;
        case PrecompileId::kBlsMapFp2ToG2:
            return bls12_381::kMapFp2ToG2Gas;
    }
    return kMaxGas;
}

Result<Bytes, PrecompileError> run(PrecompileId id, ByteView input) {
    switch (id) {
        case PrecompileId::kEcRecover:
            return ecrecover(input);
        case PrecompileId::kSha256: {
            const Hash32 h = sha256(input);
            return Bytes(h.bytes.begin(), h.bytes.end());
        }
        case PrecompileId::kRipemd160: {
            const auto h = ripemd160(input);
            Bytes out(32, 0);
            std::copy(h.begin(), h.end(), out.begin() + 12);
            return out;
        }
        case PrecompileId::kIdentity:
            return to_bytes(input);
        case PrecompileId::kModExp:
            return modexp(input);
        case PrecompileId::kBn254Add:
            return bn254_add(input);
        case PrecompileId::kBn254Mul:
            return bn254_mul(input);
        case PrecompileId::kBn254Pairing:
            return bn254_pairing(input);
        case PrecompileId::kBlake2f:
            return blake2f(input);
        case PrecompileId::kPointEvaluation:
            return from_bls(bls12_381::kzg_point_evaluation(input));
        case PrecompileId::kBlsG1Add:
            return from_bls(bls12_381::g1_add(input));
        case PrecompileId::kBlsG1Msm:
            return from_bls(bls12_381::g1_msm(input));
        case PrecompileId::kBlsG2Add:
            return from_bls(bls12_381::g2_add(input));
        case PrecompileId::kBlsG2Msm:
            return from_bls(bls12_381::g2_msm(input));
        case PrecompileId::kBlsPairing:
            return from_bls(bls12_381::pairing_check(input));
        case PrecompileId::kBlsMapFpToG1:
            return from_bls(bls12_381::map_fp_to_g1(input));
        case PrecompileId::kBlsMapFp2ToG2:
            return from_bls(bls12_381::map_fp2_to_g2(input));
    }
    return Unexpected{PrecompileError::kNotAvailable};
}

}  // namespace fuse::precompiles
