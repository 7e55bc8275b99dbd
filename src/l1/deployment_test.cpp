#include "l1/deployment.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "core/address.hpp"
#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

// A record as contracts/deploy.mjs writes it (keys the node does not use included).
const char* kRecord = R"({
  "chainId": 122,
  "inbox": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "rollup": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  "deployBlock": 3,
  "inboxDeployTx": "0x1111111111111111111111111111111111111111111111111111111111111111",
  "rollupDeployTx": "0x2222222222222222222222222222222222222222222222222222222222222222",
  "genesisHash": "0x42aa000000000000000000000000000000000000000000000000000000000001",
  "owner": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "deployer": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  "batchPosters": ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"],
  "proposers": ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
                "0x90f79bf6eb2c4f870365e785982e1f101e93b906"],
  "maxDataSize": 122880,
  "maxTimeVariation": {"delayBlocks": 17280, "futureBlocks": 12, "delaySeconds": 86400,
                       "futureSeconds": 768},
  "confirmations": 1,
  "compiler": "0.8.28",
  "evmVersion": "london"
})";

const char* kInbox = R"("inbox": "0x5FbDB2315678afecb367f032d93F642f64180aa3")";
const char* kRollup = R"("rollup": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512")";

/// `{inbox, rollup, <extra>}`.
std::string record_with(const std::string& extra) {
    return std::string("{") + kInbox + ", " + kRollup + (extra.empty() ? "" : ", " + extra) + "}";
}

/// The message parse_deployment throws for `text` ("" if it does not throw).
std::string error_of(const std::string& text) {
    try {
        parse_deployment(text, "dep.json");
    } catch (const DeploymentError& e) {
        return e.what();
    }
    return "";
}

TEST(Deployment, ReadsTheRecordTheDeployScriptWrites) {
    const Deployment d = parse_deployment(kRecord, "d.json");
    ASSERT_TRUE(d.chain_id);
    EXPECT_EQ(*d.chain_id, 122u);
    EXPECT_EQ(to_checksum_hex(d.inbox), "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    EXPECT_EQ(to_checksum_hex(d.rollup), "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512");
    EXPECT_EQ(d.deploy_block, 3u);
    ASSERT_TRUE(d.genesis_hash);
    EXPECT_EQ(to_hex(*d.genesis_hash),
              "0x42aa000000000000000000000000000000000000000000000000000000000001");
    ASSERT_EQ(d.batch_posters.size(), 1u);
    EXPECT_EQ(to_checksum_hex(d.batch_posters[0]), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    ASSERT_EQ(d.proposers.size(), 2u);  // all-lower-case is accepted without a checksum
    EXPECT_EQ(to_checksum_hex(d.proposers[1]), "0x90F79bf6EB2c4f870365E785982E1f101E93b906");
    EXPECT_FALSE(d.bridge);
}

TEST(Deployment, OptionalKeysDefault) {
    const Deployment d = parse_deployment(record_with(""), "d.json");
    EXPECT_FALSE(d.chain_id);
    EXPECT_EQ(d.deploy_block, 0u);
    EXPECT_FALSE(d.genesis_hash);
    EXPECT_TRUE(d.batch_posters.empty());
    EXPECT_TRUE(d.proposers.empty());
    EXPECT_FALSE(d.bridge);
    // null counts as absent
    EXPECT_FALSE(parse_deployment(record_with(R"("genesisHash": null)"), "d.json").genesis_hash);
}

TEST(Deployment, ReadsTheBridgeContracts) {
    const std::string bridge = R"("bridge": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
        "outbox": "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9", "deployBlock": 3)";
    Deployment d = parse_deployment(record_with(bridge), "d.json");
    ASSERT_TRUE(d.bridge);
    EXPECT_EQ(to_hex(d.bridge->bridge), "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0");
    EXPECT_EQ(to_hex(d.bridge->outbox), "0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9");
    EXPECT_FALSE(d.bridge->l1_gateway);
    EXPECT_EQ(d.bridge->deploy_block, 3u);  // the record's deployBlock
    d = parse_deployment(
        record_with(bridge + R"(, "l1Gateway": "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9",
                     "bridgeDeployBlock": 90)"),
        "d.json");
    ASSERT_TRUE(d.bridge && d.bridge->l1_gateway);
    EXPECT_EQ(to_hex(*d.bridge->l1_gateway), "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9");
    EXPECT_EQ(d.bridge->deploy_block, 90u);
}

TEST(Deployment, ErrorsNameTheFileAndTheKey) {
    EXPECT_EQ(error_of(R"({"inbox": "0x12"})"), "dep.json: bad address in \"inbox\"");
    EXPECT_EQ(error_of(std::string("{") + kInbox + "}"), "dep.json: missing \"rollup\"");
    EXPECT_EQ(error_of(record_with(R"("proposers": "x")")),
              "dep.json: \"proposers\" is not an array");
    EXPECT_EQ(error_of(record_with(R"("batchPosters": ["0x12"])")),
              "dep.json: bad address in \"batchPosters\"");
    // A mixed-case address whose EIP-55 checksum is wrong.
    EXPECT_EQ(error_of(R"({"inbox": "0x5fbDB2315678afecb367f032d93F642f64180aa3"})"),
              "dep.json: bad address in \"inbox\"");
    EXPECT_EQ(error_of(record_with(R"("deployBlock": "3")")),
              "dep.json: \"deployBlock\" is not an unsigned integer");
    EXPECT_EQ(error_of(record_with(R"("chainId": -1)")),
              "dep.json: \"chainId\" is not an unsigned integer");
    EXPECT_EQ(error_of(record_with(R"("genesisHash": "0x42")")),
              "dep.json: bad 32-byte hash in \"genesisHash\"");
    EXPECT_EQ(error_of(record_with(R"("bridge": "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0")")),
              "dep.json: missing \"outbox\"");
    EXPECT_EQ(error_of(record_with(R"("l1Gateway": "0xdc64a140aa3e981100a9beca4e685f962f0cf6c9")")),
              "dep.json: \"l1Gateway\" without \"bridge\" and \"outbox\"");
    EXPECT_EQ(error_of("[1, 2]"), "dep.json: not a JSON object");
    const std::string bad_json = error_of("{\"inbox\": ");
    EXPECT_EQ(bad_json.rfind("dep.json: not valid JSON (", 0), 0u) << bad_json;
}

TEST(Deployment, ReadsAFileAndSaysWhenItIsMissing) {
    char path[] = "/tmp/fuse-l1-deployment-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    { std::ofstream(path) << kRecord; }
    EXPECT_EQ(read_deployment(path).deploy_block, 3u);
    { std::ofstream(path) << "{"; }
    try {
        read_deployment(path);
        ADD_FAILURE() << "a truncated file must not parse";
    } catch (const DeploymentError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(std::string(path) + ": not valid JSON", 0), 0u)
            << e.what();
    }
    unlink(path);
    try {
        read_deployment(path);
        ADD_FAILURE() << "a missing file must not read";
    } catch (const DeploymentError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(std::string("cannot read the deployment file ") + path),
                  std::string::npos)
            << msg;
        EXPECT_NE(msg.find("No such file"), std::string::npos) << msg;
        EXPECT_NE(msg.find("fusel2 deploy"), std::string::npos) << msg;
    }
}

}  // namespace
}  // namespace fuse::l1
