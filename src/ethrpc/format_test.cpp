#include "ethrpc/format.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"

namespace fuse::ethrpc {
namespace {

Hash32 key(uint8_t b) {
    Hash32 k;
    k[31] = b;
    return k;
}

Address addr(uint8_t b) {
    Address a;
    a[19] = b;
    return a;
}

arbos::ExecutedTx executed(Transaction tx, uint64_t gas_used, uint64_t cumulative) {
    EXPECT_TRUE(sign_transaction(tx, key(7)));
    arbos::ExecutedTx et;
    et.tx = tx;
    et.raw = encode_transaction(tx);
    et.hash = keccak256(et.raw);
    et.sender = *recover_sender(tx);
    et.gas_used = gas_used;
    et.receipt.type = tx.type;
    et.receipt.success = true;
    et.receipt.cumulative_gas_used = cumulative;
    return et;
}

/// A block with a legacy EIP-155 transfer and a dynamic-fee call emitting two logs.
arbos::Block sample_block() {
    arbos::Block b;
    b.header.number = 0x1234;
    b.header.parent_hash = key(1);
    b.header.gas_limit = 32'000'000;
    b.header.gas_used = 80'000;
    b.header.timestamp = 1'700'000'000;
    b.header.base_fee_per_gas = uint256{100'000'000};
    b.header.extra_data = {0xab};
    b.l1_block_number = 777;
    b.send_count = 2;
    b.send_root = key(9);
    b.hash = *header_hash(b.header);

    Transaction legacy;
    legacy.chain_id = 122;
    legacy.nonce = 5;
    legacy.gas_price = uint256{2'000'000'000};
    legacy.gas_limit = 21'000;
    legacy.to = addr(0x22);
    legacy.value = uint256{1'000'000'000'000'000'000ull};
    b.txs.push_back(executed(legacy, 21'000, 21'000));
    b.txs.back().effective_gas_price = uint256{100'000'000};

    Transaction dyn;
    dyn.type = TxType::kDynamicFee;
    dyn.chain_id = 122;
    dyn.nonce = 6;
    dyn.max_fee_per_gas = uint256{300'000'000};
    dyn.max_priority_fee_per_gas = uint256{0};
    dyn.gas_limit = 100'000;
    dyn.data = {0xde, 0xad};
    dyn.access_list = {{addr(0x33), {key(4)}}};
    auto et = executed(dyn, 59'000, 80'000);
    et.effective_gas_price = uint256{100'000'000};
    et.gas_used_for_l1 = 1'500;
    et.contract_address = addr(0x44);
    et.first_log_index = 0;
    et.receipt.logs = {{addr(0x55), {key(0xaa)}, {1, 2}}, {addr(0x55), {}, {}}};
    et.receipt.bloom = logs_bloom(et.receipt.logs);
    b.txs.push_back(et);
    return b;
}

TEST(Format, Quantities) {
    EXPECT_EQ(quantity(uint64_t{0}), "0x0");
    EXPECT_EQ(quantity(uint64_t{1}), "0x1");
    EXPECT_EQ(quantity(uint64_t{0x100}), "0x100");
    EXPECT_EQ(quantity(~uint64_t{0}), "0xffffffffffffffff");
    EXPECT_EQ(quantity(uint256{0}), "0x0");
    EXPECT_EQ(quantity(uint256::max()), "0x" + std::string(64, 'f'));
}

TEST(Format, HeaderFields) {
    const auto b = sample_block();
    const Json j = header_json(b);
    EXPECT_EQ(j["number"], "0x1234");
    EXPECT_EQ(j["hash"], to_hex(b.hash));
    EXPECT_EQ(j["parentHash"], to_hex(key(1)));
    EXPECT_EQ(j["nonce"], "0x0000000000000000");
    EXPECT_EQ(j["sha3Uncles"],
              "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
    EXPECT_EQ(j["logsBloom"].get<std::string>().size(), 2u + 512u);
    EXPECT_EQ(j["miner"], "0x" + std::string(40, '0'));
    EXPECT_EQ(j["difficulty"], "0x0");
    EXPECT_EQ(j["extraData"], "0xab");
    EXPECT_EQ(j["gasLimit"], "0x1e84800");
    EXPECT_EQ(j["gasUsed"], "0x13880");
    EXPECT_EQ(j["timestamp"], "0x6553f100");
    EXPECT_EQ(j["baseFeePerGas"], "0x5f5e100");
    EXPECT_EQ(j["l1BlockNumber"], "0x309");
    EXPECT_EQ(j["sendCount"], "0x2");
    EXPECT_EQ(j["sendRoot"], to_hex(key(9)));
    EXPECT_FALSE(j.contains("withdrawalsRoot"));
    EXPECT_FALSE(j.contains("blobGasUsed"));
}

TEST(Format, BlockWithHashesAndFullTxs) {
    auto b = sample_block();
    Json j = block_json(b, false);
    ASSERT_EQ(j["transactions"].size(), 2u);
    EXPECT_EQ(j["transactions"][1], to_hex(b.txs[1].hash));
    EXPECT_EQ(j["uncles"], Json::array());
    EXPECT_FALSE(j.contains("withdrawals"));
    j = block_json(b, true);
    EXPECT_EQ(j["transactions"][0]["hash"], to_hex(b.txs[0].hash));
    EXPECT_EQ(j["transactions"][1]["transactionIndex"], "0x1");

    // size: rlp([header, [legacy list, typed string], []]) counted independently.
    const Bytes header = *encode_header(b.header);
    const size_t typed = b.txs[1].raw.size();
    const size_t txs_payload = b.txs[0].raw.size() + rlp::header_length(typed) + typed;
    const size_t payload = header.size() + rlp::header_length(txs_payload) + txs_payload + 1;
    EXPECT_EQ(j["size"], quantity(uint64_t(rlp::header_length(payload) + payload)));

    b.header.withdrawals_root = kEmptyTrieRoot;
    j = block_json(b, false);
    EXPECT_EQ(j["withdrawals"], Json::array());
    EXPECT_EQ(j["withdrawalsRoot"], to_hex(kEmptyTrieRoot));
}

TEST(Format, LegacyTransaction) {
    const auto b = sample_block();
    const Json j = tx_json(b, 0);
    const Transaction& tx = b.txs[0].tx;
    EXPECT_EQ(j["type"], "0x0");
    EXPECT_EQ(j["blockHash"], to_hex(b.hash));
    EXPECT_EQ(j["blockNumber"], "0x1234");
    EXPECT_EQ(j["from"], to_hex(*recover_sender(tx)));
    EXPECT_EQ(j["to"], to_hex(addr(0x22)));
    EXPECT_EQ(j["gas"], "0x5208");
    EXPECT_EQ(j["gasPrice"], "0x77359400");  // legacy: the tx's own price
    EXPECT_EQ(j["value"], "0xde0b6b3a7640000");
    EXPECT_EQ(j["nonce"], "0x5");
    EXPECT_EQ(j["input"], "0x");
    EXPECT_EQ(j["chainId"], "0x7a");
    // EIP-155: v = chain_id * 2 + 35 + y_parity.
    EXPECT_EQ(j["v"], quantity(uint64_t(122 * 2 + 35 + tx.y_parity)));
    EXPECT_EQ(j["r"], tx.r.to_hex());
    EXPECT_EQ(j["s"], tx.s.to_hex());
    EXPECT_FALSE(j.contains("yParity"));
    EXPECT_FALSE(j.contains("accessList"));
    EXPECT_FALSE(j.contains("maxFeePerGas"));
}

TEST(Format, DynamicFeeTransaction) {
    const auto b = sample_block();
    const Json j = tx_json(b, 1);
    const Transaction& tx = b.txs[1].tx;
    EXPECT_EQ(j["type"], "0x2");
    EXPECT_EQ(j["to"], nullptr);
    EXPECT_EQ(j["input"], "0xdead");
    EXPECT_EQ(j["maxFeePerGas"], "0x11e1a300");
    EXPECT_EQ(j["maxPriorityFeePerGas"], "0x0");
    EXPECT_EQ(j["gasPrice"], "0x5f5e100");  // mined: effective price
    EXPECT_EQ(j["yParity"], quantity(uint64_t{tx.y_parity}));
    EXPECT_EQ(j["v"], j["yParity"]);
    EXPECT_EQ(j["accessList"][0]["address"], to_hex(addr(0x33)));
    EXPECT_EQ(j["accessList"][0]["storageKeys"][0], to_hex(key(4)));
    EXPECT_EQ(j["chainId"], "0x7a");
}

TEST(Format, Receipts) {
    const auto b = sample_block();
    Json j = receipt_json(b, 0);
    EXPECT_EQ(j["status"], "0x1");
    EXPECT_EQ(j["contractAddress"], nullptr);
    EXPECT_EQ(j["logs"], Json::array());
    EXPECT_EQ(j["gasUsed"], "0x5208");
    EXPECT_EQ(j["type"], "0x0");
    j = receipt_json(b, 1);
    EXPECT_EQ(j["transactionHash"], to_hex(b.txs[1].hash));
    EXPECT_EQ(j["transactionIndex"], "0x1");
    EXPECT_EQ(j["from"], to_hex(b.txs[1].sender));
    EXPECT_EQ(j["to"], nullptr);
    EXPECT_EQ(j["contractAddress"], to_hex(addr(0x44)));
    EXPECT_EQ(j["cumulativeGasUsed"], "0x13880");
    EXPECT_EQ(j["gasUsed"], "0xe678");
    EXPECT_EQ(j["effectiveGasPrice"], "0x5f5e100");
    EXPECT_EQ(j["gasUsedForL1"], "0x5dc");
    EXPECT_EQ(j["l1BlockNumber"], "0x309");
    EXPECT_EQ(j["logsBloom"], to_hex(logs_bloom(b.txs[1].receipt.logs)));
    ASSERT_EQ(j["logs"].size(), 2u);
    const Json& l0 = j["logs"][0];
    EXPECT_EQ(l0["address"], to_hex(addr(0x55)));
    EXPECT_EQ(l0["topics"][0], to_hex(key(0xaa)));
    EXPECT_EQ(l0["data"], "0x0102");
    EXPECT_EQ(l0["logIndex"], "0x0");
    EXPECT_EQ(l0["transactionIndex"], "0x1");
    EXPECT_EQ(l0["blockHash"], to_hex(b.hash));
    EXPECT_EQ(l0["blockTimestamp"], "0x6553f100");
    EXPECT_EQ(l0["removed"], false);
    EXPECT_EQ(j["logs"][1]["logIndex"], "0x1");
    EXPECT_EQ(j["logs"][1]["topics"], Json::array());
    EXPECT_EQ(j["logs"][1]["data"], "0x");
}

}  // namespace
}  // namespace fuse::ethrpc
