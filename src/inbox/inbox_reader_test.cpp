// The inbox reader against a real anvil with the real SequencerInbox (contracts/out).
#include "inbox/inbox_reader.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "batch/test_util.hpp"
#include "inbox/test_env.hpp"

namespace fuse::inbox {
namespace {

using namespace testing;
using batch::L2Message;
using batch::ResolveError;

Bytes tx_bytes(uint8_t tag, size_t len) {
    Bytes b(len, tag);
    b[0] = 0x02;
    return b;
}

void expect_filler(const DeliveredBatch& d, size_t n, const L2Message& prev) {
    ASSERT_EQ(d.resolved.messages.size(), n);
    for (const auto& m : d.resolved.messages) {
        EXPECT_TRUE(m.txs.empty());
        EXPECT_EQ(m.l1_base_fee, prev.l1_base_fee);
        EXPECT_EQ(m.timestamp, std::max(prev.timestamp, d.time_bounds.min_timestamp));
        EXPECT_EQ(m.l1_block_number,
                  std::max(prev.l1_block_number, d.time_bounds.min_block_number));
    }
}

// Valid and invalid batches are read back exactly: numbers, L1 block and hash, tx hash,
// messages (or filler), accumulators equal to the contract's.
TEST(InboxReader, ReadsValidAndInvalidBatchesExactly) {
    InboxEnv env;
    const uint64_t b0 = env.latest().number;
    const std::vector<L2Message> m0 = {env.message_on(b0, {tx_bytes(1, 40), tx_bytes(2, 90)}),
                                       env.message_on(b0, {})};
    const auto p0 = env.post(m0);
    const auto p1 = env.post(Bytes{0x00, 0xde, 0xad, 0xbe, 0xef}, 3);  // garbage brotli
    auto wrong_fee = env.message_on(env.latest().number, {tx_bytes(3, 20)});
    wrong_fee.l1_base_fee = wrong_fee.l1_base_fee + uint256(1);
    const auto p2 = env.post({wrong_fee});
    const uint64_t head = env.latest().number;
    const std::vector<L2Message> m3 = {env.message_on(head - 1, {tx_bytes(4, 10)}),
                                       env.message_on(head, {tx_bytes(5, 10)})};
    const auto p3 = env.post(m3);
    auto future = env.message_on(env.latest().number, {tx_bytes(6, 10)});
    future.l1_block_number += 5;  // inside the inbox's futureBlocks, after its inclusion block
    const auto p4 = env.post({future});
    const std::vector<PostedBatch> posted = {p0, p1, p2, p3, p4};

    auto cfg = env.reader_config();
    cfg.max_log_range = 2;  // several bounded eth_getLogs ranges
    std::vector<std::string> log;
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    InboxReader reader(*env.rpc, cfg);
    const auto got = read_all(reader);
    ASSERT_EQ(got.size(), posted.size());
    for (size_t i = 0; i < got.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(got[i].sequence_number, i);
        EXPECT_EQ(got[i].l1_block_number, posted[i].receipt.block_number);
        EXPECT_EQ(got[i].l1_block_hash, posted[i].receipt.block_hash);
        EXPECT_EQ(got[i].tx_hash, posted[i].receipt.tx_hash);
        EXPECT_EQ(got[i].after_acc, env.inbox_acc(i));
        EXPECT_EQ(got[i].before_acc, i ? got[i - 1].after_acc : Hash32{});
        if (i) {
            EXPECT_EQ(got[i].prev_message_count, got[i - 1].new_message_count);
        }
    }
    EXPECT_EQ(got[0].resolved.invalid, ResolveError::kNone);
    EXPECT_EQ(got[0].resolved.messages, m0);
    EXPECT_EQ(got[1].resolved.invalid, ResolveError::kDecode);
    expect_filler(got[1], 3, m0.back());
    EXPECT_EQ(got[2].resolved.invalid, ResolveError::kL1BaseFeeMismatch);
    expect_filler(got[2], 1, got[1].resolved.messages.back());
    EXPECT_EQ(got[3].resolved.invalid, ResolveError::kNone);
    EXPECT_EQ(got[3].resolved.messages, m3);
    EXPECT_EQ(got[4].resolved.invalid, ResolveError::kL1BlockAfterInclusion);
    expect_filler(got[4], 1, m3.back());
    EXPECT_EQ(reader.cursor().last->sequence_number, 4u);
    EXPECT_EQ(reader.cursor().last->message_count, env.message_count);
    size_t invalid_lines = 0;
    for (const auto& l : log)
        invalid_lines += l.starts_with("invalid batch");
    EXPECT_EQ(invalid_lines, 3u);
    // Nothing new: the next poll reads nothing and keeps the cursor.
    const auto again = reader.poll();
    EXPECT_TRUE(again.batches.empty());
    EXPECT_FALSE(again.rollback);
}

// A long catch-up returns in steps (bounded ranges per poll), in order, nothing repeated.
// A format-0x01 batch (transactions in columns, docs/batch-format.md) passes the inbox's format
// check and is read back exactly: signed transactions from the columns, an odd one raw.
TEST(InboxReader, ReadsColumnarBatches) {
    InboxEnv env;
    std::mt19937_64 rng(3);
    const uint64_t b0 = env.latest().number;
    std::vector<Bytes> txs = batch::testing::signed_txs(rng, 6);
    txs.push_back(tx_bytes(7, 30));  // not a transaction the columns carry: raw
    const std::vector<L2Message> msgs = {env.message_on(b0, txs), env.message_on(b0, {})};
    const Bytes data = *batch::encode_batch(msgs, 11, batch::kColumnarFormat);
    ASSERT_EQ(data[0], batch::kColumnarFormat);
    env.post(data, msgs.size());
    InboxReader reader(*env.rpc, env.reader_config());
    const auto got = read_all(reader);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].resolved.invalid, ResolveError::kNone);
    EXPECT_EQ(got[0].resolved.messages, msgs);
}

// Format 0x02 (branch `registry`): batches decode against the address registry carried in
// order; what a registry holds beyond the batch read next (a reorg, a failed range) is dropped.
TEST(InboxReader, ReadsRegistryBatchesWithTheRegistryInOrder) {
    InboxEnv env;
    std::mt19937_64 rng(4);
    const uint64_t b0 = env.latest().number;
    const std::vector<Bytes> txs = batch::testing::signed_txs(rng, 40);  // six shared addresses
    batch::AddressRegistry posted;
    std::vector<std::vector<L2Message>> batches;
    for (size_t k = 0; k < 2; ++k) {
        const std::vector<Bytes> part(txs.begin() + 20 * k, txs.begin() + 20 * (k + 1));
        batches.push_back({env.message_on(b0, part)});
        std::vector<Address> literals;
        const Bytes data =
            *batch::encode_batch(batches.back(), 11, batch::kRegistryFormat, &posted, &literals);
        posted.apply_batch(k, literals);
        env.post(data, 1);
    }
    batch::AddressRegistry registry;
    // Left over from batches of another L1 branch: dropped when batch 0 is read again.
    registry.apply_batch(0, std::vector<Address>{Address{}});
    registry.apply_batch(1, std::vector<Address>{});
    auto cfg = env.reader_config();
    cfg.registry = &registry;
    InboxReader reader(*env.rpc, cfg);
    const auto got = read_all(reader);
    ASSERT_EQ(got.size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(got[k].resolved.invalid, ResolveError::kNone) << k;
        EXPECT_EQ(got[k].resolved.messages, batches[k]) << k;
    }
    ASSERT_EQ(registry.size(), posted.size());
    for (uint64_t i = 0; i < registry.size(); ++i)
        EXPECT_EQ(registry.at(i), posted.at(i));
    EXPECT_EQ(registry.next_batch(), 2u);
    // Without a registry the second batch names unknown addresses: invalid, filler.
    InboxReader bare(*env.rpc, env.reader_config());
    const auto plain = read_all(bare);
    ASSERT_EQ(plain.size(), 2u);
    EXPECT_EQ(plain[1].resolved.invalid, ResolveError::kDecode);
    EXPECT_EQ(plain[1].resolved.decode_error, batch::BatchError::kUnknownRegistryIndex);
}

TEST(InboxReader, CatchesUpInBoundedSteps) {
    InboxEnv env;
    for (uint8_t i = 0; i < 3; ++i) {
        env.post({env.message_on(env.latest().number, {tx_bytes(i, 30)})});
        env.mine(3);
    }
    auto cfg = env.reader_config();
    cfg.max_log_range = 2;
    cfg.max_ranges_per_poll = 1;
    InboxReader reader(*env.rpc, cfg);
    std::vector<uint64_t> seqs;
    size_t polls = 0;
    for (; polls < 50; ++polls) {
        const auto r = reader.poll();
        for (const auto& b : r.batches)
            seqs.push_back(b.sequence_number);
        if (r.caught_up) break;
        EXPECT_LE(reader.cursor().scanned_block, r.safe_block);
    }
    EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2}));
    const uint64_t blocks = env.latest().number - env.deploy_block + 1;
    EXPECT_EQ(polls + 1, (blocks + 1) / 2);  // one 2-block range per poll
}

// max_batches_per_poll bounds a poll by batches, not by ranges: a range holding more batches
// ends at the block of the last one delivered, and the next poll reads on from there.
TEST(InboxReader, BoundsBatchesPerPollWithinOneRange) {
    InboxEnv env;
    std::vector<PostedBatch> posted;
    for (uint8_t i = 0; i < 5; ++i)
        posted.push_back(env.post({env.message_on(env.latest().number, {tx_bytes(i, 30)})}));
    env.mine(2);
    auto cfg = env.reader_config();
    cfg.max_log_range = 1000;  // every batch in one range
    cfg.max_batches_per_poll = 2;
    InboxReader reader(*env.rpc, cfg);
    std::vector<std::vector<uint64_t>> polls;
    for (int i = 0; i < 10; ++i) {
        const auto r = reader.poll();
        std::vector<uint64_t> seqs;
        for (const auto& b : r.batches)
            seqs.push_back(b.sequence_number);
        polls.push_back(seqs);
        if (r.caught_up) break;
        // Stopped early: the cursor is at the last delivered batch's block.
        ASSERT_FALSE(r.batches.empty());
        EXPECT_EQ(reader.cursor().scanned_block, r.batches.back().l1_block_number);
    }
    EXPECT_EQ(polls, (std::vector<std::vector<uint64_t>>{{0, 1}, {2, 3}, {4}}));
    for (size_t i = 1; i < posted.size(); ++i)  // one batch per L1 block
        ASSERT_LT(posted[i - 1].receipt.block_number, posted[i].receipt.block_number);
}

// Only blocks at least `confirmations` deep are read.
TEST(InboxReader, WaitsForConfirmations) {
    InboxEnv env;
    env.mine(5);
    env.post({env.message_on(env.latest().number, {tx_bytes(1, 30)})});
    InboxReader reader(*env.rpc, env.reader_config(3));
    auto r = reader.poll();
    EXPECT_TRUE(r.batches.empty());
    EXPECT_EQ(r.safe_block, env.latest().number - 3);
    env.mine(2);
    EXPECT_TRUE(reader.poll().batches.empty());
    env.mine(1);
    r = reader.poll();
    ASSERT_EQ(r.batches.size(), 1u);
    EXPECT_EQ(r.batches[0].resolved.invalid, ResolveError::kNone);
}

// A saved cursor (JSON) resumes exactly after its batch; a fresh reader reads the same chain.
TEST(InboxReader, ResumesFromSavedCursor) {
    InboxEnv env;
    for (int i = 0; i < 2; ++i)
        env.post({env.message_on(env.latest().number, {tx_bytes(uint8_t(i), 50)})});
    InboxReader first(*env.rpc, env.reader_config());
    const auto a = read_all(first);
    ASSERT_EQ(a.size(), 2u);
    const std::string saved = to_json(first.cursor());
    EXPECT_EQ(cursor_from_json(saved), first.cursor());
    EXPECT_THROW(cursor_from_json("{\"scannedBlock\": \"x\"}"), InboxError);

    for (int i = 2; i < 5; ++i)
        env.post({env.message_on(env.latest().number, {tx_bytes(uint8_t(i), 50)})});
    InboxReader resumed(*env.rpc, env.reader_config(), cursor_from_json(saved));
    const auto b = read_all(resumed);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[0].sequence_number, 2u);
    EXPECT_EQ(b[0].before_acc, a[1].after_acc);
    EXPECT_EQ(b[0].prev_message_count, 2u);

    InboxReader fresh(*env.rpc, env.reader_config());
    const auto all = read_all(fresh);
    ASSERT_EQ(all.size(), 5u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(all[2 + i].after_acc, b[i].after_acc);
        EXPECT_EQ(all[2 + i].resolved.messages, b[i].resolved.messages);
    }
    EXPECT_EQ(fresh.cursor(), resumed.cursor());
}

// A batch from a key that is not a poster is refused by the contract and never read.
TEST(InboxReader, BatchFromNonPosterIsRefused) {
    InboxEnv env;
    l1::SenderConfig scfg;
    scfg.poll_interval = 20ms;
    l1::TxSender other(*env.rpc, l1::Signer::from_hex(kOtherKey), scfg);
    const Bytes call = l1::encode_add_sequencer_l2_batch(
        {0, *batch::encode_batch({env.message_on(env.latest().number, {})}), 0, 1});
    try {
        other.submit(env.inbox, call);
        ADD_FAILURE() << "the estimate must revert";
    } catch (const l1::L1Error& e) {
        EXPECT_EQ(e.kind, l1::L1Error::Kind::kReverted);
        const auto why = l1::decode_revert(e.revert_data, l1::ErrorRegistry::builtin());
        EXPECT_EQ(why.to_string(), "NotBatchPoster(" + to_hex(other.address()) + ")");
    }
    // Forced on chain with an explicit gas limit: mined, reverted, no event.
    const auto r = other.wait(other.submit(env.inbox, call, {}, 200'000), 20s);
    EXPECT_FALSE(r.success);
    EXPECT_TRUE(r.logs.empty());
    InboxReader reader(*env.rpc, env.reader_config());
    EXPECT_TRUE(read_all(reader).empty());
    EXPECT_FALSE(reader.cursor().last);
}

}  // namespace
}  // namespace fuse::inbox

namespace fuse::inbox {
namespace {

using namespace testing;

std::string snapshot(InboxEnv& env) {
    return env.rpc->request("evm_snapshot").get<std::string>();
}
void revert_to(InboxEnv& env, const std::string& id) {
    ASSERT_TRUE(env.rpc->request("evm_revert", nlohmann::json::array({id})).get<bool>());
    env.new_sender();  // nonces went back with the chain
}

batch::L2Message msg(InboxEnv& env, uint8_t tag) {
    return env.message_on(env.latest().number, {Bytes{0x02, tag, tag}});
}

// Batches 2 and 3 are replaced by a reorg (evm_snapshot/evm_revert): the reader reports
// "roll back to batch 1" and then reads the new batches 2', 3', 4' with a consistent chain.
TEST(InboxReorg, ReplacedBatchesRollBackToLastCommon) {
    InboxEnv env;
    env.post({msg(env, 0)});
    env.post({msg(env, 1)});
    std::vector<std::string> log;
    auto cfg = env.reader_config();
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    InboxReader reader(*env.rpc, cfg);
    ASSERT_EQ(read_all(reader).size(), 2u);
    const Hash32 acc1 = env.inbox_acc(1);

    const std::string snap = snapshot(env);
    const uint64_t saved_count = env.message_count;
    env.post({msg(env, 2)});
    env.post({msg(env, 3), msg(env, 3)});
    const auto old = read_all(reader);
    ASSERT_EQ(old.size(), 2u);
    EXPECT_EQ(reader.cursor().last->sequence_number, 3u);

    revert_to(env, snap);
    env.next_seq = 2;
    env.message_count = saved_count;
    env.mine(1);  // the new chain differs from the old one at every height
    const auto n2 = env.post({msg(env, 12)});
    env.post({msg(env, 13)});
    env.post({msg(env, 14)});
    EXPECT_NE(n2.receipt.block_hash, old[0].l1_block_hash);

    const auto r = reader.poll();
    ASSERT_TRUE(r.rollback);
    EXPECT_EQ(r.rollback->last_common_batch, std::optional<uint64_t>(1));
    EXPECT_EQ(r.rollback->first_removed_batch, 2u);
    ASSERT_EQ(r.batches.size(), 3u);
    EXPECT_EQ(r.batches[0].sequence_number, 2u);
    EXPECT_EQ(r.batches[0].before_acc, acc1);
    EXPECT_EQ(r.batches[0].l1_block_hash, n2.receipt.block_hash);
    EXPECT_EQ(r.batches[0].resolved.messages[0].txs[0], (Bytes{0x02, 12, 12}));
    for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(r.batches[i].after_acc, env.inbox_acc(2 + i));
    bool said = false;
    for (const auto& l : log)
        said |= l.find("roll back to batch 1") != std::string::npos;
    EXPECT_TRUE(said);
    EXPECT_FALSE(reader.poll().rollback);
}

// A reorg of blocks after the last batch (but below the scanned tip) loses nothing: a batch
// that the new chain puts there is read, with no rollback.
/// reader.poll() as the validator runs it (poll_retrying: retryable errors, such as anvil's logs
/// and transaction index disagreeing for a moment after evm_revert, are retried), at most 5 tries.
PollResult poll_settled(InboxReader& reader) {
    int tries = 0;
    auto r = reader.poll_retrying([&] { return ++tries <= 5; });
    if (!r) throw std::runtime_error("inbox poll failed 5 times");
    return std::move(*r);
}

// js.rollup_faults' flake (1 run in ~20): after an anvil reorg the validator was stuck on
// "expected batch 10 but read batch 6": its cursor held batches the reorg had removed, yet every
// block hash in it (scanned block, batches' blocks) was canonical, so the hash checks saw no
// reorg and each poll failed on the re-posted batch 6. anvil answers with a mix of the old and
// the new chain for a moment after a reorg (its logs and transaction index lag, see
// poll_settled): a poll in that moment reads the removed batches with the new blocks' hashes.
// That cursor, built here from a real reorg: the reader must roll back by sequence number.
TEST(InboxReorg, CursorPastBatchesL1NoLongerHasRollsBackBySequenceNumber) {
    InboxEnv env;
    env.post({msg(env, 0)});
    env.post({msg(env, 1)});
    std::vector<std::string> log;
    auto cfg = env.reader_config();
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    InboxReader reader(*env.rpc, cfg);
    ASSERT_EQ(read_all(reader).size(), 2u);
    const std::string snap = snapshot(env);
    const uint64_t saved_count = env.message_count;
    env.post({msg(env, 2)});
    env.post({msg(env, 3)});
    const auto old = read_all(reader);
    ASSERT_EQ(old.size(), 2u);
    InboxCursor stuck = reader.cursor();
    std::vector<BatchRef> history(reader.history().begin(), reader.history().end());

    revert_to(env, snap);
    env.next_seq = 2;
    env.message_count = saved_count;
    env.mine(old[1].l1_block_number - env.latest().number + 1);
    const auto n2 = env.post({msg(env, 12)});
    const uint64_t before_n2 = n2.receipt.block_number - 1;
    ASSERT_GT(before_n2, old[1].l1_block_number);
    // The removed batches 2 and 3 with the new chain's hashes of their blocks, scanned up to
    // the block before the re-posted batch 2.
    for (auto& ref : history)
        if (ref.sequence_number >= 2) ref.l1_block_hash = env.block(ref.l1_block_number).hash;
    stuck.last = history.back();
    stuck.scanned_block = before_n2;
    stuck.scanned_hash = env.block(before_n2).hash;

    InboxReader resumed(*env.rpc, cfg, stuck, history);
    const auto r = resumed.poll();  // before: InboxError "expected batch 4 but read batch 2"
    ASSERT_TRUE(r.rollback);
    EXPECT_EQ(r.rollback->last_common_batch, std::optional<uint64_t>(1));
    EXPECT_EQ(r.rollback->first_removed_batch, 2u);
    EXPECT_TRUE(r.batches.empty());
    EXPECT_EQ(resumed.cursor().last->sequence_number, 1u);
    bool said = false;
    for (const auto& l : log)
        said |= l.find("L1 reorg replaced batches 2..3 (expected batch 4 but read batch 2") == 0 &&
                l.find("roll back to batch 1") != std::string::npos;
    EXPECT_TRUE(said);
    const auto next = poll_settled(resumed);
    EXPECT_FALSE(next.rollback);
    ASSERT_EQ(next.batches.size(), 1u);
    EXPECT_EQ(next.batches[0].sequence_number, 2u);
    EXPECT_EQ(next.batches[0].l1_block_hash, n2.receipt.block_hash);
    EXPECT_EQ(next.batches[0].resolved.messages[0].txs[0], (Bytes{0x02, 12, 12}));
    EXPECT_EQ(next.batches[0].after_acc, env.inbox_acc(2));
}

TEST(InboxReorg, ReorgAfterLastBatchRescansWithoutRollback) {
    InboxEnv env;
    env.post({msg(env, 0)});
    InboxReader reader(*env.rpc, env.reader_config());
    ASSERT_EQ(read_all(reader).size(), 1u);
    const std::string snap = snapshot(env);
    env.mine(4);
    EXPECT_TRUE(poll_settled(reader).batches.empty());
    const uint64_t scanned = reader.cursor().scanned_block;
    revert_to(env, snap);
    const auto p1 = env.post({msg(env, 1)});
    env.mine(1);
    ASSERT_LT(p1.receipt.block_number, scanned);  // a height the reader had already scanned
    const auto r = poll_settled(reader);
    EXPECT_FALSE(r.rollback);
    ASSERT_EQ(r.batches.size(), 1u);
    EXPECT_EQ(r.batches[0].sequence_number, 1u);
}

// Every batch replaced, and the history reached batch 0: roll back to genesis.
// With a resumed cursor and no history, the same reorg is reported as too deep.
TEST(InboxReorg, ReorgOfEveryBatch) {
    InboxEnv env;
    const std::string snap = snapshot(env);
    env.post({msg(env, 0)});
    env.post({msg(env, 1)});
    InboxReader reader(*env.rpc, env.reader_config());
    ASSERT_EQ(read_all(reader).size(), 2u);
    InboxReader resumed(*env.rpc, env.reader_config(), reader.cursor());
    revert_to(env, snap);
    env.next_seq = 0;
    env.message_count = 0;
    env.mine(2);
    env.post({msg(env, 20)});
    const auto r = reader.poll();
    ASSERT_TRUE(r.rollback);
    EXPECT_FALSE(r.rollback->last_common_batch);
    EXPECT_EQ(r.rollback->first_removed_batch, 0u);
    ASSERT_EQ(r.batches.size(), 1u);
    EXPECT_EQ(r.batches[0].resolved.messages[0].txs[0], (Bytes{0x02, 20, 20}));
    try {
        resumed.poll();
        ADD_FAILURE() << "a reorg below the remembered history must fail";
    } catch (const InboxError& e) {
        EXPECT_EQ(e.kind, InboxError::Kind::kReorgTooDeep);
        EXPECT_FALSE(e.retryable());
    }
}

// L1 stopped: every poll fails with a clear L1Error and the cursor does not move; the retrying
// poll backs off, and once the same L1 is back (same port, same state) it reads every batch,
// none skipped.
TEST(InboxL1Down, ClearErrorsThenRecovery) {
    const uint16_t port = free_port();
    char dir[] = "/tmp/fuse-inbox-state-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string state = std::string(dir) + "/state.json";
    InboxEnv env({"--state", state}, port);
    env.post({msg(env, 0)});
    std::vector<std::string> log;
    auto cfg = env.reader_config();
    cfg.log = [&](const std::string& l) { log.push_back(l); };
    InboxReader reader(*env.rpc, cfg);
    ASSERT_EQ(read_all(reader).size(), 1u);
    env.post({msg(env, 1)});
    env.post({msg(env, 2)});
    const InboxCursor before = reader.cursor();

    env.anvil->stop();
    for (int i = 0; i < 2; ++i) {
        try {
            reader.poll();
            ADD_FAILURE() << "a stopped L1 must fail";
        } catch (const l1::L1Error& e) {
            EXPECT_EQ(e.kind, l1::L1Error::Kind::kTransport);
            EXPECT_NE(std::string(e.what()).find("check that the L1 node is running"),
                      std::string::npos);
        }
    }
    EXPECT_EQ(reader.consecutive_failures(), 2u);
    EXPECT_EQ(reader.cursor(), before);

    std::optional<PollResult> result;  // written by `t`, read here only after `done` or join
    std::atomic<bool> stop{false};
    std::atomic<bool> done{false};
    std::thread t([&] {
        result = reader.poll_retrying([&] { return !stop.load(); });
        done.store(true);
    });
    std::this_thread::sleep_for(800ms);
    env.anvil = std::make_unique<l1::testing::AnvilProcess>(
        std::vector<std::string>{"--state", state}, port);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done.load() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    stop = true;
    t.join();
    ASSERT_TRUE(result);
    ASSERT_EQ(result->batches.size(), 2u);
    EXPECT_EQ(result->batches[0].sequence_number, 1u);
    EXPECT_EQ(result->batches[1].sequence_number, 2u);
    EXPECT_EQ(result->batches[1].after_acc, env.inbox_acc(2));
    EXPECT_EQ(reader.consecutive_failures(), 0u);
    size_t retries = 0;
    for (const auto& l : log)
        retries += l.find("retrying in") != std::string::npos;
    EXPECT_GE(retries, 2u);
    env.anvil->stop();
    std::remove(state.c_str());
    rmdir(dir);
}

}  // namespace
}  // namespace fuse::inbox
