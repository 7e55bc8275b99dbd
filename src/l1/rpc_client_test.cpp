// The JSON readers of the L1 client on malformed answers (no L1 node needed).
#include "l1/rpc_client.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

using nlohmann::json;

const char* kAddress = "0x00000000000000000000000000000000000000aa";
const char* kTopic = "0x00000000000000000000000000000000000000000000000000000000000000bb";

json good_log() {
    return {{"address", kAddress},  {"topics", {kTopic}}, {"data", "0x0102"},
            {"blockNumber", "0x7"}, {"logIndex", "0x1"},  {"removed", true}};
}

TEST(ParseLog, ReadsEveryField) {
    const Log log = parse_log(good_log());
    EXPECT_EQ(to_hex(log.address), kAddress);
    ASSERT_EQ(log.topics.size(), 1u);
    EXPECT_EQ(log.data, (Bytes{1, 2}));
    EXPECT_EQ(log.block_number, 7u);
    EXPECT_EQ(log.log_index, 1u);
    EXPECT_TRUE(log.removed);
}

// Found by inbox_deposit_fuzz: a log that is not an object, lacks a field, or has `topics` or
// `removed` of another type threw nlohmann::json's own exceptions, which the deposit reader's
// callers (they handle L1Error) let end their thread.
TEST(ParseLog, MalformedLogsAreBadResponses) {
    std::vector<json> bad = {json(5), json::array(), json("log"), json::object()};
    for (const char* field : {"address", "topics", "data"}) {
        json j = good_log();
        j.erase(field);
        bad.push_back(j);
    }
    json topics_object = good_log();
    topics_object["topics"] = {{"a", kTopic}};
    bad.push_back(topics_object);
    json topics_string = good_log();
    topics_string["topics"] = kTopic;
    bad.push_back(topics_string);
    json removed_number = good_log();
    removed_number["removed"] = 1;
    bad.push_back(removed_number);
    json topic_number = good_log();
    topic_number["topics"] = {1};
    bad.push_back(topic_number);
    for (const json& j : bad) {
        try {
            (void)parse_log(j);
            ADD_FAILURE() << "accepted " << j.dump();
        } catch (const L1Error& e) {
            EXPECT_EQ(e.kind, L1Error::Kind::kBadResponse) << j.dump();
        } catch (const std::exception& e) {
            ADD_FAILURE() << j.dump() << " threw another exception: " << e.what();
        }
    }
}

// A block, transaction or receipt that lacks a field, or has one of another type, is a
// kBadResponse naming the field (these readers used json's `at`, whose out_of_range escaped to
// callers that handle L1Error only).
template <typename Parse>
void expect_bad_responses(const json& good, Parse parse, std::vector<const char*> required) {
    EXPECT_NO_THROW((void)parse(good)) << good.dump();
    std::vector<std::pair<json, std::string>> bad = {{json(5), ""}, {json::array(), ""}};
    for (const char* field : required) {
        json missing = good;
        missing.erase(field);
        bad.emplace_back(missing, std::string("\"") + field + "\"");
        json wrong = good;
        wrong[field] = json::object();
        bad.emplace_back(wrong, "");
    }
    for (const auto& [j, needle] : bad) {
        try {
            (void)parse(j);
            ADD_FAILURE() << "accepted " << j.dump();
        } catch (const L1Error& e) {
            EXPECT_EQ(e.kind, L1Error::Kind::kBadResponse) << j.dump();
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        } catch (const std::exception& e) {
            ADD_FAILURE() << j.dump() << " threw another exception: " << e.what();
        }
    }
}

const char* kHash = "0x00000000000000000000000000000000000000000000000000000000000000cc";

TEST(ParseObjects, BlockHeader) {
    const json good = {{"number", "0x10"},      {"hash", kHash},           {"parentHash", kTopic},
                       {"timestamp", "0x5"},    {"gasLimit", "0x1c9c380"}, {"gasUsed", "0x0"},
                       {"baseFeePerGas", "0x7"}};
    const BlockHeader h = parse_block_header(good);
    EXPECT_EQ(h.number, 16u);
    EXPECT_EQ(h.timestamp, 5u);
    EXPECT_EQ(h.base_fee, uint256(7));
    expect_bad_responses(good, parse_block_header,
                         {"number", "hash", "parentHash", "timestamp", "gasLimit", "gasUsed"});
}

TEST(ParseObjects, Transaction) {
    const json good = {{"hash", kHash},         {"from", kAddress}, {"to", nullptr},
                       {"nonce", "0x2"},        {"input", "0xab"},  {"value", "0x0"},
                       {"blockNumber", nullptr}};
    const TxInfo t = parse_tx_info(good);
    EXPECT_EQ(t.nonce, 2u);
    EXPECT_EQ(t.input, (Bytes{0xab}));
    EXPECT_FALSE(t.to.has_value());
    EXPECT_FALSE(t.block_number.has_value());
    expect_bad_responses(good, parse_tx_info, {"hash", "from", "nonce", "input", "value"});
}

TEST(ParseObjects, Receipt) {
    const json good = {{"transactionHash", kHash}, {"status", "0x1"},     {"blockNumber", "0x9"},
                       {"blockHash", kTopic},      {"gasUsed", "0x5208"}, {"logs", {good_log()}}};
    const TxReceipt r = parse_receipt(good);
    EXPECT_TRUE(r.success);
    EXPECT_EQ(r.gas_used, 21'000u);
    ASSERT_EQ(r.logs.size(), 1u);
    expect_bad_responses(
        good, parse_receipt,
        {"transactionHash", "status", "blockNumber", "blockHash", "gasUsed", "logs"});
}

}  // namespace
}  // namespace fuse::l1
