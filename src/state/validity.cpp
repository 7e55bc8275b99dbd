#include "state/validity.hpp"

#include <array>
#include <string>

#include "core/hex.hpp"
#include "state/fork_rules.hpp"

namespace fuse::state {
namespace {

constexpr int64_t kTxGas = 21000;
constexpr int64_t kTxCreateGas = 32000;
constexpr int64_t kTxDataZeroGas = 4;               // EIP-2028
constexpr int64_t kTxDataNonZeroGas = 16;           // EIP-2028
constexpr int64_t kAccessListAddressGas = 2400;     // EIP-2930
constexpr int64_t kAccessListStorageKeyGas = 1900;  // EIP-2930
constexpr int64_t kInitcodeWordGas = 2;             // EIP-3860
constexpr int64_t kTotalCostFloorPerToken = 10;     // EIP-7623
constexpr int64_t kPerEmptyAccountCost = 25000;     // EIP-7702

/// One row per reason, in the enum's order (checked below).
struct ReasonInfo {
    TxReason reason;
    TxStage stage;
    const char* label;
    const char* message;  ///< geth's text where geth has one (see validity_test.cpp)
    const char* fixture;  ///< the official fixtures' name; null when execution never returns it
};

using S = TxStage;
using R = TxReason;

constexpr std::array<ReasonInfo, kTxReasonCount> kReasons{{
    {R::kOversized, S::kStateless, "oversized", "oversized data", nullptr},
    {R::kMalformed, S::kStateless, "malformed", "rlp", nullptr},
    {R::kUnsupportedType, S::kStateless, "unsupported_type", "transaction type not supported",
     "TYPE_NOT_SUPPORTED"},
    {R::kNotReplayProtected, S::kStateless, "not_replay_protected",
     "only replay-protected (EIP-155) transactions allowed over RPC", nullptr},
    {R::kWrongChainId, S::kStateless, "wrong_chain_id", "invalid chain id for signer", nullptr},
    {R::kInvalidSignature, S::kStateless, "invalid_signature", "invalid sender", nullptr},
    {R::kGasLimit, S::kStateless, "gas_limit", "exceeds block gas limit", nullptr},
    {R::kTipAboveFeeCap, S::kStateless, "tip_above_fee_cap",
     "max priority fee per gas higher than max fee per gas",
     "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"},
    {R::kIntrinsicGas, S::kStateless, "intrinsic_gas", "intrinsic gas too low",
     "INTRINSIC_GAS_TOO_LOW"},
    {R::kFloorDataGas, S::kStateless, "floor_data_gas", "insufficient gas for floor data gas cost",
     nullptr},
    {R::kInitcodeSizeExceeded, S::kStateless, "initcode_size", "max initcode size exceeded",
     "INITCODE_SIZE_EXCEEDED"},
    {R::kGasPriceOverflow, S::kStateless, "gas_price_overflow",
     "insufficient funds for gas * price + value", "GASLIMIT_PRICE_PRODUCT_OVERFLOW"},
    {R::kBlobCreate, S::kStateless, "blob_create", "blob transaction of type create",
     "TYPE_3_TX_CONTRACT_CREATION"},
    {R::kMissingBlobHashes, S::kStateless, "missing_blob_hashes",
     "blob transaction missing blob hashes", "TYPE_3_TX_ZERO_BLOBS"},
    {R::kInvalidBlobHash, S::kStateless, "invalid_blob_hash", "blob has invalid hash version",
     "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"},
    {R::kTooManyBlobs, S::kStateless, "too_many_blobs", "blob transaction has too many blobs",
     "TYPE_3_TX_BLOB_COUNT_EXCEEDED"},
    {R::kSetCodeCreate, S::kStateless, "set_code_create",
     "EIP-7702 transaction cannot be used to create contract", "TYPE_4_TX_CONTRACT_CREATION"},
    {R::kEmptyAuthList, S::kStateless, "empty_auth_list",
     "EIP-7702 transaction with empty auth list", "TYPE_4_EMPTY_AUTHORIZATION_LIST"},
    {R::kFeeCapTooLow, S::kStateful, "underpriced", "max fee per gas less than block base fee",
     "INSUFFICIENT_MAX_FEE_PER_GAS"},
    {R::kBlobFeeCapTooLow, S::kStateful, "blob_fee_cap_too_low",
     "max fee per blob gas less than block blob gas fee", "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"},
    {R::kGasLimitReached, S::kStateful, "gas_limit_reached", "gas limit reached",
     "GAS_ALLOWANCE_EXCEEDED"},
    {R::kSenderNotEoa, S::kStateful, "sender_not_eoa", "sender not an eoa", "SENDER_NOT_EOA"},
    {R::kNonceMax, S::kStateful, "nonce_max", "nonce has max value", "NONCE_IS_MAX"},
    {R::kNonceTooLow, S::kStateful, "nonce_too_low", "nonce too low", "NONCE_MISMATCH_TOO_LOW"},
    {R::kNonceTooHigh, S::kStateful, "nonce_too_high", "nonce too high", "NONCE_MISMATCH_TOO_HIGH"},
    {R::kInsufficientFunds, S::kStateful, "insufficient_funds",
     "insufficient funds for gas * price + value", "INSUFFICIENT_ACCOUNT_FUNDS"},
    {R::kAlreadyKnown, S::kPool, "already_known", "already known", nullptr},
    {R::kReplacementUnderpriced, S::kPool, "replacement_underpriced",
     "replacement transaction underpriced", nullptr},
    {R::kNonceGapTooLarge, S::kPool, "nonce_gap_too_large", "account limit exceeded", nullptr},
    {R::kPoolFull, S::kPool, "pool_full", "txpool is full", nullptr},
    {R::kReplaced, S::kPool, "replaced", "replaced by transaction", nullptr},
    {R::kShuttingDown, S::kPool, "shutting_down", "the sequencer is shutting down", nullptr},
    {R::kHalted, S::kPool, "halted", "the sequencer halted", nullptr},
    {R::kBlockSealed, S::kPool, "block_sealed", "block already sealed", nullptr},
    {R::kStorageFault, S::kPool, "storage_fault", "storage fault", nullptr},
}};

constexpr bool table_in_order() {
    for (size_t i = 0; i < kReasons.size(); ++i)
        if (static_cast<size_t>(kReasons[i].reason) != i) return false;
    return true;
}
static_assert(table_in_order(), "kReasons must list every TxReason in the enum's order");

const ReasonInfo& info(TxReason r) {
    return kReasons[static_cast<size_t>(r)];
}

std::string dec(uint64_t v) {
    return std::to_string(v);
}

}  // namespace

std::string_view message(TxReason r) {
    return info(r).message;
}

const char* to_label(TxReason r) {
    return info(r).label;
}

const char* exception_name(TxReason r) {
    static const auto names = [] {
        std::array<std::string, kTxReasonCount> out;
        for (const ReasonInfo& i : kReasons)
            out[static_cast<size_t>(i.reason)] =
                std::string("TransactionException.") + (i.fixture ? i.fixture : "UNKNOWN");
        return out;
    }();
    return names[static_cast<size_t>(r)].c_str();
}

TxStage stage(TxReason r) {
    return info(r).stage;
}

TxRefusal make_refusal(TxReason r) {
    return TxRefusal{r, std::string(message(r))};
}

TxRefusal storage_fault_refusal(const StorageFault& fault) {
    return TxRefusal{TxReason::kStorageFault, to_string(fault)};
}

TxRefusal make_refusal(TxReason r, std::string_view detail) {
    std::string text(message(r));
    text += ": ";
    text += detail;
    return TxRefusal{r, std::move(text)};
}

// ---- stateless

IntrinsicGas intrinsic_gas(const Transaction& txn, evm::Revision rev) {
    IntrinsicGas g;
    int64_t zeros = 0;
    for (uint8_t b : txn.data)
        zeros += b == 0;
    const int64_t nonzeros = static_cast<int64_t>(txn.data.size()) - zeros;
    const int64_t tokens = zeros + 4 * nonzeros;
    g.intrinsic = kTxGas + zeros * kTxDataZeroGas + nonzeros * kTxDataNonZeroGas;
    if (!txn.to) {
        g.intrinsic += kTxCreateGas;
        g.intrinsic += kInitcodeWordGas * static_cast<int64_t>((txn.data.size() + 31) / 32);
    }
    for (const AccessListEntry& e : txn.access_list) {
        g.intrinsic += kAccessListAddressGas;
        g.intrinsic += kAccessListStorageKeyGas * static_cast<int64_t>(e.storage_keys.size());
    }
    if (fork_rules(rev).set_code_transactions)
        g.intrinsic += kPerEmptyAccountCost * static_cast<int64_t>(txn.authorization_list.size());
    if (fork_rules(rev).calldata_floor) g.floor = kTxGas + kTotalCostFloorPerToken * tokens;
    return g;
}

std::optional<TxRefusal> check_size(size_t raw_size, size_t max_size) {
    if (raw_size <= max_size) return std::nullopt;
    return make_refusal(R::kOversized,
                        "transaction size " + dec(raw_size) + ", limit " + dec(max_size));
}

TxRefusal decode_error(TxError e) {
    switch (e) {
        case TxError::kUnsupportedType:
            return make_refusal(R::kUnsupportedType);
        case TxError::kInvalidV:
        case TxError::kInvalidSignatureValues:
        case TxError::kHighS:
        case TxError::kRecoveryFailed:
            return make_refusal(R::kInvalidSignature, to_string(e));
        default:
            return make_refusal(R::kMalformed, to_string(e));
    }
}

std::optional<TxRefusal> check_type(const Transaction& tx, evm::Revision rev) {
    if (tx.type == TxType::kBlob ||
        (tx.type == TxType::kSetCode && !fork_rules(rev).set_code_transactions))
        return make_refusal(R::kUnsupportedType);
    return std::nullopt;
}

std::optional<TxRefusal> check_chain_id(const Transaction& tx, uint64_t chain_id,
                                        bool require_protected) {
    if (!tx.chain_id) {
        if (require_protected) return make_refusal(R::kNotReplayProtected);
        return std::nullopt;
    }
    if (*tx.chain_id == chain_id) return std::nullopt;
    return make_refusal(R::kWrongChainId, "have " + dec(*tx.chain_id) + " want " + dec(chain_id));
}

std::optional<TxRefusal> check_gas_cap(const Transaction& tx, uint64_t poster_gas, uint64_t cap) {
    const uint64_t compute = tx.gas_limit > poster_gas ? tx.gas_limit - poster_gas : 0;
    if (compute <= cap) return std::nullopt;
    return make_refusal(R::kGasLimit, "gas " + dec(tx.gas_limit) + " (L1 data " + dec(poster_gas) +
                                          "), limit " + dec(cap) + " + L1 data");
}

std::optional<TxRefusal> check_tip(const Transaction& tx) {
    if (tx.max_priority_fee() <= tx.max_fee()) return std::nullopt;
    return make_refusal(R::kTipAboveFeeCap,
                        "maxPriorityFeePerGas: " + tx.max_priority_fee().to_dec() +
                            ", maxFeePerGas: " + tx.max_fee().to_dec());
}

std::optional<TxRefusal> check_intrinsic_gas(const Transaction& tx, evm::Revision rev,
                                             uint64_t poster_gas) {
    const IntrinsicGas ig = intrinsic_gas(tx, rev);
    const uint64_t needed = static_cast<uint64_t>(ig.intrinsic) + poster_gas;
    if (tx.gas_limit < needed || needed < poster_gas)
        return make_refusal(R::kIntrinsicGas, "gas " + dec(tx.gas_limit) + ", minimum needed " +
                                                  dec(needed) + " (L1 data " + dec(poster_gas) +
                                                  ")");
    if (tx.gas_limit < static_cast<uint64_t>(ig.floor))
        return make_refusal(R::kFloorDataGas, "gas " + dec(tx.gas_limit) + ", minimum needed " +
                                                  dec(static_cast<uint64_t>(ig.floor)));
    return std::nullopt;
}

// ---- stateful

std::optional<TxRefusal> check_fee_cap(const Transaction& tx, const Address& sender,
                                       const uint256& base_fee) {
    if (tx.max_fee() >= base_fee) return std::nullopt;
    return make_refusal(R::kFeeCapTooLow, "address " + to_hex(sender) +
                                              ", maxFeePerGas: " + tx.max_fee().to_dec() +
                                              ", baseFee: " + base_fee.to_dec());
}

std::optional<TxRefusal> check_nonce(const Transaction& tx, uint64_t next_nonce) {
    if (tx.nonce >= next_nonce) return std::nullopt;
    return make_refusal(R::kNonceTooLow,
                        "next nonce " + dec(next_nonce) + ", tx nonce " + dec(tx.nonce));
}

std::optional<TxRefusal> check_balance(const uint256& balance, const uint256& cost) {
    if (balance >= cost) return std::nullopt;
    return make_refusal(R::kInsufficientFunds, "balance " + balance.to_dec() + ", tx cost " +
                                                   cost.to_dec() + ", overshot " +
                                                   (cost - balance).to_dec());
}

uint256 max_tx_cost(const Transaction& tx) {
    const uint256& price = tx.max_fee();
    const uint256 gas{tx.gas_limit};
    if (tx.gas_limit != 0 && price > uint256::max() / gas) return uint256::max();
    const uint256 fee = price * gas;
    const uint256 total = fee + tx.value;
    return total < fee ? uint256::max() : total;
}

// ---- the pool's and the node's

TxRefusal replaced_by(const Hash32& hash) {
    return TxRefusal{R::kReplaced,
                     std::string(message(R::kReplaced)) + " " + to_hex(hash) + " with higher fees"};
}

TxRefusal stopped_before_sealed() {
    return TxRefusal{R::kShuttingDown, "the sequencer stopped before the transaction was sealed"};
}

}  // namespace fuse::state
