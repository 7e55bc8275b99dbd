#pragma once
/// MODEXP, precompile 0x05 (EIP-198), priced by EIP-2565.

#include "precompiles/precompiles.hpp"

namespace fuse::precompiles {

inline constexpr int64_t kModExpMinGas = 200;  ///< EIP-2565

/// EIP-2565 gas: max(200, ceil(max(Blen, Mlen) / 8)^2 * max(iterations, 1) / 3), saturating at
/// INT64_MAX. Reads only the three length words and at most 32 bytes of the exponent, so any
/// declared length (up to 2^256 - 1) is priced without allocating.
int64_t modexp_gas(ByteView input);

/// B^E mod M as Mlen big-endian bytes (zeros if M = 0; empty if Mlen = 0). Input is
/// Blen ‖ Elen ‖ Mlen (32-byte words) ‖ B ‖ E ‖ M, right-padded with zeros when short.
/// Lengths too large to ever be paid for give kInvalidInputLength instead of an allocation.
Result<Bytes, PrecompileError> modexp(ByteView input);

}  // namespace fuse::precompiles
