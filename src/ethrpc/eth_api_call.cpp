// eth_call, eth_estimateGas, eth_getLogs, eth_feeHistory, eth_gasPrice.

#include <algorithm>

#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/overrides.hpp"
#include "ethrpc/refusal.hpp"
#include "ethrpc/revert.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;
using rpc::RpcException;

[[noreturn]] void server_error(std::string message) {
    throw RpcException(RpcError::server(std::move(message)));
}

BlockId latest_id() {
    return BlockId{BlockNumberOrTag{BlockTag::kLatest, 0}, std::nullopt, false};
}

/// Caps the call's gas at the configured limit (geth's RPCGasCap; absent gas means the cap).
void cap_gas(arbos::CallRequest& req, uint64_t cap) {
    req.gas = std::min(req.gas.value_or(cap), cap);
}

[[noreturn]] void call_failed(const arbos::CallResult& r) {
    if (r.fault) server_error(r.error);  // the state could not be read: the fault's text
    if (r.error == "execution reverted" || (!r.success && r.error.empty()))
        throw RpcException(revert_error(r.output));
    server_error(r.error);
}

}  // namespace

Json EthApi::Impl::call(const Json& params) const {
    Params p(params, 4);
    arbos::CallRequest req =
        p.required(0, [this](const Json& j) { return decode_call_request(j, genesis.chain_id); });
    const auto id = p.optional(1, decode_block_id).value_or(latest_id());
    const auto overrides = p.optional(2, decode_state_overrides);
    req.block_overrides = p.optional(3, decode_block_overrides);
    cap_gas(req, config.max_call_gas);
    const ResolvedState s = resolve_state(id);
    // As geth and Nitro: the call runs in block N itself (NUMBER = N, N's timestamp).
    req.in_block = true;
    req.node_interface = node_interface.get();
    req.block_hashes = [this](int64_t n) {
        if (n < 0) return Hash32{};
        return db.block_hash(uint64_t(n)).value_or(Hash32{});
    };
    std::optional<OverrideState> view;
    if (overrides) view.emplace(*s.state, *overrides);
    const state::StateReader& st = view ? static_cast<const state::StateReader&>(*view) : *s.state;
    auto result = arbos::simulate_call(st, genesis, s.block, req, false);
    if (!result) throw RpcException(refusal_error(result.error().reason, result.error().message));
    if (!result->success) call_failed(*result);
    return Json(to_hex(result->output));
}

state::ReadResult<uint256> EthApi::Impl::estimate_l1_base_fee(const state::StateReader& st) const {
    const auto sys = arbos::read_system_state(st);
    if (!sys) return Unexpected{sys.error()};
    uint256 fee = sys->l1_base_fee;
    if (sink && sink->l1_base_fee) fee = std::max(fee, sink->l1_base_fee());
    // The L1 base fee may rise before the transaction is sealed; as Nitro, pad the L1 part of
    // the estimate (by kEstimateL1PaddingPercent) so an estimated transaction is not refused
    // with "intrinsic gas too low" one block later.
    return fee * uint256(100 + kEstimateL1PaddingPercent) / uint256(100);
}

Json EthApi::Impl::estimate_gas(const Json& params) const {
    Params p(params, 3);
    arbos::CallRequest req =
        p.required(0, [this](const Json& j) { return decode_call_request(j, genesis.chain_id); });
    const auto id = p.optional(1, decode_block_id).value_or(latest_id());
    const auto overrides = p.optional(2, decode_state_overrides);
    cap_gas(req, config.max_call_gas);
    const ResolvedState s = resolve_state(id);
    std::optional<OverrideState> view;
    if (overrides) view.emplace(*s.state, *overrides);
    const state::StateReader& st = view ? static_cast<const state::StateReader&>(*view) : *s.state;
    if (!req.l1_base_fee) req.l1_base_fee = or_storage_error(estimate_l1_base_fee(st));
    req.node_interface = node_interface.get();
    auto result = arbos::estimate_gas(st, genesis, s.block, req);
    if (!result) call_failed(result.error());
    return Json(quantity(*result));
}

void EthApi::Impl::register_call_methods(rpc::MethodRegistry& r) {
    r.register_method(
        "eth_call", [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            return call(params);
        });
    r.register_method(
        "eth_estimateGas",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            return estimate_gas(params);
        });
}

Json EthApi::Impl::get_logs(const LogQuery& q) const {
    storage::LogFilter f;
    f.addresses = q.addresses;
    f.topics = q.topics;
    if (q.block_hash) {
        const auto header = db.block_by_hash(*q.block_hash);
        if (!header) server_error("unknown block");
        f.from_block = f.to_block = header->header.number;
    } else {
        const auto head = db.head(storage::Head::kLatest);
        if (!head) return Json::array();
        const BlockNumberOrTag latest{BlockTag::kLatest, 0};
        const uint64_t from = resolve_number(q.from_block.value_or(latest)).value_or(0);
        uint64_t to = resolve_number(q.to_block.value_or(latest)).value_or(0);
        if (from > to) server_error("invalid block range params");
        if (from > *head) return Json::array();
        to = std::min(to, *head);
        if (to - from + 1 > config.max_logs_block_range)
            server_error("exceed maximum block range: " +
                         std::to_string(config.max_logs_block_range));
        f.from_block = from;
        f.to_block = to;
    }
    auto entries = db.logs(f, config.max_logs);
    if (!entries)
        server_error("query returned more than " + std::to_string(config.max_logs) +
                     " results. Try with a smaller block range");
    Json out = Json::array();
    uint64_t ts_block = ~uint64_t{0}, ts = 0;
    for (const auto& e : entries.value()) {
        if (e.block_number != ts_block) {
            const auto h = db.header_by_number(e.block_number);
            ts = h ? h->timestamp : 0;
            ts_block = e.block_number;
        }
        out.push_back(log_json(
            e.log, {e.block_number, e.block_hash, ts, e.tx_hash, e.tx_index, e.log_index}));
    }
    return out;
}

uint256 EthApi::Impl::gas_price() const {
    if (const auto st = db.latest_state()) {
        const auto sys = or_storage_error(arbos::read_system_state(*st));
        if (!sys.l2_base_fee.is_zero()) return sys.l2_base_fee;
    }
    if (const auto head = db.head(storage::Head::kLatest))
        if (const auto h = db.header_by_number(*head); h && h->base_fee_per_gas)
            return *h->base_fee_per_gas;
    return genesis.fees.min_base_fee;
}

Json EthApi::Impl::fee_history(uint64_t count, const BlockNumberOrTag& newest_tag,
                               const std::vector<double>& percentiles) const {
    if (count == 0) return Json{{"oldestBlock", "0x0"}, {"gasUsedRatio", nullptr}};
    count = std::min(count, config.fee_history_max_blocks);
    const auto head = db.head(storage::Head::kLatest);
    const auto newest = resolve_number(newest_tag);
    if (!head || !newest) server_error("header not found");
    if (*newest > *head)
        server_error("request beyond head block: requested " + std::to_string(*newest) + ", head " +
                     std::to_string(*head));
    const uint64_t oldest = *newest + 1 >= count ? *newest + 1 - count : 0;
    Json base_fees = Json::array(), ratios = Json::array(), rewards = Json::array();
    for (uint64_t n = oldest; n <= *newest; ++n) {
        const auto block = db.block_by_number(n);
        if (!block) server_error("header not found");
        const BlockHeader& h = block->header;
        const uint256 base = h.base_fee_per_gas.value_or(uint256{});
        base_fees.push_back(quantity(base));
        ratios.push_back(h.gas_limit ? double(h.gas_used) / double(h.gas_limit) : 0.0);
        if (percentiles.empty()) continue;
        Json row = Json::array();
        if (block->txs.empty()) {
            for (size_t i = 0; i < percentiles.size(); ++i)
                row.push_back("0x0");
        } else {
            // geth's processBlock: tips sorted ascending, weighted by gas used.
            std::vector<std::pair<uint256, uint64_t>> tips;
            for (const auto& tx : block->txs)
                tips.emplace_back(
                    tx.effective_gas_price > base ? tx.effective_gas_price - base : uint256{},
                    tx.gas_used);
            std::sort(tips.begin(), tips.end());
            size_t idx = 0;
            uint64_t sum = tips[0].second;
            for (double pct : percentiles) {
                const auto threshold = uint64_t(double(h.gas_used) * pct / 100);
                while (sum < threshold && idx + 1 < tips.size())
                    sum += tips[++idx].second;
                row.push_back(quantity(tips[idx].first));
            }
        }
        rewards.push_back(std::move(row));
    }
    // The next block's base fee: its header when it exists, else what ArbOS charges now.
    if (const auto next = db.header_by_number(*newest + 1); next && next->base_fee_per_gas)
        base_fees.push_back(quantity(*next->base_fee_per_gas));
    else
        base_fees.push_back(quantity(gas_price()));
    Json out = {{"oldestBlock", quantity(oldest)},
                {"baseFeePerGas", std::move(base_fees)},
                {"gasUsedRatio", std::move(ratios)}};
    if (!percentiles.empty()) out["reward"] = std::move(rewards);
    return out;
}

}  // namespace fuse::ethrpc
