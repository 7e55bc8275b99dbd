#include "precompiles/precompiles.hpp"

#include <limits>

#include "core/hash.hpp"

namespace fuse::precompiles {

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

int64_t gas_cost(PrecompileId /*id*/, ByteView /*input*/) {
    return std::numeric_limits<int64_t>::max();
}

Result<Bytes, PrecompileError> run(PrecompileId /*id*/, ByteView /*input*/) {
    return Unexpected{PrecompileError::kNotAvailable};
}

}  // namespace fuse::precompiles
