#pragma once
/// Backed supply (DESIGN.md §3a, docs/bridge.md "Backed supply"): on a chain that is not a dev
/// chain every unit of the L2's native token comes from an L1 deposit, so the Bridge's escrow
/// backs it. A genesis alloc with balances creates tokens no escrow backs; `fusel2 genesis`
/// refuses such a genesis file unless told it is a dev/test chain (--allow-unbacked-alloc).
/// The dev genesis (`--dev`, the devnet) is unbacked on purpose: devnet only.

#include <string>

#include "arbos/genesis.hpp"
#include "core/uint256.hpp"

namespace fuse::node {

/// The sum of the alloc's balances: the native supply no Bridge escrow backs.
uint256 unbacked_supply(const arbos::Genesis& genesis);

/// Empty when `genesis` has no unbacked supply; else the refusal, naming `source`, the total
/// (wei and FUSE), the number of funded accounts, one of them, and the way out.
std::string unbacked_alloc_problem(const arbos::Genesis& genesis, const std::string& source);

}  // namespace fuse::node
