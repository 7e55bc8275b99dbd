#pragma once
/// Poll-based filters with go-ethereum's semantics (eth/filters/api.go: eth_newFilter,
/// eth_newBlockFilter, eth_newPendingTransactionFilter, eth_getFilterChanges,
/// eth_getFilterLogs, eth_uninstallFilter) and the `newPendingTransactions` subscription kind.
/// Filters are fed by `EthApi::on_block` with every durable block, in order. A filter that is
/// not polled for `FilterConfig::timeout` is removed (geth's `deadline`, 5 minutes).
///
/// The head moves before `on_block` runs (the sequencer answers the sender, then announces the
/// block), so a client may see a block in eth_blockNumber or a receipt before the filters do.
/// With `set_chain`, the store reads such blocks from the chain itself before it installs a
/// filter or answers a poll (and ignores them when `on_block` brings them later): a poll always
/// covers every block up to the head it saw.
///
/// Pending transactions: the sequencer acknowledges a transaction only once its block is
/// durable, so there is no observable pending state; a pending-transaction filter (and the
/// subscription) reports a transaction's hash when its block arrives.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/result.hpp"
#include "ethrpc/params.hpp"
#include "rpc/subscriptions.hpp"

namespace fuse::ethrpc {

/// Limits of the filter store; defaults follow geth where geth has one.
struct FilterConfig {
    /// A filter not polled (eth_getFilterChanges) for this long is removed (geth: 5 min).
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    size_t max_filters = 10'000;          ///< installed filters on this node
    size_t max_filters_per_client = 512;  ///< per client (remote IP address)
    /// Changes (hashes or logs) a filter buffers between two polls; past it the next poll
    /// answers `kOverflow` instead of silently losing items.
    size_t max_changes = 10'000;

    /// Empty if usable, else what is wrong.
    std::string validate() const;
};

enum class FilterKind { kLogs, kBlocks, kPendingTxs };

/// Why a filter call failed (each has one message, `filter_error_message`).
enum class FilterError {
    kNotFound,           ///< unknown, uninstalled, expired, or the wrong kind for the call
    kTooMany,            ///< max_filters reached
    kTooManyForClient,   ///< max_filters_per_client reached by this client
    kOverflow,           ///< more than max_changes since the last poll; they were dropped
    kInvalidBlockRange,  ///< fromBlock > toBlock (geth's errInvalidBlockRange)
};

/// The message of `e` (geth's text where geth has the error: "filter not found").
std::string filter_error_message(FilterError e, const FilterConfig& cfg);

/// The installed filters of one node. Thread-safe: calls come from the RPC threads, blocks
/// from the thread that commits them.
class FilterStore {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit FilterStore(FilterConfig cfg, Clock clock = &std::chrono::steady_clock::now);

    /// eth_newFilter: live logs of the blocks that arrive from now on matching `q` (its
    /// numeric fromBlock/toBlock bound the block numbers, as geth). `client` identifies the
    /// caller for the per-client limit. Returns the filter id ("0x" + 32 hex digits).
    Result<std::string, FilterError> install_logs(const std::string& client, LogQuery q);
    /// eth_newBlockFilter: hashes of the blocks that arrive from now on.
    Result<std::string, FilterError> install_blocks(const std::string& client);
    /// eth_newPendingTransactionFilter: hashes (or, with `full_tx`, the transaction objects)
    /// of the transactions of the blocks that arrive from now on.
    Result<std::string, FilterError> install_pending_txs(const std::string& client, bool full_tx);

    /// eth_getFilterChanges: what arrived since the last poll (a JSON array), and restarts the
    /// filter's idle timer.
    Result<Json, FilterError> changes(std::string_view id);
    /// eth_getFilterLogs: the criteria of a log filter (kNotFound for other kinds, as geth).
    Result<LogQuery, FilterError> log_query(std::string_view id);
    /// eth_uninstallFilter: true if the filter existed.
    bool uninstall(std::string_view id);

    /// Delivers a new durable block to every filter (blocks arrive in order; one already
    /// read through `set_chain` is ignored; a different block at a known height, after a
    /// validator's rewind, is delivered).
    void on_block(const arbos::Block& block);

    /// The latest block number and a block by number, read to catch up with the head (see
    /// above). Set before use; without it the store sees only `on_block`.
    using HeadFn = std::function<std::optional<uint64_t>()>;
    using BlockFn = std::function<std::shared_ptr<const arbos::Block>(uint64_t)>;
    void set_chain(HeadFn head, BlockFn block);

    /// Installed filters (expired ones are removed first).
    size_t size();
    const FilterConfig& config() const noexcept { return cfg_; }

private:
    struct Filter {
        FilterKind kind;
        std::string client;
        LogQuery query;
        bool full_tx = false;
        std::chrono::steady_clock::time_point deadline;
        std::vector<Json> items;
        bool overflowed = false;
    };

    Result<std::string, FilterError> install(Filter f);
    void push(Filter& f, Json item) const;
    /// Removes the filters whose deadline passed (under mu_).
    void sweep(std::chrono::steady_clock::time_point now);
    /// Reads and delivers the blocks between the last one seen and the head (under mu_).
    void catch_up();
    /// Gives `block` to every filter and remembers it as seen (under mu_).
    void deliver(const arbos::Block& block);
    void erase(std::map<std::string, Filter, std::less<>>::iterator it);

    FilterConfig cfg_;
    Clock clock_;
    std::mutex mu_;
    std::map<std::string, Filter, std::less<>> filters_;
    std::map<std::string, size_t, std::less<>> per_client_;
    HeadFn head_;
    BlockFn block_;
    /// The blocks seen most recently (number, hash), the last one last.
    std::deque<std::pair<uint64_t, Hash32>> seen_;
    static constexpr size_t kSeenBlocks = 64;
};

/// The part of a "ip:port" remote address that identifies a client for the per-client limit.
std::string client_of(std::string_view remote);

/// The `newPendingTransactions` subscription kind (geth's, with the optional `fullTx` bool):
/// one notification per transaction of each new durable block.
class PendingTxKind : public rpc::SubscriptionKind {
public:
    std::optional<rpc::RpcError> subscribe(const Json& params,
                                           const std::shared_ptr<rpc::Subscription>& sub) override;
    void unsubscribed(const rpc::Subscription& sub) override;
    void publish(const arbos::Block& block);
    size_t subscriber_count() const;

private:
    struct Entry {
        std::shared_ptr<rpc::Subscription> sub;
        bool full_tx = false;
    };
    mutable std::mutex mu_;
    std::vector<Entry> subs_;
};

}  // namespace fuse::ethrpc
