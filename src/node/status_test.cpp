#include "node/status.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/address.hpp"

namespace fuse::node {
namespace {

const char* kDeployment = R"({
  "chainId": 31337,
  "inbox": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "rollup": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  "deployBlock": 3,
  "batchPosters": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
  "proposers": ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"]
})";

TEST(Status, ParsesTheDeploymentRecord) {
    const auto d = parse_deployment_record(kDeployment, "d.json");
    EXPECT_EQ(to_checksum_hex(d.inbox), "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    EXPECT_EQ(to_checksum_hex(d.rollup), "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    EXPECT_EQ(d.deploy_block, 3u);
    ASSERT_TRUE(d.chain_id);
    EXPECT_EQ(*d.chain_id, 31337u);
    ASSERT_EQ(d.batch_posters.size(), 1u);
    EXPECT_EQ(to_checksum_hex(d.batch_posters[0]), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    ASSERT_EQ(d.proposers.size(), 1u);
}

TEST(Status, DeploymentErrorsNameTheFileAndField) {
    try {
        parse_deployment_record(R"({"inbox": "0x12"})", "dep.json");
        FAIL();
    } catch (const StatusError& e) {
        EXPECT_STREQ(e.what(), "dep.json: bad address in \"inbox\"");
    }
    try {
        parse_deployment_record(
            R"({"inbox": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "rollup": "0x5FbDB2315678afecb367f032d93F642f64180aa3", "proposers": "x"})",
            "dep.json");
        FAIL();
    } catch (const StatusError& e) {
        EXPECT_STREQ(e.what(), "dep.json: \"proposers\" is not an array");
    }
    EXPECT_THROW(parse_deployment_record("nope", "dep.json"), StatusError);
}

TEST(Status, EtherAmounts) {
    EXPECT_EQ(parse_ether("1"), uint256(1'000'000'000'000'000'000ull));
    EXPECT_EQ(parse_ether("0.5"), uint256(500'000'000'000'000'000ull));
    EXPECT_EQ(parse_ether(".25"), uint256(250'000'000'000'000'000ull));
    EXPECT_EQ(parse_ether("0.000000000000000001"), uint256(1));
    EXPECT_FALSE(parse_ether("0.0000000000000000001"));
    EXPECT_FALSE(parse_ether("-1"));
    EXPECT_FALSE(parse_ether("1."));
    EXPECT_FALSE(parse_ether(""));
    EXPECT_FALSE(parse_ether("1e3"));
    EXPECT_EQ(format_ether(*parse_ether("9999.87654321")), "9999.876543 ETH");
    EXPECT_EQ(format_ether(*parse_ether("2")), "2 ETH");
    EXPECT_EQ(format_ether(uint256(0)), "0 ETH");
    EXPECT_EQ(format_ether(uint256(1)), "0 ETH");
}

ChainStatus sample() {
    ChainStatus s;
    s.rpc = "http://127.0.0.1:8547";
    s.l1_url = "http://127.0.0.1:8545";
    s.l2_chain_id = 1220122;
    s.l1_chain_id = 31337;
    s.l1_head = 120;
    s.latest = 42;
    s.safe = 40;
    s.safe_source = "inbox";
    s.finalized = 37;
    s.finalized_matches = true;
    s.batches_posted = 5;
    s.messages_posted = 40;
    s.roots_posted = 4;
    s.backlog = 2;
    s.balances.push_back({"batch poster",
                          *parse_address("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
                          *parse_ether("9999.5"), false});
    s.balances.push_back({"proposer", *parse_address("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
                          *parse_ether("0.01"), true});
    s.warnings.push_back("proposer low");
    return s;
}

TEST(Status, TextShowsHeadsBacklogAndBalances) {
    const std::string t = format_status(sample());
    EXPECT_NE(t.find("latest             42"), std::string::npos) << t;
    EXPECT_NE(t.find("safe               40   posted to L1"), std::string::npos) << t;
    EXPECT_NE(t.find("finalized          37   root on L1"), std::string::npos) << t;
    EXPECT_NE(t.find("backlog    2 message(s)"), std::string::npos) << t;
    EXPECT_NE(t.find("batches    5 posted (40 messages), 4 with a root"), std::string::npos) << t;
    EXPECT_NE(t.find("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC  0.01 ETH  LOW"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("warning: proposer low"), std::string::npos) << t;
    ChainStatus none = sample();
    none.finalized_matches.reset();
    EXPECT_NE(format_status(none).find("no root posted yet"), std::string::npos);
    none.finalized_matches = false;
    EXPECT_NE(format_status(none).find("MISMATCH"), std::string::npos);
}

TEST(Status, JsonHasEveryField) {
    const auto j = status_to_json(sample());
    EXPECT_EQ(j["latest"], 42);
    EXPECT_EQ(j["safe"], 40);
    EXPECT_EQ(j["safeSource"], "inbox");
    EXPECT_EQ(j["finalized"], 37);
    EXPECT_EQ(j["finalizedMatches"], true);
    EXPECT_EQ(j["backlog"], 2);
    EXPECT_EQ(j["batchesPosted"], 5);
    EXPECT_EQ(j["rootsPosted"], 4);
    EXPECT_EQ(j["l2ChainId"], 1220122);
    ASSERT_EQ(j["balances"].size(), 2u);
    EXPECT_EQ(j["balances"][1]["role"], "proposer");
    EXPECT_EQ(j["balances"][1]["wei"], "10000000000000000");
    EXPECT_EQ(j["balances"][1]["low"], true);
    EXPECT_EQ(j["warnings"].size(), 1u);
}

TEST(Status, SourcesFromANodeConfig) {
    const auto file = std::filesystem::temp_directory_path() / "fusel2-status-test.toml";
    {
        std::ofstream out(file);
        out << "datadir = \"/x\"\ndev = true\n[http]\nport = 9547\naddress = \"0.0.0.0\"\n"
               "[l1]\nurl = \"http://127.0.0.1:9545\"\ndeployment = \"/x/deployment.json\"\n";
    }
    StatusSources base;
    base.validator_rpc = "http://127.0.0.1:9548";
    const auto s = sources_from_node_config(file.string(), base);
    EXPECT_EQ(s.rpc, "http://127.0.0.1:9547");
    EXPECT_EQ(s.l1_url, "http://127.0.0.1:9545");
    EXPECT_EQ(s.deployment, "/x/deployment.json");
    EXPECT_EQ(s.validator_rpc, "http://127.0.0.1:9548");
    std::filesystem::remove(file);
    EXPECT_THROW(sources_from_node_config("/nonexistent/x.toml", base), std::runtime_error);
}

TEST(Status, UnreachableSourcesAreNamed) {
    const auto file = std::filesystem::temp_directory_path() / "fusel2-status-dep.json";
    { std::ofstream(file) << kDeployment; }
    StatusSources s;
    s.deployment = file.string();
    s.rpc = "http://127.0.0.1:1";  // nothing listens on port 1
    try {
        collect_status(s);
        FAIL();
    } catch (const StatusError& e) {
        EXPECT_EQ(
            std::string(e.what()).rfind("L2 sequencer at http://127.0.0.1:1 is not answering", 0),
            0u)
            << e.what();
    }
    s.deployment = "/nonexistent/dep.json";
    try {
        collect_status(s);
        FAIL();
    } catch (const StatusError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("deployment: cannot read", 0), 0u) << e.what();
    }
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace fuse::node
