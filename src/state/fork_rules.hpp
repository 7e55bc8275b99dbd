#pragma once
/// The transaction-level fork rules per revision, one row each (as evmone's per-revision traits):
/// what changes between forks is data here, not `rev >= kPrague` conditions in the code. A new
/// fork is one row (and its opcode deltas in evm/opcodes.hpp).

#include <array>
#include <cstddef>
#include <cstdint>

#include "evm/host.hpp"
#include "evm/opcodes.hpp"

namespace fuse::state {

struct ForkRules {
    size_t max_blobs_per_block;              ///< EIP-4844; EIP-7691 from Prague
    uint64_t blob_base_fee_update_fraction;  ///< EIP-4844; EIP-7691 from Prague
    bool set_code_transactions;              ///< EIP-7702 type-4 transactions and delegations
    bool calldata_floor;                     ///< EIP-7623 floor cost of calldata
    bool bls12_381_precompiles;              ///< EIP-2537 (0x0b-0x11)
};

/// Indexed by `evm::Revision`.
inline constexpr std::array<ForkRules, evm::kRevisionCount> kForkRules = {{
    {6, 3'338'477, false, false, false},  // Cancun
    {9, 5'007'716, true, true, true},     // Prague
}};

constexpr const ForkRules& fork_rules(evm::Revision rev) {
    return kForkRules[static_cast<size_t>(rev)];
}

}  // namespace fuse::state
