#pragma once
/// Transaction-level tracing hooks on top of the EVM's (evm/tracer.hpp), as geth's OnTxStart /
/// OnTxEnd: the state is passed so a tracer can read accounts before and after the transaction
/// (prestateTracer). Set through `TxHooks::tracer` (apply_transaction) or `StateHost::set_tracer`.

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "evm/tracer.hpp"
#include "state/exec_state.hpp"

namespace fuse::state {

/// What a transaction is, as a tracer sees it at its start.
struct TxStart {
    Address from;
    std::optional<Address> to;  ///< nullopt for a creation
    Address created;            ///< the address a creation deploys to (when `to` is nullopt)
    uint64_t gas_limit = 0;     ///< the transaction's gas limit (L1 part included on Fuse L2)
    Address coinbase;
};

/// How it ended (the receipt's view).
struct TxEnd {
    int64_t gas_used = 0;  ///< as the receipt's gasUsed
    evm::Status status = evm::Status::kSuccess;
};

class TxTracer : public evm::Tracer {
public:
    /// Before the sender pays for gas and its nonce is bumped: `state` is the pre-state.
    virtual void on_tx_start(ExecState& state, const TxStart& tx) noexcept {
        (void)state;
        (void)tx;
    }
    /// After fees are paid and the transaction is finalized (EIP-161/6780 deletions done).
    virtual void on_tx_end(ExecState& state, const TxEnd& end) noexcept {
        (void)state;
        (void)end;
    }
};

}  // namespace fuse::state
