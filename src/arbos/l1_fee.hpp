#pragma once
/// The L1 data fee of a transaction (DESIGN.md §2, docs/arbos.md "Fees"): its brotli-compressed
/// size × the L1 price per byte, charged as L2 "poster gas" = ceil(fee / L2 base fee).

#include <cstdint>

#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse::arbos {

/// Brotli quality (and window 22) a transaction's L1 size is measured at: Nitro's estimate
/// uses a fast level too; the batch poster's real compression (quality 11) is better, so the
/// estimate errs on the side of the poster.
inline constexpr int kL1FeeBrotliQuality = 1;

/// Brotli-compressed size of `raw` at kL1FeeBrotliQuality (deterministic: fixed quality,
/// window and mode; the library's encoder is deterministic for fixed parameters).
uint64_t compressed_size(ByteView raw);

/// compressed_size(raw) × price_per_byte, in wei.
uint256 l1_fee_wei(ByteView raw, const uint256& price_per_byte);

/// ceil(fee / base_fee), 0 when the base fee is 0; saturates at 2^62 (such a transaction is
/// rejected for its gas limit anyway).
uint64_t poster_gas(const uint256& fee, const uint256& base_fee);

}  // namespace fuse::arbos
