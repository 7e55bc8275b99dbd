#pragma once
/// The outcome of a submitted transaction: included (durably) or refused. Messages are
/// go-ethereum's (core/txpool/errors.go, core/error.go; state/validity.hpp) so that wallets and
/// libraries that match on them (ethers' `NONCE_EXPIRED`, `INSUFFICIENT_FUNDS`,
/// `REPLACEMENT_UNDERPRICED`) behave as against geth.

#include <cstdint>
#include <functional>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "state/validity.hpp"

namespace fuse::sequencer {

/// Why a transaction was refused: the validity module's reason and geth's text
/// (state/validity.hpp). The RPC layer picks the JSON-RPC code (ethrpc).
struct Rejection {
    using Reason = state::TxReason;
    Reason reason = Reason::kMalformed;
    std::string message;
    /// Accepted by the pool, then refused by ArbOS when its block was built (the state or the
    /// base fee changed meanwhile); `reason` says why.
    bool at_execution = false;

    static Rejection of(state::TxRefusal r) { return Rejection{r.reason, std::move(r.message)}; }
};

/// Stable metric label: the reason's (state::to_label), or "execution" for a refusal at
/// execution.
const char* to_label(const Rejection& r);

/// The acknowledgement: the tx is in a durable sealed block.
struct Inclusion {
    Hash32 tx_hash;
    uint64_t block_number = 0;
    uint32_t index = 0;
};

/// What `Sequencer::submit` reports, exactly once per transaction.
using SubmitResult = Result<Inclusion, Rejection>;
using SubmitCallback = std::function<void(SubmitResult)>;

}  // namespace fuse::sequencer
