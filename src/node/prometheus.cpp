#include "node/prometheus.hpp"

#include <fmt/format.h>

#include <cmath>

namespace fuse::node {

std::string format_value(double v) {
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (std::isnan(v)) return "NaN";
    if (v == std::floor(v) && std::fabs(v) < 1e15)
        return fmt::format("{}", static_cast<int64_t>(v));
    return fmt::format("{}", v);
}

void PrometheusWriter::begin(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (char c : help) {  // HELP escapes only \ and newline
        if (c == '\\')
            out_ += "\\\\";
        else if (c == '\n')
            out_ += "\\n";
        else
            out_ += c;
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void PrometheusWriter::series(std::string_view name, const Labels& labels) {
    out_ += name;
    if (labels.empty()) return;
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        for (char c : v) {
            if (c == '\\')
                out_ += "\\\\";
            else if (c == '"')
                out_ += "\\\"";
            else if (c == '\n')
                out_ += "\\n";
            else
                out_ += c;
        }
        out_ += '"';
    }
    out_ += '}';
}

void PrometheusWriter::sample(std::string_view name, const Labels& labels, double value) {
    series(name, labels);
    out_ += ' ';
    out_ += format_value(value);
    out_ += '\n';
}

void PrometheusWriter::single(std::string_view name, std::string_view type, std::string_view help,
                              uint64_t value) {
    begin(name, type, help);
    sample(name, {}, value);
}

void PrometheusWriter::sample(std::string_view name, const Labels& labels, uint64_t value) {
    series(name, labels);
    out_ += ' ';
    out_ += std::to_string(value);
    out_ += '\n';
}

void PrometheusWriter::histogram(std::string_view name, const Labels& labels,
                                 std::span<const double> bounds,
                                 std::span<const uint64_t> bucket_counts, double sum) {
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds.size() && i < bucket_counts.size(); ++i) {
        cumulative += bucket_counts[i];
        Labels l = labels;
        l.emplace_back("le", i < bounds.size() ? format_value(bounds[i]) : "+Inf");
        sample(bucket, l, cumulative);
    }
    sample(std::string(name) + "_sum", labels, sum);
    sample(std::string(name) + "_count", labels, cumulative);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::observe(double v) noexcept {
    size_t i = 0;
    while (i < bounds_.size() && v > bounds_[i])
        ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    if (v > 0)
        sum_micro_.fetch_add(static_cast<uint64_t>(std::llround(v * 1e6)),
                             std::memory_order_relaxed);
}

void Histogram::write(PrometheusWriter& w, std::string_view name, const Labels& labels) const {
    std::vector<uint64_t> counts(buckets_.size());
    for (size_t i = 0; i < buckets_.size(); ++i)
        counts[i] = buckets_[i].load(std::memory_order_relaxed);
    w.histogram(name, labels, bounds_, counts,
                static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6);
}

}  // namespace fuse::node
