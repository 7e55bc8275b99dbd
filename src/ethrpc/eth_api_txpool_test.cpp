// txpool_content / contentFrom / status / inspect over a real Sequencer's pool: pending
// (contiguous from the next nonce) and queued (behind a gap) in geth's shapes.

#include <gtest/gtest.h>

#include <future>

#include "core/address.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"
#include "sequencer/sequencer.hpp"

namespace fuse::ethrpc::testing {
namespace {

/// A sequencer whose sealing thread does not run until `start()`: what is submitted stays
/// in the pool, where the txpool methods see it.
struct PoolNode {
    TestChain chain{"txpool"};
    sequencer::Sequencer seq;
    TestNode node;

    static sequencer::Config config() {
        sequencer::Config c;
        c.nonce_gap_wait = std::chrono::minutes(10);  // queued stays queued for this test
        return c;
    }
    PoolNode()
        : seq(*chain.db, chain.genesis, config(),
              [] {
                  return sequencer::L1Info{7, uint256{1'000'000}};
              }),
          node(chain, Config{},
               TxSink{[this](Bytes raw, auto done) { seq.submit(std::move(raw), std::move(done)); },
                      [this](const Address& a) { return seq.pending_nonce(a); },
                      {},
                      [this] { return seq.pool_content(); }}) {}
    ~PoolNode() { seq.stop(); }

    /// Submits without waiting (the answer comes when the block is durable).
    std::future<bool> submit(const Bytes& raw) {
        auto p = std::make_shared<std::promise<bool>>();
        auto f = p->get_future();
        seq.submit(raw, [p](sequencer::SubmitResult r) { p->set_value(r.has_value()); });
        return f;
    }
};

TEST(TxPool, PendingAndQueuedInGethsShapes) {
    PoolNode n;
    const TestChain& c = n.chain;
    TestNode& node = n.node;
    // An empty pool.
    EXPECT_EQ(node.result("txpool_status"), (Json{{"pending", "0x0"}, {"queued", "0x0"}}));
    EXPECT_EQ(node.result("txpool_content"),
              (Json{{"pending", Json::object()}, {"queued", Json::object()}}));

    // Account 0: nonces 0, 1 pending, 3 queued (2 missing). Account 1: a creation.
    // (Gas limits cover the L1 part at the genesis's 1 gwei L1 base fee.)
    const Bytes a0 = c.tx1559(0, 0, c.dev(4).address, uint256(7), {}, 1'000'000);
    const Bytes a1 = c.legacy(0, 1, c.dev(4).address, uint256(8));
    const Bytes a3 = c.tx1559(0, 3, c.dev(4).address, uint256(9), {}, 1'000'000);
    const Bytes b0 = c.tx1559(1, 0, std::nullopt, uint256(0), Bytes{0x60, 0x00}, 1'000'000);
    std::vector<std::future<bool>> answers;
    for (const Bytes* raw : {&a0, &a1, &a3, &b0})
        answers.push_back(n.submit(*raw));

    EXPECT_EQ(node.result("txpool_status"), (Json{{"pending", "0x3"}, {"queued", "0x1"}}));
    const std::string from0 = to_checksum_hex(c.dev(0).address);
    const std::string from1 = to_checksum_hex(c.dev(1).address);
    const Json content = node.result("txpool_content");
    ASSERT_TRUE(content["pending"].contains(from0)) << content.dump();
    const Json& p0 = content["pending"][from0];
    EXPECT_EQ(p0.size(), 2u);
    EXPECT_EQ(p0["0"]["hash"], hex(keccak256(a0)));
    EXPECT_EQ(p0["0"]["blockHash"], nullptr);
    EXPECT_EQ(p0["0"]["blockNumber"], nullptr);
    EXPECT_EQ(p0["0"]["transactionIndex"], nullptr);
    EXPECT_EQ(p0["0"]["from"], hex(c.dev(0).address));
    EXPECT_EQ(p0["0"]["gasPrice"], quantity(kGwei));  // the fee cap while pending (geth)
    EXPECT_EQ(p0["0"]["maxFeePerGas"], quantity(kGwei));
    EXPECT_EQ(p0["1"]["type"], "0x0");
    EXPECT_EQ(p0["1"]["nonce"], "0x1");
    EXPECT_EQ(content["queued"][from0]["3"]["hash"], hex(keccak256(a3)));
    EXPECT_EQ(content["queued"].size(), 1u);
    EXPECT_EQ(content["pending"][from1]["0"]["to"], nullptr);

    const Json mine = node.result("txpool_contentFrom", {hex(c.dev(0).address)});
    EXPECT_EQ(mine["pending"], p0);
    EXPECT_EQ(mine["queued"]["3"]["value"], "0x9");
    EXPECT_EQ(node.result("txpool_contentFrom", {hex(c.dev(5).address)}),
              (Json{{"pending", Json::object()}, {"queued", Json::object()}}));

    const Json inspect = node.result("txpool_inspect");
    const std::string to = to_checksum_hex(c.dev(4).address);
    EXPECT_EQ(inspect["pending"][from0]["0"], to + ": 7 wei + 1000000 gas \u00d7 1000000000 wei");
    EXPECT_EQ(inspect["pending"][from0]["1"], to + ": 8 wei + 500000 gas \u00d7 1000000000 wei");
    EXPECT_EQ(inspect["queued"][from0]["3"], to + ": 9 wei + 1000000 gas \u00d7 1000000000 wei");
    EXPECT_EQ(inspect["pending"][from1]["0"],
              "contract creation: 0 wei + 1000000 gas \u00d7 1000000000 wei");

    // Bad params as geth.
    EXPECT_EQ(node.error("txpool_contentFrom", {"0x12"})["code"], -32602);
    EXPECT_EQ(node.error("txpool_status", {1})["code"], -32602);

    // Filling the gap promotes nonce 3; sealing empties the pool, each answered once durable.
    answers.push_back(n.submit(c.tx1559(0, 2, c.dev(4).address, uint256(10), {}, 1'000'000)));
    EXPECT_EQ(node.result("txpool_status"), (Json{{"pending", "0x5"}, {"queued", "0x0"}}));
    n.seq.start();
    for (auto& a : answers) {
        ASSERT_EQ(a.wait_for(std::chrono::seconds(20)), std::future_status::ready);
        EXPECT_TRUE(a.get());
    }
    EXPECT_EQ(node.result("txpool_status"), (Json{{"pending", "0x0"}, {"queued", "0x0"}}));
}

TEST(TxPool, ReadOnlyNodeHasAnEmptyPool) {
    TestChain chain("txpool-readonly");
    TestNode node(chain);
    EXPECT_EQ(node.result("txpool_status"), (Json{{"pending", "0x0"}, {"queued", "0x0"}}));
    EXPECT_EQ(node.result("txpool_inspect"),
              (Json{{"pending", Json::object()}, {"queued", Json::object()}}));
}

}  // namespace
}  // namespace fuse::ethrpc::testing
