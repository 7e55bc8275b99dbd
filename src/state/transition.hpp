#pragma once
/// Transaction processing (Yellow Paper §6; EIP-1559, 2930, 3651, 3860, 4844, 7623, 7702):
/// validation (reasons and texts from state/validity.hpp, in geth's execution order and wording),
/// intrinsic gas, buying gas, execution through the StateHost, refunds (EIP-3529), fees to the
/// coinbase, receipts.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"
#include "state/exec_state.hpp"
#include "state/host.hpp"
#include "state/tx_tracer.hpp"
#include "state/validity.hpp"

namespace fuse::state {

/// The block a transaction runs in.
struct BlockEnv {
    Address coinbase;
    int64_t number = 0;
    int64_t timestamp = 0;
    int64_t gas_limit = 0;
    uint256 prev_randao;
    uint256 base_fee;
    uint64_t excess_blob_gas = 0;
    uint64_t chain_id = 1;
};

/// Outcome of an included transaction.
struct TxResult {
    evm::Status status = evm::Status::kSuccess;
    int64_t gas_used = 0;  ///< after refunds (and the EIP-7623 floor)
    std::vector<Log> logs;
    /// A creation transaction's target address, also when the creation failed (geth's
    /// receipt.contractAddress).
    std::optional<Address> contract_address;
};

/// EIP-4844 blob base fee: fake_exponential(1, excess_blob_gas, update fraction).
uint256 blob_base_fee(uint64_t excess_blob_gas, evm::Revision rev);

/// What a chain layer above the state (ArbOS, docs/arbos.md) changes in transaction processing.
/// Absent (null), the rules are Ethereum's, unchanged.
struct TxHooks {
    /// Gas charged on top of the intrinsic gas before execution and never refunded (ArbOS's
    /// "poster gas": the L1 data fee in L2 gas). A gas limit below intrinsic + extra_gas makes
    /// the transaction invalid (kIntrinsicGas); `TxResult::gas_used` includes it.
    int64_t extra_gas = 0;
    /// Arbitrum's fee rules: the effective gas price is the base fee (the tip is dropped) and the
    /// fees are not burnt: extra_gas × base fee goes to `l1_fee_account`, the rest of
    /// gas_used × base fee to `network_fee_account`; the coinbase gets nothing.
    bool base_fee_to_accounts = false;
    Address network_fee_account;
    Address l1_fee_account;
    /// Extra precompiles, warm from the start of the transaction as Ethereum's (EIP-2929).
    PrecompileHook* precompiles = nullptr;
    std::span<const Address> precompile_addresses;
    /// Traces the transaction (debug_trace*): on_tx_start before gas is bought, every call,
    /// log and instruction, on_tx_end after finalization. Null: untraced.
    TxTracer* tracer = nullptr;
};

/// EIP-7702: processes `txn`'s authorization list (skipping invalid tuples, as the EIP says) and
/// returns the refund for authorities that already existed. apply_transaction runs it; eth_call
/// and eth_estimateGas run it for a request with an authorization list.
int64_t apply_authorizations(ExecState& state, const BlockEnv& block, const Transaction& txn);

/// Validates and executes `txn` from `sender` on `state`, then finalizes the transaction
/// (EIP-161 cleanup etc.). On an invalid transaction `state` is unchanged. When a read of the
/// committed state fails (`state.faulted()`), the refusal is kStorageFault with the fault's
/// text and `state` must be discarded (docs/storage.md "Errors").
/// `block_gas_left` is what the block can still hold (EIP-1559 block gas limit check).
/// `hooks` (may be null) carries the chain layer's changes.
/// `analysis_cache`, when given, keeps code analyses across transactions (the caller bounds
/// its size, e.g. clears it per block); otherwise they live for this transaction.
Result<TxResult, TxRefusal> apply_transaction(ExecState& state, const BlockEnv& block,
                                              evm::Revision rev, const Transaction& txn,
                                              const Address& sender, int64_t block_gas_left,
                                              const BlockHashFn& block_hash,
                                              const TxHooks* hooks = nullptr,
                                              evm::AnalysisCache* analysis_cache = nullptr);

}  // namespace fuse::state
