#include "sequencer/checks.hpp"

#include <string>
#include <utility>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "state/transition.hpp"

namespace fuse::sequencer {
namespace {

Unexpected<Rejection> refuse(Rejection::Reason reason, std::string message) {
    return Unexpected{Rejection{reason, std::move(message), -32000}};
}

std::string dec(const uint256& v) {
    return v.to_dec();
}

bool is_signature_error(TxError e) {
    return e == TxError::kInvalidV || e == TxError::kInvalidSignatureValues ||
           e == TxError::kHighS || e == TxError::kRecoveryFailed;
}

}  // namespace

uint256 max_tx_cost(const Transaction& tx) {
    const uint256& price = tx.max_fee();
    const uint256 gas{tx.gas_limit};
    if (tx.gas_limit != 0 && price > uint256::max() / gas) return uint256::max();
    const uint256 fee = price * gas;
    const uint256 total = fee + tx.value;
    return total < fee ? uint256::max() : total;
}

Result<CheckedTx, Rejection> check_transaction(Bytes raw, const ChainRules& rules,
                                               const FeeView& fees) {
    using R = Rejection::Reason;
    // geth: txpool.ValidateTransaction checks the size first (txMaxSize, DoS protection).
    if (raw.size() > rules.max_tx_size)
        return refuse(R::kOversized, "oversized data: transaction size " +
                                         std::to_string(raw.size()) + ", limit " +
                                         std::to_string(rules.max_tx_size));
    auto decoded = decode_transaction(raw);
    if (!decoded) {
        const TxError e = decoded.error();
        if (e == TxError::kUnsupportedType)
            return refuse(R::kUnsupportedType, "transaction type not supported");
        if (is_signature_error(e))
            return refuse(R::kInvalidSignature, std::string("invalid sender: ") + to_string(e));
        return refuse(R::kMalformed, std::string("rlp: ") + to_string(e));
    }
    CheckedTx out;
    out.tx = std::move(decoded).value();
    const Transaction& tx = out.tx;

    // Fuse L2 has no blobs (DESIGN.md §1); set-code transactions only from Prague on.
    if (tx.type == TxType::kBlob ||
        (tx.type == TxType::kSetCode && rules.revision < evm::Revision::kPrague))
        return refuse(R::kUnsupportedType, "transaction type not supported");
    // geth's default (--rpc.allow-unprotected-txs off) in internal/ethapi SubmitTransaction.
    if (!tx.chain_id)
        return refuse(R::kNotReplayProtected,
                      "only replay-protected (EIP-155) transactions allowed over RPC");
    if (*tx.chain_id != rules.chain_id)
        return refuse(R::kWrongChainId, "invalid chain id for signer: have " +
                                            std::to_string(*tx.chain_id) + " want " +
                                            std::to_string(rules.chain_id));
    // The cap bounds compute gas only: the L1 part follows the L1 price and comes on top (as in
    // ArbOS's BlockBuilder and Nitro's per-block gas limit).
    out.poster_gas = fees.poster_gas ? fees.poster_gas(raw) : 0;
    if (out.compute_gas_limit() > rules.max_tx_gas)
        return refuse(R::kGasLimit, "exceeds block gas limit: gas " + std::to_string(tx.gas_limit) +
                                        " (L1 data " + std::to_string(out.poster_gas) +
                                        "), limit " + std::to_string(rules.max_tx_gas) +
                                        " + L1 data");
    if (tx.max_priority_fee() > tx.max_fee())
        return refuse(
            R::kTipAboveFeeCap,
            "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: " +
                dec(tx.max_priority_fee()) + ", maxFeePerGas: " + dec(tx.max_fee()));

    auto sender = recover_sender(tx);
    if (!sender)
        return refuse(R::kInvalidSignature,
                      std::string("invalid sender: ") + to_string(sender.error()));
    out.sender = *sender;

    // Arbitrum's sequencer refuses a fee cap below the current base fee at once
    // (core.ErrFeeCapTooLow).
    if (tx.max_fee() < fees.base_fee)
        return refuse(R::kUnderpriced, "max fee per gas less than block base fee: address " +
                                           to_hex(out.sender) + ", maxFeePerGas: " +
                                           dec(tx.max_fee()) + ", baseFee: " + dec(fees.base_fee));

    const state::IntrinsicGas ig = state::intrinsic_gas(tx, rules.revision);
    const uint64_t poster = out.poster_gas;
    const uint64_t needed = static_cast<uint64_t>(ig.intrinsic) + poster;
    if (tx.gas_limit < needed || needed < poster)
        return refuse(R::kIntrinsicGas, "intrinsic gas too low: gas " +
                                            std::to_string(tx.gas_limit) + ", minimum needed " +
                                            std::to_string(needed) + " (L1 data " +
                                            std::to_string(poster) + ")");
    if (tx.gas_limit < static_cast<uint64_t>(ig.floor))
        return refuse(R::kIntrinsicGas, "insufficient gas for floor data gas cost: gas " +
                                            std::to_string(tx.gas_limit) + ", minimum needed " +
                                            std::to_string(ig.floor));

    out.max_cost = max_tx_cost(tx);
    out.hash = keccak256(raw);
    out.raw = std::move(raw);
    return out;
}

const char* to_label(Rejection::Reason r) {
    using R = Rejection::Reason;
    switch (r) {
        case R::kMalformed:
            return "malformed";
        case R::kOversized:
            return "oversized";
        case R::kWrongChainId:
            return "wrong_chain_id";
        case R::kNotReplayProtected:
            return "not_replay_protected";
        case R::kInvalidSignature:
            return "invalid_signature";
        case R::kNonceTooLow:
            return "nonce_too_low";
        case R::kNonceGapTooLarge:
            return "nonce_gap_too_large";
        case R::kInsufficientFunds:
            return "insufficient_funds";
        case R::kIntrinsicGas:
            return "intrinsic_gas";
        case R::kGasLimit:
            return "gas_limit";
        case R::kUnderpriced:
            return "underpriced";
        case R::kTipAboveFeeCap:
            return "tip_above_fee_cap";
        case R::kAlreadyKnown:
            return "already_known";
        case R::kReplacementUnderpriced:
            return "replacement_underpriced";
        case R::kReplaced:
            return "replaced";
        case R::kPoolFull:
            return "pool_full";
        case R::kUnsupportedType:
            return "unsupported_type";
        case R::kExecution:
            return "execution";
        case R::kShuttingDown:
            return "shutting_down";
        case R::kHalted:
            return "halted";
    }
    return "unknown";
}

}  // namespace fuse::sequencer
