// The validator against a real anvil running the real SequencerInbox and RollupCore: a chain of
// real ArbOS blocks is posted by the real batch poster; validators starting from an empty
// database with only L1, the contract addresses and the genesis derive the same chain block by
// block, post the roots (proposer) or check them (watch).

#include "validator/validator.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/hex.hpp"
#include "inbox/l1_progress.hpp"
#include "l1/abi.hpp"
#include "l1/anvil_process.hpp"
#include "l1/contracts.hpp"
#include "l1/head_watcher.hpp"
#include "l1/test_util.hpp"
#include "poster/poster.hpp"
#include "poster/test_chain.hpp"
#include "validator/test_env.hpp"

namespace fuse::validator {
namespace {

using namespace std::chrono_literals;
using poster::testing::L2Chain;
using testing::Env;
using testing::expect_same_chain;
using testing::FreshNode;
using testing::run_until;

TEST(Validator, DerivesTheSequencersChainFromL1AndPostsEveryBatchRoot) {
    Env env;
    env.seal(12);
    env.post_all();
    env.seal(6);
    env.post_all();
    const uint64_t batches = env.batch_count();
    ASSERT_GE(batches, 3u);

    FreshNode node;
    Validator v(*node.db, node.genesis, env.rpc, &env.proposer_sender, env.config(Mode::kPropose));
    run_until(v, [&] { return v.status().roots_posted == batches; });
    expect_same_chain(env.chain, *node.db);
    EXPECT_EQ(v.status().invalid_batches, 0u);
    EXPECT_EQ(node.db->head(storage::Head::kSafe), env.chain.blocks.size() - 1);

    // Every root on L1 equals the sequencer's block hash and state root at that block.
    uint64_t prev_block = 0;
    for (uint64_t seq = 0; seq < batches; ++seq) {
        auto rec = env.record(seq);
        ASSERT_TRUE(rec);
        auto meta = env.chain.db->get_meta(poster::batch_meta_key(seq));
        ASSERT_TRUE(meta);
        uint64_t new_count = 0;
        for (int k = 0; k < 8; ++k)
            new_count = new_count << 8 | (*meta)[8 + static_cast<size_t>(k)];
        EXPECT_EQ(rec->l2_block_number, new_count) << "batch " << seq;
        EXPECT_GT(rec->l2_block_number, prev_block);
        prev_block = rec->l2_block_number;
        const auto& blk = env.chain.blocks[rec->l2_block_number];
        EXPECT_EQ(rec->l2_block_hash, blk.hash) << "batch " << seq;
        EXPECT_EQ(rec->state_root, blk.header.state_root) << "batch " << seq;
        EXPECT_EQ(rec->send_root, blk.send_root) << "batch " << seq;
    }
    // The last root is confirmed: finalized = the last posted block.
    run_until(v, [&] { return v.status().finalized_block == prev_block; });
    EXPECT_EQ(node.db->head(storage::Head::kFinalized), prev_block);

    // A watcher from another empty database agrees with everything, no alarm.
    FreshNode watcher_node;
    Validator w(*watcher_node.db, watcher_node.genesis, env.rpc, nullptr, env.config(Mode::kWatch));
    run_until(w, [&] { return w.status().finalized_block == prev_block; });
    EXPECT_FALSE(w.status().mismatch) << w.status().alarm;
    expect_same_chain(env.chain, *watcher_node.db);
}

TEST(Validator, WatchModeRaisesTheAlarmOnAWrongRootNamingBatchAndBlock) {
    Env env;
    env.seal(4);
    env.post_all(100'000);
    ASSERT_EQ(env.batch_count(), 1u);
    // A dishonest proposer posts a wrong state root for batch 0.
    const auto& last = env.chain.blocks.back();
    Hash32 bad = last.header.state_root;
    bad.bytes[0] ^= 0x01;
    const Bytes data =
        l1::encode_post_state_root(uint256(0), last.header.number, last.hash, bad, last.send_root);
    ASSERT_TRUE(
        env.proposer_sender.wait(env.proposer_sender.submit(env.rollup, data), 20s).success);

    FreshNode node;
    std::string alarm;
    auto cfg = env.config(Mode::kWatch);
    cfg.on_mismatch = [&](const std::string& text) { alarm = text; };
    Validator w(*node.db, node.genesis, env.rpc, nullptr, cfg);
    run_until(w, [&] { return w.status().mismatch; });
    EXPECT_NE(alarm.find("batch 0"), std::string::npos) << alarm;
    EXPECT_NE(alarm.find("L2 block " + std::to_string(last.header.number)), std::string::npos)
        << alarm;
    EXPECT_NE(alarm.find("state root"), std::string::npos) << alarm;
    EXPECT_EQ(w.status().alarm, alarm);
    EXPECT_EQ(node.db->head(storage::Head::kFinalized).value_or(0), 0u);
}

TEST(Validator, RestartedValidatorResumesFromItsDatabase) {
    Env env;
    env.seal(6);
    env.post_all();
    FreshNode node;
    uint64_t first_batches = env.batch_count();
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
        run_until(v, [&] { return v.status().batches_derived == first_batches; });
    }
    env.seal(6);
    env.post_all();
    const uint64_t all = env.batch_count();
    ASSERT_GT(all, first_batches);
    Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
    EXPECT_EQ(v.status().batches_derived, first_batches);  // restored, not re-derived
    run_until(v, [&] { return v.status().batches_derived == all; });
    expect_same_chain(env.chain, *node.db);
}

TEST(Validator, AnL1ReorgRollsBackAndReDerives) {
    Env env;
    env.seal(4);
    env.post_all(100'000);
    FreshNode node;
    Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
    run_until(v, [&] { return v.status().batches_derived == 1; });

    // Snapshot, post batch 1, derive it, then revert L1 to before it.
    const auto snap = env.rpc.request("evm_snapshot");
    env.seal(3);
    env.post_all(100'000);
    run_until(v, [&] { return v.status().batches_derived == 2; });
    const uint64_t before_reorg = node.db->head(storage::Head::kLatest).value_or(0);
    ASSERT_EQ(before_reorg, 7u);
    ASSERT_TRUE(env.rpc.request("evm_revert", nlohmann::json::array({snap})).get<bool>());
    // Mine past the old height so the reorg is visible, then re-post the same messages.
    for (int i = 0; i < 5; ++i)
        env.rpc.request("evm_mine");
    l1::TxSender fresh(env.rpc, l1::Signer::from_hex(testing::kPosterKey),
                       poster::testing::sender_config());
    poster::PosterConfig pc;
    pc.inbox = env.inbox;
    pc.max_batch_delay = 0ms;
    poster::BatchPoster poster(*env.chain.db, env.rpc, fresh, pc);
    poster::testing::drain_poster(poster, env.chain);  // the same 7 messages again
    run_until(v, [&] { return v.status().reorgs >= 1 && v.status().batches_derived == 2; });
    expect_same_chain(env.chain, *node.db);
}

TEST(Validator, ProposerPipelinesRootsBehindUnconfirmedOnes) {
    Env env;
    for (int i = 0; i < 3; ++i) {
        env.seal(3);
        env.post_all(100'000);  // one batch per round
    }
    const uint64_t batches = env.batch_count();
    ASSERT_EQ(batches, 3u);
    // With L1 mining stopped, the first root's gas is estimated and the next two go out behind
    // it (reusing that limit: their own estimate would revert with OutOfOrderBatch).
    env.rpc.request("evm_setAutomine", nlohmann::json::array({false}));
    FreshNode node;
    auto cfg = env.config(Mode::kPropose);
    cfg.max_roots_in_flight = 3;
    Validator v(*node.db, node.genesis, env.rpc, &env.proposer_sender, cfg);
    run_until(v, [&] { return v.status().roots_in_flight == 3; });
    EXPECT_EQ(v.status().batches_derived, batches);
    EXPECT_EQ(v.status().roots_posted, 0u);
    env.rpc.request("evm_mine");
    run_until(v, [&] { return v.status().roots_posted == batches; });
    EXPECT_EQ(v.status().roots_in_flight, 0u);
    EXPECT_EQ(node.db->head(storage::Head::kFinalized), env.chain.blocks.size() - 1);
    // All three landed in the one mined block, in order, each equal to the sequencer's block.
    std::optional<uint64_t> posted_at;
    for (uint64_t seq = 0; seq < batches; ++seq) {
        auto rec = env.record(seq);
        ASSERT_TRUE(rec);
        EXPECT_EQ(rec->l2_block_hash, env.chain.blocks[rec->l2_block_number].hash);
        EXPECT_EQ(rec->l2_block_number, 3 * (seq + 1));
        if (!posted_at) posted_at = rec->posted_at_l1_block;
        EXPECT_EQ(rec->posted_at_l1_block, *posted_at) << "batch " << seq;
    }
}

// The sequencer's own `safe` / `finalized` heads (inbox/l1_progress.hpp): safe = the L2 blocks
// in batches on L1, finalized = the block of RollupCore's latest root if it is this chain's.
TEST(SequencerL1Progress, SafeFollowsTheInboxAndFinalizedFollowsMatchingRoots) {
    Env env;
    storage::Database& seq_db = *env.chain.db;
    env.seal(5);
    auto p = inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 0);
    EXPECT_EQ(p.posted_blocks, 0u);
    EXPECT_FALSE(p.root_block);
    EXPECT_FALSE(inbox::apply_l1_progress(seq_db, p));
    EXPECT_EQ(seq_db.head(storage::Head::kSafe), 0u);

    env.post_all();
    p = inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 0);
    EXPECT_EQ(p.posted_blocks, 5u);
    EXPECT_FALSE(inbox::apply_l1_progress(seq_db, p));
    EXPECT_EQ(seq_db.head(storage::Head::kSafe), 5u);
    EXPECT_EQ(seq_db.head(storage::Head::kFinalized).value_or(0), 0u);
    // Confirmations: read 1,000 blocks below the head = before the deployment → nothing posted.
    EXPECT_EQ(inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 1000).posted_blocks, 0u);

    // A proposer posts the roots; the sequencer's finalized head follows.
    const uint64_t batches = env.batch_count();
    FreshNode node;
    Validator v(*node.db, node.genesis, env.rpc, &env.proposer_sender, env.config(Mode::kPropose));
    run_until(v, [&] { return v.status().roots_posted == batches; });
    p = inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 0);
    ASSERT_TRUE(p.root_block);
    EXPECT_EQ(*p.root_block, 5u);
    EXPECT_FALSE(inbox::apply_l1_progress(seq_db, p));
    EXPECT_EQ(seq_db.head(storage::Head::kFinalized), 5u);

    // Blocks sealed but not posted are not safe.
    env.seal(2);
    p = inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 0);
    EXPECT_FALSE(inbox::apply_l1_progress(seq_db, p));
    EXPECT_EQ(seq_db.head(storage::Head::kSafe), 5u);

    // A root for another chain (wrong block hash) is reported and not adopted.
    const Address other = env.deploy_rollup({env.proposer_sender.address()});
    Hash32 wrong = env.chain.blocks[5].hash;
    wrong.bytes[31] ^= 0x80;
    const Bytes data = l1::encode_post_state_root(uint256(batches - 1), 5, wrong,
                                                  env.chain.blocks[5].header.state_root,
                                                  env.chain.blocks[5].send_root);
    ASSERT_TRUE(env.proposer_sender.wait(env.proposer_sender.submit(other, data), 20s).success);
    ASSERT_TRUE(seq_db.set_head(storage::Head::kFinalized, 0));
    p = inbox::read_l1_progress(env.rpc, env.inbox, other, 0);
    const auto err = inbox::apply_l1_progress(seq_db, p);
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("L2 block 5"), std::string::npos) << *err;
    EXPECT_EQ(seq_db.head(storage::Head::kFinalized), 0u);
}

// A follow-mode validator posts and checks no root, so the node moves its `finalized` head from
// RollupCore's latest root (apply_l1_progress without moving `safe`, which its derivation owns).
TEST(SequencerL1Progress, AFollowerFinalizesAtTheLatestRootWithoutMovingItsSafeHead) {
    Env env;
    env.seal(5);
    env.post_all();
    const uint64_t batches = env.batch_count();
    FreshNode proposer_node;
    Validator proposer(*proposer_node.db, proposer_node.genesis, env.rpc, &env.proposer_sender,
                       env.config(Mode::kPropose));
    run_until(proposer, [&] { return proposer.status().roots_posted == batches; });

    FreshNode node;
    Validator follower(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow));
    run_until(follower, [&] { return follower.status().batches_derived == batches; });
    EXPECT_EQ(node.db->head(storage::Head::kFinalized).value_or(0), 0u);
    ASSERT_TRUE(node.db->set_head(storage::Head::kSafe, 3));  // as if derivation were at 3
    auto p = inbox::read_l1_progress(env.rpc, env.inbox, env.rollup, 0);
    ASSERT_TRUE(p.root_block);
    EXPECT_EQ(*p.root_block, 5u);
    EXPECT_FALSE(inbox::apply_l1_progress(*node.db, p, /*move_safe=*/false));
    EXPECT_EQ(node.db->head(storage::Head::kSafe), 3u) << "safe is the derivation's";
    EXPECT_EQ(node.db->head(storage::Head::kFinalized), 3u) << "never past safe";
    ASSERT_TRUE(node.db->set_head(storage::Head::kSafe, 5));
    EXPECT_FALSE(inbox::apply_l1_progress(*node.db, p, /*move_safe=*/false));
    EXPECT_EQ(node.db->head(storage::Head::kFinalized), 5u);
}

}  // namespace
}  // namespace fuse::validator
