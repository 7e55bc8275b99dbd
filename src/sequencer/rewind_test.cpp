// Rewinds (docs/sequencer.md "When L1 goes back in time"), on the real RocksDB database: dropped
// blocks' transactions sealed again in their order, L1's messages adopted, transactions no longer
// valid reported, nothing lost across a stop, halting, and the L1 block a new block names.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "sequencer/sequencer.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using testing::make_raw;
using testing::test_address;
using R = Rejection::Reason;

constexpr uint64_t kChainId = 412346;

arbos::Genesis genesis() {
    arbos::Genesis g;
    g.chain_id = kChainId;
    g.timestamp = 1'700'000'000;
    for (uint64_t i = 1; i <= 8; ++i)
        g.alloc[test_address(i)].balance = uint256{1} << 90;
    return g;
}

std::unique_ptr<storage::Database> open_db(const std::string& path) {
    storage::Options o;
    o.path = path;
    o.block_cache_mb = 8;
    auto db = storage::Database::open(o);
    EXPECT_TRUE(db.has_value()) << (db.has_value() ? "" : db.error());
    return db.has_value() ? std::move(db).value() : nullptr;
}

struct Chain {
    Chain() : db(open_db(dir.path.string())) {
        state::StateDiff diff;
        const arbos::Block b0 = arbos::make_genesis_block(db->world(), g, &diff);
        const arbos::Message m0{};
        const storage::BlockCommit c{&b0, &diff, &m0};
        EXPECT_TRUE(db->commit(std::span(&c, 1)).has_value());
        make_sequencer();
    }
    void make_sequencer() {
        Config c;
        c.min_block_interval = std::chrono::microseconds(200);
        c.warn = [this](const std::string& line) {
            std::lock_guard lock(mu);
            warnings.push_back(line);
        };
        seq = std::make_unique<Sequencer>(*db, g, c, [this] {
            std::lock_guard lock(mu);
            return l1;
        });
    }
    void set_l1(uint64_t number, uint64_t base_fee) {
        std::lock_guard lock(mu);
        l1 = {number, uint256{base_fee}};
    }
    bool warned(const std::string& text) {
        std::lock_guard lock(mu);
        for (const auto& w : warnings)
            if (w.find(text) != std::string::npos) return true;
        return false;
    }
    /// Submits and waits for the acknowledgement (one block per call).
    Hash32 ack(testing::TxSpec spec) {
        spec.gas_limit = 100'000;  // intrinsic gas + the L1 poster gas
        Bytes raw = make_raw(spec);
        const Hash32 h = keccak256(raw);
        std::promise<SubmitResult> p;
        seq->submit(std::move(raw), [&p](SubmitResult r) { p.set_value(std::move(r)); });
        auto f = p.get_future();
        if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
            ADD_FAILURE() << "no answer";
            return h;
        }
        const SubmitResult r = f.get();
        EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
        return h;
    }
    /// Waits (at most 20 s: a hang fails, nothing is timed) until every hash is in a block.
    bool all_included(const std::vector<Hash32>& hashes) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            bool all = true;
            for (const auto& h : hashes)
                all = all && db->tx_location(h).has_value();
            if (all) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }
    /// Waits (at most 20 s) for `pred`: the acknowledgements run just after the commit.
    template <class Pred>
    static bool eventually(Pred pred) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }
    /// Position of a transaction in the chain (block, index).
    std::pair<uint64_t, uint32_t> where(const Hash32& h) {
        const auto loc = db->tx_location(h);
        return loc ? std::pair{loc->block_number, loc->index} : std::pair<uint64_t, uint32_t>{0, 0};
    }
    uint64_t head() { return db->head(storage::Head::kLatest).value_or(0); }

    testing::TempDir dir;
    arbos::Genesis g = genesis();
    std::unique_ptr<storage::Database> db;
    std::mutex mu;  // l1 and warnings: read and written from the sequencer's threads
    L1Info l1{7, uint256{1000}};
    std::vector<std::string> warnings;
    std::unique_ptr<Sequencer> seq;
};

TEST(SequencerRewind, DroppedTransactionsAreSealedAgainInTheirOrder) {
    Chain c;
    c.seq->start();
    std::vector<Hash32> txs;
    for (uint64_t i = 0; i < 6; ++i)
        txs.push_back(c.ack({.key = 1 + i % 2, .nonce = i / 2, .value = 100 + i}));
    const uint64_t kept = c.where(txs[1]).first;  // keep the blocks of the first two
    const uint64_t old_head = c.head();
    std::vector<Hash32> old_block_hashes;
    for (uint64_t n = kept + 1; n <= old_head; ++n)
        old_block_hashes.push_back(*c.db->block_hash(n));

    std::vector<std::vector<arbos::Block>> dropped_seen;
    auto report = c.seq->rewind({.keep_through = kept, .adopt = {}, .reason = "test: L1 lost it"});
    ASSERT_TRUE(report.has_value()) << report.error();
    EXPECT_EQ(report->from_head, old_head);
    EXPECT_EQ(report->kept_through, kept);
    EXPECT_EQ(report->dropped_blocks, old_head - kept);
    EXPECT_EQ(report->dropped_txs, 4u);
    EXPECT_EQ(report->requeued, 4u);
    EXPECT_EQ(report->included_again, 0u);
    EXPECT_EQ(report->reason, "test: L1 lost it");

    ASSERT_TRUE(c.all_included(txs));
    // Same order as first sequenced: (block, index) increasing along the submission order.
    for (size_t i = 1; i < txs.size(); ++i)
        EXPECT_LT(c.where(txs[i - 1]), c.where(txs[i])) << i;
    EXPECT_LE(c.where(txs[1]).first, kept);
    EXPECT_GT(c.where(txs[2]).first, kept);
    for (uint64_t n = kept + 1; n <= c.head() && n - kept - 1 < old_block_hashes.size(); ++n)
        EXPECT_NE(*c.db->block_hash(n), old_block_hashes[n - kept - 1]) << "block " << n;
    EXPECT_TRUE(Chain::eventually([&] { return c.seq->stats().resequenced_txs == 4; }));
    const auto stats = c.seq->stats();
    EXPECT_EQ(stats.rewinds, 1u);
    EXPECT_EQ(stats.rewound_blocks, old_head - kept);
    EXPECT_EQ(stats.resequenced_txs, 4u);
    EXPECT_EQ(stats.dropped_txs, 0u);
    // Nothing left to re-sequence: the record is empty.
    const auto record = c.db->get_meta("sequencer.resequence");
    EXPECT_TRUE(!record || record->empty());
    EXPECT_EQ(c.db->latest_state()->read_account(test_address(1)).value()->nonce, 3u);
    auto root = c.db->recompute_state_root();
    ASSERT_TRUE(root.has_value()) << root.error();
    EXPECT_EQ(*root, c.db->header_by_number(c.head())->state_root);
    ASSERT_TRUE(c.seq->last_rewind());
    EXPECT_EQ(c.seq->last_rewind()->kept_through, kept);
}

TEST(SequencerRewind, AdoptsL1MessagesAndReportsTransactionsNoLongerValid) {
    Chain c;
    c.seq->start();
    const Hash32 a = c.ack({.key = 1, .nonce = 0, .value = 1});
    const Hash32 b = c.ack({.key = 1, .nonce = 1, .value = 2});
    const Hash32 d = c.ack({.key = 2, .nonce = 0, .value = 3});
    // L1's derivation: block 1 holds another transaction of key 1 with nonce 0 (so `a` is no
    // longer valid, `b` still is), then an empty filler block.
    const Bytes other = make_raw({.key = 1, .nonce = 0, .gas_limit = 100'000, .value = 999});
    arbos::Message m1 = *c.db->message(1);
    m1.txs = {other};
    arbos::Message filler = m1;
    filler.txs.clear();
    std::vector<arbos::Block> removed;
    c.seq->on_rewind(
        [&](const RewindReport&, const std::vector<arbos::Block>& dropped) { removed = dropped; });
    auto report =
        c.seq->rewind({.keep_through = 0, .adopt = {m1, filler}, .reason = "invalid batch"});
    ASSERT_TRUE(report.has_value()) << report.error();
    EXPECT_EQ(report->adopted_blocks, 2u);
    EXPECT_EQ(report->new_head, 2u);
    EXPECT_EQ(report->dropped_txs, 3u);
    EXPECT_EQ(report->requeued, 2u);  // `a` is refused at once: nonce too low
    EXPECT_EQ(removed.size(), 3u);
    EXPECT_EQ(c.db->message(1)->txs, std::vector<Bytes>{other});
    EXPECT_TRUE(c.db->message(2)->txs.empty());
    ASSERT_TRUE(c.all_included({b, d, keccak256(other)}));
    EXPECT_FALSE(c.db->tx_location(a));
    EXPECT_GT(c.where(b).first, 2u);
    EXPECT_LT(c.where(b), c.where(d));
    const auto dropped = c.seq->dropped();
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].hash, a);
    EXPECT_EQ(dropped[0].reason.rfind("nonce too low", 0), 0u) << dropped[0].reason;
    EXPECT_EQ(c.seq->stats().dropped_txs, 1u);
    EXPECT_TRUE(c.warned(to_hex(a))) << "the dropped transaction's hash is logged";
}

TEST(SequencerRewind, NothingIsLostWhenStoppedBeforeResequencing) {
    Chain c;
    c.seq->start();
    std::vector<Hash32> txs;
    for (uint64_t i = 0; i < 3; ++i)
        txs.push_back(c.ack({.key = 3, .nonce = i}));
    c.seq->stop();
    // A rewind with the sealer stopped: the transactions wait in the pool, recorded durably.
    c.seq = nullptr;
    c.make_sequencer();
    auto report = c.seq->rewind({.keep_through = 0, .adopt = {}, .reason = "test"});
    ASSERT_TRUE(report.has_value()) << report.error();
    EXPECT_EQ(report->requeued, 3u);
    for (const auto& h : txs)
        EXPECT_FALSE(c.db->tx_location(h));
    c.seq = nullptr;  // stop: the waiting transactions are answered kShuttingDown, not dropped
    c.db = nullptr;   // "crash": close the database
    c.db = open_db(c.dir.path.string());
    c.make_sequencer();
    c.seq->start();
    ASSERT_TRUE(c.all_included(txs));
    for (size_t i = 1; i < txs.size(); ++i)
        EXPECT_LT(c.where(txs[i - 1]), c.where(txs[i]));
    EXPECT_EQ(c.seq->stats().dropped_txs, 0u);
}

TEST(SequencerRewind, HaltRefusesEverythingWithTheReason) {
    Chain c;
    c.seq->start();
    c.ack({.key = 4, .nonce = 0});
    c.seq->halt("L1 went away");
    ASSERT_TRUE(c.seq->halted());
    std::promise<SubmitResult> p;
    c.seq->submit(make_raw({.key = 4, .nonce = 1, .gas_limit = 100'000}),
                  [&p](SubmitResult r) { p.set_value(r); });
    const SubmitResult r = p.get_future().get();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason, R::kHalted);
    EXPECT_EQ(r.error().message, "L1 went away");
    EXPECT_FALSE(c.seq->rewind({.keep_through = 0, .adopt = {}, .reason = "x"}).has_value());
    EXPECT_EQ(c.head(), 1u);
}

TEST(SequencerRewind, NeverNamesAnOlderL1BlockThanItsParent) {
    Chain c;
    c.seq->start();
    c.set_l1(10, 70);
    c.ack({.key = 5, .nonce = 0});
    EXPECT_EQ(c.db->message(c.head())->l1_block_number, 10u);
    // The L1 view went back: the parent's block and base fee (one L1 block, one base fee).
    c.set_l1(5, 90);
    c.ack({.key = 5, .nonce = 1});
    EXPECT_EQ(c.db->message(c.head())->l1_block_number, 10u);
    EXPECT_EQ(c.db->message(c.head())->l1_base_fee, uint256{70});
    c.set_l1(11, 80);
    c.ack({.key = 5, .nonce = 2});
    EXPECT_EQ(c.db->message(c.head())->l1_block_number, 11u);
    EXPECT_EQ(c.db->message(c.head())->l1_base_fee, uint256{80});
}

}  // namespace
}  // namespace fuse::sequencer
