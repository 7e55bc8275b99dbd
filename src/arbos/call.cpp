// eth_call and eth_estimateGas through ArbOS (arbos.hpp simulate_call / estimate_gas).
#include <algorithm>

#include "arbos/arbos.hpp"
#include "arbos/block_context.hpp"
#include "arbos/l1_fee.hpp"
#include "arbos/node_interface.hpp"
#include "arbos/precompiles.hpp"
#include "arbos/system_state.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "precompiles/precompiles.hpp"
#include "state/exec_state.hpp"
#include "state/fork_rules.hpp"
#include "state/host.hpp"
#include "state/transition.hpp"

namespace fuse::arbos {

namespace {

constexpr int64_t kMaxRefundQuotient = 5;  // EIP-3529

/// The transaction a request stands for (for intrinsic gas and the L1 size estimate).
Transaction as_transaction(const CallRequest& req, uint64_t chain_id, uint64_t gas,
                           uint64_t nonce) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.chain_id = chain_id;
    tx.nonce = nonce;
    tx.max_fee_per_gas = req.max_fee_per_gas.value_or(req.gas_price.value_or(uint256{}));
    tx.max_priority_fee_per_gas = req.max_priority_fee_per_gas.value_or(uint256{});
    tx.gas_limit = gas;
    tx.to = req.to;
    tx.value = req.value;
    tx.data = req.data;
    tx.access_list = req.access_list;
    if (!req.authorization_list.empty()) {
        tx.type = TxType::kSetCode;  // intrinsic gas and size count the tuples (EIP-7702)
        tx.authorization_list = req.authorization_list;
    }
    // A signature of full-width r and s so the size estimate is not below a real one.
    // (incompressible, like a real one: hashes, not a repeated byte).
    static const uint256 kR = uint256::from_hash(keccak256(Bytes{'r'})) >> 1;
    static const uint256 kS = uint256::from_hash(keccak256(Bytes{'s'})) >> 1;
    tx.r = kR;
    tx.s = kS;
    tx.y_parity = 1;
    return tx;
}

/// Poster gas for an unsigned request: the L1 size of the equivalent signed transaction plus
/// Nitro's estimation padding (10% and 16 bytes), so that the estimate covers the real fee.
uint64_t estimated_l1_gas(const Transaction& tx, const BlockInfo& info) {
    const Bytes raw = encode_transaction(tx);
    const uint64_t size = compressed_size(raw);
    const uint64_t padded = size + size / 10 + 16;
    return poster_gas(uint256(padded) * info.l1_price_per_byte, info.base_fee);
}

std::string status_error(evm::Status s) {
    if (s == evm::Status::kRevert) return "execution reverted";
    if (s == evm::Status::kOutOfGas) return "out of gas";
    return std::string(evm::to_string(s));
}

}  // namespace

namespace {

/// The block context of a call: block N's or the next one's (`in_block`), the L1 price and the
/// block fields possibly overridden.
state::ReadResult<BlockContext> call_context(const state::StateReader& st, const Genesis& genesis,
                                             const Block& parent, const CallRequest& req) {
    auto made = make_call_context(st, genesis, parent, req.in_block, req.block_hashes);
    if (!made) return made;
    BlockContext& c = *made;
    if (req.l1_base_fee) {
        c.info.l1_base_fee = *req.l1_base_fee;
        c.info.l1_price_per_byte =
            l1_price_per_byte(genesis.fees, c.info.arbos_version, *req.l1_base_fee, c.l1_backlog);
    }
    if (const auto& o = req.block_overrides) {
        if (o->number) {
            c.info.number = *o->number;
            c.env.number = static_cast<int64_t>(*o->number);
        }
        if (o->time) {
            c.info.timestamp = *o->time;
            c.env.timestamp = static_cast<int64_t>(*o->time);
        }
        if (o->gas_limit) c.env.gas_limit = static_cast<int64_t>(*o->gas_limit);
        if (o->coinbase) c.env.coinbase = *o->coinbase;
        if (o->base_fee) c.info.base_fee = c.env.base_fee = *o->base_fee;
        if (o->prev_randao) c.env.prev_randao = *o->prev_randao;
    }
    return made;
}

Unexpected<TxRejection> fault_rejection(const state::StorageFault& f) {
    return Unexpected{TxRejection::of(state::storage_fault_refusal(f))};
}

/// EIP-2929/2930/3651 warm set, ArbOS's precompiles included.
void warm_access_set(state::ExecState& exec, const CallRequest& req, const Address& from,
                     const BlockContext& c) {
    exec.access_account(from);
    if (req.to) exec.access_account(*req.to);
    exec.access_account(c.env.coinbase);
    const bool bls = state::fork_rules(c.rev).bls12_381_precompiles;
    for (uint8_t i = 1; i <= 0x11; ++i) {
        Address a;
        a[19] = i;
        if (precompiles::find_precompile(a, bls)) exec.access_account(a);
    }
    for (const Address& a : kPrecompileAddresses)
        exec.access_account(a);
    for (const AccessListEntry& e : req.access_list) {
        exec.access_account(e.address);
        for (const Hash32& k : e.storage_keys)
            exec.access_storage(e.address, uint256::from_hash(k));
    }
}

evm::TxContext tx_context(const BlockContext& c, const Address& from, const uint256& price) {
    evm::TxContext ctx;
    ctx.gas_price = price;
    ctx.origin = from;
    ctx.coinbase = c.env.coinbase;
    ctx.number = c.env.number;
    ctx.timestamp = c.env.timestamp;
    ctx.gas_limit = c.env.gas_limit;
    ctx.prev_randao = c.env.prev_randao;
    ctx.chain_id = c.env.chain_id;
    ctx.base_fee = c.env.base_fee;
    return ctx;
}

/// eth_createAccessList's list: the warm set after the call, without what every transaction has
/// warm anyway (as geth's access-list tracer: the sender, the recipient, the precompiles and here
/// the coinbase, warm from the start by EIP-3651, are listed only with slots they used).
std::vector<AccessListEntry> used_access_list(state::ExecState& exec, const CallRequest& req,
                                              const Address& from, uint64_t nonce,
                                              const BlockContext& c) {
    const Address target = req.to ? *req.to : state::create_address(from, nonce);
    const bool bls = state::fork_rules(c.rev).bls12_381_precompiles;
    const auto is_precompile = [bls](const Address& a) {
        return precompiles::find_precompile(a, bls) ||
               std::find(kPrecompileAddresses.begin(), kPrecompileAddresses.end(), a) !=
                   kPrecompileAddresses.end();
    };
    std::vector<AccessListEntry> out;
    for (AccessListEntry& e : exec.warm_set()) {
        const bool implied = e.address == from || e.address == target ||
                             e.address == c.env.coinbase || is_precompile(e.address);
        if (implied && e.storage_keys.empty()) continue;
        out.push_back(std::move(e));
    }
    return out;
}

/// Runs the top frame of `req` (a call, or a create at `nonce`) with `gas`.
evm::ExecResult run_top(state::StateHost& host, const CallRequest& req, const Address& from,
                        uint64_t nonce, int64_t gas) {
    evm::Message msg;
    msg.kind = req.to ? evm::CallKind::kCall : evm::CallKind::kCreate;
    msg.gas = gas;
    msg.sender = from;
    msg.input = req.data;
    msg.value = req.value;
    if (!req.to) return host.create_top(msg, nonce);
    msg.recipient = *req.to;
    msg.code_address = *req.to;
    return host.call(msg);
}

}  // namespace

namespace {

/// Why a request cannot run as a transaction (eth_simulateV1 with validation), in the order
/// and with the texts of a transaction's execution (state/transition.cpp, geth's
/// state_transition preCheck), except that a sender with code is accepted (geth's simulate
/// skips the EOA check too).
std::optional<TxRejection> validate_as_transaction(state::ExecState& exec, const BlockInfo& info,
                                                   const Transaction& tx, const Address& from,
                                                   uint64_t gas, uint64_t intrinsic) {
    using state::TxReason;
    const auto refuse = [](TxReason r, const std::string& detail) {
        return TxRejection::of(state::make_refusal(r, detail));
    };
    const std::string address = "address " + to_hex(from.view());
    const uint64_t state_nonce = exec.nonce(from);
    const std::string nonces =
        address + ", tx: " + std::to_string(tx.nonce) + " state: " + std::to_string(state_nonce);
    if (state_nonce == UINT64_MAX) return refuse(TxReason::kNonceMax, address);
    if (tx.nonce > state_nonce) return refuse(TxReason::kNonceTooHigh, nonces);
    if (tx.nonce < state_nonce) return refuse(TxReason::kNonceTooLow, nonces);
    if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas)
        return refuse(TxReason::kTipAboveFeeCap,
                      address + ", maxPriorityFeePerGas: " + tx.max_priority_fee_per_gas.to_dec() +
                          ", maxFeePerGas: " + tx.max_fee_per_gas.to_dec());
    if (tx.max_fee_per_gas < info.base_fee)
        return refuse(TxReason::kFeeCapTooLow,
                      address + ", maxFeePerGas: " + tx.max_fee_per_gas.to_dec() +
                          ", baseFee: " + info.base_fee.to_dec());
    const uint256 want = state::max_tx_cost(tx);
    if (exec.balance(from) < want)
        return refuse(TxReason::kInsufficientFunds,
                      address + " have " + exec.balance(from).to_dec() + " want " + want.to_dec());
    if (gas < intrinsic)
        return refuse(TxReason::kIntrinsicGas,
                      "have " + std::to_string(gas) + ", want " + std::to_string(intrinsic));
    return std::nullopt;
}

/// The call `req` on `exec` in the block `c`. `chained` (eth_simulateV1): the state changes
/// stay in `exec` for the next call, so gas is paid as a transaction pays it (unused gas back
/// to the sender, the fees to ArbOS's fee accounts) and the transaction is finalized; with
/// `validate` the request must also be a valid transaction. Otherwise (eth_call & co.) `exec`
/// is thrown away afterwards.
Result<CallResult, TxRejection> run_call(state::ExecState& exec, BlockContext& c,
                                         const Genesis& genesis, const CallRequest& req,
                                         bool charge_l1, bool chained, bool validate) {
    const Address from = req.from.value_or(Address{});
    const uint64_t nonce = req.nonce.value_or(exec.nonce(from));
    if (exec.faulted()) return fault_rejection(*exec.fault());
    Transaction tx = as_transaction(req, genesis.chain_id,
                                    req.gas.value_or(genesis.fees.max_tx_gas_limit), nonce);
    const uint64_t l1_gas = charge_l1 ? estimated_l1_gas(tx, c.info) : 0;
    // Without a gas limit: the per-tx cap of compute gas plus the L1 part (docs/arbos.md).
    const uint64_t gas = req.gas.value_or(genesis.fees.max_tx_gas_limit + l1_gas);
    tx.gas_limit = gas;
    const state::IntrinsicGas g = state::intrinsic_gas(tx, c.rev);
    const uint64_t intrinsic = static_cast<uint64_t>(std::max(g.intrinsic, g.floor)) + l1_gas;
    if (validate) {
        // A check that read a state it could not read says nothing: the fault is the answer.
        auto bad = validate_as_transaction(exec, c.info, tx, from, gas, intrinsic);
        if (exec.faulted()) return fault_rejection(*exec.fault());
        if (bad) return Unexpected{std::move(*bad)};
    } else if (gas < intrinsic) {
        return Unexpected{TxRejection::of(state::make_refusal(
            state::TxReason::kIntrinsicGas,
            "have " + std::to_string(gas) + ", want " + std::to_string(intrinsic)))};
    }

    // Gas is paid at the base fee when a price is given (eth_call without one runs for free,
    // as geth's NoBaseFee mode); a valid transaction always pays it (ArbOS's price).
    const bool priced = validate || req.gas_price || req.max_fee_per_gas;
    const uint256 price = priced ? c.info.base_fee : uint256{};
    const uint256 cost = uint256(gas) * price + req.value;
    if (req.tracer) {
        state::TxStart start;
        start.from = from;
        start.to = req.to;
        if (!req.to) start.created = state::create_address(from, nonce);
        start.gas_limit = gas;
        start.coinbase = c.env.coinbase;
        req.tracer->on_tx_start(exec, start);
    }
    if (exec.balance(from) < cost) {
        if (exec.faulted()) return fault_rejection(*exec.fault());
        return Unexpected{TxRejection::of(state::make_refusal(
            state::TxReason::kInsufficientFunds, "address " + to_hex(from.view()) + " have " +
                                                     exec.balance(from).to_dec() + " want " +
                                                     cost.to_dec()))};
    }
    if (!price.is_zero()) exec.sub_balance(from, uint256(gas) * price);
    warm_access_set(exec, req, from, c);

    const evm::TxContext ctx = tx_context(c, from, price);
    state::StateHost host(exec, c.rev, ctx, c.block_hash);  // keeps a reference to ctx
    ArbPrecompiles arb(c.info);
    arb.set_tx_l1_fee(charge_l1 ? uint256(l1_gas) * c.info.base_fee : uint256{});
    host.set_precompile_hook(&arb);
    host.set_tracer(req.tracer);
    exec.set_nonce(from, nonce + 1);
    // EIP-7702, as apply_transaction: the authorizations after the sender's nonce bump (a
    // self-sponsored one names nonce + 1), then the delegation target of `to` is warm.
    int64_t auth_refund = 0;
    if (!req.authorization_list.empty()) {
        if (!state::fork_rules(c.rev).set_code_transactions)
            return Unexpected{TxRejection::of(state::make_refusal(
                state::TxReason::kUnsupportedType, "authorizationList needs Prague rules"))};
        auth_refund = state::apply_authorizations(exec, c.env, tx);
    }
    if (req.to && state::fork_rules(c.rev).set_code_transactions) {
        if (auto target = state::delegation_target(exec.code(*req.to)))
            exec.access_account(*target);
    }
    evm::ExecResult res =
        run_top(host, req, from, nonce,
                static_cast<int64_t>(gas - static_cast<uint64_t>(g.intrinsic) - l1_gas));
    // A read failed during the call (geth: StateDB.Error() after ApplyMessage): its outcome is
    // not the call's (docs/storage.md "Errors"). A chained call's state is discarded with it.
    if (exec.faulted()) return fault_rejection(*exec.fault());

    int64_t used = static_cast<int64_t>(gas - l1_gas) - res.gas_left;
    const int64_t before_refund = used;
    used -= std::min(std::max<int64_t>(res.gas_refund, 0) + auth_refund, used / kMaxRefundQuotient);
    used = std::max(used, g.floor);

    CallResult out;
    if (req.collect_access_list) out.access_list = used_access_list(exec, req, from, nonce, c);
    out.success = res.status == evm::Status::kSuccess;
    out.output = std::move(res.output);
    out.gas_used = static_cast<uint64_t>(used) + l1_gas;
    out.gas_used_for_l1 = l1_gas;
    out.gas_before_refund = static_cast<uint64_t>(std::max(before_refund, g.floor)) + l1_gas;
    if (out.success && !req.to) out.contract_address = res.create_address;
    if (!out.success) out.error = status_error(res.status);
    if (chained) {
        // As state/transition.cpp settle_fees with ArbOS's hooks: unused gas back, the L2 part
        // to the network fee account, the L1 part to the L1 fee account.
        if (!price.is_zero()) {
            exec.add_balance(from, uint256(gas - out.gas_used) * price);
            const uint256 l1_fee = uint256(l1_gas) * price;
            const uint256 l2_fee = uint256(out.gas_used - l1_gas) * price;
            if (!l1_fee.is_zero()) exec.add_balance(genesis.fees.l1_fee_account, l1_fee);
            if (!l2_fee.is_zero()) exec.add_balance(genesis.fees.network_fee_account, l2_fee);
        }
        exec.finalize_tx();
        out.logs = exec.take_logs();
    }
    if (req.tracer)
        req.tracer->on_tx_end(exec, state::TxEnd{static_cast<int64_t>(out.gas_used), res.status});
    return out;
}

}  // namespace

Result<CallResult, TxRejection> simulate_call(const state::StateReader& st, const Genesis& genesis,
                                              const Block& parent, const CallRequest& req,
                                              bool charge_l1) {
    // 0xC8 (NodeInterface) and the other system addresses answer or explain themselves; a
    // trace (debug_traceCall) shows what the EVM does instead.
    if (!req.tracer)
        if (auto system = intercept_system_call(st, genesis, parent, req, charge_l1))
            return *system;
    auto c = call_context(st, genesis, parent, req);
    if (!c) return fault_rejection(c.error());
    state::ExecState exec(st);
    return run_call(exec, *c, genesis, req, charge_l1, /*chained=*/false, /*validate=*/false);
}

Result<CallResult, TxRejection> simulate_call_on(state::ExecState& exec,
                                                 const state::StateReader& st,
                                                 const Genesis& genesis, const Block& parent,
                                                 const CallRequest& req, bool validate) {
    if (auto system = intercept_system_call(st, genesis, parent, req, validate)) return *system;
    auto c = call_context(st, genesis, parent, req);
    if (!c) return fault_rejection(c.error());
    return run_call(exec, *c, genesis, req, /*charge_l1=*/validate, /*chained=*/true, validate);
}

state::ReadResult<uint64_t> estimate_l1_gas(const state::StateReader& st, const Genesis& genesis,
                                            const Block& parent, const CallRequest& req) {
    const auto c = call_context(st, genesis, parent, req);
    if (!c) return Unexpected{c.error()};
    const Address from = req.from.value_or(Address{});
    const auto acc = st.read_account(from);
    if (!acc) return Unexpected{acc.error()};
    const uint64_t nonce = req.nonce.value_or(*acc ? (*acc)->nonce : 0);
    const Transaction tx = as_transaction(req, genesis.chain_id,
                                          req.gas.value_or(genesis.fees.max_tx_gas_limit), nonce);
    return estimated_l1_gas(tx, c->info);
}

Result<uint64_t, CallResult> estimate_gas(const state::StateReader& st, const Genesis& genesis,
                                          const Block& parent, const CallRequest& req) {
    auto run = [&](std::optional<uint64_t> gas) {
        CallRequest r = req;
        r.gas = gas;
        return simulate_call(st, genesis, parent, r, true);
    };
    auto failure = [](const TxRejection& rej) {
        CallResult f;
        f.error = rej.message;
        f.fault = rej.reason == state::TxReason::kStorageFault;
        return f;
    };
    // A storage fault at any step ends the search: "fails at this limit" would be a guess.
    auto faulted = [](const Result<CallResult, TxRejection>& r) {
        return !r && r.error().reason == state::TxReason::kStorageFault;
    };
    // The upper bound: the request's gas, else the per-tx cap plus the L1 part.
    auto top = run(req.gas);
    if (!top) return Unexpected{failure(top.error())};
    uint64_t hi = req.gas.value_or(genesis.fees.max_tx_gas_limit + top->gas_used_for_l1);
    bool rerun = false;
    // With a price, the sender's balance caps the gas it can buy (as geth).
    if (req.gas_price || req.max_fee_per_gas) {
        const auto sys = read_system_state(st);
        if (!sys)
            return Unexpected{failure(TxRejection::of(state::storage_fault_refusal(sys.error())))};
        const uint256 base_fee = sys->l2_base_fee;
        const auto acc = st.read_account(req.from.value_or(Address{}));
        if (!acc)
            return Unexpected{failure(TxRejection::of(state::storage_fault_refusal(acc.error())))};
        const uint256 balance = *acc ? (*acc)->balance : uint256{};
        if (!base_fee.is_zero() && balance >= req.value) {
            const uint256 affordable = (balance - req.value) / base_fee;
            if (affordable < uint256(hi)) {
                hi = affordable.w[0];
                rerun = true;
            }
        }
    }
    if (rerun) {
        top = run(hi);
        if (!top) return Unexpected{failure(top.error())};
    }
    if (!top->success) return Unexpected{std::move(*top)};

    // The gas used is a lower bound; try a little above it first (most calls succeed there).
    uint64_t lo = top->gas_used > 0 ? top->gas_used - 1 : 0;
    const uint64_t guess = std::min(hi, top->gas_used + top->gas_used / 63 + 2300);
    if (auto r = run(guess); r && r->success)
        hi = guess;
    else if (faulted(r))
        return Unexpected{failure(r.error())};
    else
        lo = std::max(lo, guess);
    while (lo + 1 < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        auto r = run(mid);
        if (faulted(r)) return Unexpected{failure(r.error())};
        if (r && r->success)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

}  // namespace fuse::arbos
