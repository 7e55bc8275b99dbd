// The L1 guard against a real anvil running the real SequencerInbox, with real L2 blocks in
// RocksDB: a chain L1 supports passes; L1 going back in time under unposted blocks, and a posted
// batch L1 decodes as invalid, are divergences at the right block; the L1 watcher follows the L1
// down when the block it used is lost.

#include "poster/l1_guard.hpp"

#include <gtest/gtest.h>

#include "batch/resolve.hpp"
#include "inbox/deposit_reader.hpp"
#include "l1/anvil_process.hpp"
#include "l1/bridge.hpp"
#include "poster/test_chain.hpp"

namespace fuse::poster {
namespace {

using namespace std::chrono_literals;
using testing::client_config;
using testing::deploy_inbox;
using testing::drain_poster;
using testing::L2Chain;
using testing::sender_config;

constexpr const char* kPosterKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";  // anvil account 0

struct Fixture {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc{client_config(anvil.url())};
    l1::TxSender sender{rpc, l1::Signer::from_hex(kPosterKey), sender_config()};
    Address inbox = deploy_inbox(sender, 122'880);
    uint64_t deploy_block = rpc.block_number();
    L2Chain chain;

    void mine(int n) {
        for (int i = 0; i < n; ++i)
            rpc.request("evm_mine");
    }
    /// Seals one L2 block naming L1 block `number` with its real base fee.
    void seal_on(uint64_t number) {
        const auto h = rpc.get_block(l1::block_tag(number));
        ASSERT_TRUE(h);
        chain.seal(1, 10, number, h->base_fee.value_or(uint256{}), h->timestamp);
    }
    L1Guard guard(uint64_t confirmations = 0) {
        GuardConfig g;
        g.reader.inbox = inbox;
        g.reader.deploy_block = deploy_block;
        g.reader.confirmations = confirmations;
        g.poll_interval = 0ms;
        return L1Guard(*chain.db, rpc, g);
    }
};

TEST(L1Guard, AChainTheL1SupportsPassesAndIsVerifiedForThePoster) {
    Fixture f;
    f.mine(3);
    for (int i = 0; i < 3; ++i) {
        f.seal_on(f.rpc.block_number() - 1);
        f.mine(1);
    }
    L1Guard g = f.guard();
    EXPECT_FALSE(g.check());
    EXPECT_FALSE(g.check());
    EXPECT_EQ(g.verified_through(), 3u);
    // Posted (valid batches) and read back by the guard as a validator would: still nothing.
    PosterConfig pc;
    pc.inbox = f.inbox;
    pc.max_batch_delay = 0ms;
    pc.postable_through = [&g] { return g.verified_through(); };
    BatchPoster poster(*f.chain.db, f.rpc, f.sender, pc);
    drain_poster(poster, f.chain);
    f.mine(1);
    EXPECT_FALSE(g.check());
    EXPECT_EQ(g.status().posted_checked, 3u);
    EXPECT_EQ(g.status().divergences, 0u);
}

TEST(L1Guard, UnpostedBlocksOnALostL1BlockDivergeAtTheFirstOfThem) {
    Fixture f;
    f.mine(3);
    f.seal_on(f.rpc.block_number());  // block 1: survives
    const auto snapshot = f.rpc.request("evm_snapshot");
    f.mine(4);
    f.seal_on(f.rpc.block_number() - 1);  // blocks 2, 3: name L1 blocks the L1 will lose
    f.seal_on(f.rpc.block_number());
    L1Guard g = f.guard();
    EXPECT_FALSE(g.check());
    EXPECT_EQ(g.verified_through(), 3u);

    ASSERT_EQ(f.rpc.request("evm_revert", nlohmann::json::array({snapshot})), true);
    f.rpc.request("anvil_setNextBlockBaseFeePerGas", nlohmann::json::array({"0x2540be400"}));
    f.mine(1);  // the L1 head is now below what blocks 2 and 3 name
    EXPECT_FALSE(g.check()) << "seen once: not yet acted on";
    EXPECT_EQ(g.verified_through(), 1u) << "the poster posts nothing L1 does not support";
    const auto d = g.check();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->keep_through, 1u);
    EXPECT_TRUE(d->adopt.empty());
    EXPECT_NE(d->reason.find("L2 block 2 names L1 block"), std::string::npos) << d->reason;
    EXPECT_EQ(g.status().divergences, 1u);

    // Blocks 2 and 3 re-mined with other base fees: still not supported (base fee changed).
    f.mine(6);
    L1Guard again = f.guard();
    EXPECT_FALSE(again.check());
    const auto d2 = again.check();
    ASSERT_TRUE(d2);
    EXPECT_EQ(d2->keep_through, 1u);
    EXPECT_NE(d2->reason.find("base fee is now"), std::string::npos) << d2->reason;
}

TEST(L1Guard, APostedBatchTheL1DecodesAsInvalidIsAdoptedAsFiller) {
    Fixture f;
    f.mine(3);
    // The blocks carry a base fee that is not their L1 block's: validators derive filler.
    for (int i = 0; i < 3; ++i)
        f.chain.seal(1, 10, f.rpc.block_number(), uint256{12345});
    PosterConfig pc;
    pc.inbox = f.inbox;
    pc.max_batch_delay = 0ms;
    BatchPoster poster(*f.chain.db, f.rpc, f.sender, pc);
    drain_poster(poster, f.chain);
    f.mine(1);
    L1Guard g = f.guard();
    const auto d = g.check();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->keep_through, 0u);  // blocks 1..3 are all filler
    ASSERT_EQ(d->adopt.size(), 3u);
    for (const auto& m : d->adopt)
        EXPECT_TRUE(m.txs.empty());
    EXPECT_NE(d->reason.find("is invalid under the current L1"), std::string::npos) << d->reason;
    // Not applied: the next check reads the batch again and says the same.
    L1Guard fresh = f.guard();
    ASSERT_TRUE(fresh.check());
}

// An L1 reorg deeper than the lag removes a deposit an unposted block included: the L1 block the
// block names keeps its base fee (so the L1-block rule still supports it), but the Bridge no
// longer has the deposit — a divergence at that block (the sequencer rewinds and never
// includes the deposit that is gone), once seen twice.
TEST(L1Guard, AnUnpostedBlockWhoseDepositTheL1LostDiverges) {
    Fixture f;
    const Address bridge =
        testing::deploy(f.sender, "Bridge", "address,address,uint256,uint64,uint64,uint64",
                        {l1::AbiValue::of(f.sender.address()), l1::AbiValue::of(f.sender.address()),
                         l1::AbiValue::of(uint256(1)), l1::AbiValue::of(uint256(65536)),
                         l1::AbiValue::of(uint256(21000)), l1::AbiValue::of(uint256(10'000'000))});
    inbox::DepositReaderConfig dc;
    dc.bridge = bridge;
    dc.deploy_block = f.rpc.block_number();
    inbox::DepositReader deposits(f.rpc, dc);
    f.mine(2);
    const auto snapshot = f.rpc.request("evm_snapshot");
    Address to;
    to[19] = 7;
    const auto r =
        f.sender.wait(f.sender.submit(bridge, l1::encode_deposit_native(to), uint256(1000)), 20s);
    ASSERT_TRUE(r.success);
    f.mine(1);
    deposits.poll(f.rpc.block_number());
    ASSERT_EQ(deposits.next_index(), 1u);
    // L2 block 1 takes deposit 0 on the deposit's own L1 block.
    const auto h = f.rpc.get_block(l1::block_tag(r.block_number));
    f.chain.seal_with_deposits({deposits.get(0)->deposit}, r.block_number,
                               h->base_fee.value_or(uint256{}), h->timestamp);
    GuardConfig g;
    g.reader.inbox = f.inbox;
    g.reader.deploy_block = f.deploy_block;
    g.reader.confirmations = 0;
    g.reader.deposits = &deposits;
    g.poll_interval = 0ms;
    L1Guard guard(*f.chain.db, f.rpc, g);
    EXPECT_FALSE(guard.check());
    EXPECT_FALSE(guard.check());
    EXPECT_EQ(guard.verified_through(), 1u);

    ASSERT_EQ(f.rpc.request("evm_revert", nlohmann::json::array({snapshot})), true);
    // The same heights without the deposit; the named block keeps its base fee (anvil does not
    // restore its next base fee with the snapshot: set it).
    f.rpc.request("anvil_setNextBlockBaseFeePerGas",
                  nlohmann::json::array({h->base_fee.value_or(uint256{}).to_hex()}));
    f.mine(3);
    ASSERT_EQ(f.rpc.get_block(l1::block_tag(r.block_number))->base_fee, h->base_fee);
    deposits.poll(f.rpc.block_number());  // the node's deposit loop sees the reorg
    EXPECT_EQ(deposits.next_index(), 0u);
    EXPECT_FALSE(guard.check()) << "seen once: not yet acted on";
    EXPECT_EQ(guard.verified_through(), 0u) << "the poster posts nothing L1 does not support";
    const auto d = guard.check();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->keep_through, 0u);
    EXPECT_TRUE(d->adopt.empty());
    EXPECT_NE(d->reason.find("L2 block 1 includes L1 deposit 0, which the L1 no longer has"),
              std::string::npos)
        << d->reason;
}

}  // namespace
}  // namespace fuse::poster
