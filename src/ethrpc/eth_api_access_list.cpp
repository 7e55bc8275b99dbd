// eth_createAccessList (EIP-2930; geth's internal/ethapi AccessList): runs the call with the
// access list found so far until the list stops changing, and answers geth's shape
// {accessList, gasUsed, error?}.

#include <algorithm>

#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/refusal.hpp"

namespace fuse::ethrpc {
namespace {

/// Rounds at most (geth loops until stable; each round can only add entries, so a call
/// touching k new accounts settles within k + 1 rounds; the bound is for pathological code).
constexpr int kMaxRounds = 16;

Json entries_json(const std::vector<AccessListEntry>& list) {
    Json out = Json::array();
    for (const auto& e : list) {
        Json keys = Json::array();
        for (const auto& k : e.storage_keys)
            keys.push_back(to_hex(k));
        out.push_back({{"address", to_hex(e.address)}, {"storageKeys", std::move(keys)}});
    }
    return out;
}

}  // namespace

Json EthApi::Impl::create_access_list(const Json& params) const {
    Params p(params, 2);
    arbos::CallRequest req =
        p.required(0, [this](const Json& j) { return decode_call_request(j, genesis.chain_id); });
    // geth's default is the pending block: here the block after the head, as eth_estimateGas.
    const BlockId id = p.optional(1, decode_block_id)
                           .value_or(BlockId{BlockNumberOrTag{BlockTag::kPending, 0}, {}, false});
    req.gas = std::min(req.gas.value_or(config.max_call_gas), config.max_call_gas);
    const ResolvedState s = resolve_state(id);
    req.in_block = !(id.number && id.number->tag == BlockTag::kPending);
    req.block_hashes = [this](int64_t n) {
        return n < 0 ? Hash32{} : db.block_hash(uint64_t(n)).value_or(Hash32{});
    };
    req.collect_access_list = true;
    if (!req.l1_base_fee) req.l1_base_fee = or_storage_error(estimate_l1_base_fee(*s.state));
    std::vector<AccessListEntry> list = req.access_list;
    for (int round = 0; round < kMaxRounds; ++round) {
        req.access_list = list;
        auto r = arbos::simulate_call(*s.state, genesis, s.block, req, true);
        if (!r)
            throw rpc::RpcException(refusal_error(
                r.error().reason, "failed to apply transaction: " + r.error().message));
        if (r->access_list == list || round + 1 == kMaxRounds) {
            Json out = {{"accessList", entries_json(r->access_list)},
                        {"gasUsed", quantity(r->gas_used)}};
            if (!r->success) out["error"] = r->error.empty() ? "execution reverted" : r->error;
            return out;
        }
        list = std::move(r->access_list);
    }
    return Json();  // not reached
}

}  // namespace fuse::ethrpc
