#include "node/node_metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "node/node_parts.hpp"

namespace fuse::node {
namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(NodeMetrics, CountsTransactionsBlocksAndPool) {
    size_t pool = 3;
    NodeMetrics m(nullptr, [&pool] { return pool; });
    m.tx_accepted();
    m.tx_accepted();
    m.tx_refused("nonce_too_low");
    m.tx_refused("nonce_too_low");
    m.tx_refused("invalid_signature");
    m.block_sealed(1, 2);
    m.block_sealed(2, 0);
    pool = 5;
    const std::string t = m.render();
    EXPECT_TRUE(has_line(t, "fusel2_txs_accepted_total 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_txs_refused_total{reason=\"invalid_signature\"} 1")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_txs_refused_total{reason=\"nonce_too_low\"} 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_head_block 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_blocks_total 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_pool_txs 5")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_block_txs_count 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_block_txs_sum 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_block_interval_seconds_count 1")) << t;  // 2 blocks, 1 gap
    EXPECT_TRUE(has_line(t, "# TYPE fusel2_block_interval_seconds histogram")) << t;
    EXPECT_EQ(m.refused("nonce_too_low"), 2u);
    EXPECT_EQ(m.refused("other"), 0u);
    EXPECT_EQ(t.find("fusel2_rpc_"), std::string::npos);
}

TEST(NodeMetrics, ExtraFamiliesAreAppended) {
    NodeMetrics m(nullptr);
    uint64_t commits = 4;
    m.set_extra([&commits](PrometheusWriter& w) {
        w.begin("fusel2_sequencer_commits_total", "counter", "commits");
        w.sample("fusel2_sequencer_commits_total", {}, commits);
    });
    EXPECT_TRUE(has_line(m.render(), "fusel2_sequencer_commits_total 4"));
    commits = 9;
    EXPECT_TRUE(has_line(m.render(), "fusel2_sequencer_commits_total 9"));
}

// A validator halted by a storage failure says so in /metrics (the reason is in /health).
TEST(NodeMetrics, ValidatorStorageHalt) {
    validator::Status s;
    NodeMetrics m(nullptr);
    m.set_extra([&s](PrometheusWriter& w) { write_validator_status(w, s); });
    EXPECT_TRUE(has_line(m.render(), "fusel2_validator_halted 0"));
    EXPECT_TRUE(has_line(m.render(), "fusel2_storage_errors_total 0"));
    s.halted = "storage: committing L2 blocks 5..7 of batch 2 failed: IO error";
    s.storage_errors = 1;
    EXPECT_TRUE(has_line(m.render(), "fusel2_validator_halted 1"));
    EXPECT_TRUE(has_line(m.render(), "fusel2_storage_errors_total 1"));
}

TEST(NodeMetrics, RpcMetricsByMethod) {
    rpc::RpcMetrics rpc;
    rpc.method("eth_call")->record(std::chrono::microseconds(70), true);
    rpc.method("eth_call")->record(std::chrono::microseconds(3000), false);
    rpc.connections.open = 4;
    NodeMetrics m(&rpc);
    const std::string t = m.render();
    EXPECT_TRUE(has_line(t, "fusel2_rpc_calls_total{method=\"eth_call\"} 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_rpc_errors_total{method=\"eth_call\"} 1")) << t;
    EXPECT_TRUE(
        has_line(t, "fusel2_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"5e-05\"} 0"))
        << t;
    EXPECT_TRUE(
        has_line(t, "fusel2_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"0.0001\"} 1"))
        << t;
    EXPECT_TRUE(
        has_line(t, "fusel2_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"0.005\"} 2"))
        << t;
    EXPECT_TRUE(has_line(t, "fusel2_rpc_latency_seconds_bucket{method=\"eth_call\",le=\"+Inf\"} 2"))
        << t;
    EXPECT_TRUE(has_line(t, "fusel2_rpc_latency_seconds_count{method=\"eth_call\"} 2")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_rpc_latency_seconds_sum{method=\"eth_call\"} 0.00307")) << t;
    EXPECT_TRUE(has_line(t, "fusel2_rpc_open_connections 4")) << t;
}

}  // namespace
}  // namespace fuse::node
