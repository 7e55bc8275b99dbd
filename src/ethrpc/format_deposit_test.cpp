// JSON of the deposit transaction types 0x64 / 0x66 and their receipts, as Nitro's RPC answers
// (go-ethereum fork internal/ethapi newRPCTransaction, MarshalReceipt), on a block ArbOS built.
// With FUSE_WRITE_DEPOSIT_JSON=file the block, its transactions and receipts are written there
// for `node scripts/check-deposit-json.mjs file` (ethers v6 and cast read them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "arbos/memory_world.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "ethrpc/format.hpp"

namespace fuse::ethrpc {
namespace {

constexpr uint64_t kChainId = 412346;

Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}

/// Genesis with a contract at 0xc0de that logs its call value (LOG1 topic CALLVALUE, no data).
arbos::Genesis genesis() {
    arbos::Genesis g = arbos::dev_genesis(kChainId);
    g.alloc[addr("0x000000000000000000000000000000000000c0de")].code = *from_hex("345f5fa100");
    return g;
}

/// Block 1: deposit 0 (native, the ethers vector of core/deposit_test.cpp), deposit 1 (a
/// message calling 0xc0de with 5 wei), then a user transfer.
struct DepositBlock {
    arbos::Genesis g = genesis();
    arbos::MemoryWorld world;
    arbos::Block parent = arbos::make_genesis_block(world, g);
    std::vector<Deposit> deposits;
    arbos::Block block;

    DepositBlock() {
        Deposit a;
        a.kind = DepositKind::kNative;
        a.l2_from = addr("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
        a.to = addr("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
        a.value = uint256(1'000'000'000'000'000'000ull);
        a.l1_block_number = 1000;
        a.l1_timestamp = 1700000000;
        Deposit b;
        b.kind = DepositKind::kMessage;
        b.index = 1;
        b.l2_from = addr("0x2222000000000000000000000000000000003333");
        b.to = addr("0x000000000000000000000000000000000000c0de");
        b.value = uint256(5);
        b.l2_gas_limit = 100'000;
        b.l1_block_number = 1000;
        b.l1_timestamp = 1700000000;
        b.data = {0x12, 0x34};
        deposits = {a, b};
        arbos::Message m;
        m.timestamp = parent.header.timestamp + 1;
        m.l1_block_number = 1000;
        m.deposit_ref = batch::make_deposit_ref(Hash32{}, deposits);
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = kChainId;
        t.max_fee_per_gas = uint256(1'000'000'000);
        t.gas_limit = 21'000;
        t.to = a.to;
        t.value = uint256(1);
        EXPECT_TRUE(sign_transaction(t, arbos::dev_accounts()[1].private_key));
        m.txs.push_back(encode_transaction(t));
        block = arbos::execute_message(world, g, parent, m, nullptr, {}, deposits);
        EXPECT_FALSE(block.deposit_error);
    }
};

std::set<std::string> keys(const Json& j) {
    std::set<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it)
        out.insert(it.key());
    return out;
}

TEST(FormatDeposits, DepositTxIsNitrosArbitrumDepositTx) {
    DepositBlock d;
    ASSERT_EQ(d.block.txs.size(), 3u);
    const Json j = tx_json(d.block, 0);
    const std::set<std::string> want = {"blockHash", "blockNumber", "transactionIndex",
                                        "from",      "gas",         "gasPrice",
                                        "hash",      "input",       "nonce",
                                        "to",        "value",       "type",
                                        "v",         "r",           "s",
                                        "chainId",   "requestId"};
    EXPECT_EQ(keys(j), want);
    EXPECT_EQ(j["type"], "0x64");
    // The hash ethers computes for this deposit (node scripts/deposit-vectors.mjs).
    EXPECT_EQ(j["hash"], "0x94916768e21f778934235acaf5c476394fab640e52546738b46c386bc2ebfd68");
    EXPECT_EQ(j["requestId"], "0x0000000000000000000000000000000000000000000000000000000000000000");
    EXPECT_EQ(j["from"], "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    EXPECT_EQ(j["to"], "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    EXPECT_EQ(j["value"], "0xde0b6b3a7640000");
    EXPECT_EQ(j["chainId"], "0x64aba");
    EXPECT_EQ(j["transactionIndex"], "0x0");
    for (const char* zero : {"gas", "gasPrice", "nonce", "v", "r", "s"})
        EXPECT_EQ(j[zero], "0x0") << zero;
    EXPECT_EQ(j["input"], "0x");
}

TEST(FormatDeposits, ContractTxIsNitrosArbitrumContractTx) {
    DepositBlock d;
    const Json j = tx_json(d.block, 1);
    const std::set<std::string> want = {"blockHash",
                                        "blockNumber",
                                        "transactionIndex",
                                        "from",
                                        "gas",
                                        "gasPrice",
                                        "maxFeePerGas",
                                        "hash",
                                        "input",
                                        "nonce",
                                        "to",
                                        "value",
                                        "type",
                                        "v",
                                        "r",
                                        "s",
                                        "chainId",
                                        "requestId"};
    EXPECT_EQ(keys(j), want);
    EXPECT_EQ(j["type"], "0x66");
    EXPECT_EQ(j["hash"], to_hex(keccak256(d.block.txs[1].raw)));
    EXPECT_EQ(j["requestId"], "0x0000000000000000000000000000000000000000000000000000000000000001");
    EXPECT_EQ(j["from"], "0x2222000000000000000000000000000000003333");
    EXPECT_EQ(j["to"], "0x000000000000000000000000000000000000c0de");
    EXPECT_EQ(j["gas"], "0x186a0");
    EXPECT_EQ(j["input"], "0x1234");
    EXPECT_EQ(j["value"], "0x5");
    for (const char* zero : {"gasPrice", "maxFeePerGas", "nonce", "v", "r", "s"})
        EXPECT_EQ(j[zero], "0x0") << zero;
    // The user transaction after them keeps its own shape.
    EXPECT_EQ(tx_json(d.block, 2)["type"], "0x2");
    EXPECT_TRUE(tx_json(d.block, 2).contains("accessList"));
}

TEST(FormatDeposits, ReceiptsAndBlock) {
    DepositBlock d;
    Json r0 = receipt_json(d.block, 0);
    EXPECT_EQ(r0["type"], "0x64");
    EXPECT_EQ(r0["status"], "0x1");
    EXPECT_EQ(r0["gasUsed"], "0x0");
    EXPECT_EQ(r0["cumulativeGasUsed"], "0x0");
    EXPECT_EQ(r0["effectiveGasPrice"], "0x0");
    EXPECT_EQ(r0["gasUsedForL1"], "0x0");
    EXPECT_EQ(r0["logs"], Json::array());
    EXPECT_EQ(r0["contractAddress"], nullptr);
    EXPECT_EQ(r0["to"], "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    Json r1 = receipt_json(d.block, 1);
    EXPECT_EQ(r1["type"], "0x66");
    EXPECT_EQ(r1["status"], "0x1");
    EXPECT_EQ(r1["from"], "0x2222000000000000000000000000000000003333");
    EXPECT_EQ(r1["effectiveGasPrice"], "0x0");
    EXPECT_EQ(r1["gasUsed"], quantity(d.block.txs[1].gas_used));
    EXPECT_EQ(r1["cumulativeGasUsed"], r1["gasUsed"]);
    ASSERT_EQ(r1["logs"].size(), 1u);
    EXPECT_EQ(r1["logs"][0]["logIndex"], "0x0");
    EXPECT_EQ(r1["logs"][0]["topics"][0],
              "0x0000000000000000000000000000000000000000000000000000000000000005");
    Json r2 = receipt_json(d.block, 2);
    EXPECT_EQ(r2["cumulativeGasUsed"], quantity(d.block.txs[1].gas_used + 21'000));

    const Json b = block_json(d.block, true);
    ASSERT_EQ(b["transactions"].size(), 3u);
    EXPECT_EQ(b["transactions"][0]["type"], "0x64");
    EXPECT_EQ(b["transactions"][1]["type"], "0x66");
    EXPECT_EQ(block_json(d.block, false)["transactions"][0], to_hex(d.block.txs[0].hash));

    if (const char* path = std::getenv("FUSE_WRITE_DEPOSIT_JSON")) {
        Json out = {{"block", b},
                    {"blockHashes", block_json(d.block, false)},
                    {"receipts", Json::array({r0, r1, r2})}};
        std::ofstream(path) << out.dump(2);
    }
}

}  // namespace
}  // namespace fuse::ethrpc
