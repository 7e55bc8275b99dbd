// The `logs` subscription kind (geth eth/filters: one notification per matching log).

#include <algorithm>

#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"

namespace fuse::ethrpc {

bool log_matches(const Log& log, const std::vector<Address>& addresses,
                 const std::vector<std::vector<Hash32>>& topics) {
    if (!addresses.empty() &&
        std::find(addresses.begin(), addresses.end(), log.address) == addresses.end())
        return false;
    if (topics.size() > log.topics.size()) return false;  // geth: even for wildcards
    for (size_t i = 0; i < topics.size(); ++i) {
        const auto& alts = topics[i];
        if (!alts.empty() && std::find(alts.begin(), alts.end(), log.topics[i]) == alts.end())
            return false;
    }
    return true;
}

std::optional<rpc::RpcError> LogsKind::subscribe(const Json& params,
                                                 const std::shared_ptr<rpc::Subscription>& sub) {
    Entry e{sub, {}, {}};
    if (params.size() > 1)
        return rpc::RpcError::invalid_params("too many arguments, want at most 2");
    if (!params.empty() && !params[0].is_null()) {
        try {
            LogQuery q = decode_log_query(params[0]);
            e.addresses = std::move(q.addresses);
            e.topics = std::move(q.topics);
        } catch (const ParamError& err) {
            return rpc::RpcError::invalid_params(std::string("invalid argument 1: ") + err.what());
        }
    }
    std::lock_guard lock(mu_);
    subs_.push_back(std::move(e));
    return std::nullopt;
}

void LogsKind::unsubscribed(const rpc::Subscription& sub) {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [&](const Entry& e) { return e.sub.get() == &sub; });
}

size_t LogsKind::subscriber_count() const {
    std::lock_guard lock(mu_);
    return subs_.size();
}

void LogsKind::publish(const arbos::Block& block, bool removed) {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [](const Entry& e) { return !e.sub->active(); });
    for (uint32_t i = 0; i < block.txs.size(); ++i) {
        const auto& tx = block.txs[i];
        LogPosition pos{block.header.number, block.hash, block.header.timestamp, tx.hash, i,
                        tx.first_log_index};
        for (const Log& log : tx.receipt.logs) {
            std::string text;  // serialized once, only if someone wants it
            for (const Entry& e : subs_) {
                if (!log_matches(log, e.addresses, e.topics)) continue;
                if (text.empty()) {
                    Json j = log_json(log, pos);
                    j["removed"] = removed;
                    text = j.dump();
                }
                e.sub->notify_serialized(text);
            }
            ++pos.log_index;
        }
    }
}

}  // namespace fuse::ethrpc
