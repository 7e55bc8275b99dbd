#pragma once
/// L1 deposits in a block (docs/arbos.md "Deposits"): the checks of a message's deposit ref
/// against ArbOS's state and the contents read from L1, and the execution of one deposit as an
/// unsigned transaction of type 0x64 (mint) or 0x66 (mint, then a call). Internal to arbos: the
/// block builder runs them after the system step.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "arbos/arbos.hpp"
#include "arbos/block_context.hpp"
#include "arbos/precompiles.hpp"
#include "arbos/system_state.hpp"
#include "core/deposit.hpp"
#include "evm/interpreter.hpp"
#include "state/exec_state.hpp"

namespace fuse::arbos {

/// Checks, in this order: contents without a ref, ref.first_index against the next index
/// stored in `sys`, the count, each deposit's index, kind and L1 block number (≤ the message's
/// `l1_block_number`), then the stored accumulator chained over the contents against ref.acc.
/// nullopt: no ref (nothing to execute) or every check passed.
std::optional<DepositError> check_deposits(SystemStorage& sys, const Message& msg,
                                           std::span<const Deposit> deposits);

/// What executing one deposit gave.
struct DepositOutcome {
    Transaction tx;  ///< type 0x64 or 0x66
    Bytes raw;       ///< its EIP-2718 bytes
    Hash32 hash;
    bool success = true;
    uint64_t gas_used = 0;  ///< 0 for kind 0
    std::vector<Log> logs;
};

/// Executes `d` on `exec` in the block `c` and ends it as a transaction (finalize_tx):
/// kind 0 mints `value` to `to`; kind 1 mints `value` to `l2_from`, then calls `to` from
/// `l2_from` with `value` and `data`, gas limit `l2_gas_limit` (intrinsic gas included, EIP-3529
/// refunds), gas price 0, no nonce check or increment. A failed call leaves the mint and nothing
/// else (status 0). `d.kind` must be 0 or 1 (check_deposits).
DepositOutcome execute_deposit(state::ExecState& exec, BlockContext& c, ArbPrecompiles& precompiles,
                               evm::AnalysisCache* analyses, const Deposit& d);

}  // namespace fuse::arbos
