#pragma once
/// ArbOS versions and the EVM rules each selects (docs/arbos.md "ArbOS versions"). The version is
/// stored in ArbOS's state (slot 0, written at genesis), so the genesis hash commits to it; every
/// block, call and pool check reads it from there.

#include <cstdint>

#include "evm/host.hpp"

namespace fuse::arbos {

/// Cancun rules (DESIGN.md §2): every chain made before Prague; a genesis file without
/// `arbosVersion` keeps it.
inline constexpr uint64_t kArbosVersionCancun = 1;
/// Prague rules as they apply to an L2: EIP-7702 set-code transactions, EIP-7623 calldata
/// floor, EIP-2537 BLS12-381 precompiles, EIP-7685 empty requests hash in the header.
inline constexpr uint64_t kArbosVersionPrague = 2;
/// Prague rules plus the L1 data backlog: the L1 price per byte rises with the L1 bytes the
/// chain produced above a target rate (docs/arbos.md "L1 price per byte"), so that the batch
/// backlog stays bounded at the L1's ceiling.
inline constexpr uint64_t kArbosVersionL1Backlog = 3;
/// The newest version this binary runs; new chains (dev_genesis, `fusel2 genesis --dev`) get it.
inline constexpr uint64_t kArbosVersionLatest = kArbosVersionL1Backlog;

/// The EVM revision of ArbOS version `v` (v ≥ 1; versions above the latest are refused when a
/// genesis is parsed).
constexpr evm::Revision revision_for(uint64_t v) {
    return v >= kArbosVersionPrague ? evm::Revision::kPrague : evm::Revision::kCancun;
}

}  // namespace fuse::arbos
