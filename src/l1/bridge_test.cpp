#include "l1/bridge.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "core/hex.hpp"
#include "l1/test_util.hpp"

namespace fuse::l1 {
namespace {

using nlohmann::json;

Address addr(std::string_view s) {
    return *address_from_hex(s);
}

Hash32 topic_of(const Address& a) {
    Hash32 t;
    std::copy(a.data(), a.data() + a.size(), t.data() + 12);
    return t;
}

/// docs/bridge.md's worked example, deposit 1 (kind 1 from an alias).
DepositQueued example() {
    DepositQueued e;
    Deposit& d = e.deposit;
    d.kind = DepositKind::kMessage;
    d.index = 1;
    d.l2_from = addr("0x70CEB2315678Afecb367F032D93f642f64181bB4");
    d.to = addr("0x0000000000000000000000000000000000004B01");
    d.l2_gas_limit = 100000;
    d.l1_block_number = 1001;
    d.l1_timestamp = 1700000005;
    d.data = *from_hex("0xdeadbeef");
    e.deposit_hash =
        *hash_from_hex("0x95df7ac3b389c3dcce399718712c1b1677eef84a6544c3a0facfafb41ee58dba");
    e.acc = *hash_from_hex("0x710509ece0078086864d63eb744234cd36a94318ab0aefe568132b94c8e8cd3c");
    return e;
}

Log log_of(const DepositQueued& e) {
    const Deposit& d = e.deposit;
    Log log;
    log.topics = {event_topic(sig::kDepositQueued), uint256(d.index).to_hash(), topic_of(d.l2_from),
                  topic_of(d.to)};
    log.data = *abi_encode(
        *parse_types("uint8,uint256,uint256,uint256,uint256,bytes,bytes32,bytes32"),
        {AbiValue::of(uint256(static_cast<uint8_t>(d.kind))), AbiValue::of(d.value),
         AbiValue::of(uint256(d.l2_gas_limit)), AbiValue::of(uint256(d.l1_block_number)),
         AbiValue::of(uint256(d.l1_timestamp)), AbiValue::of_bytes(d.data),
         AbiValue::of(e.deposit_hash), AbiValue::of(e.acc)});
    return log;
}

TEST(Bridge, SelectorsAndTopicMatchAbiJson) {
    const json bridge = testing::load_artifact("Bridge");
    const json& ids = bridge.at("methodIdentifiers");
    for (const char* s : {sig::kDepositNative, sig::kSendMessage, sig::kDepositCount,
                          sig::kDepositAccs, sig::kTotalDeposited}) {
        ASSERT_TRUE(ids.contains(s)) << s << " is not in the ABI";
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08x", selector_u32(s));
        EXPECT_EQ(ids[s].get<std::string>(), hex) << s;
    }
    EXPECT_EQ(selector_u32(sig::kDepositNative), 0x33bb7f91u);
    EXPECT_EQ(selector_u32(sig::kSendMessage), 0x9f3ce55au);
    bool found = false;
    for (const auto& e : bridge.at("abi")) {
        if (e.at("type") != "event" || e.at("name") != "DepositQueued") continue;
        std::vector<std::string> types;
        for (const auto& in : e.at("inputs"))
            types.push_back(in.at("type").get<std::string>());
        std::string s = "DepositQueued(";
        for (size_t i = 0; i < types.size(); ++i) {
            if (i > 0) s.push_back(',');
            s.append(types[i]);
        }
        s.push_back(')');
        EXPECT_EQ(s, sig::kDepositQueued);
        found = true;
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(to_hex(event_topic(sig::kDepositQueued)),
              "0x99aeafdd0b31820f67892893b4f616cfffa2823dcbf78f36e0f7a99f50808a4a");
}

TEST(Bridge, DecodesTheDocumentedDeposit) {
    const DepositQueued e = example();
    const auto got = decode_deposit_queued(log_of(e));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->deposit, e.deposit);
    EXPECT_EQ(got->deposit_hash, e.deposit_hash);
    EXPECT_EQ(got->acc, e.acc);
    // The fields hash to what the Bridge says.
    EXPECT_EQ(got->deposit.deposit_hash(), e.deposit_hash);
}

TEST(Bridge, RefusesMalformedLogs) {
    const Log good = log_of(example());
    Log bad = good;
    bad.topics[0] = event_topic(sig::kSequencerBatchDelivered);
    EXPECT_EQ(decode_deposit_queued(bad).error(), AbiError::kValueMismatch);
    bad = good;
    bad.topics.pop_back();
    EXPECT_EQ(decode_deposit_queued(bad).error(), AbiError::kValueMismatch);
    bad = good;
    bad.topics[2][0] = 1;  // an address topic with high bits
    EXPECT_EQ(decode_deposit_queued(bad).error(), AbiError::kDirtyPadding);
    bad = good;
    bad.topics[1] = (uint256(1) << 64).to_hash();  // index past 64 bits
    EXPECT_EQ(decode_deposit_queued(bad).error(), AbiError::kTooLarge);
    bad = good;
    bad.data.push_back(0);  // trailing byte
    EXPECT_FALSE(decode_deposit_queued(bad));
    bad = good;
    bad.data[30] = 1;  // kind word above uint8
    EXPECT_EQ(decode_deposit_queued(bad).error(), AbiError::kDirtyPadding);
}

TEST(Bridge, EncodesDepositCalls) {
    const Address to = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    EXPECT_EQ(to_hex(encode_deposit_native(to)),
              "0x33bb7f9100000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8");
    const Bytes msg = encode_send_message(to, 100000, *from_hex("0xdeadbeef"));
    EXPECT_EQ(msg.size(), 4u + 32 * 5);
    auto args = abi_decode_exact(*parse_types("address,uint256,bytes"), ByteView(msg).subspan(4));
    ASSERT_TRUE(args);
    EXPECT_EQ((*args)[0].as_address(), to);
    EXPECT_EQ((*args)[1].word, uint256(100000));
    EXPECT_EQ(to_hex((*args)[2].bytes), "0xdeadbeef");
}

}  // namespace
}  // namespace fuse::l1
