// EthApi with the real Sequencer: eth_sendRawTransaction answers once the block is durable,
// the "pending" nonce counts the pool, refusals carry the sequencer's geth-style text, and
// newHeads/logs subscribers hear about the sequencer's blocks.

#include <gtest/gtest.h>

#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"
#include "sequencer/sequencer.hpp"

namespace fuse::ethrpc::testing {
namespace {

/// A real Sequencer on a fresh chain (L1 block 7/9 at `l1_fee`) behind a real server.
struct SequencerNode {
    TestChain chain;
    sequencer::Sequencer seq;
    EthApi api;
    rpc::Server server;
    std::unique_ptr<rpc::testing::HttpClient> http;

    SequencerNode(const std::string& name, sequencer::L1Info l1)
        : chain(name),
          seq(*chain.db, chain.genesis, sequencer::Config{}, [l1] { return l1; }),
          api(*chain.db, chain.genesis, &seq, Config{}),
          server(rpc::testing::test_config()) {
        api.register_methods(server);
        seq.on_block([this](const arbos::Block& b) { api.on_block(b); });
        server.start();
        seq.start();
        http = std::make_unique<rpc::testing::HttpClient>(server.port());
    }
    ~SequencerNode() {
        http.reset();
        seq.stop();
        server.stop();
    }
    Json call(const std::string& method, Json params) {
        const Json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
        return Json::parse(http->post(req.dump()).body);
    }
};

TEST(EthApiSequencer, SendThroughTheRealSequencer) {
    SequencerNode n("sequencer", sequencer::L1Info{7, uint256{1'000'000}});
    const TestChain& c = n.chain;
    auto call = [&n](const std::string& method, Json params) { return n.call(method, params); };
    {
        rpc::testing::WsClient ws(n.server.port());
        ws.send(R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})");
        const Json sub = Json::parse(ws.receive().value_or("{}"));
        ASSERT_TRUE(sub.contains("result")) << sub.dump();

        const Bytes raw =
            c.tx1559(0, 0, c.dev(1).address, kEth, {}, 1'000'000);  // L1 gas at 1 gwei
        Json r = call("eth_sendRawTransaction", {hex(raw)});
        EXPECT_EQ(r["result"], hex(keccak256(raw))) << r.dump();
        // Durable before the answer: the receipt is there at once.
        r = call("eth_getTransactionReceipt", {hex(keccak256(raw))});
        EXPECT_EQ(r["result"]["status"], "0x1") << r.dump();
        EXPECT_EQ(r["result"]["l1BlockNumber"], "0x7");
        const std::string block_hash = r["result"]["blockHash"];
        EXPECT_EQ(call("eth_getTransactionCount", {hex(c.dev(0).address), "pending"})["result"],
                  "0x1");
        EXPECT_EQ(call("eth_getBalance", {hex(c.dev(1).address)})["result"],
                  quantity(uint256{10'000} * kEth + kEth));
        // The same bytes again: refused by the pool with geth's text.
        r = call("eth_sendRawTransaction", {hex(raw)});
        ASSERT_TRUE(r.contains("error")) << r.dump();
        EXPECT_EQ(r["error"]["code"], -32000);
        const std::string msg = r["error"]["message"];
        EXPECT_TRUE(msg.rfind("nonce too low", 0) == 0 || msg == "already known") << msg;
        // Garbage bytes: refused, the node keeps serving.
        r = call("eth_sendRawTransaction", {"0x01020304"});
        EXPECT_TRUE(r.contains("error")) << r.dump();
        EXPECT_EQ(call("eth_chainId", Json::array())["result"], quantity(kChainId));
        // The sealed block reached the newHeads subscriber.
        bool seen = false;
        for (int i = 0; i < 4 && !seen; ++i) {
            const auto note = ws.receive();
            if (!note) break;
            const Json j = Json::parse(*note);
            seen = j["params"]["result"]["hash"] == block_hash;
        }
        EXPECT_TRUE(seen);
    }
}

// eth_estimateGas prices the L1 data fee at the L1 base fee the next block is built on (not the
// one stored with the head, here the genesis's), plus padding: sending with exactly the estimate
// is accepted and included.
TEST(EthApiSequencer, EstimateUsesTheSequencersCurrentL1BaseFee) {
    const uint256 l1_fee{20'000'000'000};  // 20 gwei, far above what the genesis stores
    SequencerNode n("estimate-l1", sequencer::L1Info{9, l1_fee});
    const TestChain& c = n.chain;
    auto call = [&n](const std::string& method, Json params) { return n.call(method, params); };
    {
        // The request describes the transaction below (tx1559: 1 gwei max fee, an access list).
        const Json access =
            Json::array({{{"address", hex(c.dev(9).address)}, {"storageKeys", {hex(Hash32{})}}}});
        const Json est = call("eth_estimateGas", {{{"from", hex(c.dev(0).address)},
                                                   {"to", hex(c.dev(1).address)},
                                                   {"value", quantity(kEth)},
                                                   {"maxFeePerGas", quantity(kGwei)},
                                                   {"accessList", access}}});
        ASSERT_TRUE(est.contains("result")) << est.dump();
        const uint64_t gas = std::stoull(est["result"].get<std::string>(), nullptr, 16);
        EXPECT_GT(gas, 21'000u);  // the L1 part is in
        const Bytes raw = c.tx1559(0, 0, c.dev(1).address, kEth, {}, gas);
        Json r = call("eth_sendRawTransaction", {hex(raw)});
        ASSERT_EQ(r["result"], hex(keccak256(raw))) << r.dump();
        r = call("eth_getTransactionReceipt", {hex(keccak256(raw))});
        EXPECT_EQ(r["result"]["status"], "0x1") << r.dump();
        // And the estimate is not grossly above what the transaction used: the L1 part is padded
        // by 10 % + 16 bytes of size and 10 % of L1 base fee (~1.3x here, all L1).
        const uint64_t used = std::stoull(r["result"]["gasUsed"].get<std::string>(), nullptr, 16);
        EXPECT_LE(gas, used + used / 2) << "estimate " << gas << " vs used " << used;
    }
}

}  // namespace
}  // namespace fuse::ethrpc::testing
