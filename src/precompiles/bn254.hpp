#pragma once
/// The BN254 (alt_bn128) precompiles: ecAdd 0x06, ecMul 0x07 (EIP-196) and ecPairing 0x08
/// (EIP-197), with the EIP-1108 gas schedule.

#include "precompiles/precompiles.hpp"

namespace fuse::precompiles {

inline constexpr int64_t kBn254AddGas = 150;               ///< EIP-1108
inline constexpr int64_t kBn254MulGas = 6000;              ///< EIP-1108
inline constexpr int64_t kBn254PairingBaseGas = 45000;     ///< EIP-1108
inline constexpr int64_t kBn254PairingPerPairGas = 34000;  ///< EIP-1108
inline constexpr size_t kBn254PairSize = 192;

/// 0x06: input (x1, y1, x2, y2), each 32 bytes big-endian, right-padded with zeros if short;
/// output the 64-byte sum. Fails on a coordinate >= p or a point off the curve.
Result<Bytes, PrecompileError> bn254_add(ByteView input);

/// 0x07: input (x, y, scalar), right-padded; output the 64-byte product.
Result<Bytes, PrecompileError> bn254_mul(ByteView input);

/// 0x08: input k pairs (G1: x, y; G2: x_im, x_re, y_im, y_re), 192 bytes each; output 32 bytes,
/// 1 if the product of the pairings is one, else 0. Fails on a length not a multiple of 192,
/// a coordinate >= p, a point off its curve or a G2 point outside the subgroup.
Result<Bytes, PrecompileError> bn254_pairing(ByteView input);

}  // namespace fuse::precompiles
