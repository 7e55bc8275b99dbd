#include "state/transition.hpp"

#include <algorithm>
#include <string>

#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "evm/interpreter.hpp"
#include "precompiles/precompiles.hpp"
#include "state/fork_rules.hpp"

namespace fuse::state {

using evm::Revision;

namespace {

constexpr int64_t kPerEmptyAccountCost = 25000;  // EIP-7702
constexpr int64_t kPerAuthBaseCost = 12500;      // EIP-7702
constexpr uint64_t kGasPerBlob = 1 << 17;        // EIP-4844
constexpr int64_t kMaxRefundQuotient = 5;        // EIP-3529

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

uint256 blob_base_fee(uint64_t excess_blob_gas, Revision rev) {
    // EIP-4844 fake_exponential(MIN_BASE_FEE_PER_BLOB_GAS = 1, excess, update fraction);
    // Prague's fraction is EIP-7691's.
    const uint256 denominator = fork_rules(rev).blob_base_fee_update_fraction;
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

Unexpected<TxRefusal> refuse(TxReason r) {
    return Unexpected{make_refusal(r)};
}

Unexpected<TxRefusal> refuse(TxReason r, const std::string& detail) {
    return Unexpected{make_refusal(r, detail)};
}

bool is_dynamic_fee(const Transaction& txn) {
    return txn.type == TxType::kDynamicFee || txn.type == TxType::kBlob ||
           txn.type == TxType::kSetCode;
}

/// EIP-4844 blob-transaction fields and the blob fee cap.
Result<void, TxRefusal> validate_blobs(Revision rev, const Transaction& txn,
                                       const uint256& blob_fee) {
    if (!txn.to) return refuse(TxReason::kBlobCreate);
    if (txn.blob_versioned_hashes.empty()) return refuse(TxReason::kMissingBlobHashes);
    if (txn.max_fee_per_blob_gas < blob_fee) return refuse(TxReason::kBlobFeeCapTooLow);
    for (const Hash32& h : txn.blob_versioned_hashes)
        if (h[0] != 0x01) return refuse(TxReason::kInvalidBlobHash);
    if (txn.blob_versioned_hashes.size() > fork_rules(rev).max_blobs_per_block)
        return refuse(TxReason::kTooManyBlobs);
    return {};
}

/// The checks on the transaction and the block, in geth's (and the fixtures') order.
Result<void, TxRefusal> validate_against_block(const BlockEnv& block, Revision rev,
                                               const Transaction& txn, const Address& sender,
                                               int64_t block_gas_left, const uint256& blob_fee) {
    if (txn.type == TxType::kSetCode) {
        if (!fork_rules(rev).set_code_transactions) return refuse(TxReason::kUnsupportedType);
        if (!txn.to) return refuse(TxReason::kSetCodeCreate);
        if (txn.authorization_list.empty()) return refuse(TxReason::kEmptyAuthList);
    }
    if (txn.type == TxType::kBlob)
        if (auto v = validate_blobs(rev, txn, blob_fee); !v) return v;
    const bool dynamic = is_dynamic_fee(txn);
    if (dynamic && txn.max_priority_fee_per_gas > txn.max_fee_per_gas)
        return refuse(TxReason::kTipAboveFeeCap);
    if (static_cast<int64_t>(std::min<uint64_t>(txn.gas_limit, INT64_MAX)) > block_gas_left)
        return refuse(TxReason::kGasLimitReached);
    const uint256& max_price = dynamic ? txn.max_fee_per_gas : txn.gas_price;
    if (max_price < block.base_fee)
        return refuse(TxReason::kFeeCapTooLow, "address " + to_hex(sender.view()) +
                                                   ", maxFeePerGas: " + max_price.to_dec() +
                                                   ", baseFee: " + block.base_fee.to_dec());
    if (!txn.to && txn.data.size() > kMaxInitcodeSize)
        return refuse(TxReason::kInitcodeSizeExceeded);
    return {};
}

/// The checks on the sender's account, then intrinsic gas (+ the chain layer's `extra_gas`).
Result<void, TxRefusal> validate_against_sender(ExecState& state, Revision rev,
                                                const Transaction& txn, const Address& sender,
                                                int64_t extra_gas) {
    // The texts are built only on a refusal (this runs for every transaction).
    const auto address = [&] { return "address " + to_hex(sender.view()); };
    const ByteView code = state.code(sender);
    if (!code.empty() && !(fork_rules(rev).set_code_transactions && delegation_target(code)))
        return refuse(TxReason::kSenderNotEoa, address());
    const uint64_t nonce = state.nonce(sender);
    if (nonce == UINT64_MAX) return refuse(TxReason::kNonceMax, address());
    const auto nonces = [&] {
        return address() + ", tx: " + std::to_string(txn.nonce) +
               " state: " + std::to_string(nonce);
    };
    if (nonce < txn.nonce) return refuse(TxReason::kNonceTooHigh, nonces());
    if (nonce > txn.nonce) return refuse(TxReason::kNonceTooLow, nonces());

    const uint256& max_price = is_dynamic_fee(txn) ? txn.max_fee_per_gas : txn.gas_price;
    uint256 cost;
    if (!checked_mul(cost, uint256(txn.gas_limit), max_price))
        return refuse(TxReason::kGasPriceOverflow,
                      address() + " required balance exceeds 256 bits");
    bool ok = checked_add(cost, txn.value);
    if (txn.type == TxType::kBlob) {
        uint256 blob_cost;
        ok = ok && checked_mul(blob_cost, uint256(kGasPerBlob * txn.blob_versioned_hashes.size()),
                               txn.max_fee_per_blob_gas);
        ok = ok && checked_add(cost, blob_cost);
    }
    const uint256 balance = state.balance(sender);
    if (!ok || balance < cost) {
        const uint256 want = uint256(txn.gas_limit) * max_price + txn.value;
        return refuse(TxReason::kInsufficientFunds,
                      address() + " have " + balance.to_dec() + " want " + want.to_dec());
    }

    const IntrinsicGas g = intrinsic_gas(txn, rev);
    const uint64_t need = static_cast<uint64_t>(std::max(g.intrinsic, g.floor));
    if (txn.gas_limit < need || txn.gas_limit - need < static_cast<uint64_t>(extra_gas))
        return refuse(TxReason::kIntrinsicGas,
                      "have " + std::to_string(txn.gas_limit) + ", want " +
                          std::to_string(need + static_cast<uint64_t>(extra_gas)) +
                          (extra_gas > 0 ? " (L1 data " + std::to_string(extra_gas) + ")" : ""));
    return {};
}

}  // namespace

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

namespace {

/// EIP-2929 / 2930 / 3651 warm set: sender, recipient, coinbase, precompiles (the chain
/// layer's too), the access list.
void warm_access_set(ExecState& state, const BlockEnv& block, Revision rev, const Transaction& txn,
                     const Address& sender, const TxHooks* hooks) {
    state.access_account(sender);
    if (txn.to) state.access_account(*txn.to);
    state.access_account(block.coinbase);
    for (uint8_t i = 1; i <= 0x11; ++i) {
        Address a;
        a[19] = i;
        if (precompiles::find_precompile(a, fork_rules(rev).bls12_381_precompiles))
            state.access_account(a);
    }
    if (hooks)
        for (const Address& a : hooks->precompile_addresses)
            state.access_account(a);
    for (const AccessListEntry& e : txn.access_list) {
        state.access_account(e.address);
        for (const Hash32& k : e.storage_keys)
            state.access_storage(e.address, uint256::from_hash(k));
    }
}

evm::TxContext tx_context(const BlockEnv& block, const Transaction& txn, const Address& sender,
                          const uint256& price, const uint256& blob_fee) {
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
    return ctx;
}

/// The top frame: a call (EIP-7702: the delegate warmed) or a create; sets the contract address.
evm::ExecResult run_top(StateHost& host, ExecState& state, Revision rev, const Transaction& txn,
                        const Address& sender, int64_t gas, TxResult& out) {
    evm::Message msg;
    msg.kind = txn.to ? evm::CallKind::kCall : evm::CallKind::kCreate;
    msg.depth = 0;
    msg.gas = gas;
    msg.sender = sender;
    msg.input = txn.data;
    msg.value = txn.value;
    if (!txn.to) {
        evm::ExecResult res = host.create_top(msg, txn.nonce);
        // The address the creation targets, whether or not it succeeded, as geth's receipts
        // (core/state_processor.go MakeReceipt) and so every Ethereum client's.
        out.contract_address = create_address(sender, txn.nonce);
        return res;
    }
    msg.recipient = *txn.to;
    msg.code_address = *txn.to;
    if (fork_rules(rev).set_code_transactions) {
        if (auto target = delegation_target(state.code(*txn.to))) state.access_account(*target);
    }
    return host.call(msg);
}

/// Returns the unused gas to the sender and pays the fees: the tip to the coinbase (the base fee
/// burnt), or with Arbitrum's rules the base fee to the chain layer's accounts.
void settle_fees(ExecState& state, const BlockEnv& block, const Address& sender,
                 const TxHooks* hooks, const uint256& price, int64_t gas_limit, int64_t gas_used,
                 int64_t extra_gas) {
    state.add_balance(sender, uint256(static_cast<uint64_t>(gas_limit - gas_used)) * price);
    if (hooks && hooks->base_fee_to_accounts) {
        const uint256 l1_fee = uint256(static_cast<uint64_t>(extra_gas)) * price;
        const uint256 l2_fee = uint256(static_cast<uint64_t>(gas_used - extra_gas)) * price;
        if (!l1_fee.is_zero()) state.add_balance(hooks->l1_fee_account, l1_fee);
        if (!l2_fee.is_zero()) state.add_balance(hooks->network_fee_account, l2_fee);
    } else {
        state.add_balance(block.coinbase,
                          uint256(static_cast<uint64_t>(gas_used)) * (price - block.base_fee));
    }
}

}  // namespace

Result<TxResult, TxRefusal> apply_transaction(ExecState& state, const BlockEnv& block, Revision rev,
                                              const Transaction& txn, const Address& sender,
                                              int64_t block_gas_left, const BlockHashFn& block_hash,
                                              const TxHooks* hooks,
                                              evm::AnalysisCache* analysis_cache) {
    const uint256 blob_fee = blob_base_fee(block.excess_blob_gas, rev);
    const int64_t extra_gas = hooks ? hooks->extra_gas : 0;
    if (auto v = validate_against_block(block, rev, txn, sender, block_gas_left, blob_fee); !v)
        return Unexpected{std::move(v.error())};
    if (auto v = validate_against_sender(state, rev, txn, sender, extra_gas); !v) {
        // A check that read a state it could not read says nothing: the fault is the answer.
        if (state.faulted()) return Unexpected{storage_fault_refusal(*state.fault())};
        return Unexpected{std::move(v.error())};
    }
    if (state.faulted()) return Unexpected{storage_fault_refusal(*state.fault())};

    const bool dynamic = is_dynamic_fee(txn);
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

    warm_access_set(state, block, rev, txn, sender, hooks);
    int64_t auth_refund = 0;
    if (txn.type == TxType::kSetCode) auth_refund = apply_authorizations(state, block, txn);

    const evm::TxContext ctx = tx_context(block, txn, sender, price, blob_fee);
    StateHost host(state, rev, ctx, block_hash);  // keeps a reference to ctx
    if (hooks) host.set_precompile_hook(hooks->precompiles);
    host.set_analysis_cache(analysis_cache);
    host.set_tracer(tracer);
    TxResult out;
    const evm::ExecResult res =
        run_top(host, state, rev, txn, sender, gas_limit - g.intrinsic - extra_gas, out);

    // Refunds (EIP-3529: at most a fifth of the gas used) and the EIP-7623 floor.
    // The extra (poster) gas is neither refundable nor part of the refund cap's base.
    int64_t gas_used = gas_limit - res.gas_left - extra_gas;
    const int64_t refund =
        std::min(std::max<int64_t>(res.gas_refund, 0) + auth_refund, gas_used / kMaxRefundQuotient);
    gas_used -= refund;
    gas_used = std::max(gas_used, g.floor);
    gas_used += extra_gas;
    settle_fees(state, block, sender, hooks, price, gas_limit, gas_used, extra_gas);

    // A read failed during execution (geth: StateDB.Error()): the outcome is not the
    // transaction's; the caller discards the state (docs/storage.md "Errors").
    if (state.faulted()) return Unexpected{storage_fault_refusal(*state.fault())};
    state.finalize_tx();
    if (tracer) tracer->on_tx_end(state, TxEnd{gas_used, res.status});
    out.status = res.status;
    out.gas_used = gas_used;
    out.logs = state.take_logs();
    return out;
}

}  // namespace fuse::state
