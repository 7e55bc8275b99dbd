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

}  // namespace
}  // namespace fuse::l1
