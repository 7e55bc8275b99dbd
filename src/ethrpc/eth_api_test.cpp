// EthApi through the real server over HTTP, on a real ArbOS chain in a real RocksDB database.
// Every expected value is computed here from the transactions the test signed (hashes, CREATE
// address, balances, storage) or from the stored blocks' own fields where the value is ArbOS's
// (gas used, base fee), never copied from an earlier response.

#include <gtest/gtest.h>

#include "ethrpc/format.hpp"
#include "ethrpc/revert.hpp"
#include "ethrpc/test_chain.hpp"

namespace fuse::ethrpc::testing {
namespace {

class EthApiTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        chain = new TestChain("api");
        auto& c = *chain;
        contract = create_address(c.dev(2).address, 0);
        raw_transfer = c.tx1559(0, 0, c.dev(1).address, kEth);
        raw_deploy = c.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code());
        c.add_block({raw_transfer, raw_deploy});
        raw_call = c.tx1559(0, 1, contract, uint256{}, word(0x1234));
        raw_revert = c.tx1559(3, 0, contract, uint256{});
        c.add_block({raw_call, raw_revert});
        raw_call2 = c.legacy(4, 0, contract, uint256{5}, word(0x99));
        c.add_block({raw_call2});
        ASSERT_TRUE(c.db->set_head(storage::Head::kSafe, 1));
        ASSERT_TRUE(c.db->set_head(storage::Head::kFinalized, 0));
        node = new TestNode(c);
    }
    static void TearDownTestSuite() {
        delete node;
        delete chain;
    }

    static inline TestChain* chain = nullptr;
    static inline TestNode* node = nullptr;
    static inline Address contract;
    static inline Bytes raw_transfer, raw_deploy, raw_call, raw_revert, raw_call2;
};

TEST_F(EthApiTest, Identity) {
    EXPECT_EQ(node->result("eth_chainId"), "0x1092");
    EXPECT_EQ(node->result("net_version"), "4242");
    EXPECT_EQ(node->result("web3_clientVersion"), "fusel2");
    EXPECT_EQ(node->result("eth_syncing"), false);
    EXPECT_EQ(node->result("eth_maxPriorityFeePerGas"), "0x0");
    EXPECT_EQ(node->result("eth_blockNumber"), "0x3");
    const auto price = uint256::from_hex(node->result("eth_gasPrice").get<std::string>());
    ASSERT_TRUE(price);
    EXPECT_GE(*price, chain->genesis.fees.min_base_fee);
    EXPECT_EQ(node->error("eth_chainId", Json::array({1}))["message"],
              "too many arguments, want at most 0");
}

TEST_F(EthApiTest, BalancesAndNoncesAtEveryBlock) {
    const auto& c = *chain;
    const std::string dev0 = hex(c.dev(0).address), dev1 = hex(c.dev(1).address);
    const uint256 initial = uint256{10'000} * kEth;
    EXPECT_EQ(node->result("eth_getBalance", {dev1, "0x0"}), quantity(initial));
    EXPECT_EQ(node->result("eth_getBalance", {dev1, "earliest"}), quantity(initial));
    EXPECT_EQ(node->result("eth_getBalance", {dev1, "latest"}), quantity(initial + kEth));
    EXPECT_EQ(node->result("eth_getBalance", {dev1}), quantity(initial + kEth));
    // dev0 paid 1 ETH and the gas of its two transactions at their effective price.
    const auto& t0 = c.blocks[1].txs[0];
    const auto& t1 = c.blocks[2].txs[0];
    const uint256 spent = kEth + uint256{t0.gas_used} * t0.effective_gas_price +
                          uint256{t1.gas_used} * t1.effective_gas_price;
    EXPECT_EQ(node->result("eth_getBalance", {dev0, "pending"}), quantity(initial - spent));
    EXPECT_EQ(node->result("eth_getBalance", {hex(Address{}), "latest"}), "0x0");

    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, "0x0"}), "0x0");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, "safe"}), "0x1");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, "latest"}), "0x2");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, "pending"}), "0x2");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, "finalized"}), "0x0");
    // EIP-1898 objects.
    EXPECT_EQ(
        node->result("eth_getTransactionCount", {dev0, {{"blockHash", hex(c.blocks[1].hash)}}}),
        "0x1");
    EXPECT_EQ(
        node->result("eth_getTransactionCount",
                     {dev0, {{"blockHash", hex(c.blocks[2].hash)}, {"requireCanonical", true}}}),
        "0x2");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, {{"blockNumber", "0x1"}}}), "0x1");
    EXPECT_EQ(node->result("eth_getTransactionCount", {dev0, hex(c.blocks[1].hash)}), "0x1");
}

TEST_F(EthApiTest, CodeAndStorage) {
    const std::string a = hex(contract);
    EXPECT_EQ(node->result("eth_getCode", {a, "latest"}), hex(TestContract::runtime()));
    EXPECT_EQ(node->result("eth_getCode", {a, "0x0"}), "0x");
    EXPECT_EQ(node->result("eth_getCode", {hex(chain->dev(0).address)}), "0x");
    EXPECT_EQ(node->result("eth_getStorageAt", {a, "0x0", "latest"}), hex(word(0x2a)));
    EXPECT_EQ(node->result("eth_getStorageAt", {a, "0x1", "latest"}), hex(word(0x99)));
    EXPECT_EQ(node->result("eth_getStorageAt", {a, "0x01", "0x2"}), hex(word(0x1234)));
    EXPECT_EQ(node->result("eth_getStorageAt", {a, "1", "0x1"}), hex(word(0)));
    EXPECT_EQ(node->result("eth_getStorageAt", {a, hex(word(1))}), hex(word(0x99)));
    const Json e = node->error("eth_getStorageAt", {a, "0x" + std::string(66, '1'), "latest"});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"],
              "unable to decode storage key: hex string too long, want at most 32 bytes");
}

TEST_F(EthApiTest, TransactionsByHash) {
    const auto& c = *chain;
    // Legacy deploy, block 1 index 1.
    Json t = node->result("eth_getTransactionByHash", {hex(keccak256(raw_deploy))});
    const Transaction deploy = *decode_transaction(raw_deploy);
    EXPECT_EQ(t["hash"], hex(keccak256(raw_deploy)));
    EXPECT_EQ(t["blockNumber"], "0x1");
    EXPECT_EQ(t["blockHash"], hex(c.blocks[1].hash));
    EXPECT_EQ(t["transactionIndex"], "0x1");
    EXPECT_EQ(t["from"], hex(c.dev(2).address));
    EXPECT_EQ(t["to"], nullptr);
    EXPECT_EQ(t["input"], hex(TestContract::init_code()));
    EXPECT_EQ(t["type"], "0x0");
    EXPECT_EQ(t["gasPrice"], quantity(kGwei));
    EXPECT_EQ(t["gas"], "0x7a120");
    EXPECT_EQ(t["chainId"], "0x1092");
    EXPECT_EQ(t["v"], quantity(uint64_t(kChainId * 2 + 35 + deploy.y_parity)));
    EXPECT_EQ(t["r"], quantity(deploy.r));
    EXPECT_FALSE(t.contains("yParity"));
    // EIP-1559 call, block 2 index 0.
    t = node->result("eth_getTransactionByHash", {hex(keccak256(raw_call))});
    const Transaction call = *decode_transaction(raw_call);
    EXPECT_EQ(t["type"], "0x2");
    EXPECT_EQ(t["nonce"], "0x1");
    EXPECT_EQ(t["to"], hex(contract));
    EXPECT_EQ(t["input"], hex(word(0x1234)));
    EXPECT_EQ(t["maxFeePerGas"], quantity(kGwei));
    EXPECT_EQ(t["maxPriorityFeePerGas"], "0x0");
    EXPECT_EQ(t["gasPrice"], quantity(*c.blocks[2].header.base_fee_per_gas));  // tip 0
    EXPECT_EQ(t["yParity"], quantity(uint64_t{call.y_parity}));
    EXPECT_EQ(t["accessList"][0]["address"], hex(c.dev(9).address));
    EXPECT_EQ(t["accessList"][0]["storageKeys"][0], hex(Hash32{}));
    EXPECT_EQ(node->result("eth_getTransactionByHash", {hex(keccak256(Bytes{1}))}), nullptr);
}

TEST_F(EthApiTest, Receipts) {
    const auto& c = *chain;
    Json r = node->result("eth_getTransactionReceipt", {hex(keccak256(raw_deploy))});
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(r["contractAddress"], hex(contract));
    EXPECT_EQ(r["to"], nullptr);
    EXPECT_EQ(r["logs"], Json::array());
    EXPECT_EQ(r["l1BlockNumber"], "0x7");
    const auto& b1 = c.blocks[1];
    EXPECT_EQ(r["cumulativeGasUsed"], quantity(b1.header.gas_used));  // last tx of block 1
    EXPECT_EQ(r["gasUsed"], quantity(b1.header.gas_used - b1.txs[0].gas_used));
    EXPECT_NE(r["gasUsedForL1"], "0x0");  // the L1 base fee was not zero

    r = node->result("eth_getTransactionReceipt", {hex(keccak256(raw_call))});
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(r["contractAddress"], nullptr);
    EXPECT_EQ(r["effectiveGasPrice"], quantity(*c.blocks[2].header.base_fee_per_gas));
    EXPECT_EQ(r["type"], "0x2");
    ASSERT_EQ(r["logs"].size(), 1u);
    const Json& log = r["logs"][0];
    EXPECT_EQ(log["address"], hex(contract));
    EXPECT_EQ(log["topics"][0], hex(TestContract::topic()));
    EXPECT_EQ(log["topics"][1], hex(Hash32::from_view_right(c.dev(0).address)));
    EXPECT_EQ(log["data"], hex(word(0x1234)));
    EXPECT_EQ(log["logIndex"], "0x0");
    EXPECT_EQ(log["transactionIndex"], "0x0");
    EXPECT_EQ(log["blockNumber"], "0x2");
    EXPECT_EQ(log["blockTimestamp"], quantity(c.blocks[2].header.timestamp));
    Bloom bloom;
    bloom.add(contract);
    bloom.add(TestContract::topic());
    bloom.add(Hash32::from_view_right(c.dev(0).address));
    EXPECT_EQ(r["logsBloom"], hex(bloom));

    r = node->result("eth_getTransactionReceipt", {hex(keccak256(raw_revert))});
    EXPECT_EQ(r["status"], "0x0");
    EXPECT_EQ(r["transactionIndex"], "0x1");
    EXPECT_EQ(r["from"], hex(c.dev(3).address));
    EXPECT_EQ(r["logs"], Json::array());
    EXPECT_EQ(node->result("eth_getTransactionReceipt", {hex(Hash32{})}), nullptr);

    const Json all = node->result("eth_getBlockReceipts", {"0x2"});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], node->result("eth_getTransactionReceipt", {hex(keccak256(raw_call))}));
    EXPECT_EQ(all[1], node->result("eth_getTransactionReceipt", {hex(keccak256(raw_revert))}));
    EXPECT_EQ(node->result("eth_getBlockReceipts", {{{"blockHash", hex(c.blocks[2].hash)}}}), all);
    EXPECT_EQ(node->result("eth_getBlockReceipts", {"0x0"}), Json::array());
    EXPECT_EQ(node->result("eth_getBlockReceipts", {"0x64"}), nullptr);
}

TEST_F(EthApiTest, Blocks) {
    const auto& c = *chain;
    for (uint64_t n = 0; n < 4; ++n) {
        const Json b = node->result("eth_getBlockByNumber", {quantity(n), false});
        const auto& blk = c.blocks[n];
        EXPECT_EQ(b["hash"], hex(*header_hash(blk.header)));
        EXPECT_EQ(b["number"], quantity(n));
        EXPECT_EQ(b["parentHash"], hex(n ? c.blocks[n - 1].hash : Hash32{}));
        EXPECT_EQ(b["stateRoot"], hex(blk.header.state_root));
        EXPECT_EQ(b["baseFeePerGas"], quantity(*blk.header.base_fee_per_gas));
        EXPECT_EQ(b["timestamp"], quantity(c.messages[n].timestamp));
        EXPECT_EQ(b["transactions"].size(), blk.txs.size());
        EXPECT_EQ(b["uncles"], Json::array());
        EXPECT_EQ(b["sha3Uncles"], hex(kEmptyListHash));
        EXPECT_EQ(b["l1BlockNumber"], quantity(c.messages[n].l1_block_number));
        if (blk.header.withdrawals_root) {
            EXPECT_EQ(b["withdrawals"], Json::array());
        }
        EXPECT_EQ(node->result("eth_getBlockByHash", {hex(blk.hash), false}), b);
    }
    Json b1 = node->result("eth_getBlockByNumber", {"0x1", false});
    EXPECT_EQ(b1["transactions"],
              Json::array({hex(keccak256(raw_transfer)), hex(keccak256(raw_deploy))}));
    Json full = node->result("eth_getBlockByNumber", {"0x1", true});
    EXPECT_EQ(full["transactions"][1],
              node->result("eth_getTransactionByHash", {hex(keccak256(raw_deploy))}));
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"latest", false})["number"], "0x3");
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"pending", false})["number"], "0x3");
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"safe", false})["number"], "0x1");
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"finalized", false})["number"], "0x0");
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"earliest", false})["number"], "0x0");
    EXPECT_EQ(node->result("eth_getBlockByNumber", {"0x4", false}), nullptr);
    EXPECT_EQ(node->result("eth_getBlockByHash", {hex(Hash32{}), true}), nullptr);
    EXPECT_EQ(node->error("eth_getBlockByNumber", {"0x1"})["message"],
              "missing value for required argument 1");
    EXPECT_EQ(node->error("eth_getBlockByNumber", {"0x1", "yes"})["message"],
              "invalid argument 1: json: cannot unmarshal string into Go value of type bool");
}

TEST_F(EthApiTest, CallWithStateOverrides) {
    const std::string a = hex(contract);
    const Json call = {{"to", a}, {"input", hex(word(5))}};
    EXPECT_EQ(node->result("eth_call", {call, "latest"}), hex(word(0x2a)));
    EXPECT_EQ(node->result("eth_call", {call}), hex(word(0x2a)));
    EXPECT_EQ(node->result("eth_call", {call, "0x1"}), hex(word(0x2a)));
    // stateDiff patches slot 0; state replaces the storage (slot 0 is then 0).
    Json diff = {{a, {{"stateDiff", {{hex(word(0)), hex(word(7))}}}}}};
    EXPECT_EQ(node->result("eth_call", {call, "latest", diff}), hex(word(7)));
    Json replace = {{a, {{"state", {{hex(word(1)), hex(word(8))}}}}}};
    EXPECT_EQ(node->result("eth_call", {call, "latest", replace}), hex(word(0)));
    // Code placed on an empty address runs there, with its own storage override.
    Address other;
    other[0] = 0x77;
    Json code = {{hex(other),
                  {{"code", hex(TestContract::runtime())},
                   {"balance", "0x1"},
                   {"state", {{hex(word(0)), hex(word(3))}}}}}};
    EXPECT_EQ(
        node->result("eth_call", {{{"to", hex(other)}, {"data", hex(word(1))}}, "latest", code}),
        hex(word(3)));
    // Without calldata the contract reverts with Error("nope"): code 3, reason, data.
    const Json e = node->error("eth_call", {{{"to", a}}, "latest"});
    EXPECT_EQ(e["code"], 3);
    EXPECT_EQ(e["message"], "execution reverted: nope");
    EXPECT_EQ(e["data"], hex(TestContract::revert_data()));
    // Errors.
    EXPECT_EQ(node->error("eth_call", {call, "0x10"})["message"], "header not found");
    EXPECT_EQ(node->error("eth_call", {call, {{"blockHash", hex(Hash32{})}}})["message"],
              "header for hash not found");
    EXPECT_EQ(node->error("eth_call", Json::array())["message"],
              "missing value for required argument 0");
    Json both = {{a, {{"state", Json::object()}, {"stateDiff", Json::object()}}}};
    EXPECT_EQ(node->error("eth_call", {call, "latest", both})["code"], -32000);
    EXPECT_EQ(node->error("eth_call", {{{"to", a}, {"chainId", "0x1"}}})["message"],
              "invalid argument 0: chainId does not match node's (have=1, want=4242)");
}

TEST_F(EthApiTest, EstimateGasReverts) {
    const Json rev = node->error("eth_estimateGas",
                                 {{{"from", hex(chain->dev(5).address)}, {"to", hex(contract)}}});
    EXPECT_EQ(rev["code"], 3);
    EXPECT_EQ(rev["message"], "execution reverted: nope");
    EXPECT_EQ(rev["data"], hex(TestContract::revert_data()));
}

/// The estimate is enough: transactions sent with exactly the estimated gas succeed.
TEST(EthApiEstimate, EstimateThenSendSucceeds) {
    TestChain c("estimate");
    const Address target = create_address(c.dev(2).address, 0);
    c.add_block({c.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code())});
    TestNode n(c);
    // The transactions tx1559 signs carry a one-entry access list: the requests do too.
    const Json access_list = {
        {{"address", hex(c.dev(9).address)}, {"storageKeys", {hex(Hash32{})}}}};
    auto estimate = [&](Json req) {
        req["accessList"] = access_list;
        return uint256::from_hex(n.result("eth_estimateGas", {req}).get<std::string>())->low64();
    };
    const uint64_t call_gas = estimate(
        {{"from", hex(c.dev(5).address)}, {"to", hex(target)}, {"input", hex(word(0x42))}});
    EXPECT_GT(call_gas,
              21'000u + 4'300u + 22'100u);  // intrinsic + a fresh SSTORE (cold, zero to non-zero)
    const uint64_t transfer_gas = estimate(
        {{"from", hex(c.dev(6).address)}, {"to", hex(c.dev(7).address)}, {"value", "0x1"}});
    EXPECT_GT(transfer_gas, 21'000u + 4'300u);  // + the L1 data fee (the L1 base fee is not zero)
    const auto& b = c.add_block({c.tx1559(5, 0, target, uint256{}, word(0x42), call_gas),
                                 c.tx1559(6, 0, c.dev(7).address, uint256{1}, {}, transfer_gas)});
    ASSERT_EQ(b.txs.size(), 2u);
    for (const auto& tx : b.txs) {
        const Json r = n.result("eth_getTransactionReceipt", {hex(tx.hash)});
        EXPECT_EQ(r["status"], "0x1") << r.dump();
        EXPECT_LE(uint256::from_hex(r["gasUsed"].get<std::string>())->low64(), tx.tx.gas_limit);
    }
}

TEST_F(EthApiTest, Logs) {
    const auto& c = *chain;
    const std::string a = hex(contract);
    Json all = node->result("eth_getLogs", {{{"fromBlock", "earliest"}, {"toBlock", "latest"}}});
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]["transactionHash"], hex(keccak256(raw_call)));
    EXPECT_EQ(all[1]["transactionHash"], hex(keccak256(raw_call2)));
    EXPECT_EQ(all[1]["blockNumber"], "0x3");
    EXPECT_EQ(all[1]["blockHash"], hex(c.blocks[3].hash));
    EXPECT_EQ(all[1]["data"], hex(word(0x99)));
    EXPECT_EQ(all[1]["topics"][1], hex(Hash32::from_view_right(c.dev(4).address)));
    // The same log as in its receipt.
    EXPECT_EQ(all[0],
              node->result("eth_getTransactionReceipt", {hex(keccak256(raw_call))})["logs"][0]);

    const std::string t0 = hex(TestContract::topic());
    const std::string dev4 = hex(Hash32::from_view_right(c.dev(4).address));
    auto count = [&](Json filter) { return node->result("eth_getLogs", {filter}).size(); };
    EXPECT_EQ(count({{"fromBlock", "0x0"}, {"address", a}}), 2u);  // toBlock: latest
    EXPECT_EQ(count({{"fromBlock", "0x0"}, {"toBlock", "latest"}, {"address", Json::array({a})}}),
              2u);
    EXPECT_EQ(count({{"fromBlock", "0x0"}, {"toBlock", "0x2"}}), 1u);
    EXPECT_EQ(count({{"blockHash", hex(c.blocks[3].hash)}}), 1u);
    EXPECT_EQ(count({{"fromBlock", "0x1"}, {"toBlock", "0x3"}, {"topics", {t0}}}), 2u);
    EXPECT_EQ(count({{"fromBlock", "0x1"}, {"toBlock", "0x3"}, {"topics", {nullptr, dev4}}}), 1u);
    EXPECT_EQ(
        count({{"fromBlock", "0x1"}, {"toBlock", "0x3"}, {"topics", {t0, {dev4, hex(Hash32{})}}}}),
        1u);
    EXPECT_EQ(count({{"fromBlock", "0x1"}, {"toBlock", "0x3"}, {"topics", {nullptr, nullptr, t0}}}),
              0u);
    EXPECT_EQ(count({{"fromBlock", "0x1"}, {"toBlock", "0x3"}, {"address", hex(c.dev(0).address)}}),
              0u);
    EXPECT_EQ(count({{"fromBlock", "0x10"}, {"toBlock", "0x20"}}), 0u);

    EXPECT_EQ(node->error("eth_getLogs", {{{"fromBlock", "0x3"}, {"toBlock", "0x1"}}})["message"],
              "invalid block range params");
    EXPECT_EQ(node->error("eth_getLogs", {{{"blockHash", hex(Hash32{})}}})["message"],
              "unknown block");
    EXPECT_EQ(node->error("eth_getLogs", {{{"topics", {t0, t0, t0, t0, t0}}}})["message"],
              "invalid argument 0: exceed max topics");
}

TEST_F(EthApiTest, LogLimits) {
    Config cfg;
    cfg.max_logs_block_range = 2;
    cfg.max_logs = 1;
    TestNode limited(*chain, cfg);
    EXPECT_EQ(
        limited.error("eth_getLogs", {{{"fromBlock", "0x0"}, {"toBlock", "latest"}}})["message"],
        "exceed maximum block range: 2");
    EXPECT_EQ(limited.result("eth_getLogs", {{{"fromBlock", "0x2"}, {"toBlock", "0x2"}}}).size(),
              1u);
    const Json e = limited.error("eth_getLogs", {{{"fromBlock", "0x2"}, {"toBlock", "0x3"}}});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "query returned more than 1 results. Try with a smaller block range");
}

TEST_F(EthApiTest, FeeHistory) {
    const auto& c = *chain;
    const Json h = node->result("eth_feeHistory", {"0x2", "latest", {25, 75}});
    EXPECT_EQ(h["oldestBlock"], "0x2");
    ASSERT_EQ(h["baseFeePerGas"].size(), 3u);
    EXPECT_EQ(h["baseFeePerGas"][0], quantity(*c.blocks[2].header.base_fee_per_gas));
    EXPECT_EQ(h["baseFeePerGas"][1], quantity(*c.blocks[3].header.base_fee_per_gas));
    ASSERT_EQ(h["gasUsedRatio"].size(), 2u);
    EXPECT_DOUBLE_EQ(h["gasUsedRatio"][1].get<double>(),
                     double(c.blocks[3].header.gas_used) / double(c.blocks[3].header.gas_limit));
    // Tips are not paid on Fuse L2: every reward is zero.
    EXPECT_EQ(h["reward"], Json::array({Json::array({"0x0", "0x0"}), Json::array({"0x0", "0x0"})}));
    const Json all = node->result("eth_feeHistory", {100, "0x1"});
    EXPECT_EQ(all["oldestBlock"], "0x0");
    EXPECT_EQ(all["gasUsedRatio"].size(), 2u);
    EXPECT_FALSE(all.contains("reward"));
    EXPECT_EQ(node->error("eth_feeHistory", {"0x1", "0x9"})["message"],
              "request beyond head block: requested 9, head 3");
    EXPECT_EQ(node->error("eth_feeHistory", {"0x1", "latest", {50, 10}})["code"], -32000);
}

TEST_F(EthApiTest, ErrorsAsGeth) {
    const std::string dev0 = hex(chain->dev(0).address);
    Json e = node->error("eth_nope");
    EXPECT_EQ(e["code"], -32601);
    EXPECT_EQ(e["message"], "the method eth_nope does not exist/is not available");
    e = node->error("eth_getBalance", {dev0, "0x10"});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"], "header not found");
    e = node->error("eth_getBalance", {"0x1234", "latest"});
    EXPECT_EQ(e["code"], -32602);
    EXPECT_EQ(e["message"],
              "invalid argument 0: hex string has length 4, want 40 for common.Address");
    e = node->error("eth_getBalance", {dev0, "newest"});
    EXPECT_EQ(e["message"], "invalid argument 1: hex string without 0x prefix");
    e = node->error("eth_getBalance", {dev0, {{"blockHash", hex(Hash32{})}}});
    EXPECT_EQ(e["message"], "header for hash not found");
    e = node->error("eth_getBalance", Json::object());
    EXPECT_EQ(e["message"], "non-array args");
    e = node->error("eth_sendRawTransaction", {raw_transfer.empty() ? "0x" : hex(raw_transfer)});
    EXPECT_EQ(e["code"], -32000);  // a read-only node refuses transactions
    e = node->error("eth_sendRawTransaction", {"zz"});
    EXPECT_EQ(e["code"], -32602);
}

/// Every method with hostile parameters: each answers a JSON-RPC error or a result, and the
/// node keeps serving.
TEST_F(EthApiTest, HostileParamsNeverCrash) {
    const std::vector<std::string> methods = {"eth_chainId",
                                              "net_version",
                                              "web3_clientVersion",
                                              "eth_blockNumber",
                                              "eth_getBalance",
                                              "eth_getTransactionCount",
                                              "eth_getCode",
                                              "eth_getStorageAt",
                                              "eth_call",
                                              "eth_estimateGas",
                                              "eth_sendRawTransaction",
                                              "eth_getTransactionByHash",
                                              "eth_getTransactionReceipt",
                                              "eth_getBlockByNumber",
                                              "eth_getBlockByHash",
                                              "eth_getBlockReceipts",
                                              "eth_getLogs",
                                              "eth_gasPrice",
                                              "eth_maxPriorityFeePerGas",
                                              "eth_feeHistory",
                                              "eth_syncing"};
    const std::vector<Json> values = {
        nullptr,
        true,
        -1,
        1e300,
        18446744073709551615ull,
        "",
        "0x",
        "0x0",
        "0x" + std::string(200, 'f'),
        "latest",
        "0xzz",
        Json::array(),
        Json::object(),
        Json{{"blockHash", 1}},
        Json{{"to", "0x12"}, {"gas", "0xffffffffffffffff"}},
        Json{{"fromBlock", "0x0"}, {"toBlock", "0xffffffffffffff"}},
        Json{{"to", hex(contract)}, {"value", "0x" + std::string(64, 'f')}},
        Json{{"from", hex(Address{})}, {"gas", "0x1"}}};
    int answered = 0;
    for (const auto& m : methods)
        for (const Json& v : values)
            for (const Json& params :
                 {Json::array({v}), Json::array({v, v}), Json::array({v, v, v})}) {
                const Json r = node->call(m, params);
                ASSERT_TRUE(r.contains("result") != r.contains("error")) << m << params.dump();
                if (r.contains("error")) {
                    ASSERT_TRUE(r["error"]["code"].is_number_integer());
                    ASSERT_FALSE(r["error"]["message"].get<std::string>().empty());
                    ASSERT_NE(r["error"]["code"], -32603) << m << params.dump() << r.dump();
                }
                ++answered;
            }
    EXPECT_EQ(answered, int(methods.size() * values.size() * 3));
    EXPECT_EQ(node->result("eth_blockNumber"), "0x3");
}

TEST(EthApiHeads, UnsetSafeAndFinalized) {
    TestChain c("heads");
    TestNode n(c);
    EXPECT_EQ(n.error("eth_getBlockByNumber", {"safe", false})["message"], "safe block not found");
    EXPECT_EQ(n.error("eth_getBalance", {hex(Address{}), "finalized"})["message"],
              "finalized block not found");
    EXPECT_EQ(n.result("eth_blockNumber"), "0x0");
    EXPECT_EQ(n.result("eth_getLogs", {Json::object()}), Json::array());
}

TEST(EthApiSubscriptions, NewHeadsAndFilteredLogs) {
    TestChain c("subs");
    const Address target = create_address(c.dev(2).address, 0);
    c.add_block({c.legacy(2, 0, std::nullopt, uint256{}, TestContract::init_code())});
    TestNode n(c);
    rpc::testing::WsClient ws(n.server->port());
    auto subscribe = [&](Json params) {
        ws.send(Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "eth_subscribe"}, {"params", params}}
                    .dump());
        const auto reply = ws.receive();
        EXPECT_TRUE(reply);
        const Json j = Json::parse(reply.value_or("{}"));
        EXPECT_TRUE(j.contains("result")) << j.dump();
        return j.value("result", std::string());
    };
    const std::string heads = subscribe({"newHeads"});
    // A filter that matches the log (by address and caller topic) and one that does not.
    const std::string logs =
        subscribe({"logs",
                   {{"address", hex(target)},
                    {"topics", {nullptr, hex(Hash32::from_view_right(c.dev(3).address))}}}});
    const std::string none = subscribe({"logs", {{"topics", {hex(Hash32{})}}}});
    ASSERT_FALSE(heads.empty() || logs.empty() || none.empty());

    const auto& b = c.add_block({c.tx1559(3, 0, target, uint256{}, word(0x77))});
    n.api->on_block(b);
    bool got_head = false, got_log = false;
    for (int i = 0; i < 2; ++i) {
        const auto msg = ws.receive();
        ASSERT_TRUE(msg);
        const Json j = Json::parse(*msg);
        EXPECT_EQ(j["method"], "eth_subscription");
        const std::string sub = j["params"]["subscription"];
        const Json& res = j["params"]["result"];
        EXPECT_NE(sub, none);
        if (sub == heads) {
            got_head = true;
            EXPECT_EQ(res["number"], "0x2");
            EXPECT_EQ(res["hash"], hex(*header_hash(b.header)));
            EXPECT_EQ(res["parentHash"], hex(c.blocks[1].hash));
            EXPECT_FALSE(res.contains("transactions"));
        } else if (sub == logs) {
            got_log = true;
            EXPECT_EQ(res["address"], hex(target));
            EXPECT_EQ(res["data"], hex(word(0x77)));
            EXPECT_EQ(res["blockHash"], hex(b.hash));
            EXPECT_EQ(res["transactionHash"], hex(b.txs[0].hash));
            EXPECT_EQ(res["logIndex"], "0x0");
        }
    }
    EXPECT_TRUE(got_head && got_log);
    // A bad filter is refused with -32602.
    ws.send(Json{{"jsonrpc", "2.0"},
                 {"id", 2},
                 {"method", "eth_subscribe"},
                 {"params", {"logs", {{"address", 5}}}}}
                .dump());
    const Json bad = Json::parse(ws.receive().value_or("{}"));
    EXPECT_EQ(bad["error"]["code"], -32602);
}

}  // namespace
}  // namespace fuse::ethrpc::testing

namespace fuse::ethrpc::testing {
namespace {

/// eth_sendRawTransaction and the "pending" nonce with a sink that does what the sequencer
/// does, synchronously: the transaction goes through ArbOS into a committed block before the
/// callback fires; ArbOS's refusals come back as the JSON-RPC error.
TEST(EthApiSend, SubmitThroughArbosBlocks) {
    TestChain c("send");
    uint64_t extra_pending = 0;
    TxSink sink;
    sink.submit = [&c](Bytes raw, auto done) {
        arbos::Message m{7, uint256{1'000'000}, c.blocks.back().header.timestamp + 2, {raw}};
        arbos::BlockBuilder b(c.db->world(), c.genesis, c.blocks.back(), m);
        auto r = b.add(raw);
        if (!r) {
            done(Unexpected{sequencer::Rejection{r.error().reason, r.error().message, true}});
            return;
        }
        const Hash32 h = (*r)->hash;
        c.messages.push_back(m);
        c.diffs.emplace_back();
        c.blocks.push_back(b.finish(&c.diffs.back()).value());
        c.commit_last();
        done(sequencer::Inclusion{h, c.blocks.back().header.number, 0});
    };
    sink.pending_nonce = [&c, &extra_pending](const Address& a) {
        auto acc = c.db->latest_state()->read_account(a).value();
        return (acc ? acc->nonce : 0) + extra_pending;
    };
    TestNode n(c, {}, sink);
    const Bytes raw = c.tx1559(0, 0, c.dev(1).address, kEth);
    EXPECT_EQ(n.result("eth_sendRawTransaction", {hex(raw)}), hex(keccak256(raw)));
    // The receipt exists when the hash comes back.
    const Json r = n.result("eth_getTransactionReceipt", {hex(keccak256(raw))});
    EXPECT_EQ(r["status"], "0x1");
    EXPECT_EQ(r["blockNumber"], "0x1");
    EXPECT_EQ(n.result("eth_getBalance", {hex(c.dev(1).address)}),
              quantity(uint256{10'000} * kEth + kEth));
    // Replaying it: ArbOS's refusal with geth's text.
    const Json e = n.error("eth_sendRawTransaction", {hex(raw)});
    EXPECT_EQ(e["code"], -32000);
    EXPECT_EQ(e["message"].get<std::string>().rfind("nonce too low", 0), 0u) << e.dump();
    extra_pending = 3;
    EXPECT_EQ(n.result("eth_getTransactionCount", {hex(c.dev(0).address), "pending"}), "0x4");
    EXPECT_EQ(n.result("eth_getTransactionCount", {hex(c.dev(0).address), "latest"}), "0x1");
    EXPECT_EQ(n.error("eth_sendRawTransaction", {"0x12345"})["message"],
              "invalid argument 0: json: cannot unmarshal hex string of odd length into Go value "
              "of type hexutil.Bytes");
}

}  // namespace
}  // namespace fuse::ethrpc::testing

namespace fuse::ethrpc::testing {
namespace {

/// A validator that rewinds and rebuilds a height: lookups see the new block, not a cached one.
TEST(EthApiRewind, LookupsFollowTheCanonicalBlock) {
    TestChain c("rewind");
    TestNode n(c);
    const Bytes a = c.tx1559(0, 0, c.dev(1).address, uint256{1});
    c.add_block({a});
    const Json ra = n.result("eth_getTransactionReceipt", {hex(keccak256(a))});
    EXPECT_EQ(ra["blockHash"], hex(c.blocks[1].hash));
    ASSERT_TRUE(c.db->rewind_to(0));
    c.blocks.pop_back();
    c.diffs.pop_back();
    c.messages.pop_back();
    const Bytes b = c.tx1559(0, 0, c.dev(2).address, uint256{2});
    c.add_block({b});
    const Json rb = n.result("eth_getTransactionReceipt", {hex(keccak256(b))});
    EXPECT_EQ(rb["blockHash"], hex(c.blocks[1].hash));
    EXPECT_NE(rb["blockHash"], ra["blockHash"]);
    EXPECT_EQ(n.result("eth_getTransactionReceipt", {hex(keccak256(a))}), nullptr);
    EXPECT_EQ(n.result("eth_getBalance", {hex(c.dev(2).address)}),
              quantity(uint256{10'000} * kEth + uint256{2}));
}

}  // namespace
}  // namespace fuse::ethrpc::testing
