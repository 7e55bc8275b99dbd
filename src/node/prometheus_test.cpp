#include "node/prometheus.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace fuse::node {
namespace {

TEST(Prometheus, CounterWithEscapedLabels) {
    PrometheusWriter w;
    w.begin("x_total", "counter", "a\\b\nc");
    w.sample("x_total", {{"method", "a\"b\\c\nd"}, {"k", "v"}}, uint64_t{7});
    w.sample("x_total", {}, 1.5);
    EXPECT_EQ(w.text(),
              "# HELP x_total a\\\\b\\nc\n"
              "# TYPE x_total counter\n"
              "x_total{method=\"a\\\"b\\\\c\\nd\",k=\"v\"} 7\n"
              "x_total 1.5\n");
}

TEST(Prometheus, SingleIsAFamilyOfOneSample) {
    PrometheusWriter w;
    w.single("fusel2_head_block", "gauge", "Head", 42);
    EXPECT_EQ(w.text(),
              "# HELP fusel2_head_block Head\n"
              "# TYPE fusel2_head_block gauge\n"
              "fusel2_head_block 42\n");
}

TEST(Prometheus, FormatValue) {
    EXPECT_EQ(format_value(3.0), "3");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(1e-6), "1e-06");
}

TEST(Prometheus, HistogramBucketsAreCumulative) {
    Histogram h({0.1, 1});
    h.observe(0.05);
    h.observe(0.1);  // le is inclusive
    h.observe(0.5);
    h.observe(7);
    PrometheusWriter w;
    h.write(w, "t_seconds", {{"a", "b"}});
    EXPECT_EQ(w.text(),
              "t_seconds_bucket{a=\"b\",le=\"0.1\"} 2\n"
              "t_seconds_bucket{a=\"b\",le=\"1\"} 3\n"
              "t_seconds_bucket{a=\"b\",le=\"+Inf\"} 4\n"
              "t_seconds_sum{a=\"b\"} 7.65\n"
              "t_seconds_count{a=\"b\"} 4\n");
    EXPECT_EQ(h.count(), 4u);
}

}  // namespace
}  // namespace fuse::node
