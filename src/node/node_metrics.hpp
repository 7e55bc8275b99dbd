#pragma once
/// The node's Prometheus metrics: transactions accepted and refused by reason,
/// block interval and transactions per block histograms, pool size, head block, and the RPC
/// server's per-method calls, errors and latency (rpc::RpcMetrics). `render()` gives the
/// /metrics document; all updates are thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "node/prometheus.hpp"
#include "rpc/metrics.hpp"

namespace fuse::node {

class NodeMetrics {
public:
    /// `rpc` may be null (no RPC section). `pool_size` is read at each render (may be empty).
    explicit NodeMetrics(const rpc::RpcMetrics* rpc, std::function<size_t()> pool_size = {});

    void set_pool_size_source(std::function<size_t()> pool_size);
    /// Writes more families at the end of every render (e.g. the sequencer's own counters).
    void set_extra(std::function<void(PrometheusWriter&)> extra);

    /// One transaction acknowledged (in a durable block).
    void tx_accepted() noexcept { accepted_.fetch_add(1, std::memory_order_relaxed); }
    /// One transaction refused; `reason` is the stable label (sequencer::to_label).
    void tx_refused(const std::string& reason);
    /// A new durable block: its number and transaction count. The time since the previous
    /// block goes to the block-interval histogram.
    void block_sealed(uint64_t number, size_t tx_count);
    /// Time one block took from seal start to durable (if the caller measures it).
    void block_build_time(std::chrono::nanoseconds t) { build_time_.observe(t.count() / 1e9); }

    /// The whole exposition document (text format 0.0.4).
    std::string render() const;

    uint64_t accepted() const noexcept { return accepted_.load(std::memory_order_relaxed); }
    uint64_t refused(const std::string& reason) const;

private:
    const rpc::RpcMetrics* rpc_;
    std::function<size_t()> pool_size_;
    std::function<void(PrometheusWriter&)> extra_;
    std::atomic<uint64_t> accepted_{0};
    mutable std::mutex mu_;
    std::map<std::string, uint64_t> refused_;
    std::atomic<uint64_t> head_{0};
    std::atomic<uint64_t> blocks_{0};
    std::atomic<int64_t> last_block_ns_{0};
    Histogram block_interval_;
    Histogram block_txs_;
    Histogram build_time_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace fuse::node
