#pragma once
/// ECRECOVER, precompile 0x01 (Yellow Paper Appendix E).

#include "precompiles/precompiles.hpp"

namespace fuse::precompiles {

inline constexpr int64_t kEcRecoverGas = 3000;

/// Input hash ‖ v ‖ r ‖ s (32-byte words, right-padded with zeros when short). Output the
/// recovered address left-padded to 32 bytes, or empty output when v is not 27/28 (with the
/// upper 31 bytes zero), r or s is not in [1, n-1], or no key recovers. High s is accepted.
/// Never fails.
Bytes ecrecover(ByteView input);

}  // namespace fuse::precompiles
