// eth_simulateV1 over a real chain and server: calls chained across simulated blocks, block and
// state overrides, validation, traceTransfers, full transactions, and geth's errors.

#include <gtest/gtest.h>

#include "ethrpc/format.hpp"
#include "ethrpc/test_chain.hpp"

namespace fuse::ethrpc::testing {
namespace {

/// A key-value contract: 64 bytes of calldata (key, value) store; 32 bytes (key) load.
const Bytes kKvCode = from_hex(
                          "0x36602014600f576020356000355500"
                          "5b60003554600052602060"
                          "00f3")
                          .value();
const Address kKv = Address::from_view_right(Bytes{0x4b, 0x56});      // "KV"
const Address kLogger = Address::from_view_right(Bytes{0x10, 0x99});  // TestContract's runtime

std::string word_hex(uint64_t v) {
    return hex(uint256(v).to_hash());
}

struct Simulate : ::testing::Test {
    TestChain chain{"simulate"};
    std::unique_ptr<TestNode> node;
    void SetUp() override {
        chain.add_block({chain.tx1559(0, 0, chain.dev(1).address, kEth)});
        node = std::make_unique<TestNode>(chain);
    }
    Json overrides() const {
        return {{hex(kKv), {{"code", hex(kKvCode)}}},
                {hex(kLogger), {{"code", hex(TestContract::runtime())}}}};
    }
    Json call(size_t from, const Address& to, const Bytes& data = {}, uint64_t value = 0) const {
        Json c = {{"from", hex(chain.dev(from).address)}, {"to", hex(to)}};
        if (!data.empty()) c["input"] = hex(data);
        if (value) c["value"] = quantity(value);
        return c;
    }
    static Bytes kv(uint64_t key, std::optional<uint64_t> value = std::nullopt) {
        Bytes b(value ? 64 : 32);
        uint256(key).to_be(b.data());
        if (value) uint256(*value).to_be(b.data() + 32);
        return b;
    }
    Json simulate(Json payload, Json block = "latest") {
        return node->result("eth_simulateV1", {std::move(payload), std::move(block)});
    }
    Json simulate_error(Json payload) {
        return node->error("eth_simulateV1", {std::move(payload)});
    }
};

TEST_F(Simulate, CallsChainAcrossBlocksOnTheStateTheyLeave) {
    const arbos::Block& base = chain.blocks.back();
    const Json r =
        simulate({{"blockStateCalls",
                   {{{"stateOverrides", overrides()},
                     {"calls", {call(3, kKv, kv(5, 77)), call(3, kKv, kv(5))}}},
                    {{"calls", {call(4, kKv, kv(5)), call(3, chain.dev(6).address, {}, 9)}}}}}});
    ASSERT_EQ(r.size(), 2u) << r.dump();
    // Numbers, times and parents follow the base block (12 s apart, as geth).
    EXPECT_EQ(r[0]["number"], quantity(base.header.number + 1));
    EXPECT_EQ(r[1]["number"], quantity(base.header.number + 2));
    EXPECT_EQ(r[0]["timestamp"], quantity(base.header.timestamp + 12));
    EXPECT_EQ(r[1]["timestamp"], quantity(base.header.timestamp + 24));
    EXPECT_EQ(r[0]["parentHash"], hex(base.hash));
    EXPECT_EQ(r[1]["parentHash"], r[0]["hash"]);
    EXPECT_EQ(r[0]["baseFeePerGas"], "0x0");  // no validation: base fee 0 (geth)
    // The store is seen by the next call of the block and by the next block.
    ASSERT_EQ(r[0]["calls"].size(), 2u);
    EXPECT_EQ(r[0]["calls"][0]["status"], "0x1");
    EXPECT_EQ(r[0]["calls"][0]["returnData"], "0x");
    EXPECT_EQ(r[0]["calls"][1]["returnData"], word_hex(77));
    EXPECT_EQ(r[1]["calls"][0]["returnData"], word_hex(77));
    EXPECT_EQ(r[1]["calls"][1]["status"], "0x1");
    // Gas: a store of a fresh slot costs 20,000 more than the load.
    const auto gas = [&](const Json& c) {
        return std::stoull(c["gasUsed"].get<std::string>(), nullptr, 16);
    };
    EXPECT_GT(gas(r[0]["calls"][0]), gas(r[0]["calls"][1]) + 20'000);
    EXPECT_EQ(r[0]["gasUsed"], quantity(gas(r[0]["calls"][0]) + gas(r[0]["calls"][1])));
    EXPECT_EQ(r[1]["calls"][1]["gasUsed"], "0x5208");
    // Transactions: hashes of the unsigned calls; the state root moved with the changes.
    ASSERT_EQ(r[0]["transactions"].size(), 2u);
    EXPECT_TRUE(r[0]["transactions"][0].is_string());
    EXPECT_NE(r[0]["stateRoot"], hex(base.header.state_root));
    EXPECT_NE(r[1]["stateRoot"], r[0]["stateRoot"]);
    // The chain itself did not change.
    EXPECT_EQ(node->result("eth_getCode", {hex(kKv)}), "0x");
    EXPECT_EQ(node->result("eth_blockNumber"), quantity(base.header.number));
}

TEST_F(Simulate, AnEmptyBlockKeepsTheStateRootAndGapsAreFilled) {
    const arbos::Block& base = chain.blocks.back();
    const Json r = simulate({{"blockStateCalls",
                              {Json::object(),
                               {{"blockOverrides",
                                 {{"number", quantity(base.header.number + 4)},
                                  {"time", quantity(base.header.timestamp + 100)},
                                  {"feeRecipient", hex(chain.dev(8).address)},
                                  {"baseFeePerGas", "0x7"}}}}}}});
    ASSERT_EQ(r.size(), 4u) << r.dump();  // base+1, the gap base+2 and base+3, base+4
    // The root of the unchanged state is the base block's: the trie walk is right.
    EXPECT_EQ(r[0]["stateRoot"], hex(base.header.state_root));
    for (uint64_t i = 0; i < 4; ++i)
        EXPECT_EQ(r[i]["number"], quantity(base.header.number + 1 + i));
    EXPECT_EQ(r[1]["timestamp"], quantity(base.header.timestamp + 24));
    EXPECT_EQ(r[2]["timestamp"], quantity(base.header.timestamp + 36));
    EXPECT_EQ(r[3]["timestamp"], quantity(base.header.timestamp + 100));
    EXPECT_EQ(r[3]["miner"], hex(chain.dev(8).address));
    EXPECT_EQ(r[3]["baseFeePerGas"], "0x7");
    EXPECT_EQ(r[3]["calls"], Json::array());
    EXPECT_EQ(r[3]["transactions"], Json::array());
    EXPECT_EQ(r[2]["parentHash"], r[1]["hash"]);
}

TEST_F(Simulate, TraceTransfersLogsAndReverts) {
    const Json r =
        simulate({{"traceTransfers", true},
                  {"blockStateCalls",
                   {{{"stateOverrides", overrides()},
                     {"calls",
                      {call(3, chain.dev(6).address, {}, 5),  // a plain transfer
                       call(3, kLogger, kv(42), 6),
                       call(3, kLogger, {}, 7)}}}}}});  // no calldata: reverts with "nope"
    const Json& calls = r[0]["calls"];
    ASSERT_EQ(calls.size(), 3u) << r.dump();
    const std::string eee = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
    const std::string transfer =
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    const std::string from = hex(uint256::from_be(chain.dev(3).address.view()).to_hash());
    ASSERT_EQ(calls[0]["logs"].size(), 1u);
    EXPECT_EQ(calls[0]["logs"][0]["address"], eee);
    EXPECT_EQ(calls[0]["logs"][0]["topics"],
              Json::array(
                  {transfer, from, hex(uint256::from_be(chain.dev(6).address.view()).to_hash())}));
    EXPECT_EQ(calls[0]["logs"][0]["data"], word_hex(5));
    EXPECT_EQ(calls[0]["logs"][0]["logIndex"], "0x0");
    EXPECT_EQ(calls[0]["logs"][0]["blockHash"], r[0]["hash"]);
    EXPECT_EQ(calls[0]["logs"][0]["transactionHash"], r[0]["transactions"][0]);
    // The value moves first, then the contract logs: indices run on through the block.
    ASSERT_EQ(calls[1]["logs"].size(), 2u);
    EXPECT_EQ(calls[1]["logs"][0]["address"], eee);
    EXPECT_EQ(calls[1]["logs"][1]["address"], hex(kLogger));
    EXPECT_EQ(calls[1]["logs"][1]["topics"][0], hex(TestContract::topic()));
    EXPECT_EQ(calls[1]["logs"][1]["logIndex"], "0x2");
    EXPECT_EQ(calls[1]["logs"][1]["transactionIndex"], "0x1");
    // A revert: status 0, no logs (the value did not move), geth's error object.
    EXPECT_EQ(calls[2]["status"], "0x0");
    EXPECT_EQ(calls[2]["logs"], Json::array());
    EXPECT_EQ(calls[2]["returnData"], "0x");
    EXPECT_EQ(calls[2]["error"]["code"], 3);
    EXPECT_EQ(calls[2]["error"]["message"], "execution reverted: nope");
    EXPECT_EQ(calls[2]["error"]["data"], hex(TestContract::revert_data()));
    // The block's bloom and receipts count the contract's log only (geth: transfers are not
    // real logs).
    EXPECT_NE(r[0]["logsBloom"], hex(Bytes(256, 0)));
    // Without traceTransfers: the contract's log alone, at index 0.
    const Json plain =
        simulate({{"blockStateCalls",
                   {{{"stateOverrides", overrides()}, {"calls", {call(3, kLogger, kv(42), 6)}}}}}});
    ASSERT_EQ(plain[0]["calls"][0]["logs"].size(), 1u);
    EXPECT_EQ(plain[0]["calls"][0]["logs"][0]["logIndex"], "0x0");
}

TEST_F(Simulate, ReturnFullTransactions) {
    const Json r =
        simulate({{"returnFullTransactions", true},
                  {"blockStateCalls", {{{"calls", {call(2, chain.dev(6).address, {}, 3)}}}}}});
    const Json& tx = r[0]["transactions"][0];
    EXPECT_EQ(tx["from"], hex(chain.dev(2).address));
    EXPECT_EQ(tx["to"], hex(chain.dev(6).address));
    EXPECT_EQ(tx["value"], "0x3");
    EXPECT_EQ(tx["type"], "0x2");
    EXPECT_EQ(tx["blockHash"], r[0]["hash"]);
    EXPECT_EQ(tx["blockNumber"], r[0]["number"]);
    EXPECT_EQ(tx["nonce"], "0x0");
    EXPECT_EQ(tx["r"], "0x0");
    // The hash is the unsigned transaction's, the one the hash-only answer gives.
    const Json hashes =
        simulate({{"blockStateCalls", {{{"calls", {call(2, chain.dev(6).address, {}, 3)}}}}}});
    EXPECT_EQ(hashes[0]["transactions"][0], tx["hash"]);
}

TEST_F(Simulate, ValidationChargesGasAndChecksLikeATransaction) {
    const Address sender = chain.dev(2).address;
    Json c = call(2, chain.dev(6).address, {}, 3);
    c["maxFeePerGas"] = quantity(kGwei);
    Json second = c;
    const Json r =
        simulate({{"validation", true}, {"blockStateCalls", {{{"calls", {c, second}}}}}});
    const Json& calls = r[0]["calls"];
    ASSERT_EQ(calls.size(), 2u) << r.dump();
    EXPECT_NE(r[0]["baseFeePerGas"], "0x0");  // ArbOS's base fee
    // The L1 data fee is part of a valid transaction's gas (the chain's L1 price is not 0).
    EXPECT_GT(std::stoull(calls[0]["gasUsed"].get<std::string>(), nullptr, 16), 21'000u);
    EXPECT_EQ(r[0]["transactions"].size(), 2u);  // the nonce went up between the two

    // geth's codes and ArbOS's texts for what a block would refuse.
    Json bad = c;
    bad["nonce"] = "0x5";
    Json e = simulate_error({{"validation", true}, {"blockStateCalls", {{{"calls", {bad}}}}}});
    EXPECT_EQ(e["code"], -38011);
    EXPECT_EQ(e["message"], "nonce too high: address " + hex(sender) + ", tx: 5 state: 0");
    Json cheap = call(2, chain.dev(6).address, {}, 3);  // no fee fields: fee cap 0
    e = simulate_error({{"validation", true}, {"blockStateCalls", {{{"calls", {cheap}}}}}});
    EXPECT_EQ(e["code"], -38012);
    EXPECT_EQ(
        e["message"].get<std::string>().rfind("max fee per gas less than block base fee: "
                                              "address " +
                                                  hex(sender) + ", maxFeePerGas: 0, baseFee: ",
                                              0),
        0u)
        << e.dump();
    // Without validation the same calls pass (eth_call's rules).
    EXPECT_EQ(simulate({{"blockStateCalls", {{{"calls", {bad, cheap}}}}}})[0]["calls"].size(), 2u);
    // Funds are checked in both modes.
    Json rich = call(7, chain.dev(6).address, {}, 0);
    rich["from"] = hex(Address::from_view_right(Bytes{0x99}));
    rich["value"] = quantity(kEth);
    e = simulate_error({{"blockStateCalls", {{{"calls", {rich}}}}}});
    EXPECT_EQ(e["code"], -38014);
    EXPECT_EQ(
        e["message"].get<std::string>().rfind("insufficient funds for gas * price + value", 0), 0u);
}

TEST_F(Simulate, GethsErrorsForTheRequest) {
    const uint64_t head = chain.blocks.back().header.number;
    Json e = simulate_error({{"blockStateCalls", Json::array()}});
    EXPECT_EQ(e["code"], -32602);
    EXPECT_EQ(e["message"], "empty input");
    e = simulate_error({{"blockStateCalls",
                         {{{"blockOverrides", {{"number", quantity(head + 2)}}}},
                          {{"blockOverrides", {{"number", quantity(head + 2)}}}}}}});
    EXPECT_EQ(e["code"], -38020);
    EXPECT_EQ(e["message"], "block numbers must be in order: " + std::to_string(head + 2) +
                                " <= " + std::to_string(head + 2));
    e = simulate_error(
        {{"blockStateCalls",
          {{{"blockOverrides", {{"time", quantity(chain.blocks.back().header.timestamp)}}}}}}});
    EXPECT_EQ(e["code"], -38021);
    e = simulate_error(
        {{"blockStateCalls", {{{"blockOverrides", {{"number", quantity(head + 257)}}}}}}});
    EXPECT_EQ(e["code"], -38026);
    EXPECT_EQ(e["message"], "too many blocks");
    Json big = call(2, chain.dev(6).address);
    big["gas"] = quantity(uint64_t{1} << 51);
    e = simulate_error({{"blockStateCalls", {{{"calls", {big}}}}}});
    EXPECT_EQ(e["code"], -38015);
    EXPECT_EQ(e["message"].get<std::string>().rfind("block gas limit reached: remaining: ", 0), 0u);
    e = node->error("eth_simulateV1", {"0x1"});
    EXPECT_EQ(e["code"], -32602);
    e = simulate_error(
        {{"blockStateCalls", {{{"blockOverrides", {{"withdrawals", {{{"index", "0x0"}}}}}}}}}});
    EXPECT_EQ(e["code"], -32602);
    // A call at a system address that does not answer says so.
    const Json r = simulate(
        {{"blockStateCalls",
          {{{"calls",
             {call(2, Address::from_view_right(Bytes{0x64}), Bytes{0xde, 0xad, 0xbe, 0xef})}}}}}});
    EXPECT_EQ(r[0]["calls"][0]["status"], "0x0");
    EXPECT_NE(r[0]["calls"][0]["error"]["message"].get<std::string>().find("has no method"),
              std::string::npos);
}

}  // namespace
}  // namespace fuse::ethrpc::testing
