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
/// The newest version this binary runs; new chains (dev_genesis, `fusel2 genesis --dev`) get it.
inline constexpr uint64_t kArbosVersionLatest = kArbosVersionPrague;

/// The EVM revision of ArbOS version `v` (v ≥ 1; versions above the latest are refused when a
/// genesis is parsed).
constexpr evm::Revision revision_for(uint64_t v) {
    return v >= kArbosVersionPrague ? evm::Revision::kPrague : evm::Revision::kCancun;
}

}  // namespace fuse::arbos
