#include "node/node_metrics.hpp"

#include <utility>

namespace fuse::node {
namespace {

std::vector<double> seconds_buckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

NodeMetrics::NodeMetrics(const rpc::RpcMetrics* rpc, std::function<size_t()> pool_size)
    : rpc_(rpc),
      pool_size_(std::move(pool_size)),
      block_interval_(seconds_buckets()),
      block_txs_({1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}),
      build_time_(seconds_buckets()) {}

void NodeMetrics::set_pool_size_source(std::function<size_t()> pool_size) {
    std::lock_guard lock(mu_);
    pool_size_ = std::move(pool_size);
}

void NodeMetrics::set_extra(std::function<void(PrometheusWriter&)> extra) {
    std::lock_guard lock(mu_);
    extra_ = std::move(extra);
}

void NodeMetrics::tx_refused(const std::string& reason) {
    std::lock_guard lock(mu_);
    ++refused_[reason];
}

uint64_t NodeMetrics::refused(const std::string& reason) const {
    std::lock_guard lock(mu_);
    auto it = refused_.find(reason);
    return it == refused_.end() ? 0 : it->second;
}

void NodeMetrics::block_sealed(uint64_t number, size_t tx_count) {
    const int64_t now = now_ns();
    const int64_t prev = last_block_ns_.exchange(now, std::memory_order_relaxed);
    if (prev != 0) block_interval_.observe(static_cast<double>(now - prev) / 1e9);
    block_txs_.observe(static_cast<double>(tx_count));
    head_.store(number, std::memory_order_relaxed);
    blocks_.fetch_add(1, std::memory_order_relaxed);
}

std::string NodeMetrics::render() const {
    PrometheusWriter w;
    w.single("fusel2_txs_accepted_total", "counter", "Transactions acknowledged in a durable block",
             accepted());

    w.begin("fusel2_txs_refused_total", "counter", "Transactions refused, by reason");
    std::map<std::string, uint64_t> refused;
    std::function<size_t()> pool_size;
    std::function<void(PrometheusWriter&)> extra;
    {
        std::lock_guard lock(mu_);
        refused = refused_;
        pool_size = pool_size_;
        extra = extra_;
    }
    for (const auto& [reason, n] : refused)
        w.sample("fusel2_txs_refused_total", {{"reason", reason}}, n);

    w.single("fusel2_blocks_total", "counter", "Blocks sealed and committed by this process",
             blocks_.load(std::memory_order_relaxed));
    w.single("fusel2_head_block", "gauge", "Number of the latest durable block",
             head_.load(std::memory_order_relaxed));
    w.begin("fusel2_block_interval_seconds", "histogram", "Time between consecutive blocks");
    block_interval_.write(w, "fusel2_block_interval_seconds");
    w.begin("fusel2_block_txs", "histogram", "Transactions per block");
    block_txs_.write(w, "fusel2_block_txs");
    if (build_time_.count() > 0) {
        w.begin("fusel2_block_build_seconds", "histogram", "Time to build and commit a block");
        build_time_.write(w, "fusel2_block_build_seconds");
    }
    if (pool_size) {
        w.single("fusel2_pool_txs", "gauge", "Transactions waiting in the pool",
                 static_cast<uint64_t>(pool_size()));
    }
    w.begin("fusel2_uptime_seconds", "gauge", "Seconds since the process started");
    w.sample("fusel2_uptime_seconds", {},
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());

    if (extra) extra(w);
    if (rpc_ == nullptr) return w.text();
    const auto methods = rpc_->snapshot();
    w.begin("fusel2_rpc_calls_total", "counter", "JSON-RPC calls by method");
    for (const auto& m : methods)
        w.sample("fusel2_rpc_calls_total", {{"method", m.method}}, m.calls);
    w.begin("fusel2_rpc_errors_total", "counter", "JSON-RPC calls answered with an error");
    for (const auto& m : methods)
        w.sample("fusel2_rpc_errors_total", {{"method", m.method}}, m.errors);
    w.begin("fusel2_rpc_latency_seconds", "histogram", "JSON-RPC call latency by method");
    std::vector<double> bounds;
    for (uint64_t us : rpc::kLatencyBucketsUs)
        bounds.push_back(static_cast<double>(us) / 1e6);
    for (const auto& m : methods)
        w.histogram("fusel2_rpc_latency_seconds", {{"method", m.method}}, bounds, m.buckets,
                    static_cast<double>(m.latency_sum_ns) / 1e9);

    const auto& c = rpc_->connections;
    auto counter = [&w](const char* name, const char* help, uint64_t v) {
        w.begin(name, "counter", help);
        w.sample(name, {}, v);
    };
    counter("fusel2_rpc_http_connections_total", "HTTP connections accepted",
            c.http_accepted.load());
    counter("fusel2_rpc_ws_upgrades_total", "WebSocket upgrades", c.ws_upgraded.load());
    counter("fusel2_rpc_connections_refused_total", "Connections refused over the limit",
            c.rejected_over_limit.load());
    counter("fusel2_rpc_timeouts_total", "Connections closed for a read/write timeout",
            c.timed_out.load());
    counter("fusel2_rpc_notifications_total", "Subscription notifications sent",
            c.notifications_sent.load());
    counter("fusel2_rpc_notifications_dropped_total", "Subscription notifications dropped",
            c.notifications_dropped.load());
    w.single("fusel2_rpc_open_connections", "gauge", "Open JSON-RPC connections",
             static_cast<double>(c.open.load()));
    return w.text();
}

}  // namespace fuse::node
