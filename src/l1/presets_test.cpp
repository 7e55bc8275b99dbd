#include "l1/presets.hpp"

#include <gtest/gtest.h>

#include "l1/anvil_process.hpp"

namespace fuse::l1 {
namespace {

TEST(L1Presets, FuseAndSpark) {
    ASSERT_EQ(presets().size(), 2u);
    EXPECT_EQ(kFuseMainnet.chain_id, 122u);
    EXPECT_EQ(kFuseMainnet.rpc_url, "https://rpc.fuse.io");
    EXPECT_EQ(kSparkTestnet.chain_id, 123u);
    EXPECT_EQ(kSparkTestnet.rpc_url, "https://rpc.fusespark.io");
    for (const L1Preset* p : presets()) {
        EXPECT_EQ(p->fee_mode, FeeMode::kEip1559) << p->name;  // London since 2022 on both
        EXPECT_EQ(p->confirmations, kFuseConfirmations);
        EXPECT_EQ(p->block_time_seconds, 5u);
        EXPECT_EQ(find_preset(p->name), p);
        EXPECT_EQ(preset_for_chain(p->chain_id), p);
        // The URL is https and parses (no request is made).
        EXPECT_EQ(RpcClient(p->client_config()).endpoint(), std::string(p->rpc_url) + ":443");
    }
    EXPECT_EQ(find_preset("mainnet"), &kFuseMainnet);
    EXPECT_EQ(find_preset("testnet"), &kSparkTestnet);
    EXPECT_EQ(find_preset("ethereum"), nullptr);
    EXPECT_EQ(preset_for_chain(1), nullptr);
    EXPECT_EQ(kFuseMainnet.client_config("http://127.0.0.1:8545").url, "http://127.0.0.1:8545");
    EXPECT_STREQ(to_string(FeeMode::kLegacy), "legacy");
}

// check_chain against a real node: anvil runs with --chain-id 122 (Fuse's id).
TEST(L1Presets, CheckChainAgainstTheNode) {
    testing::AnvilProcess anvil;
    RpcClient rpc(kFuseMainnet.client_config(anvil.url()));
    EXPECT_NO_THROW(check_chain(rpc, kFuseMainnet));
    try {
        check_chain(rpc, kSparkTestnet);
        ADD_FAILURE() << "chain 122 is not Spark";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kConfig);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("serves chain id 122 (Fuse mainnet), not Fuse Spark testnet (123)"),
                  std::string::npos)
            << msg;
    }
}

}  // namespace
}  // namespace fuse::l1
