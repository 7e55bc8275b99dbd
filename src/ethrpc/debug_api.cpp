// debug_traceTransaction, debug_traceCall, debug_traceBlockByNumber, debug_traceBlockByHash
// (debug_api.hpp; docs/eth-rpc.md "Tracing").
#include "ethrpc/debug_api.hpp"

#include "ethrpc/refusal.hpp"

#include <stdexcept>

#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/overrides.hpp"
#include "ethrpc/revert.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;
using rpc::RpcException;

[[noreturn]] void server_error(std::string message) {
    throw RpcException(RpcError::server(std::move(message)));
}

/// The parent's committed state as the builder's world: reads only (the traced block is never
/// finished, so apply_diff is not called).
class ReplayWorld final : public arbos::WorldState {
public:
    explicit ReplayWorld(const state::StateReader& base) : base_(base) {}
    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& a) const noexcept override {
        return base_.read_account(a);
    }
    state::ReadResult<uint256> read_storage(const Address& a,
                                            const uint256& k) const noexcept override {
        return base_.read_storage(a, k);
    }
    state::ReadResult<bool> has_storage(const Address& a) const noexcept override {
        return base_.has_storage(a);
    }
    state::ReadResult<Bytes> read_code(const Hash32& h) const noexcept override {
        return base_.read_code(h);
    }
    state::ReadResult<Hash32> apply_diff(const state::StateDiff&) override { return Hash32{}; }

private:
    const state::StateReader& base_;
};

tracing::TraceOptions decode_trace_options(const Json* j) {
    try {
        return tracing::parse_trace_options(j ? *j : Json());
    } catch (const std::invalid_argument& e) {
        server_error(e.what());
    }
}

Json finish(const tracing::TraceOptions& opts, Json result) {
    if (opts.tracer == "callTracer") add_revert_reasons(result);
    return result;
}

Json block_result(const std::vector<TxTrace>& traces) {
    Json out = Json::array();
    for (const TxTrace& t : traces) {
        Json e = Json::object();
        e["txHash"] = to_hex(t.tx_hash);
        if (t.result)
            e["result"] = *t.result;
        else
            e["error"] = t.error;
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

void add_revert_reasons(Json& frame) {
    if (!frame.is_object()) return;
    auto err = frame.find("error");
    auto out = frame.find("output");
    if (err != frame.end() && out != frame.end() && *err == "execution reverted" &&
        out->is_string()) {
        if (auto data = from_hex(out->get<std::string>()))
            if (auto reason = unpack_revert_reason(*data)) frame["revertReason"] = *reason;
    }
    if (auto calls = frame.find("calls"); calls != frame.end() && calls->is_array())
        for (Json& c : *calls)
            add_revert_reasons(c);
}

std::vector<TxTrace> trace_block(const storage::Database& db, const arbos::Genesis& genesis,
                                 const arbos::Block& block, const tracing::TraceOptions& opts,
                                 std::optional<uint32_t> only_index) {
    const uint64_t number = block.header.number;
    if (number == 0) server_error("genesis is not traceable");
    const auto parent = db.block_by_number(number - 1);
    if (!parent) server_error("parent block #" + std::to_string(number - 1) + " not found");
    const auto msg = db.message(number);
    if (!msg) server_error("message of block #" + std::to_string(number) + " not found");
    if (const uint64_t oldest = db.oldest_state_block(); number - 1 < oldest)
        server_error(storage::pruned_state_message(number - 1, oldest));
    const auto st = db.state_at_block(number - 1);
    if (!st)
        server_error("missing trie node " + to_hex(parent->header.state_root) +
                     " (state of block " + std::to_string(number - 1) + " is not available)");

    // The block's L1 deposits, as stored with it: ArbOS runs them first, in the constructor.
    std::vector<Deposit> deposits;
    if (msg->deposit_ref) {
        auto stored = db.deposits(msg->deposit_ref->first_index, msg->deposit_ref->count);
        if (!stored)
            server_error(
                "deposits " + std::to_string(msg->deposit_ref->first_index) + ".." +
                std::to_string(msg->deposit_ref->first_index + msg->deposit_ref->count - 1) +
                " of block #" + std::to_string(number) + " are not stored");
        deposits = std::move(*stored);
    }

    ReplayWorld world(*st);
    auto hashes = [&db](int64_t n) -> Hash32 {
        return n < 0 ? Hash32{} : db.block_hash(static_cast<uint64_t>(n)).value_or(Hash32{});
    };
    arbos::BlockBuilder builder(world, genesis, *parent, *msg, hashes, deposits);
    if (builder.deposit_error() || builder.deposit_count() > block.txs.size() ||
        (msg->deposit_ref && builder.deposit_count() != deposits.size()))
        server_error("re-executing block #" + std::to_string(number) + " diverged at its deposits");
    std::vector<TxTrace> out;
    bool timed_out = false;
    for (uint32_t i = 0; i < block.txs.size(); ++i) {
        if (only_index && i > *only_index) break;
        const arbos::ExecutedTx& etx = block.txs[i];
        const bool traced = !only_index || *only_index == i;
        if (i < builder.deposit_count()) {
            // Deposits run in ArbOS's block prologue, which is not traced (docs/eth-rpc.md).
            if (traced)
                out.push_back({etx.hash, std::nullopt,
                               "deposit transactions (types 0x64, 0x66) run in ArbOS's block "
                               "prologue and are not traced"});
            continue;
        }
        if (traced && timed_out) {
            // The timed-out transaction did not run to its end: what follows would trace a
            // state the chain never had.
            out.push_back({etx.hash, std::nullopt, "execution timeout"});
            continue;
        }
        std::unique_ptr<tracing::JsonTracer> tracer;
        if (traced) {
            tracer = tracing::make_tracer(opts, tracing::Clock::now());
            tracer->set_first_log_index(etx.first_log_index);
        }
        builder.set_tracer(tracer.get());
        auto res = builder.add(etx.tx, etx.raw, etx.sender, etx.hash);
        // The parent's state cannot be read (the system step's reads included): the fault's
        // text, not a divergence.
        if (builder.fault()) throw RpcException(storage_error(*builder.fault()));
        if (tracer && tracer->timed_out()) {
            timed_out = true;
            out.push_back({etx.hash, std::nullopt, "execution timeout"});
            continue;
        }
        if (!res || (*res)->gas_used != etx.gas_used)
            server_error("re-executing block #" + std::to_string(number) + " diverged at tx " +
                         std::to_string(i) +
                         (res ? " (gas used " + std::to_string((*res)->gas_used) + ", block says " +
                                    std::to_string(etx.gas_used) + ")"
                              : ": " + res.error().message));
        if (traced) out.push_back({etx.hash, finish(opts, tracer->result()), {}});
    }
    return out;
}

void EthApi::Impl::register_debug_methods(rpc::MethodRegistry& r) {
    r.register_method(
        "debug_traceTransaction",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 2);
            const Hash32 hash = p.required(0, decode_hash);
            const auto opts = decode_trace_options(p.get(1));
            const auto loc = db.tx_location(hash);
            if (!loc) server_error("transaction not found");
            const auto block = db.block_by_number(loc->block_number);
            if (!block || loc->index >= block->txs.size()) server_error("transaction not found");
            auto traces = trace_block(db, genesis, *block, opts, loc->index);
            if (traces.empty()) server_error("transaction not found");
            if (!traces.back().result) server_error(traces.back().error);
            return std::move(*traces.back().result);
        });
    auto by_block = [this](const arbos::Block& block, const Json* config) {
        const auto opts = decode_trace_options(config);
        return block_result(trace_block(db, genesis, block, opts));
    };
    r.register_method(
        "debug_traceBlockByNumber",
        [this, by_block](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 2);
            const auto n = p.required(0, decode_block_number);
            const auto number = resolve_number(n);
            std::optional<arbos::Block> block;
            if (number) block = db.block_by_number(*number);
            if (!block)
                server_error("block #" + std::to_string(number.value_or(n.number)) + " not found");
            return by_block(*block, p.get(1));
        });
    r.register_method(
        "debug_traceBlockByHash",
        [this, by_block](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 2);
            const Hash32 hash = p.required(0, decode_hash);
            const auto block = db.block_by_hash(hash);
            if (!block) server_error("block " + to_hex(hash) + " not found");
            return by_block(*block, p.get(1));
        });
    r.register_method(
        "debug_traceCall",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 3);
            arbos::CallRequest req = p.required(
                0, [this](const Json& j) { return decode_call_request(j, genesis.chain_id); });
            const auto id =
                p.optional(1, decode_block_id)
                    .value_or(BlockId{BlockNumberOrTag{BlockTag::kLatest, 0}, std::nullopt, false});
            const Json* cfg = p.get(2);
            const auto opts = decode_trace_options(cfg);
            std::optional<StateOverrides> overrides;
            if (cfg && cfg->is_object()) {
                if (auto it = cfg->find("stateOverrides"); it != cfg->end() && !it->is_null()) {
                    try {
                        overrides = decode_state_overrides(*it);
                    } catch (const ParamError& e) {
                        throw RpcException(RpcError::invalid_params(
                            std::string("invalid argument 2: ") + e.what()));
                    }
                }
                if (auto it = cfg->find("blockOverrides"); it != cfg->end() && !it->is_null())
                    server_error("block overrides are not supported");
            }
            req.gas = std::min(req.gas.value_or(config.max_call_gas), config.max_call_gas);
            const ResolvedState s = resolve_state(id);
            std::optional<OverrideState> view;
            if (overrides) view.emplace(*s.state, *overrides);
            const state::StateReader& st =
                view ? static_cast<const state::StateReader&>(*view) : *s.state;
            // In block N itself, as eth_call (and geth's debug_traceCall).
            req.in_block = true;
            req.block_hashes = [this](int64_t n) {
                if (n < 0) return Hash32{};
                return db.block_hash(uint64_t(n)).value_or(Hash32{});
            };
            auto tracer = tracing::make_tracer(opts, tracing::Clock::now());
            req.tracer = tracer.get();
            auto result = arbos::simulate_call(st, genesis, s.block, req, false);
            if (!result)
                throw RpcException(refusal_error(result.error().reason, result.error().message));
            if (tracer->timed_out()) server_error("execution timeout");
            return finish(opts, tracer->result());
        });
}

}  // namespace fuse::ethrpc
