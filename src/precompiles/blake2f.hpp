#pragma once
/// BLAKE2 compression function F, precompile 0x09 (EIP-152).

#include <array>

#include "precompiles/precompiles.hpp"

namespace fuse::precompiles {

inline constexpr size_t kBlake2fInputSize = 213;

/// The BLAKE2b compression function F (RFC 7693 section 3.2) with a caller-chosen round count:
/// updates `h` in place from message block `m`, offset counters `t` and final-block flag `last`.
void blake2b_compress(uint32_t rounds, std::array<uint64_t, 8>& h,
                      const std::array<uint64_t, 16>& m, const std::array<uint64_t, 2>& t,
                      bool last) noexcept;

/// Gas = rounds (the first 4 bytes, big-endian); 0 for an input that is not 213 bytes, which
/// then fails in `blake2f`.
int64_t blake2f_gas(ByteView input);

/// Input: rounds (4 bytes BE) ‖ h (8 x 8 bytes LE) ‖ m (16 x 8 bytes LE) ‖ t (2 x 8 bytes LE) ‖
/// f (1 byte); output the new h (64 bytes, little-endian words). Fails on a length other than
/// 213 or f not 0/1.
Result<Bytes, PrecompileError> blake2f(ByteView input);

}  // namespace fuse::precompiles
