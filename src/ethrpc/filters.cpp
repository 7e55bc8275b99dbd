// The filter store and the newPendingTransactions kind (geth eth/filters semantics).

#include "ethrpc/filters.hpp"

#include <algorithm>

#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"

namespace fuse::ethrpc {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string duration_text(std::chrono::milliseconds d) {
    // geth prints time.Duration ("5m0s"); keep that shape for whole minutes and seconds.
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    if (s >= 60) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
    if (s > 0) return std::to_string(s) + "s";
    return std::to_string(d.count()) + "ms";
}

/// Whether a log of block `n` is inside the filter's numeric range (geth's filterLogs: tags
/// do not bound a live filter).
bool in_range(const LogQuery& q, uint64_t n) {
    if (q.from_block && q.from_block->tag == BlockTag::kNumber && n < q.from_block->number)
        return false;
    if (q.to_block && q.to_block->tag == BlockTag::kNumber && n > q.to_block->number) return false;
    return true;
}

}  // namespace

std::string FilterConfig::validate() const {
    if (timeout.count() <= 0) return "filter timeout must be positive";
    if (max_filters == 0) return "max_filters must be at least 1";
    if (max_filters_per_client == 0) return "max_filters_per_client must be at least 1";
    if (max_changes == 0) return "max_changes must be at least 1";
    return {};
}

std::string filter_error_message(FilterError e, const FilterConfig& cfg) {
    switch (e) {
        case FilterError::kNotFound:
            return "filter not found";
        case FilterError::kTooMany:
            return "too many filters: this node keeps at most " + std::to_string(cfg.max_filters) +
                   "; uninstall unused ones with eth_uninstallFilter (idle filters expire after " +
                   duration_text(cfg.timeout) + ")";
        case FilterError::kTooManyForClient:
            return "too many filters for this client: at most " +
                   std::to_string(cfg.max_filters_per_client) +
                   "; uninstall unused ones with eth_uninstallFilter (idle filters expire after " +
                   duration_text(cfg.timeout) + ")";
        case FilterError::kOverflow:
            return "filter overflowed: more than " + std::to_string(cfg.max_changes) +
                   " changes arrived since the last poll and were dropped; poll more often, or "
                   "read the missed blocks with eth_getLogs / eth_getBlockByNumber";
        case FilterError::kInvalidBlockRange:
            return "invalid from and to block combination";
    }
    return "filter error";
}

std::string client_of(std::string_view remote) {
    const auto colon = remote.rfind(':');
    if (colon == std::string_view::npos) return std::string(remote);
    return std::string(remote.substr(0, colon));
}

FilterStore::FilterStore(FilterConfig cfg, Clock clock)
    : cfg_(std::move(cfg)), clock_(std::move(clock)) {}

void FilterStore::erase(std::map<std::string, Filter, std::less<>>::iterator it) {
    const auto c = per_client_.find(it->second.client);
    if (c != per_client_.end() && --c->second == 0) per_client_.erase(c);
    filters_.erase(it);
}

void FilterStore::sweep(SteadyClock::time_point now) {
    for (auto it = filters_.begin(); it != filters_.end();) {
        const auto next = std::next(it);
        if (it->second.deadline <= now) erase(it);
        it = next;
    }
}

void FilterStore::set_chain(HeadFn head, BlockFn block) {
    std::lock_guard lock(mu_);
    head_ = std::move(head);
    block_ = std::move(block);
}

void FilterStore::catch_up() {
    if (!head_ || !block_) return;
    const auto head = head_();
    if (!head) return;
    if (seen_.empty()) {  // nothing delivered yet: filters start at the current head
        if (const auto b = block_(*head)) seen_.emplace_back(b->header.number, b->hash);
        return;
    }
    while (seen_.back().first < *head) {
        const auto b = block_(seen_.back().first + 1);
        if (!b) return;
        deliver(*b);
    }
}

Result<std::string, FilterError> FilterStore::install(Filter f) {
    std::lock_guard lock(mu_);
    const auto now = clock_();
    sweep(now);
    catch_up();  // the new filter reports blocks after the head as it is now
    if (filters_.size() >= cfg_.max_filters) return Unexpected{FilterError::kTooMany};
    auto& count = per_client_[f.client];
    if (count >= cfg_.max_filters_per_client) return Unexpected{FilterError::kTooManyForClient};
    f.deadline = now + cfg_.timeout;
    std::string id;
    do {
        id = rpc::make_subscription_id();
    } while (filters_.count(id));
    ++count;
    filters_.emplace(id, std::move(f));
    return id;
}

Result<std::string, FilterError> FilterStore::install_logs(const std::string& client, LogQuery q) {
    if (q.from_block && q.to_block && q.from_block->tag == BlockTag::kNumber &&
        q.to_block->tag == BlockTag::kNumber && q.from_block->number > q.to_block->number)
        return Unexpected{FilterError::kInvalidBlockRange};
    Filter f{FilterKind::kLogs, client, std::move(q), false, {}, {}, false};
    return install(std::move(f));
}

Result<std::string, FilterError> FilterStore::install_blocks(const std::string& client) {
    return install(Filter{FilterKind::kBlocks, client, {}, false, {}, {}, false});
}

Result<std::string, FilterError> FilterStore::install_pending_txs(const std::string& client,
                                                                  bool full_tx) {
    return install(Filter{FilterKind::kPendingTxs, client, {}, full_tx, {}, {}, false});
}

Result<Json, FilterError> FilterStore::changes(std::string_view id) {
    std::lock_guard lock(mu_);
    const auto now = clock_();
    const auto it = filters_.find(id);
    if (it == filters_.end()) return Unexpected{FilterError::kNotFound};
    if (it->second.deadline <= now) {
        erase(it);
        return Unexpected{FilterError::kNotFound};
    }
    catch_up();  // everything up to the head this client may already have seen
    Filter& f = it->second;
    f.deadline = now + cfg_.timeout;
    std::vector<Json> items;
    items.swap(f.items);
    if (f.overflowed) {
        f.overflowed = false;
        return Unexpected{FilterError::kOverflow};
    }
    Json out = Json::array();
    for (auto& item : items)
        out.push_back(std::move(item));
    return out;
}

Result<LogQuery, FilterError> FilterStore::log_query(std::string_view id) {
    std::lock_guard lock(mu_);
    const auto it = filters_.find(id);
    if (it == filters_.end() || it->second.kind != FilterKind::kLogs)
        return Unexpected{FilterError::kNotFound};
    if (it->second.deadline <= clock_()) {
        erase(it);
        return Unexpected{FilterError::kNotFound};
    }
    return it->second.query;
}

bool FilterStore::uninstall(std::string_view id) {
    std::lock_guard lock(mu_);
    const auto it = filters_.find(id);
    if (it == filters_.end()) return false;
    const bool live = it->second.deadline > clock_();
    erase(it);
    return live;
}

size_t FilterStore::size() {
    std::lock_guard lock(mu_);
    sweep(clock_());
    return filters_.size();
}

void FilterStore::push(Filter& f, Json item) const {
    if (f.overflowed) return;
    if (f.items.size() >= cfg_.max_changes) {
        f.overflowed = true;
        f.items.clear();
        return;
    }
    f.items.push_back(std::move(item));
}

void FilterStore::on_block(const arbos::Block& block) {
    std::lock_guard lock(mu_);
    sweep(clock_());
    const uint64_t n = block.header.number;
    const auto known =
        std::find_if(seen_.begin(), seen_.end(), [&](const auto& s) { return s.first == n; });
    if (known != seen_.end() && known->second == block.hash) return;  // read by catch_up
    if (!seen_.empty() && n > seen_.back().first + 1 && head_ && block_) {
        // A gap (should not happen: blocks arrive in order): read the blocks between.
        // Called on the sequencer's commit thread: a block read that fails (the database's
        // ReadError) must not end it. The filters lose those blocks, so their next poll says
        // so (as an overflow: read the missed blocks with eth_getLogs).
        try {
            while (!seen_.empty() && seen_.back().first + 1 < n) {
                const auto b = block_(seen_.back().first + 1);
                if (!b) break;
                deliver(*b);
            }
        } catch (const std::exception&) {
            for (auto& [id, f] : filters_)
                f.overflowed = true;
        }
    }
    deliver(block);
}

void FilterStore::deliver(const arbos::Block& block) {
    const uint64_t n = block.header.number;
    // A rewound height (validator): forget what was seen from there on.
    while (!seen_.empty() && seen_.back().first >= n)
        seen_.pop_back();
    seen_.emplace_back(n, block.hash);
    if (seen_.size() > kSeenBlocks) seen_.pop_front();
    if (filters_.empty()) return;
    // Each log's JSON is made once, only if some filter wants it.
    std::vector<std::pair<const Log*, LogPosition>> logs;
    for (uint32_t i = 0; i < block.txs.size(); ++i) {
        const auto& tx = block.txs[i];
        LogPosition pos{block.header.number, block.hash, block.header.timestamp, tx.hash, i,
                        tx.first_log_index};
        for (const Log& log : tx.receipt.logs) {
            logs.emplace_back(&log, pos);
            ++pos.log_index;
        }
    }
    std::vector<std::optional<Json>> log_cache(logs.size());
    for (auto& [id, f] : filters_) {
        switch (f.kind) {
            case FilterKind::kBlocks:
                push(f, Json(to_hex(block.hash)));
                break;
            case FilterKind::kPendingTxs:
                for (uint32_t i = 0; i < block.txs.size(); ++i)
                    push(f, f.full_tx ? tx_json(block, i) : Json(to_hex(block.txs[i].hash)));
                break;
            case FilterKind::kLogs:
                if (!in_range(f.query, block.header.number)) break;
                if (f.query.block_hash) break;  // a filter for one past block gets no live logs
                for (size_t k = 0; k < logs.size(); ++k) {
                    if (!log_matches(*logs[k].first, f.query.addresses, f.query.topics)) continue;
                    if (!log_cache[k]) log_cache[k] = log_json(*logs[k].first, logs[k].second);
                    push(f, *log_cache[k]);
                }
                break;
        }
    }
}

// ---- newPendingTransactions

std::optional<rpc::RpcError> PendingTxKind::subscribe(
    const Json& params, const std::shared_ptr<rpc::Subscription>& sub) {
    if (params.size() > 1)
        return rpc::RpcError::invalid_params("too many arguments, want at most 2");
    Entry e{sub, false};
    if (!params.empty() && !params[0].is_null()) {
        if (!params[0].is_boolean())
            return rpc::RpcError::invalid_params("invalid argument 1: json: cannot unmarshal " +
                                                 std::string(params[0].type_name()) +
                                                 " into Go value of type bool");
        e.full_tx = params[0].get<bool>();
    }
    std::lock_guard lock(mu_);
    subs_.push_back(std::move(e));
    return std::nullopt;
}

void PendingTxKind::unsubscribed(const rpc::Subscription& sub) {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [&](const Entry& e) { return e.sub.get() == &sub; });
}

size_t PendingTxKind::subscriber_count() const {
    std::lock_guard lock(mu_);
    return subs_.size();
}

void PendingTxKind::publish(const arbos::Block& block) {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [](const Entry& e) { return !e.sub->active(); });
    for (uint32_t i = 0; i < block.txs.size(); ++i) {
        std::string hash_text, full_text;  // serialized once per form, only if wanted
        for (const Entry& e : subs_) {
            std::string& text = e.full_tx ? full_text : hash_text;
            if (text.empty())
                text =
                    e.full_tx ? tx_json(block, i).dump() : Json(to_hex(block.txs[i].hash)).dump();
            e.sub->notify_serialized(text);
        }
    }
}

}  // namespace fuse::ethrpc
