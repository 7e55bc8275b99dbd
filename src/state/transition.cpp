#include "state/transition.hpp"

#include <algorithm>

#include "core/secp256k1.hpp"
#include "evm/interpreter.hpp"
#include "precompiles/precompiles.hpp"

namespace fuse::state {

using evm::Revision;

namespace {

constexpr int64_t kTxGas = 21000;
constexpr int64_t kTxCreateGas = 32000;
constexpr int64_t kTxDataZeroGas = 4;
constexpr int64_t kTxDataNonZeroGas = 16;
constexpr int64_t kAccessListAddressGas = 2400;
constexpr int64_t kAccessListStorageKeyGas = 1900;
constexpr int64_t kInitcodeWordGas = 2;
constexpr int64_t kTotalCostFloorPerToken = 10;  // EIP-7623
constexpr int64_t kPerEmptyAccountCost = 25000;  // EIP-7702
constexpr int64_t kPerAuthBaseCost = 12500;      // EIP-7702
constexpr uint64_t kGasPerBlob = 1 << 17;        // EIP-4844
constexpr int64_t kMaxRefundQuotient = 5;        // EIP-3529

size_t max_blobs_per_block(Revision rev) {
    return rev >= Revision::kPrague ? 9 : 6;
}

/// Adds; returns false on 256-bit overflow.
bool checked_add(uint256& acc, const uint256& v) {
    const auto r = add_with_carry(acc, v);
    acc = r.value;
    return !r.carry;
}

bool checked_mul(uint256& out, const uint256& a, const uint256& b) {
    const uint512 p = umul(a, b);
    out = p.lo();
    return p.hi().is_zero();
}

}  // namespace

const char* to_string(TxInvalid e) {
    switch (e) {
        case TxInvalid::kTypeNotSupported:
            return "transaction type not supported by this fork";
        case TxInvalid::kGasAllowanceExceeded:
            return "gas limit exceeds the block's gas left";
        case TxInvalid::kPriorityGreaterThanMaxFee:
            return "max priority fee per gas greater than max fee per gas";
        case TxInvalid::kInsufficientMaxFeePerGas:
            return "max fee per gas below the base fee";
        case TxInvalid::kInsufficientMaxFeePerBlobGas:
            return "max fee per blob gas below the blob base fee";
        case TxInvalid::kType3ContractCreation:
            return "blob transaction cannot create";
        case TxInvalid::kType3ZeroBlobs:
            return "blob transaction without blobs";
        case TxInvalid::kType3InvalidBlobVersionedHash:
            return "invalid blob versioned hash";
        case TxInvalid::kType3BlobCountExceeded:
            return "too many blobs";
        case TxInvalid::kType4ContractCreation:
            return "set-code transaction cannot create";
        case TxInvalid::kType4EmptyAuthorizationList:
            return "empty authorization list";
        case TxInvalid::kInitcodeSizeExceeded:
            return "initcode larger than 49152 bytes";
        case TxInvalid::kSenderNotEoa:
            return "sender has code (EIP-3607)";
        case TxInvalid::kNonceIsMax:
            return "sender nonce is 2^64-1 (EIP-2681)";
        case TxInvalid::kNonceTooLow:
            return "nonce too low";
        case TxInvalid::kNonceTooHigh:
            return "nonce too high";
        case TxInvalid::kInsufficientAccountFunds:
            return "sender balance below gas limit * max fee + value";
        case TxInvalid::kIntrinsicGasTooLow:
            return "gas limit below the intrinsic gas";
        case TxInvalid::kGasLimitPriceProductOverflow:
            return "gas limit * price overflows";
    }
    return "unknown transaction error";
}

const char* exception_name(TxInvalid e) {
    switch (e) {
        case TxInvalid::kTypeNotSupported:
            return "TransactionException.TYPE_NOT_SUPPORTED";
        case TxInvalid::kGasAllowanceExceeded:
            return "TransactionException.GAS_ALLOWANCE_EXCEEDED";
        case TxInvalid::kPriorityGreaterThanMaxFee:
            return "TransactionException.PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS";
        case TxInvalid::kInsufficientMaxFeePerGas:
            return "TransactionException.INSUFFICIENT_MAX_FEE_PER_GAS";
        case TxInvalid::kInsufficientMaxFeePerBlobGas:
            return "TransactionException.INSUFFICIENT_MAX_FEE_PER_BLOB_GAS";
        case TxInvalid::kType3ContractCreation:
            return "TransactionException.TYPE_3_TX_CONTRACT_CREATION";
        case TxInvalid::kType3ZeroBlobs:
            return "TransactionException.TYPE_3_TX_ZERO_BLOBS";
        case TxInvalid::kType3InvalidBlobVersionedHash:
            return "TransactionException.TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH";
        case TxInvalid::kType3BlobCountExceeded:
            return "TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED";
        case TxInvalid::kType4ContractCreation:
            return "TransactionException.TYPE_4_TX_CONTRACT_CREATION";
        case TxInvalid::kType4EmptyAuthorizationList:
            return "TransactionException.TYPE_4_EMPTY_AUTHORIZATION_LIST";
        case TxInvalid::kInitcodeSizeExceeded:
            return "TransactionException.INITCODE_SIZE_EXCEEDED";
        case TxInvalid::kSenderNotEoa:
            return "TransactionException.SENDER_NOT_EOA";
        case TxInvalid::kNonceIsMax:
            return "TransactionException.NONCE_IS_MAX";
        case TxInvalid::kNonceTooLow:
            return "TransactionException.NONCE_MISMATCH_TOO_LOW";
        case TxInvalid::kNonceTooHigh:
            return "TransactionException.NONCE_MISMATCH_TOO_HIGH";
        case TxInvalid::kInsufficientAccountFunds:
            return "TransactionException.INSUFFICIENT_ACCOUNT_FUNDS";
        case TxInvalid::kIntrinsicGasTooLow:
            return "TransactionException.INTRINSIC_GAS_TOO_LOW";
        case TxInvalid::kGasLimitPriceProductOverflow:
            return "TransactionException.GASLIMIT_PRICE_PRODUCT_OVERFLOW";
    }
    return "TransactionException.UNKNOWN";
}

IntrinsicGas intrinsic_gas(const Transaction& txn, Revision rev) {
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
    if (rev >= Revision::kPrague) {
        g.intrinsic += kPerEmptyAccountCost * static_cast<int64_t>(txn.authorization_list.size());
        g.floor = kTxGas + kTotalCostFloorPerToken * tokens;
    }
    return g;
}

uint256 blob_base_fee(uint64_t excess_blob_gas, Revision rev) {
    // EIP-4844 fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1, excess, update fraction);
    // Prague's fraction is EIP-7691's.
    const uint256 denominator = rev >= Revision::kPrague ? 5007716 : 3338477;
    const uint256 numerator = excess_blob_gas;
    uint256 output = 0;
    uint256 accum = denominator;  // factor (1) * denominator
    for (uint64_t i = 1; !accum.is_zero(); ++i) {
        output += accum;
        accum = (accum * numerator) / (denominator * uint256(i));
    }
    return output / denominator;
}

namespace {

Result<void, TxInvalid> validate(ExecState& state, const BlockEnv& block, Revision rev,
                                 const Transaction& txn, const Address& sender,
                                 int64_t block_gas_left, const uint256& blob_fee,
                                 int64_t extra_gas) {
    const bool dynamic = txn.type == TxType::kDynamicFee || txn.type == TxType::kBlob ||
                         txn.type == TxType::kSetCode;
    if (txn.type == TxType::kSetCode) {
        if (rev < Revision::kPrague) return Unexpected{TxInvalid::kTypeNotSupported};
        if (!txn.to) return Unexpected{TxInvalid::kType4ContractCreation};
        if (txn.authorization_list.empty())
            return Unexpected{TxInvalid::kType4EmptyAuthorizationList};
    }
    if (txn.type == TxType::kBlob) {
        if (!txn.to) return Unexpected{TxInvalid::kType3ContractCreation};
        if (txn.blob_versioned_hashes.empty()) return Unexpected{TxInvalid::kType3ZeroBlobs};
        if (txn.max_fee_per_blob_gas < blob_fee)
            return Unexpected{TxInvalid::kInsufficientMaxFeePerBlobGas};
        for (const Hash32& h : txn.blob_versioned_hashes)
            if (h[0] != 0x01) return Unexpected{TxInvalid::kType3InvalidBlobVersionedHash};
        if (txn.blob_versioned_hashes.size() > max_blobs_per_block(rev))
            return Unexpected{TxInvalid::kType3BlobCountExceeded};
    }
    if (dynamic && txn.max_priority_fee_per_gas > txn.max_fee_per_gas)
        return Unexpected{TxInvalid::kPriorityGreaterThanMaxFee};
    if (static_cast<int64_t>(std::min<uint64_t>(txn.gas_limit, INT64_MAX)) > block_gas_left)
        return Unexpected{TxInvalid::kGasAllowanceExceeded};
    const uint256& max_price = dynamic ? txn.max_fee_per_gas : txn.gas_price;
    if (max_price < block.base_fee) return Unexpected{TxInvalid::kInsufficientMaxFeePerGas};
    if (!txn.to && txn.data.size() > kMaxInitcodeSize)
        return Unexpected{TxInvalid::kInitcodeSizeExceeded};

    const ByteView code = state.code(sender);
    if (!code.empty() && !(rev >= Revision::kPrague && delegation_target(code)))
        return Unexpected{TxInvalid::kSenderNotEoa};
    const uint64_t nonce = state.nonce(sender);
    if (nonce == UINT64_MAX) return Unexpected{TxInvalid::kNonceIsMax};
    if (nonce < txn.nonce) return Unexpected{TxInvalid::kNonceTooHigh};
    if (nonce > txn.nonce) return Unexpected{TxInvalid::kNonceTooLow};

    uint256 cost;
    if (!checked_mul(cost, uint256(txn.gas_limit), max_price))
        return Unexpected{TxInvalid::kGasLimitPriceProductOverflow};
    bool ok = checked_add(cost, txn.value);
    if (txn.type == TxType::kBlob) {
        uint256 blob_cost;
        ok = ok && checked_mul(blob_cost, uint256(kGasPerBlob * txn.blob_versioned_hashes.size()),
                               txn.max_fee_per_blob_gas);
        ok = ok && checked_add(cost, blob_cost);
    }
    if (!ok || state.balance(sender) < cost)
        return Unexpected{TxInvalid::kInsufficientAccountFunds};

    const IntrinsicGas g = intrinsic_gas(txn, rev);
    if (txn.gas_limit < static_cast<uint64_t>(std::max(g.intrinsic, g.floor)) ||
        txn.gas_limit - static_cast<uint64_t>(std::max(g.intrinsic, g.floor)) <
            static_cast<uint64_t>(extra_gas))
        return Unexpected{TxInvalid::kIntrinsicGasTooLow};
    return {};
}

/// EIP-7702 authorization processing; returns the refund for authorities that already existed.
int64_t apply_authorizations(ExecState& state, const BlockEnv& block, const Transaction& txn) {
    int64_t refund = 0;
    for (const Authorization& auth : txn.authorization_list) {
        if (!auth.valid_for_chain(block.chain_id)) continue;
        const std::optional<Address> authority = auth.recover_authority();
        if (!authority) continue;
        state.access_account(*authority);
        const ByteView code = state.code(*authority);
        if (!code.empty() && !delegation_target(code)) continue;
        if (state.nonce(*authority) != auth.nonce) continue;
        if (state.exists(*authority)) refund += kPerEmptyAccountCost - kPerAuthBaseCost;
        if (auth.address.is_zero()) {
            state.set_code(*authority, {});
        } else {
            Bytes designator(kDelegationPrefix, kDelegationPrefix + 3);
            designator.insert(designator.end(), auth.address.bytes.begin(),
                              auth.address.bytes.end());
            state.set_code(*authority, std::move(designator));
        }
        state.set_nonce(*authority, auth.nonce + 1);
    }
    return refund;
}

}  // namespace

Result<TxResult, TxInvalid> apply_transaction(ExecState& state, const BlockEnv& block, Revision rev,
                                              const Transaction& txn, const Address& sender,
                                              int64_t block_gas_left, const BlockHashFn& block_hash,
                                              const TxHooks* hooks,
                                              evm::AnalysisCache* analysis_cache) {
    const uint256 blob_fee = blob_base_fee(block.excess_blob_gas, rev);
    const int64_t extra_gas = hooks ? hooks->extra_gas : 0;
    if (auto v = validate(state, block, rev, txn, sender, block_gas_left, blob_fee, extra_gas); !v)
        return Unexpected{v.error()};

    const bool dynamic = txn.type == TxType::kDynamicFee || txn.type == TxType::kBlob ||
                         txn.type == TxType::kSetCode;
    const bool arb_fees = hooks && hooks->base_fee_to_accounts;
    const uint256 price =
        arb_fees  ? block.base_fee
        : dynamic ? std::min(txn.max_fee_per_gas, block.base_fee + txn.max_priority_fee_per_gas)
                  : txn.gas_price;
    const IntrinsicGas g = intrinsic_gas(txn, rev);
    const int64_t gas_limit = static_cast<int64_t>(txn.gas_limit);
    TxTracer* const tracer = hooks ? hooks->tracer : nullptr;
    if (tracer) {
        TxStart start;
        start.from = sender;
        start.to = txn.to;
        if (!txn.to) start.created = create_address(sender, txn.nonce);
        start.gas_limit = txn.gas_limit;
        start.coinbase = block.coinbase;
        tracer->on_tx_start(state, start);
    }

    // Buy gas (and blob gas, burnt), bump the nonce.
    uint256 upfront = uint256(txn.gas_limit) * price;
    if (txn.type == TxType::kBlob)
        upfront += uint256(kGasPerBlob * txn.blob_versioned_hashes.size()) * blob_fee;
    state.sub_balance(sender, upfront);
    state.set_nonce(sender, txn.nonce + 1);

    // EIP-2929 / 2930 / 3651 warm set.
    state.access_account(sender);
    if (txn.to) state.access_account(*txn.to);
    state.access_account(block.coinbase);
    for (uint8_t i = 1; i <= 0x11; ++i) {
        Address a;
        a[19] = i;
        if (precompiles::find_precompile(a, rev >= Revision::kPrague)) state.access_account(a);
    }
    if (hooks)
        for (const Address& a : hooks->precompile_addresses)
            state.access_account(a);
    for (const AccessListEntry& e : txn.access_list) {
        state.access_account(e.address);
        for (const Hash32& k : e.storage_keys)
            state.access_storage(e.address, uint256::from_hash(k));
    }

    int64_t auth_refund = 0;
    if (txn.type == TxType::kSetCode) auth_refund = apply_authorizations(state, block, txn);

    evm::TxContext ctx;
    ctx.gas_price = price;
    ctx.origin = sender;
    ctx.coinbase = block.coinbase;
    ctx.number = block.number;
    ctx.timestamp = block.timestamp;
    ctx.gas_limit = block.gas_limit;
    ctx.prev_randao = block.prev_randao;
    ctx.chain_id = block.chain_id;
    ctx.base_fee = block.base_fee;
    ctx.blob_base_fee = blob_fee;
    ctx.blob_hashes = txn.blob_versioned_hashes;
    StateHost host(state, rev, ctx, block_hash);
    if (hooks) host.set_precompile_hook(hooks->precompiles);
    host.set_analysis_cache(analysis_cache);
    host.set_tracer(tracer);

    evm::Message msg;
    msg.kind = txn.to ? evm::CallKind::kCall : evm::CallKind::kCreate;
    msg.depth = 0;
    msg.gas = gas_limit - g.intrinsic - extra_gas;
    msg.sender = sender;
    msg.input = txn.data;
    msg.value = txn.value;
    TxResult out;
    evm::ExecResult res;
    if (txn.to) {
        msg.recipient = *txn.to;
        msg.code_address = *txn.to;
        if (rev >= Revision::kPrague) {
            if (auto target = delegation_target(state.code(*txn.to))) state.access_account(*target);
        }
        res = host.call(msg);
    } else {
        res = host.create_top(msg, txn.nonce);
        if (res.status == evm::Status::kSuccess) out.contract_address = res.create_address;
    }

    // Refunds (EIP-3529: at most a fifth of the gas used) and the EIP-7623 floor.
    // The extra (poster) gas is neither refundable nor part of the refund cap's base.
    int64_t gas_used = gas_limit - res.gas_left - extra_gas;
    const int64_t refund =
        std::min(std::max<int64_t>(res.gas_refund, 0) + auth_refund, gas_used / kMaxRefundQuotient);
    gas_used -= refund;
    gas_used = std::max(gas_used, g.floor);
    gas_used += extra_gas;

    state.add_balance(sender, uint256(static_cast<uint64_t>(gas_limit - gas_used)) * price);
    if (arb_fees) {
        const uint256 l1_fee = uint256(static_cast<uint64_t>(extra_gas)) * price;
        const uint256 l2_fee = uint256(static_cast<uint64_t>(gas_used - extra_gas)) * price;
        if (!l1_fee.is_zero()) state.add_balance(hooks->l1_fee_account, l1_fee);
        if (!l2_fee.is_zero()) state.add_balance(hooks->network_fee_account, l2_fee);
    } else {
        state.add_balance(block.coinbase,
                          uint256(static_cast<uint64_t>(gas_used)) * (price - block.base_fee));
    }

    state.finalize_tx();
    if (tracer) tracer->on_tx_end(state, TxEnd{gas_used, res.status});
    out.status = res.status;
    out.gas_used = gas_used;
    out.logs = state.take_logs();
    return out;
}

}  // namespace fuse::state
