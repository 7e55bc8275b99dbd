#pragma once
/// Inputs for the precompiles 0x01-0x11 (Prague), valid or not, for the differential stream.

#include <cstdint>
#include <random>

#include "core/bytes.hpp"

namespace fuse::differential {

/// The highest precompile address under Prague (EIP-2537's MAP_FP2_TO_G2).
inline constexpr uint8_t kLastPrecompile = 0x11;

/// An input for precompile `addr` (1..kLastPrecompile): with `good`, one it accepts (a signature
/// that recovers, points on the curve, a KZG proof that verifies, ...); without, one it refuses
/// (points off the curve, wrong lengths, a failing proof, an invalid blake2f flag, a modexp
/// whose length makes its gas unpayable). ecrecover, sha256, ripemd160 and identity succeed on
/// every input (ecrecover with empty output for an invalid signature): their "bad" case is the
/// caller's (too little gas).
Bytes precompile_input(uint8_t addr, bool good, std::mt19937_64& rng);

}  // namespace fuse::differential
