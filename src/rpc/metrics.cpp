#include "rpc/metrics.hpp"

#include <algorithm>

namespace fuse::rpc {

namespace {
constexpr const char* kUnknownName = "<unknown>";
}

void MethodStats::record(std::chrono::nanoseconds latency, bool ok) noexcept {
    calls.fetch_add(1, std::memory_order_relaxed);
    if (!ok) errors.fetch_add(1, std::memory_order_relaxed);
    const auto ns = static_cast<uint64_t>(std::max<int64_t>(latency.count(), 0));
    latency_sum_ns.fetch_add(ns, std::memory_order_relaxed);
    const uint64_t us = ns / 1000;
    const auto it = std::lower_bound(kLatencyBucketsUs.begin(), kLatencyBucketsUs.end(), us);
    buckets[static_cast<size_t>(it - kLatencyBucketsUs.begin())].fetch_add(
        1, std::memory_order_relaxed);
}

RpcMetrics::RpcMetrics() {
    auto stats = std::make_unique<MethodStats>();
    unknown_ = stats.get();
    methods_.emplace(kUnknownName, std::move(stats));
}

MethodStats* RpcMetrics::method(const std::string& method) {
    std::lock_guard lock(mu_);
    auto& slot = methods_[method];
    if (!slot) slot = std::make_unique<MethodStats>();
    return slot.get();
}

std::vector<MethodSnapshot> RpcMetrics::snapshot() const {
    std::lock_guard lock(mu_);
    std::vector<MethodSnapshot> out;
    for (const auto& [name, stats] : methods_) {
        const uint64_t calls = stats->calls.load(std::memory_order_relaxed);
        if (calls == 0) continue;
        MethodSnapshot s;
        s.method = name;
        s.calls = calls;
        s.errors = stats->errors.load(std::memory_order_relaxed);
        s.latency_sum_ns = stats->latency_sum_ns.load(std::memory_order_relaxed);
        for (const auto& b : stats->buckets)
            s.buckets.push_back(b.load(std::memory_order_relaxed));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace fuse::rpc
