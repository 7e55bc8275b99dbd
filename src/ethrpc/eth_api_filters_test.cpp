// Filters and newPendingTransactions through the real server (HTTP and WebSocket) on a real
// ArbOS chain: blocks built by the BlockBuilder, committed to RocksDB and handed to
// EthApi::on_block as the sequencer does.

#include <gtest/gtest.h>

#include <thread>

#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"

namespace fuse::ethrpc::testing {
namespace {

/// A chain with the test contract deployed (block 1) and a node serving it.
struct FilterChain {
    TestChain chain;
    TestNode node;
    Address contract;
    uint64_t nonce0 = 0;

    explicit FilterChain(const std::string& name, Config cfg = {})
        : chain(name), node(chain, std::move(cfg)) {
        contract = create_address(chain.dev(2).address, 0);
        add({chain.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code())});
    }
    /// Builds, commits and announces one block (as the sequencer's on_block does).
    const arbos::Block& add(std::vector<Bytes> txs) {
        const auto& b = chain.add_block(std::move(txs));
        node.api->on_block(b);
        return b;
    }
    /// A call of the contract by dev account 0 (one log, topic1 = dev 0).
    Bytes emit(uint64_t v) { return chain.tx1559(0, nonce0++, contract, uint256{}, word(v)); }
};

TEST(EthApiFilters, LogBlockAndPendingTransactionFiltersOverHttp) {
    FilterChain f("filters-http");
    auto& n = f.node;
    const std::string logs_id =
        n.result("eth_newFilter",
                 {{{"address", hex(f.contract)}, {"topics", {hex(TestContract::topic())}}}});
    const std::string none_id =
        n.result("eth_newFilter", {{{"address", hex(f.chain.dev(5).address)}}});
    const std::string blocks_id = n.result("eth_newBlockFilter");
    const std::string txs_id = n.result("eth_newPendingTransactionFilter");
    const std::string full_id = n.result("eth_newPendingTransactionFilter", {true});
    // Nothing yet: the deployment came before the filters.
    EXPECT_EQ(n.result("eth_getFilterChanges", {logs_id}), Json::array());
    EXPECT_EQ(n.result("eth_getFilterChanges", {blocks_id}), Json::array());

    const Bytes a = f.emit(1), b = f.emit(2), c = f.emit(3);
    const auto& b2 = f.add({a, b});
    const auto& b3 = f.add({c});
    const Json logs = n.result("eth_getFilterChanges", {logs_id});
    ASSERT_EQ(logs.size(), 3u);
    EXPECT_EQ(logs[0]["transactionHash"], hex(keccak256(a)));
    EXPECT_EQ(logs[1]["transactionHash"], hex(keccak256(b)));
    EXPECT_EQ(logs[1]["logIndex"], "0x1");
    EXPECT_EQ(logs[2]["blockHash"], hex(b3.hash));
    EXPECT_EQ(logs[2]["data"], hex(word(3)));
    // The same logs eth_getLogs finds for that range, field for field.
    const Json by_range = n.result(
        "eth_getLogs", {{{"fromBlock", "0x2"}, {"toBlock", "0x3"}, {"address", hex(f.contract)}}});
    EXPECT_EQ(logs, by_range);
    EXPECT_EQ(n.result("eth_getFilterChanges", {logs_id}), Json::array());  // each once
    EXPECT_EQ(n.result("eth_getFilterChanges", {none_id}), Json::array());
    EXPECT_EQ(n.result("eth_getFilterChanges", {blocks_id}),
              Json::array({hex(b2.hash), hex(b3.hash)}));
    EXPECT_EQ(n.result("eth_getFilterChanges", {txs_id}),
              Json::array({hex(keccak256(a)), hex(keccak256(b)), hex(keccak256(c))}));
    const Json full = n.result("eth_getFilterChanges", {full_id});
    ASSERT_EQ(full.size(), 3u);
    EXPECT_EQ(full[2], n.result("eth_getTransactionByHash", {hex(keccak256(c))}));

    // eth_getFilterLogs: the filter's criteria over its range (default latest..latest).
    EXPECT_EQ(n.result("eth_getFilterLogs", {logs_id}), Json::array({logs[2]}));
    const std::string ranged =
        n.result("eth_newFilter",
                 {{{"fromBlock", "0x1"}, {"toBlock", "latest"}, {"address", hex(f.contract)}}});
    EXPECT_EQ(n.result("eth_getFilterLogs", {ranged}), by_range);
    Json e = n.error("eth_getFilterLogs", {blocks_id});  // not a log filter (geth)
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "filter not found");

    EXPECT_EQ(n.result("eth_uninstallFilter", {logs_id}), true);
    EXPECT_EQ(n.result("eth_uninstallFilter", {logs_id}), false);
    e = n.error("eth_getFilterChanges", {logs_id});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "filter not found");
    e = n.error("eth_newFilter", {{{"fromBlock", "0x5"}, {"toBlock", "0x4"}}});
    EXPECT_EQ(e["message"], "invalid from and to block combination");
    e = n.error("eth_getFilterChanges", {7});
    EXPECT_EQ(e["code"], -32602);
    e = n.error("eth_newFilter", {{{"topics", {nullptr, nullptr, nullptr, nullptr, nullptr}}}});
    EXPECT_EQ(e["message"], "invalid argument 0: exceed max topics");
}

TEST(EthApiFilters, PerClientLimitAnswersAClearError) {
    Config cfg;
    cfg.filters.max_filters_per_client = 2;
    FilterChain f("filters-limit", cfg);
    auto& n = f.node;
    const std::string first = n.result("eth_newBlockFilter");
    n.result("eth_newPendingTransactionFilter");
    const Json e = n.error("eth_newFilter", {Json::object()});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"],
              "too many filters for this client: at most 2; uninstall unused ones with "
              "eth_uninstallFilter (idle filters expire after 5m0s)");
    EXPECT_EQ(n.result("eth_uninstallFilter", {first}), true);
    EXPECT_TRUE(n.result("eth_newFilter", {Json::object()}).is_string());
}

// Idle expiry through the server, on the real clock: sleep_for waits at least its duration, so
// a filter with a 1 ms timeout has expired after it whatever the machine's speed.
TEST(EthApiFilters, IdleFilterExpiresAsGeth) {
    Config cfg;
    cfg.filters.timeout = std::chrono::milliseconds(1);
    FilterChain f("filters-expiry", cfg);
    auto& n = f.node;
    const std::string id = n.result("eth_newBlockFilter");
    const std::string logs = n.result("eth_newFilter", {Json::object()});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (const auto& [method, filter] : std::vector<std::pair<std::string, std::string>>{
             {"eth_getFilterChanges", id}, {"eth_getFilterLogs", logs}}) {
        const Json e = n.error(method, {filter});
        EXPECT_EQ(e["code"], -32000);
        EXPECT_EQ(e["message"], "filter not found");
    }
    EXPECT_EQ(n.result("eth_uninstallFilter", {id}), false);
}

TEST(EthApiFilters, UnusableConfigIsRefused) {
    TestChain c("filters-config");
    Config cfg;
    cfg.filters.max_filters = 0;
    EXPECT_THROW(EthApi(*c.db, c.genesis, std::nullopt, cfg), std::invalid_argument);
    cfg = {};
    cfg.filters.timeout = std::chrono::milliseconds(0);
    EXPECT_THROW(EthApi(*c.db, c.genesis, std::nullopt, cfg), std::invalid_argument);
    cfg = {};
    cfg.send_sync_max_timeout = std::chrono::milliseconds(1);
    EXPECT_THROW(EthApi(*c.db, c.genesis, std::nullopt, cfg), std::invalid_argument);
    EXPECT_NO_THROW(EthApi(*c.db, c.genesis, std::nullopt, Config{}));
}

/// One request over a WebSocket; returns the response (skipping notifications).
Json ws_call(rpc::testing::WsClient& ws, const std::string& method, Json params, int id = 1) {
    const Json req = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    ws.send(req.dump());
    for (int i = 0; i < 100; ++i) {
        const auto msg = ws.receive();
        if (!msg) break;
        Json j = Json::parse(*msg);
        if (j.contains("id") && j["id"] == id) return j;
    }
    return Json();
}

TEST(EthApiFilters, FiltersAndPendingTransactionSubscriptionOverWebSocket) {
    FilterChain f("filters-ws");
    rpc::testing::WsClient ws(f.node.server->port());
    const Json created = ws_call(ws, "eth_newBlockFilter", Json::array());
    ASSERT_TRUE(created["result"].is_string()) << created.dump();
    const Json sub = ws_call(ws, "eth_subscribe", {"newPendingTransactions"}, 2);
    ASSERT_TRUE(sub["result"].is_string()) << sub.dump();
    rpc::testing::WsClient ws_full(f.node.server->port());
    const Json sub_full = ws_call(ws_full, "eth_subscribe", {"newPendingTransactions", true}, 3);
    ASSERT_TRUE(sub_full["result"].is_string()) << sub_full.dump();

    const Bytes a = f.emit(7);
    const auto& b = f.add({a});
    // The notification of the block's transaction comes first, then the poll's answer.
    const auto note = ws.receive();
    ASSERT_TRUE(note);
    const Json n = Json::parse(*note);
    EXPECT_EQ(n["method"], "eth_subscription");
    EXPECT_EQ(n["params"]["subscription"], sub["result"]);
    EXPECT_EQ(n["params"]["result"], hex(keccak256(a)));
    const auto note_full = ws_full.receive();
    ASSERT_TRUE(note_full);
    EXPECT_EQ(Json::parse(*note_full)["params"]["result"]["hash"], hex(keccak256(a)));
    const Json changes = ws_call(ws, "eth_getFilterChanges", {created["result"]}, 4);
    EXPECT_EQ(changes["result"], Json::array({hex(b.hash)})) << changes.dump();
    // A filter is not bound to its connection (geth): HTTP polls it too.
    EXPECT_EQ(f.node.result("eth_getFilterChanges", {created["result"]}), Json::array());
    const Json bad = ws_call(ws, "eth_subscribe", {"newPendingTransactions", "yes"}, 5);
    EXPECT_EQ(bad["error"]["code"], -32602) << bad.dump();
}

}  // namespace
}  // namespace fuse::ethrpc::testing
