// L1 deposits: the checks and the execution of one deposit (deposits.hpp; docs/arbos.md
// "Deposits").
#include "arbos/deposits.hpp"

#include <algorithm>

#include "core/hash.hpp"
#include "precompiles/precompiles.hpp"
#include "state/fork_rules.hpp"
#include "state/host.hpp"
#include "state/transition.hpp"
#include "state/validity.hpp"

namespace fuse::arbos {

const char* to_string(DepositError e) {
    switch (e) {
        case DepositError::kUnexpectedDeposits:
            return "deposit contents were given for a message without a deposit reference";
        case DepositError::kFirstIndexMismatch:
            return "the deposit reference does not start at ArbOS's next deposit index";
        case DepositError::kCountMismatch:
            return "the number of deposits read from L1 is not the reference's count";
        case DepositError::kIndexMismatch:
            return "a deposit read from L1 is not at its place in the referenced range";
        case DepositError::kBadKind:
            return "a deposit has a kind other than 0 (native) and 1 (message)";
        case DepositError::kDepositTooNew:
            return "a deposit's L1 block is after the message's L1 block";
        case DepositError::kAccumulatorMismatch:
            return "the deposits read from L1 do not chain to the reference's accumulator";
    }
    return "unknown deposit error";
}

std::optional<DepositError> check_deposits(SystemStorage& sys, const Message& msg,
                                           std::span<const Deposit> deposits) {
    if (!msg.deposit_ref) {
        if (deposits.empty()) return std::nullopt;
        return DepositError::kUnexpectedDeposits;
    }
    const batch::DepositRef& ref = *msg.deposit_ref;
    if (uint256(ref.first_index) != sys.get(Slot::kNextDepositIndex))
        return DepositError::kFirstIndexMismatch;
    if (deposits.size() != ref.count) return DepositError::kCountMismatch;
    for (size_t k = 0; k < deposits.size(); ++k) {
        const Deposit& d = deposits[k];
        if (d.index != ref.first_index + k) return DepositError::kIndexMismatch;
        if (d.kind != DepositKind::kNative && d.kind != DepositKind::kMessage)
            return DepositError::kBadKind;
        if (d.l1_block_number > msg.l1_block_number) return DepositError::kDepositTooNew;
    }
    if (chain_acc(sys.get(Slot::kDepositAcc).to_hash(), deposits) != ref.acc)
        return DepositError::kAccumulatorMismatch;
    return std::nullopt;
}

namespace {

/// The warm set at the start of a transaction (EIP-2929, EIP-3651): sender, recipient,
/// coinbase, Ethereum's precompiles of the revision and ArbOS's.
void warm_access_set(state::ExecState& exec, const BlockContext& c, const Address& from,
                     const Address& to) {
    exec.access_account(from);
    exec.access_account(to);
    exec.access_account(c.env.coinbase);
    const bool prague = state::fork_rules(c.rev).bls12_381_precompiles;
    for (uint8_t i = 1; i <= 0x11; ++i) {
        Address a;
        a[19] = i;
        if (precompiles::find_precompile(a, prague)) exec.access_account(a);
    }
    for (const Address& a : kPrecompileAddresses)
        exec.access_account(a);
}

}  // namespace

DepositOutcome execute_deposit(state::ExecState& exec, BlockContext& c, ArbPrecompiles& precompiles,
                               evm::AnalysisCache* analyses, const Deposit& d) {
    DepositOutcome out;
    out.tx = make_deposit_transaction(d, c.info.chain_id);
    out.raw = encode_transaction(out.tx);
    out.hash = keccak256(out.raw);
    if (d.kind == DepositKind::kNative) {
        exec.add_balance(d.to, d.value);
        exec.finalize_tx();
        return out;
    }

    // The mint first: it stays at `from` whatever the call does.
    exec.add_balance(d.l2_from, d.value);
    warm_access_set(exec, c, d.l2_from, d.to);
    // Intrinsic gas as for any call (21000 + call data); from Prague the EIP-7623 floor.
    const state::IntrinsicGas g = state::intrinsic_gas(out.tx, c.rev);
    const int64_t limit = static_cast<int64_t>(std::min<uint64_t>(d.l2_gas_limit, INT64_MAX));
    evm::Status status = evm::Status::kOutOfGas;
    int64_t gas_used = limit;
    if (limit >= g.intrinsic) {
        evm::TxContext ctx;
        ctx.gas_price = uint256{};  // paid on L1
        ctx.origin = d.l2_from;
        ctx.coinbase = c.env.coinbase;
        ctx.number = c.env.number;
        ctx.timestamp = c.env.timestamp;
        ctx.gas_limit = c.env.gas_limit;
        ctx.prev_randao = c.env.prev_randao;
        ctx.chain_id = uint256(c.env.chain_id);
        ctx.base_fee = c.env.base_fee;
        ctx.blob_base_fee = state::blob_base_fee(c.env.excess_blob_gas, c.rev);
        state::StateHost host(exec, c.rev, ctx, c.block_hash);
        host.set_precompile_hook(&precompiles);
        host.set_analysis_cache(analyses);
        precompiles.set_tx_l1_fee(uint256{});  // no L1 data fee: the L1 paid for it
        c.info.gas_backlog = c.backlog;
        if (state::fork_rules(c.rev).set_code_transactions) {
            if (auto target = state::delegation_target(exec.code(d.to)))
                exec.access_account(*target);
        }
        evm::Message msg;
        msg.kind = evm::CallKind::kCall;
        msg.depth = 0;
        msg.gas = limit - g.intrinsic;
        msg.sender = d.l2_from;
        msg.recipient = d.to;
        msg.code_address = d.to;
        msg.input = d.data;
        msg.value = d.value;
        const evm::ExecResult res = host.call(msg);  // reverts its own changes on failure
        status = res.status;
        gas_used = limit - res.gas_left;
        gas_used -= std::min(std::max<int64_t>(res.gas_refund, 0),
                             gas_used / 5);  // EIP-3529 cap
        gas_used = std::max(gas_used, g.floor);
    }
    exec.finalize_tx();
    out.success = status == evm::Status::kSuccess;
    out.gas_used = static_cast<uint64_t>(gas_used);
    for (state::Log& l : exec.take_logs())
        out.logs.push_back(Log{l.address, std::move(l.topics), std::move(l.data)});
    return out;
}

}  // namespace fuse::arbos
