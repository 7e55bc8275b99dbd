#pragma once
/// Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): a writer for counters, gauges
/// and histograms, and a lock-free fixed-bucket histogram.

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fuse::node {

/// Content-Type of the format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// Label pairs of one sample, e.g. {{"method", "eth_call"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// Appends metric families to a text document. Each family (`begin`) gets its HELP and TYPE
/// lines once; samples follow. Label values are escaped (\\, \", \n).
class PrometheusWriter {
public:
    /// Starts family `name` of `type` ("counter", "gauge", "histogram").
    void begin(std::string_view name, std::string_view type, std::string_view help);
    /// One sample line `name{labels} value`.
    void sample(std::string_view name, const Labels& labels, double value);
    void sample(std::string_view name, const Labels& labels, uint64_t value);
    /// A family of one unlabelled sample: begin() then sample().
    void single(std::string_view name, std::string_view type, std::string_view help,
                uint64_t value);
    /// A whole histogram series: `bucket_counts` are *non-cumulative* counts per upper bound in
    /// `bounds` plus one overflow count; writes cumulative `_bucket{le=..}`, `_sum`, `_count`.
    void histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                   std::span<const uint64_t> bucket_counts, double sum);

    const std::string& text() const noexcept { return out_; }

private:
    void series(std::string_view name, const Labels& labels);
    std::string out_;
};

/// Formats a sample value as Prometheus does ("+Inf", integers without exponent).
std::string format_value(double v);

/// A histogram with fixed upper bounds, updated lock-free from any thread.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double v) noexcept;
    /// Writes this histogram as one series of family `name`.
    void write(PrometheusWriter& w, std::string_view name, const Labels& labels = {}) const;

    uint64_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

private:
    std::vector<double> bounds_;
    std::vector<std::atomic<uint64_t>> buckets_;  // bounds_.size() + 1
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micro_{0};  // sum in millionths (values are >= 0)
};

}  // namespace fuse::node
