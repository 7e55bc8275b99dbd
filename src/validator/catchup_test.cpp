// Catch-up (docs/validator.md "Catch-up"): senders recovered for whole batches on worker
// threads, the next poll read while batches execute, one commit per batch. The same chain as
// without any of it, invalid transactions skipped the same way, and a failure in the middle of
// a catch-up resumes from the last durable batch.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/hex.hpp"
#include "storage/fault_injection.hpp"
#include "validator/prepare.hpp"
#include "validator/test_env.hpp"

namespace fuse::validator {
namespace {

using namespace std::chrono_literals;
using testing::Env;
using testing::expect_same_chain;
using testing::FreshNode;
using testing::run_until;

Bytes signed_transfer(size_t from, uint64_t nonce, uint64_t value) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = poster::testing::kL2ChainId;
    t.nonce = nonce;
    t.max_fee_per_gas = uint256(1'000'000'000);
    t.gas_limit = 3'000'000;
    t.to = arbos::dev_accounts()[5].address;
    t.value = uint256(value);
    EXPECT_TRUE(sign_transaction(t, arbos::dev_accounts()[from].private_key));
    return encode_transaction(t);
}

/// `raw` with its signature's r set to zero: no sender recovers.
Bytes without_sender(const Bytes& raw) {
    Transaction t = decode_transaction(raw).value();
    t.r = uint256(0);
    return encode_transaction(t);
}

/// Batches of messages mixing valid transactions, signatures that recover no sender, one that
/// recovers another sender, and bytes that do not decode.
std::vector<inbox::DeliveredBatch> mixed_batches() {
    std::vector<inbox::DeliveredBatch> out(3);
    uint64_t nonce = 0;
    for (size_t b = 0; b < out.size(); ++b) {
        for (size_t m = 0; m < 2 + b; ++m) {
            batch::L2Message msg;
            for (size_t t = 0; t < 40; ++t) {
                Bytes raw = signed_transfer(t % 3, nonce++, 1 + t);
                if (t % 7 == 3) raw = without_sender(raw);
                if (t % 11 == 5) raw[raw.size() - 3] ^= 0x55;  // s changed: another sender
                if (t % 13 == 6) raw = Bytes{0x02, 0xc0};
                msg.txs.push_back(std::move(raw));
            }
            out[b].resolved.messages.push_back(std::move(msg));
        }
    }
    out.emplace_back();  // a batch without messages
    return out;
}

TEST(PrepareBatches, EveryThreadCountGivesWhatPrepareTxGivesOneByOne) {
    const auto batches = mixed_batches();
    size_t no_sender = 0, undecodable = 0, total = 0;
    for (unsigned threads : {0u, 1u, 2u, 3u, 8u}) {
        const auto prepared = prepare_batches(batches, threads);
        ASSERT_EQ(prepared.size(), batches.size());
        for (size_t b = 0; b < batches.size(); ++b) {
            const auto& msgs = batches[b].resolved.messages;
            ASSERT_EQ(prepared[b].size(), msgs.size());
            for (size_t m = 0; m < msgs.size(); ++m) {
                ASSERT_EQ(prepared[b][m].size(), msgs[m].txs.size());
                for (size_t t = 0; t < msgs[m].txs.size(); ++t) {
                    const arbos::PreparedTx want = arbos::prepare_tx(msgs[m].txs[t]);
                    const arbos::PreparedTx& got = prepared[b][m][t];
                    ASSERT_EQ(got.tx.has_value(), want.tx.has_value());
                    if (want.tx) {
                        EXPECT_EQ(got.tx->nonce, want.tx->nonce);
                        EXPECT_EQ(got.hash, want.hash);
                        EXPECT_EQ(got.sender, want.sender);
                        EXPECT_EQ(got.l1_bytes, want.l1_bytes);
                    } else {
                        EXPECT_EQ(got.decode_error, want.decode_error);
                    }
                    if (threads == 0) {
                        ++total;
                        no_sender += want.tx && !want.sender;
                        undecodable += !want.tx;
                    }
                }
            }
        }
    }
    EXPECT_EQ(total, 9u * 40u);
    EXPECT_GT(no_sender, 0u);
    EXPECT_GT(undecodable, 0u);
}

/// Seals one block on the sequencer's chain whose message holds valid transfers and invalid
/// transactions (no sender, undecodable): the sequencer's execution skips the invalid ones, the
/// stored message (what the poster posts) keeps them.
void seal_with_invalid(Env& env) {
    poster::testing::L2Chain& c = env.chain;
    l1::HeadWatcher w(env.rpc, {});
    ASSERT_TRUE(w.poll());
    arbos::Message msg;
    msg.l1_block_number = w.current().number;
    msg.l1_base_fee = w.current().base_fee;
    msg.timestamp = std::max<uint64_t>(c.blocks.back().header.timestamp + 1, std::time(nullptr));
    const uint64_t n = c.nonce;
    msg.txs = {signed_transfer(0, n, 7), without_sender(signed_transfer(0, n + 1, 8)),
               Bytes{0x02, 0xc0}, signed_transfer(0, n + 1, 9)};
    c.nonce += 2;
    state::StateDiff diff;
    arbos::Block b = arbos::execute_message(c.db->world(), c.genesis, c.blocks.back(), msg, &diff);
    ASSERT_EQ(b.txs.size(), 2u);
    c.blocks.push_back(std::move(b));
    storage::BlockCommit commit{&c.blocks.back(), &diff, &msg};
    ASSERT_TRUE(c.db->commit({&commit, 1}));
}

// A validator reading one batch per poll ahead of execution, one reading everything first on
// the executing thread (no prefetch, one recovery thread): the sequencer's chain, block by
// block, invalid transactions skipped alike.
TEST(ValidatorCatchUp, PrefetchingDerivesTheSameChainAsPollingInline) {
    Env env;
    env.seal(8);
    seal_with_invalid(env);
    env.seal(8);
    seal_with_invalid(env);
    env.post_all(1'500);
    const uint64_t batches = env.batch_count();
    ASSERT_GE(batches, 5u);
    const uint64_t head = env.chain.blocks.size() - 1;

    auto ahead = env.config(Mode::kFollow);
    ahead.prefetch_batches = 1;
    ahead.recovery_threads = 3;
    FreshNode a;
    Validator va(*a.db, a.genesis, env.rpc, nullptr, ahead);
    run_until(va, [&] { return va.status().derived_block == head; });
    expect_same_chain(env.chain, *a.db);

    auto inline_cfg = env.config(Mode::kFollow);
    inline_cfg.prefetch = false;
    inline_cfg.recovery_threads = 1;
    FreshNode b;
    Validator vb(*b.db, b.genesis, env.rpc, nullptr, inline_cfg);
    run_until(vb, [&] { return vb.status().derived_block == head; });
    expect_same_chain(env.chain, *b.db);

    for (const Validator* v : {&va, &vb}) {
        const Status s = v->status();
        EXPECT_EQ(s.batches_derived, batches);
        EXPECT_EQ(s.invalid_batches, 0u);
        EXPECT_GT(s.seconds_executing, 0.0);
        EXPECT_GT(s.seconds_committing, 0.0);
    }
    // The invalid transactions were posted and skipped: 4 in the message, 2 in the block.
    size_t with_invalid = 0;
    for (uint64_t n = 1; n <= head; ++n) {
        auto blk = a.db->block_by_number(n);
        ASSERT_TRUE(blk);
        if (blk->txs.size() == 2 && blk->txs[0].tx.value == uint256(7)) ++with_invalid;
    }
    EXPECT_EQ(with_invalid, 2u);
}

// The disk fails after the first block of a later batch is durable while the next polls are
// read ahead: the validator halts; restarted it drops what is above the saved cursor (as after
// kill -9 between the batch's commit and the cursor's save), reads again from the cursor and
// derives the same chain. The write that fails is the cursor of the poll that batch ends or,
// inside a poll, the next batch's commit on the committing thread while the batch after it
// executes.
void fail_in_the_middle_and_resume(size_t prefetch_batches) {
    Env env;
    for (int i = 0; i < 4; ++i) {
        env.seal(5);
        env.post_all(1'500);
    }
    const uint64_t batches = env.batch_count();
    ASSERT_GE(batches, 6u);
    const uint64_t head = env.chain.blocks.size() - 1;
    storage::FaultInjection faults;
    FreshNode node(faults.env());
    auto cfg = env.config(Mode::kFollow);
    cfg.prefetch_batches = prefetch_batches;
    uint64_t derived_before = 0;
    {
        Validator v(*node.db, node.genesis, env.rpc, nullptr, cfg);
        const uint64_t fail_after = head / 2;
        v.on_block([&](const arbos::Block& b) {
            if (b.header.number == fail_after) faults.fail_writes();
        });
        run_until(v, [&] { return v.status().halted.has_value(); });
        derived_before = v.status().derived_block;
        EXPECT_GE(derived_before, fail_after);
        EXPECT_LT(derived_before, head);
    }
    faults.heal();
    node.open(faults.env());
    // Durable: whole batches up to the saved cursor. The batch whose cursor could not be saved
    // is dropped and derived again.
    Validator v(*node.db, node.genesis, env.rpc, nullptr, cfg);
    const Status s = v.status();
    EXPECT_FALSE(s.halted);
    EXPECT_LT(s.derived_block, derived_before);
    EXPECT_EQ(node.db->head(storage::Head::kLatest).value_or(0), s.derived_block);
    EXPECT_LT(s.batches_derived, batches);
    run_until(v, [&] { return v.status().derived_block == head; });
    EXPECT_EQ(v.status().batches_derived, batches);
    expect_same_chain(env.chain, *node.db);
}

TEST(ValidatorCatchUp, AFailureInTheMiddleOfACatchUpResumesFromTheLastDurableBatch) {
    fail_in_the_middle_and_resume(1);
}

// With 4 batches a poll, a batch commits while the next one executes: a failure there drops
// both and the restart resumes from the last saved cursor.
TEST(ValidatorCatchUp, AFailedCommitOverlappingTheNextBatchResumesFromTheLastDurableBatch) {
    fail_in_the_middle_and_resume(4);
}

}  // namespace
}  // namespace fuse::validator
