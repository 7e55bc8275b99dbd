#include "node/backed_supply.hpp"

#include <gtest/gtest.h>

#include "core/address.hpp"

namespace fuse::node {
namespace {

arbos::Genesis with_balances(std::initializer_list<std::pair<uint8_t, uint256>> accounts) {
    arbos::Genesis g;
    g.chain_id = 122122;
    for (const auto& [last_byte, balance] : accounts) {
        Address a;
        a[19] = last_byte;
        g.alloc[a].balance = balance;
    }
    return g;
}

TEST(BackedSupply, AnAllocWithoutBalancesIsBacked) {
    arbos::Genesis g = with_balances({{1, 0}, {2, 0}});
    g.alloc.begin()->second.code = Bytes{0x60, 0x00};  // a contract predeployed with no balance
    EXPECT_EQ(unbacked_supply(g), uint256{});
    EXPECT_EQ(unbacked_alloc_problem(g, "genesis.json"), "");
    EXPECT_EQ(unbacked_alloc_problem(arbos::Genesis{}, "empty.json"), "");
}

TEST(BackedSupply, BalancesAreRefusedNamingTheTotalTheAccountsAndTheFlag) {
    const uint256 one_and_a_half = uint256(1'500'000'000'000'000'000ull);
    const arbos::Genesis g = with_balances({{1, 0}, {2, one_and_a_half}, {3, uint256(7)}});
    EXPECT_EQ(unbacked_supply(g), one_and_a_half + uint256(7));
    const std::string msg = unbacked_alloc_problem(g, "chain/genesis.json");
    EXPECT_EQ(msg.rfind("chain/genesis.json allocates 1500000000000000007 wei "
                        "(1.500000000000000007 FUSE) to 2 accounts (e.g. "
                        "0x0000000000000000000000000000000000000002) that no Bridge escrow "
                        "backs",
                        0),
              0u)
        << msg;
    EXPECT_NE(msg.find("docs/bridge.md \"Backed supply\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("--allow-unbacked-alloc"), std::string::npos) << msg;
}

TEST(BackedSupply, WholeFuseAndOneAccount) {
    const uint256 ten_thousand = uint256(10'000) * uint256(1'000'000'000'000'000'000ull);
    const std::string msg = unbacked_alloc_problem(with_balances({{9, ten_thousand}}), "g.json");
    EXPECT_NE(msg.find("allocates 10000000000000000000000 wei (10000 FUSE) to 1 account (e.g. "),
              std::string::npos)
        << msg;
}

TEST(BackedSupply, TheDevGenesisIsUnbacked) {
    // The devnet's ten funded accounts: accepted by `fusel2 genesis --dev` only.
    const arbos::Genesis dev = arbos::dev_genesis(1'220'122);
    EXPECT_EQ(unbacked_supply(dev), uint256(100'000) * uint256(1'000'000'000'000'000'000ull));
    EXPECT_NE(unbacked_alloc_problem(dev, "dev"), "");
}

TEST(BackedSupply, ASumPastTwoToThe256SaturatesAndIsStillRefused) {
    const arbos::Genesis g = with_balances({{1, ~uint256{}}, {2, uint256(2)}});
    EXPECT_EQ(unbacked_supply(g), ~uint256{});
    EXPECT_NE(unbacked_alloc_problem(g, "g.json"), "");
}

}  // namespace
}  // namespace fuse::node
