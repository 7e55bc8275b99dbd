#pragma once
/// The checks of a submitted transaction that need no account state, run on the submitting
/// thread before the pool lock is taken, in geth's order (txpool.ValidateTransaction): size cap,
/// strict decoding, supported type, chain id (EIP-155), the per-transaction gas cap, tip,
/// signature (EIP-2 low s) and sender recovery, the base-fee floor, intrinsic gas with ArbOS's
/// L1 poster gas. The checks themselves and their texts are state/validity.hpp's.

#include <cstdint>
#include <functional>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"
#include "sequencer/outcome.hpp"

namespace fuse::sequencer {

/// The chain's fixed rules a transaction must meet.
struct ChainRules {
    uint64_t chain_id = 0;
    evm::Revision revision = evm::Revision::kCancun;
    /// min(block gas limit, per-tx cap): bounds a tx's *compute* gas (gas limit minus its L1
    /// poster gas), as ArbOS does (docs/arbos.md "Limits").
    uint64_t max_tx_gas = 32'000'000;
    size_t max_tx_size = 131'072;  ///< bytes of the raw transaction (geth's txMaxSize)
    /// Let legacy transactions without an EIP-155 chain id in (geth's
    /// --rpc.allow-unprotected-txs), so that operators can replay keyless deployments.
    bool allow_unprotected = false;
};

/// The prices at the moment of the check (the latest sealed block's).
struct FeeView {
    uint256 base_fee;  ///< L2 base fee; a tx's max fee must reach it
    /// The L2 gas ArbOS charges for the tx's L1 data on top of intrinsic gas ("poster gas");
    /// null = none.
    std::function<uint64_t(ByteView raw_tx)> poster_gas;
};

/// A transaction that passed the stateless checks.
struct CheckedTx {
    Transaction tx;
    Bytes raw;
    Hash32 hash;
    Address sender;
    /// gas_limit × max fee + value, saturated at 2^256 - 1 (the balance it needs).
    uint256 max_cost;
    /// The L1 poster gas at the prices of the check (ArbOS recomputes it for the block).
    uint64_t poster_gas = 0;
    /// gas_limit − poster_gas: what the tx may count against the block's compute gas.
    uint64_t compute_gas_limit() const {
        return tx.gas_limit > poster_gas ? tx.gas_limit - poster_gas : 0;
    }
};

/// Runs every stateless check in the order geth does; the rejection carries geth's message.
Result<CheckedTx, Rejection> check_transaction(Bytes raw, const ChainRules& rules,
                                               const FeeView& fees);

using state::max_tx_cost;

}  // namespace fuse::sequencer
