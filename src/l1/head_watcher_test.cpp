// HeadWatcher against a real anvil: the lagged L1 head, kept while L1 is down, followed down
// when L1 loses the block in use (docs/batch-poster.md, "The L1 head").
#include <chrono>

#include <gtest/gtest.h>

#include "l1/anvil_process.hpp"
#include "l1/head_watcher.hpp"
#include "l1/rpc_client.hpp"
#include "l1/test_contracts.hpp"

namespace fuse::l1 {
namespace {

using namespace std::chrono_literals;

using testing::client_config;

TEST(HeadWatcher, FollowsTheHeadWithLagAndKeepsTheLastBlockWhenL1IsDown) {
    l1::testing::AnvilProcess anvil;
    RpcClient rpc(client_config(anvil.url()));
    for (int i = 0; i < 5; ++i)
        rpc.request("evm_mine");
    HeadWatcherConfig cfg;
    cfg.lag = 2;
    HeadWatcher w(rpc, cfg);
    EXPECT_FALSE(w.current().known);
    ASSERT_TRUE(w.poll());
    const uint64_t head = rpc.block_number();
    EXPECT_EQ(w.current().number, head - 2);
    const auto hdr = rpc.get_block(block_tag(head - 2));
    EXPECT_EQ(w.current().base_fee, hdr->base_fee.value());
    // An L1 younger than the lag gives block 1, never block 0 (whose non-zero base fee the
    // batch format could not carry: its running header starts at block 0, base fee 0).
    HeadWatcherConfig deep;
    deep.lag = 1000;
    HeadWatcher young(rpc, deep);
    ASSERT_TRUE(young.poll());
    EXPECT_EQ(young.current().number, 1u);
    anvil.stop();
    EXPECT_FALSE(w.poll());
    EXPECT_EQ(w.current().number, head - 2);  // kept
    EXPECT_TRUE(w.current().known);
}

TEST(HeadWatcher, FollowsTheL1DownWhenTheBlockInUseIsLost) {
    l1::testing::AnvilProcess anvil;
    RpcClient rpc(client_config(anvil.url()));
    for (int i = 0; i < 5; ++i)
        rpc.request("evm_mine");
    const auto snapshot = rpc.request("evm_snapshot");
    for (int i = 0; i < 6; ++i)
        rpc.request("evm_mine");
    HeadWatcherConfig cfg;
    cfg.lag = 2;
    HeadWatcher w(rpc, cfg);
    ASSERT_TRUE(w.poll());
    const uint64_t before = w.current().number;
    EXPECT_EQ(before, rpc.block_number() - 2);
    ASSERT_EQ(rpc.request("evm_revert", nlohmann::json::array({snapshot})), true);
    ASSERT_TRUE(w.poll());
    EXPECT_LT(w.current().number, before);
    EXPECT_EQ(w.current().number, rpc.block_number() - 2);
    EXPECT_EQ(w.current().hash, rpc.get_block(block_tag(rpc.block_number() - 2))->hash);
}

}  // namespace
}  // namespace fuse::l1
