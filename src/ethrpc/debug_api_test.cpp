// debug_trace* over a real RocksDB chain built by ArbOS and a real server (test_chain.hpp).
#include "ethrpc/debug_api.hpp"

#include <gtest/gtest.h>

#include "ethrpc/test_chain.hpp"
#include "state/transition.hpp"

using namespace fuse;
using namespace fuse::ethrpc;
using namespace fuse::ethrpc::testing;

namespace {

struct DebugApiTest : ::testing::Test {
    TestChain c{"debug"};
    Address contract = create_address(TestChain::dev(2).address, 0);
    std::unique_ptr<TestNode> node;

    void SetUp() override {
        c.add_block({c.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code())});
        // Block 2: a call that stores, logs and returns; a transfer; a revert.
        c.add_block({c.tx1559(2, 1, contract, uint256{}, word(0x77)),
                     c.tx1559(3, 0, TestChain::dev(4).address, uint256{5}),
                     c.tx1559(2, 2, contract, uint256{}, {})});
        node = std::make_unique<TestNode>(c);
    }

    const arbos::ExecutedTx& tx(size_t block, size_t i) { return c.blocks[block].txs[i]; }
    std::string hash(size_t block, size_t i) { return hex(tx(block, i).hash); }
};

}  // namespace

TEST_F(DebugApiTest, CallTracerShowsFramesLogsAndRevertReasons) {
    const Json cfg = {{"tracer", "callTracer"}, {"tracerConfig", {{"withLog", true}}}};
    const Json t = node->result("debug_traceTransaction", {hash(2, 0), cfg});
    EXPECT_EQ(t["type"], "CALL");
    EXPECT_EQ(t["from"], hex(TestChain::dev(2).address));
    EXPECT_EQ(t["to"], hex(contract));
    EXPECT_EQ(t["gas"], "0x30d40");
    // The receipt's gasUsed, L1 part included.
    EXPECT_EQ(t["gasUsed"], uint256(tx(2, 0).gas_used).to_hex());
    EXPECT_GT(tx(2, 0).gas_used_for_l1, 0u);
    EXPECT_EQ(t["output"], hex(word(0x2a)));
    ASSERT_EQ(t["logs"].size(), 1u);
    EXPECT_EQ(t["logs"][0]["address"], hex(contract));
    EXPECT_EQ(t["logs"][0]["index"], "0x0");

    const Json r = node->result("debug_traceTransaction", {hash(2, 2), cfg});
    EXPECT_EQ(r["error"], "execution reverted");
    EXPECT_EQ(r["revertReason"], "nope");
    EXPECT_EQ(r["output"], hex(TestContract::revert_data()));

    const Json create = node->result("debug_traceTransaction", {hash(1, 0), cfg});
    EXPECT_EQ(create["type"], "CREATE");
    EXPECT_EQ(create["to"], hex(contract));
    EXPECT_EQ(create["output"], hex(TestContract::runtime()));
}

TEST_F(DebugApiTest, StructLoggerStartsWithTheGasLeftAfterTheL1Fee) {
    const Json t = node->result("debug_traceTransaction", {hash(2, 0), Json::object()});
    EXPECT_EQ(t["gas"], tx(2, 0).gas_used);
    EXPECT_EQ(t["failed"], false);
    EXPECT_EQ(t["returnValue"], hex(word(0x2a)));
    const Json& logs = t["structLogs"];
    ASSERT_FALSE(logs.empty());
    const Transaction& txn = tx(2, 0).tx;
    const auto g = state::intrinsic_gas(txn, evm::Revision::kCancun);
    EXPECT_EQ(logs[0]["gas"].get<int64_t>(), static_cast<int64_t>(txn.gas_limit) - g.intrinsic -
                                                 static_cast<int64_t>(tx(2, 0).gas_used_for_l1));
    bool sstore = false;
    for (const Json& s : logs)
        if (s["op"] == "SSTORE") {
            sstore = true;
            EXPECT_EQ(s["storage"][hex(word(1))], hex(word(0x77)));
        }
    EXPECT_TRUE(sstore);
    const Json failed = node->result("debug_traceTransaction", {hash(2, 2), Json::object()});
    EXPECT_EQ(failed["failed"], true);
    EXPECT_EQ(failed["returnValue"], hex(TestContract::revert_data()));
}

TEST_F(DebugApiTest, PrestateDiffMode) {
    const Json cfg = {{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", true}}}};
    const Json t = node->result("debug_traceTransaction", {hash(2, 0), cfg});
    EXPECT_EQ(t["post"][hex(contract)]["storage"][hex(word(1))], hex(word(0x77)));
    EXPECT_EQ(t["post"][hex(TestChain::dev(2).address)]["nonce"], 2);
    const Json pre =
        node->result("debug_traceTransaction", {hash(2, 0), {{"tracer", "prestateTracer"}}});
    EXPECT_EQ(pre[hex(contract)]["storage"][hex(word(1))], hex(word(0)));
    EXPECT_EQ(pre[hex(contract)]["code"], hex(TestContract::runtime()));
}

TEST_F(DebugApiTest, HistoricalBlockTracesAsAtTheHead) {
    const Json cfgs[] = {Json{{"tracer", "callTracer"}, {"tracerConfig", {{"withLog", true}}}},
                         Json{{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", true}}}},
                         Json{{"enableMemory", true}}};
    std::vector<Json> at_head;
    for (const Json& cfg : cfgs) {
        at_head.push_back(node->result("debug_traceBlockByNumber", {"latest", cfg}));
        ASSERT_EQ(at_head.back().size(), 3u);
        EXPECT_EQ(at_head.back()[1]["txHash"], hash(2, 1));
    }
    // Later blocks overwrite the same slot and move the same accounts.
    c.add_block({c.tx1559(2, 3, contract, uint256{}, word(0x99))});
    c.add_block({c.tx1559(3, 1, TestChain::dev(4).address, uint256{7})});
    for (size_t i = 0; i < std::size(cfgs); ++i) {
        EXPECT_EQ(node->result("debug_traceBlockByNumber", {"0x2", cfgs[i]}), at_head[i]);
        EXPECT_EQ(node->result("debug_traceBlockByHash", {hex(c.blocks[2].hash), cfgs[i]}),
                  at_head[i]);
        EXPECT_EQ(node->result("debug_traceTransaction", {hash(2, 0), cfgs[i]}),
                  at_head[i][0]["result"]);
    }
}

TEST_F(DebugApiTest, TraceCall) {
    const Json call = {
        {"from", hex(TestChain::dev(5).address)}, {"to", hex(contract)}, {"data", hex(word(0x55))}};
    const Json t = node->result(
        "debug_traceCall",
        {call, "latest", {{"tracer", "callTracer"}, {"tracerConfig", {{"withLog", true}}}}});
    EXPECT_EQ(t["type"], "CALL");
    EXPECT_EQ(t["output"], hex(word(0x2a)));
    EXPECT_EQ(t["logs"].size(), 1u);
    // State overrides apply as in eth_call.
    const Json over = {
        {"stateOverrides", {{hex(contract), {{"stateDiff", {{hex(word(0)), hex(word(9))}}}}}}}};
    const Json o = node->result("debug_traceCall", {call, "latest", over});
    EXPECT_EQ(o["returnValue"], hex(word(9)));
}

TEST_F(DebugApiTest, Errors) {
    EXPECT_EQ(node->error("debug_traceTransaction", {hash(2, 0), {{"timeout", "0s"}}})["message"],
              "execution timeout");
    const Json b = node->result("debug_traceBlockByNumber", {"0x2", {{"timeout", "0s"}}});
    ASSERT_EQ(b.size(), 3u);
    for (const Json& e : b)
        EXPECT_EQ(e["error"], "execution timeout");
    EXPECT_EQ(node->error("debug_traceTransaction", {hash(2, 0), {{"tracer", "x"}}})["message"],
              "tracer not found");
    EXPECT_EQ(node->error("debug_traceTransaction", {hex(Hash32{}), Json::object()})["message"],
              "transaction not found");
    EXPECT_EQ(node->error("debug_traceBlockByNumber", {"0x0", Json::object()})["message"],
              "genesis is not traceable");
    EXPECT_EQ(node->error("debug_traceBlockByNumber", {"0x99", Json::object()})["message"],
              "block #153 not found");
    EXPECT_EQ(node->error("debug_traceTransaction", {"0x12", Json::object()})["code"], -32602);
}

TEST_F(DebugApiTest, HostileParamsNeverCrash) {
    const std::vector<std::string> methods = {"debug_traceTransaction", "debug_traceCall",
                                              "debug_traceBlockByNumber", "debug_traceBlockByHash"};
    const std::vector<Json> values = {
        nullptr,
        true,
        -1,
        1e300,
        18446744073709551615ull,
        "",
        "0x",
        "0x2",
        "latest",
        hash(2, 0),
        hex(c.blocks[2].hash),
        Json::array(),
        Json::object(),
        Json{{"tracer", 5}},
        Json{{"tracer", "callTracer"}, {"tracerConfig", "x"}},
        Json{{"tracer", "prestateTracer"}, {"tracerConfig", {{"diffMode", "yes"}}}},
        Json{{"timeout", 5}},
        Json{{"timeout", "-1s"}},
        Json{{"limit", -1}},
        Json{{"limit", 18446744073709551615ull}},
        Json{{"enableMemory", "yes"}},
        Json{{"stateOverrides", 1}},
        Json{{"to", hex(contract)}, {"gas", "0xffffffffffffffff"}}};
    for (const auto& m : methods)
        for (const Json& v : values)
            for (const Json& params :
                 {Json::array({v}), Json::array({v, v}), Json::array({v, v, v})}) {
                const Json r = node->call(m, params);
                ASSERT_TRUE(r.contains("result") != r.contains("error")) << m << params.dump();
                if (r.contains("error")) {
                    ASSERT_NE(r["error"]["code"], -32603) << m << params.dump() << r.dump();
                }
            }
}

namespace {

/// A block whose message carries two L1 deposits (a mint and a message call to the contract),
/// then a user transaction: re-executing it for a trace takes the stored deposits.
struct DebugDepositTest : ::testing::Test {
    TestChain c{"debugdep"};
    Address contract = create_address(TestChain::dev(2).address, 0);
    std::unique_ptr<TestNode> node;

    void SetUp() override {
        c.add_block({c.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code())});
        Deposit mint;
        mint.kind = DepositKind::kNative;
        mint.index = 0;
        mint.l2_from = TestChain::dev(5).address;
        mint.to = TestChain::dev(6).address;
        mint.value = uint256{1'000'000};
        mint.l1_block_number = 7;
        Deposit call;
        call.kind = DepositKind::kMessage;
        call.index = 1;
        call.l2_from = TestChain::dev(5).address;
        call.to = contract;
        call.l2_gas_limit = 200'000;
        call.l1_block_number = 7;
        call.data = word(0x99);
        c.add_deposit_block({mint, call}, {c.tx1559(2, 1, contract, uint256{}, word(0x77))});
        node = std::make_unique<TestNode>(c);
    }
};

}  // namespace

TEST_F(DebugDepositTest, BlocksWithDepositsReExecuteWithTheStoredDeposits) {
    const auto& b = c.blocks[2];
    ASSERT_EQ(b.txs.size(), 3u);
    const Json cfg = {{"tracer", "callTracer"}};
    const Json block = node->result("debug_traceBlockByNumber", {"0x2", cfg});
    ASSERT_EQ(block.size(), 3u);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(block[i]["txHash"], hex(b.txs[i].hash));
        EXPECT_EQ(block[i]["error"],
                  "deposit transactions (types 0x64, 0x66) run in ArbOS's block prologue and are "
                  "not traced");
    }
    // The user transaction traces on the state the deposits left, with its receipt's gas.
    EXPECT_EQ(block[2]["txHash"], hex(b.txs[2].hash));
    EXPECT_EQ(block[2]["result"]["to"], hex(contract));
    EXPECT_EQ(block[2]["result"]["gasUsed"], uint256(b.txs[2].gas_used).to_hex());
    const Json one = node->result("debug_traceTransaction", {hex(b.txs[2].hash), cfg});
    EXPECT_EQ(one, block[2]["result"]);
    EXPECT_EQ(node->error("debug_traceTransaction", {hex(b.txs[0].hash), cfg})["message"],
              "deposit transactions (types 0x64, 0x66) run in ArbOS's block prologue and are not "
              "traced");
    // The struct logger too (the default tracer).
    const Json sl = node->result("debug_traceTransaction", {hex(b.txs[2].hash), Json::object()});
    EXPECT_FALSE(sl["structLogs"].empty());
}
