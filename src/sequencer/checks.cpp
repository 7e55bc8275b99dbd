#include "sequencer/checks.hpp"

#include <string>
#include <utility>

#include "core/hash.hpp"
#include "state/validity.hpp"

namespace fuse::sequencer {
namespace {

Unexpected<Rejection> refuse(state::TxRefusal r) {
    return Unexpected{Rejection::of(std::move(r))};
}

}  // namespace

Result<CheckedTx, Rejection> check_transaction(Bytes raw, const ChainRules& rules,
                                               const FeeView& fees) {
    if (auto bad = state::check_size(raw.size(), rules.max_tx_size)) return refuse(*bad);
    auto decoded = decode_transaction(raw);
    if (!decoded) return refuse(state::decode_error(decoded.error()));
    CheckedTx out;
    out.tx = std::move(decoded).value();
    const Transaction& tx = out.tx;

    if (auto bad = state::check_type(tx, rules.revision)) return refuse(*bad);
    // geth's internal/ethapi SubmitTransaction: refused unless --rpc.allow-unprotected-txs.
    if (auto bad = state::check_chain_id(tx, rules.chain_id, !rules.allow_unprotected))
        return refuse(*bad);
    // The cap bounds compute gas only: the L1 part follows the L1 price and comes on top (as in
    // ArbOS's BlockBuilder and Nitro's per-block gas limit).
    out.poster_gas = fees.poster_gas ? fees.poster_gas(raw) : 0;
    if (auto bad = state::check_gas_cap(tx, out.poster_gas, rules.max_tx_gas)) return refuse(*bad);
    if (auto bad = state::check_tip(tx)) return refuse(*bad);

    auto sender = recover_sender(tx);
    if (!sender)
        return refuse(
            state::make_refusal(state::TxReason::kInvalidSignature, to_string(sender.error())));
    out.sender = *sender;

    // Arbitrum's sequencer refuses a fee cap below the current base fee at once
    // (core.ErrFeeCapTooLow).
    if (auto bad = state::check_fee_cap(tx, out.sender, fees.base_fee)) return refuse(*bad);
    if (auto bad = state::check_intrinsic_gas(tx, rules.revision, out.poster_gas))
        return refuse(*bad);

    out.max_cost = max_tx_cost(tx);
    out.hash = keccak256(raw);
    out.raw = std::move(raw);
    return out;
}

const char* to_label(const Rejection& r) {
    return r.at_execution ? "execution" : state::to_label(r.reason);
}

}  // namespace fuse::sequencer
