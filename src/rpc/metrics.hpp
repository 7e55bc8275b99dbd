#pragma once
/// Metrics hooks of the RPC server: per-method call counts, error counts and a latency histogram,
/// plus connection counters. Plain atomics so the hot path takes no lock; the node exports a
/// `snapshot()` (e.g. as Prometheus text) later.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace fuse::rpc {

/// Upper bounds (microseconds) of the latency histogram buckets; a last bucket catches the rest.
inline constexpr std::array<uint64_t, 16> kLatencyBucketsUs = {
    50,     100,    250,     500,     1'000,   2'500,     5'000,     10'000,
    25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 10'000'000};

/// Counters of one method. Updated lock-free from any thread.
class MethodStats {
public:
    /// Records one finished call that took `latency`; `ok` false when it answered an error.
    void record(std::chrono::nanoseconds latency, bool ok) noexcept;

    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<uint64_t> latency_sum_ns{0};
    std::array<std::atomic<uint64_t>, kLatencyBucketsUs.size() + 1> buckets{};
};

/// A copy of one method's counters at one moment.
struct MethodSnapshot {
    std::string method;
    uint64_t calls = 0;
    uint64_t errors = 0;
    uint64_t latency_sum_ns = 0;
    /// Non-cumulative counts per bucket, one more than kLatencyBucketsUs (the overflow bucket).
    std::vector<uint64_t> buckets;
};

/// Connection-level counters.
struct ConnectionCounters {
    std::atomic<uint64_t> http_accepted{0};
    std::atomic<uint64_t> ws_upgraded{0};
    std::atomic<uint64_t> rejected_over_limit{0};  ///< refused: max_connections reached
    std::atomic<int64_t> open{0};                  ///< currently open TCP connections
    std::atomic<uint64_t> timed_out{0};            ///< closed for a read/write timeout
    std::atomic<uint64_t> notifications_sent{0};
    std::atomic<uint64_t> notifications_dropped{0};
    std::atomic<uint64_t> slow_subscribers_closed{0};
};

/// All metrics of one server.
class RpcMetrics {
public:
    RpcMetrics();

    /// The stats object of `method`, created on first use. The pointer stays valid for the
    /// lifetime of this object; the registry looks it up once at registration.
    MethodStats* method(const std::string& method);
    /// Calls to methods that do not exist are counted together here (not per name, so a client
    /// cannot grow the map).
    MethodStats* unknown_method() noexcept { return unknown_; }

    /// All methods with at least one call, sorted by name, plus "<unknown>" if it was called.
    std::vector<MethodSnapshot> snapshot() const;

    ConnectionCounters connections;

private:
    mutable std::mutex mu_;
    std::map<std::string, std::unique_ptr<MethodStats>> methods_;
    MethodStats* unknown_;
};

}  // namespace fuse::rpc
