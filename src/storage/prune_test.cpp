// The pruner (docs/storage.md "Pruning"): what the window needs survives every cycle, a restart
// and rewinds across the window; a node a later block rewrites during a cycle survives it;
// archive mode deletes nothing; reads and rewinds below the window fail with a precise error.

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <chrono>
#include <thread>

#include "state/state.hpp"
#include "storage/codec.hpp"
#include "storage/database.hpp"
#include "storage/node_set.hpp"
#include "storage/test_util.hpp"

using namespace fuse;
using namespace fuse::storage;
using namespace fuse::storage::testing;

namespace {

constexpr uint64_t kAccounts = 40;

Options options_at(const TempDir& dir, bool archive = false) {
    Options o;
    o.path = (dir.path / "db").string();
    o.sync = false;
    o.block_cache_mb = 8;
    o.archive = archive;
    o.prune_keep = 20;
    o.prune_checkpoint = 8;
    o.prune_interval = 0;  // cycles only through prune_now, unless a test sets it
    return o;
}

std::unique_ptr<Database> open_or_fail(const Options& o) {
    auto db = Database::open(o);
    EXPECT_TRUE(db) << (db ? "" : db.error());
    return db ? std::move(db.value()) : nullptr;
}

/// Every account and slot random diffs can touch, read through `got` (a trie reader) and
/// compared with the reference state.
void expect_state(const state::InMemoryState& want, const state::StateReader& got,
                  const std::string& what) {
    for (uint64_t i = 0; i < kAccounts; ++i) {
        const Address a = test_address(i);
        auto acc = got.read_account(a);
        ASSERT_TRUE(acc) << what << " account " << i << ": " << state::to_string(acc.error());
        ASSERT_EQ(want.read_account(a).value(), *acc) << what << " account " << i;
        for (uint64_t k = 0; k < 16; ++k) {
            auto v = got.read_storage(a, uint256(k));
            ASSERT_TRUE(v) << what << " account " << i << " slot " << k << ": "
                           << state::to_string(v.error());
            ASSERT_EQ(want.read_storage(a, uint256(k)).value(), *v)
                << what << " account " << i << " slot " << k;
        }
    }
}

/// Blocks built from random diffs, with the reference state after each block kept.
struct Chain {
    Chain() = default;
    explicit Chain(std::unique_ptr<Database> d) : db(std::move(d)) {}
    std::unique_ptr<Database> db;
    std::mt19937_64 rng{7};
    state::InMemoryState ref;
    std::vector<state::InMemoryState> states;  ///< after block n
    std::vector<arbos::Block> blocks;
    std::vector<state::StateDiff> diffs;
    std::vector<arbos::Message> messages;

    void add(state::StateDiff diff) {
        diffs.push_back(std::move(diff));
        const Hash32 root = db->world().apply_diff(diffs.back()).value();
        ref.apply(diffs.back());
        ASSERT_EQ(root, ref.state_root());
        const uint64_t n = blocks.size();
        blocks.push_back(make_block(n, n ? blocks.back().hash : Hash32{}, root, rng() % 3, rng));
        arbos::Message m;
        m.timestamp = n;
        for (const auto& t : blocks.back().txs)
            m.txs.push_back(t.raw);
        messages.push_back(std::move(m));
        BlockCommit c{&blocks.back(), &diffs.back(), &messages.back()};
        auto r = db->commit({&c, 1});
        ASSERT_TRUE(r) << r.error();
        states.push_back(ref);
    }
    void grow(size_t count) {
        for (size_t i = 0; i < count; ++i)
            add(random_diff(rng, kAccounts, 8));
    }
    void finalize(uint64_t n) { ASSERT_TRUE(db->set_head(Head::kFinalized, n)); }
    /// The reference back at block `last` after the database was rewound there: the blocks
    /// after it are forgotten and the next ones grow from its state.
    void truncate(uint64_t last) {
        blocks.resize(last + 1);
        diffs.resize(last + 1);
        messages.resize(last + 1);
        states.resize(last + 1);
        ref = states.back();
    }
    uint64_t latest() const { return blocks.size() - 1; }
    /// Every block from `from` to the latest has its full state readable (`state_at_block`:
    /// through its trie, or the next kept one and the undo records in between), and every
    /// block whose trie the database says it keeps has it whole.
    void expect_window_readable(uint64_t from, const std::string& what) {
        for (uint64_t n = from; n <= latest(); ++n) {
            const std::string at = what + " block " + std::to_string(n);
            auto st = db->state_at_block(n);
            ASSERT_TRUE(st) << at;
            expect_state(states[n], *st, at);
            if (::testing::Test::HasFatalFailure()) return;
            if (db->trie_kept(n)) {
                expect_state(states[n], *db->state_at(blocks[n].header.state_root),
                             at + " (its trie)");
                if (::testing::Test::HasFatalFailure()) return;
            }
        }
    }
};

/// Writes one record straight into a closed database's column family `cf_name` (a test's
/// forgery), under the big-endian block number `number`.
void raw_put(const std::string& path, const std::string& cf_name, uint64_t number,
             const Bytes& value) {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (const auto& n : names)
        descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &handles, &raw).ok());
    uint8_t key[8];
    for (int i = 0; i < 8; ++i)
        key[i] = static_cast<uint8_t>(number >> (56 - 8 * i));
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] != cf_name) continue;
        EXPECT_TRUE(
            raw->Put(rocksdb::WriteOptions(), handles[i],
                     rocksdb::Slice(reinterpret_cast<const char*>(key), 8),
                     rocksdb::Slice(reinterpret_cast<const char*>(value.data()), value.size()))
                .ok());
    }
    for (auto* h : handles)
        raw->DestroyColumnFamilyHandle(h);
    delete raw;
}

/// Whether any read of block `n`'s state through the trie fails with a missing node.
bool state_is_gone(const Database& db, const Hash32& root) {
    auto st = db.state_at(root);
    for (uint64_t i = 0; i < kAccounts; ++i) {
        auto acc = st->read_account(test_address(i));
        if (!acc) return acc.error().kind == state::FaultKind::kMissingNode;
    }
    return false;
}

}  // namespace

TEST(NodeSet, ExactMembershipAcrossGrowth) {
    NodeSet s;
    std::mt19937_64 rng(1);
    std::vector<Hash32> in;
    for (int i = 0; i < 5000; ++i) {
        Hash32 h;
        for (auto& b : h.bytes)
            b = static_cast<uint8_t>(rng());
        in.push_back(h);
        EXPECT_TRUE(s.insert(h));
    }
    EXPECT_FALSE(s.insert(in[17]));
    EXPECT_TRUE(s.insert(Hash32{}));  // the all-zero prefix is a key like any other
    EXPECT_FALSE(s.insert(Hash32{}));
    EXPECT_EQ(s.size(), 5001u);
    for (const auto& h : in)
        EXPECT_TRUE(s.contains(h));
    Hash32 other = in[3];
    other[20] ^= 1;  // beyond the 16-byte prefix: the same key
    EXPECT_TRUE(s.contains(other));
    other[5] ^= 1;
    EXPECT_FALSE(s.contains(other));
    s.clear();
    EXPECT_FALSE(s.contains(in[0]));
    EXPECT_EQ(s.size(), 0u);
}

TEST(Pruning, WindowSurvivesCyclesRestartAndRewinds) {
    TempDir dir;
    const Options o = options_at(dir);
    Chain c{open_or_fail(o)};
    c.grow(1);
    uint64_t deleted = 0;
    for (int cycle = 0; cycle < 6; ++cycle) {
        c.grow(40);
        c.finalize(c.latest() - 5);  // the window: 20 blocks below finalized, and above it
        auto r = c.db->prune_now();
        ASSERT_TRUE(r) << r.error();
        EXPECT_EQ(r->oldest_state, c.latest() - 5 - 20);
        EXPECT_EQ(c.db->oldest_state_block(), c.latest() - 25);
        EXPECT_GT(r->last_deleted, 0u) << "cycle " << cycle;
        deleted += r->last_deleted;
        c.expect_window_readable(c.db->oldest_state_block(), "cycle " + std::to_string(cycle));
        ASSERT_FALSE(HasFatalFailure());
    }
    EXPECT_EQ(c.db->prune_status().deleted_total, deleted);
    const uint64_t oldest = c.db->oldest_state_block();
    EXPECT_TRUE(state_is_gone(*c.db, c.blocks[oldest - 30].header.state_root));
    // A second cycle with the same window has nothing to do.
    auto again = c.db->prune_now();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->oldest_state, oldest);

    // Restart: the mark is durable, every block is served, the window's states are readable.
    c.db.reset();
    c.db = open_or_fail(o);
    ASSERT_TRUE(c.db);
    EXPECT_EQ(c.db->oldest_state_block(), oldest);
    for (uint64_t n = 0; n <= c.latest(); ++n) {
        auto b = c.db->block_by_number(n);
        ASSERT_TRUE(b) << n;
        EXPECT_EQ(b->hash, c.blocks[n].hash);
        ASSERT_TRUE(c.db->message(n)) << n;
    }
    c.expect_window_readable(oldest, "after restart");
    ASSERT_FALSE(HasFatalFailure());
    auto flat = c.db->recompute_state_root();
    ASSERT_TRUE(flat);
    EXPECT_EQ(*flat, c.blocks.back().header.state_root);

    // Rewinds across the window: to its middle, then to its bottom; below it is refused.
    const uint64_t mid = oldest + 10;
    ASSERT_TRUE(c.db->rewind_to(mid));
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[mid].header.state_root);
    EXPECT_EQ(c.db->world().apply_diff(state::StateDiff{}).value(),
              c.blocks[mid].header.state_root);
    c.db->discard_staged();
    ASSERT_TRUE(c.db->rewind_to(oldest));
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[oldest].header.state_root);
    auto below = c.db->rewind_to(oldest - 1);
    ASSERT_FALSE(below);
    EXPECT_NE(below.error().find("cannot rewind to block " + std::to_string(oldest - 1)),
              std::string::npos)
        << below.error();
    EXPECT_NE(below.error().find("pruned"), std::string::npos) << below.error();
    EXPECT_NE(below.error().find("from block " + std::to_string(oldest)), std::string::npos);

    // The chain goes on from there (other blocks than before) and prunes again.
    c.truncate(oldest);
    c.rng.seed(99);
    c.grow(60);
    c.finalize(c.latest());
    auto r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->oldest_state, c.latest() - 20);
    c.expect_window_readable(r->oldest_state, "after the rewind");
}

TEST(Pruning, NodeRewrittenDuringACycleSurvivesIt) {
    // Account X's balance goes 1 -> 2 -> 1 with nothing else changing in between: the state
    // root of the third block is the first's, so every node of the first state (unmarked: it
    // is below the window) is written again by a block committed between mark and sweep.
    TempDir dir;
    Options o = options_at(dir);
    o.prune_keep = 0;
    Chain c;
    std::function<void()> commit_during_cycle;
    o.after_prune_mark = [&] { commit_during_cycle(); };
    c.db = open_or_fail(o);
    auto set_x = [](uint64_t balance) {
        state::StateDiff d;
        state::AccountUpdate u;
        u.address = test_address(3);
        state::Account a;
        a.balance = uint256(balance);
        u.account = a;
        u.storage.push_back({uint256(1), uint256(balance * 1000)});
        d.accounts.push_back(std::move(u));
        return d;
    };
    c.grow(5);
    c.add(set_x(1));
    const uint64_t first = c.latest();
    c.add(set_x(2));
    c.finalize(c.latest());  // the window is this block alone
    commit_during_cycle = [&] { c.add(set_x(1)); };
    auto r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(c.blocks.back().header.state_root, c.blocks[first].header.state_root);
    EXPECT_GT(r->last_kept_new, 0u);
    EXPECT_GT(r->last_deleted, 0u);
    c.expect_window_readable(c.latest(), "rewritten during the cycle");
    ASSERT_FALSE(HasFatalFailure());
    // The writer builds on it and a restart reads it.
    c.grow(3);
    c.db.reset();
    c.db = open_or_fail(o);
    c.expect_window_readable(c.latest() - 3, "after restart");
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
}

TEST(Pruning, ArchiveDeletesNothingAndAPrunedDatadirCannotBecomeOne) {
    TempDir dir;
    Options o = options_at(dir, true);
    Chain c{open_or_fail(o)};
    c.grow(120);
    c.finalize(c.latest());
    auto r = c.db->prune_now();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->archive);
    EXPECT_EQ(r->last_deleted + r->deleted_total, 0u);
    EXPECT_EQ(c.db->oldest_state_block(), 0u);
    c.expect_window_readable(0, "archive");
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(c.db->rewind_to(3));
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[3].header.state_root);
    c.truncate(3);
    c.grow(100);
    c.finalize(c.latest());

    // The same datadir as a full node prunes; then it refuses to open as an archive again.
    c.db.reset();
    o.archive = false;
    c.db = open_or_fail(o);
    auto p = c.db->prune_now();
    ASSERT_TRUE(p) << p.error();
    EXPECT_GT(p->last_deleted, 0u);
    const uint64_t oldest = c.db->oldest_state_block();
    EXPECT_EQ(oldest, c.latest() - 20);
    c.db.reset();
    o.archive = true;
    auto refused = Database::open(o);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find(o.path), std::string::npos) << refused.error();
    EXPECT_NE(refused.error().find("datadir was pruned"), std::string::npos) << refused.error();
    EXPECT_NE(refused.error().find("blocks " + std::to_string(oldest) + " and later"),
              std::string::npos)
        << refused.error();
    EXPECT_NE(refused.error().find("db.archive"), std::string::npos) << refused.error();
}

TEST(Pruning, WithoutAFinalizedHeadEveryStateStillReadsAndRewinds) {
    TempDir dir;
    Chain c{open_or_fail(options_at(dir))};
    c.grow(80);
    // No finalized head: nothing is final, so every undo record stays (every state reads and
    // every block can be rewound to); only the tries between checkpoints below the recent
    // ones go.
    auto r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->oldest_state, 0u);
    EXPECT_EQ(r->oldest_trie, 79u - 20u);  // blocks 0..79
    EXPECT_GT(r->last_deleted, 0u);
    c.expect_window_readable(0, "no finalized head");
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_TRUE(state_is_gone(*c.db, c.blocks[5].header.state_root));
    EXPECT_FALSE(c.db->trie_kept(5));
    EXPECT_TRUE(c.db->trie_kept(8));  // a checkpoint
    EXPECT_FALSE(state_is_gone(*c.db, c.blocks[8].header.state_root));

    c.finalize(30);  // the undo records and states of 30 - 20 = 10 and above stay
    r = c.db->prune_now();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->oldest_state, 10u);
    EXPECT_EQ(c.db->state_at_block(9), nullptr);
    c.expect_window_readable(10, "finalized 30");
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_TRUE(state_is_gone(*c.db, c.blocks[2].header.state_root));
}

TEST(Pruning, ARewindBelowTheRecentTriesRebuildsTheStateFromUndoRecords) {
    TempDir dir;
    const Options o = options_at(dir);
    Chain c{open_or_fail(o)};
    c.grow(100);
    c.finalize(90);
    auto r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    ASSERT_EQ(r->oldest_state, 70u);
    ASSERT_EQ(r->oldest_trie, 79u);
    // Block 75 is neither recent nor a checkpoint: its trie is gone, its state reads.
    ASSERT_TRUE(state_is_gone(*c.db, c.blocks[75].header.state_root));
    auto proofless = c.db->state_at_block(75);
    ASSERT_TRUE(proofless);
    expect_state(c.states[75], *proofless, "block 75 through undo records");
    ASSERT_FALSE(HasFatalFailure());

    ASSERT_TRUE(c.db->rewind_to(75));
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[75].header.state_root);
    EXPECT_TRUE(c.db->trie_kept(75));
    EXPECT_FALSE(state_is_gone(*c.db, c.blocks[75].header.state_root));
    expect_state(c.states[75], *c.db->state_at(c.blocks[75].header.state_root), "rebuilt 75");
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_EQ(c.db->world().apply_diff(state::StateDiff{}).value(), c.blocks[75].header.state_root);
    c.db->discard_staged();

    // The chain goes on from the rebuilt state, prunes again, and a restart keeps it all.
    c.truncate(75);
    c.rng.seed(5);
    c.grow(50);
    c.finalize(c.latest() - 2);
    r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    c.expect_window_readable(r->oldest_state, "after the rebuild");
    ASSERT_FALSE(HasFatalFailure());
    c.db.reset();
    c.db = open_or_fail(o);
    EXPECT_EQ(c.db->prune_status().oldest_trie, r->oldest_trie);
    c.expect_window_readable(r->oldest_state, "after the rebuild and a restart");
    ASSERT_FALSE(HasFatalFailure());
    // A rewind to the bottom of the window rebuilds it too.
    ASSERT_TRUE(c.db->rewind_to(r->oldest_state + 1));
    EXPECT_EQ(c.db->recompute_state_root().value(),
              c.blocks[r->oldest_state + 1].header.state_root);
}

TEST(Pruning, ARebuildThatDoesNotGiveTheBlocksRootIsRefused) {
    TempDir dir;
    const Options o = options_at(dir);
    Chain c{open_or_fail(o)};
    c.grow(61);
    c.finalize(30);  // undo from block 10 up, whole tries from 40 up
    ASSERT_TRUE(c.db->prune_now());
    ASSERT_FALSE(c.db->trie_kept(35));
    // Forge block 38's undo record: the rebuilt root cannot be block 35's.
    UndoRecord forged;
    AccountRecord rec;
    rec.account.balance = uint256(123456789);
    forged.accounts.emplace_back(test_address(1), rec);
    c.db.reset();
    raw_put(o.path, "undo", 38, encode_undo(forged));
    ASSERT_FALSE(HasFatalFailure());
    c.db = open_or_fail(o);
    auto r = c.db->rewind_to(35);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("rebuild state root"), std::string::npos) << r.error();
    EXPECT_NE(r.error().find("for block 35"), std::string::npos) << r.error();
    // Nothing changed: the head, the flat state and the writer's trie are the latest's.
    EXPECT_EQ(c.db->head(Head::kLatest), 60u);
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[60].header.state_root);
    EXPECT_EQ(c.db->world().apply_diff(state::StateDiff{}).value(), c.blocks[60].header.state_root);
}

TEST(Pruning, BeyondTheWindowTheErrorNamesTheBlockAndTheOldestKept) {
    EXPECT_EQ(pruned_state_message(12, 5000),
              "missing trie node: state of block 12 is pruned (this node keeps state from block "
              "5000; run an archive node for history)");
}

TEST(Pruning, BackgroundCyclesRunWhileBlocksAreCommitted) {
    TempDir dir;
    Options o = options_at(dir);
    o.prune_interval = 25;
    o.prune_min_nodes = 1'000'000;
    std::atomic<int> reported{0};
    o.on_prune = [&](const PruneStatus&) { reported.fetch_add(1); };
    Chain c{open_or_fail(o)};
    c.grow(1);
    for (int i = 0; i < 12; ++i) {
        c.grow(25);
        c.finalize(c.latest() - 3);
    }
    // The cycles run on the pruner's thread; wait (bounded) for one to be reported, then for
    // any still running (prune_now waits for it, then has the last blocks to do).
    for (int i = 0; i < 500 && reported.load() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_GT(reported.load(), 0);
    EXPECT_GT(c.db->prune_status().cycles, 0u);
    ASSERT_TRUE(c.db->prune_now());
    EXPECT_EQ(c.db->oldest_state_block(), c.latest() - 23);
    const uint64_t oldest = c.db->oldest_state_block();
    EXPECT_GT(oldest, 0u);
    EXPECT_GT(c.db->prune_status().deleted_total, 0u);
    c.expect_window_readable(oldest, "background");
    ASSERT_FALSE(HasFatalFailure());
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
}

TEST(Pruning, ATriggerDuringThePauseAfterACycleStartsTheNextWhenThePauseEnds) {
    // Options::prune_max_busy: after each background cycle the pruner pauses; a commit that
    // asks for a cycle meanwhile must not be lost (the next cycle runs once the pause ends).
    TempDir dir;
    Options o = options_at(dir);
    o.prune_interval = 25;
    o.prune_min_nodes = 1'000'000;
    o.prune_max_busy = 10;  // pause = 9 x the cycle's time
    std::atomic<int> reported{0};
    o.on_prune = [&](const PruneStatus&) { reported.fetch_add(1); };
    Chain c{open_or_fail(o)};
    c.grow(1);
    auto wait_for = [&](int n) {
        for (int i = 0; i < 3000 && reported.load() < n; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return reported.load();
    };
    for (int round = 1; round <= 3; ++round) {
        c.grow(25);
        c.finalize(c.latest() - 3);
        EXPECT_GE(wait_for(round), round) << "cycle " << round << " never ran";
    }
    EXPECT_GE(c.db->prune_status().cycles, 3u);
    EXPECT_EQ(c.db->prune_status().last_error, "");
    const uint64_t oldest = c.db->oldest_state_block();
    EXPECT_GT(oldest, 0u);
    c.expect_window_readable(oldest, "after paused cycles");
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);

    Options bad = options_at(dir);
    bad.prune_max_busy = 0;
    EXPECT_EQ(bad.validate(), "prune-max-busy must be between 1 and 100 (percent)");
    bad.prune_max_busy = 101;
    EXPECT_EQ(bad.validate(), "prune-max-busy must be between 1 and 100 (percent)");
}

TEST(Pruning, ACycleCompactsOnlyOnceTheDeletesSinceTheLastCompactionAreAQuarterOfTheKept) {
    // Options::prune_compact: a cycle that deletes a few nodes of a large kept state leaves
    // them to RocksDB; the cycle at which the deletes since the last compaction reach a
    // quarter of the nodes it marked compacts, and the count starts again.
    TempDir dir;
    Chain c{open_or_fail(options_at(dir))};
    c.grow(200);
    c.finalize(c.latest() - 3);
    ASSERT_TRUE(c.db->prune_now());
    uint64_t since = c.db->prune_status().uncompacted_deleted;
    int skipped = 0, compacted = 0;
    for (int i = 0; i < 300 && compacted < 2; ++i) {
        const uint64_t before = c.db->prune_status().compactions;
        c.grow(1);
        c.finalize(c.latest() - 3);
        ASSERT_TRUE(c.db->prune_now());
        const PruneStatus s = c.db->prune_status();
        since += s.last_deleted;
        if (s.compactions > before) {
            EXPECT_GE(since * 4, s.last_marked) << "cycle " << i << " compacted too early";
            EXPECT_GT(s.last_compact_seconds, 0.0);
            since = 0;
            ++compacted;
        } else {
            EXPECT_EQ(s.uncompacted_deleted, since) << "cycle " << i;
            EXPECT_LT(since * 4, s.last_marked) << "cycle " << i << " should have compacted";
            EXPECT_EQ(s.last_compact_seconds, 0.0);
            if (s.last_deleted > 0) ++skipped;
        }
    }
    EXPECT_GT(skipped, 0) << "no cycle deleted without compacting";
    EXPECT_EQ(compacted, 2) << "the deletes never added up to a compaction";
    c.expect_window_readable(c.db->oldest_state_block(), "after the cycles");
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
}

TEST(Pruning, AReadBetweenCheckpointsAfterARewindSeesTheNewBlocksNotACachedMerge) {
    // state_at_block caches the merged undo records of its last reads between checkpoints;
    // a rewind and other blocks at the same numbers must never be answered from that cache.
    TempDir dir;
    Chain c{open_or_fail(options_at(dir))};
    c.grow(100);
    c.finalize(90);
    auto r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    ASSERT_FALSE(c.db->trie_kept(75));
    for (int i = 0; i < 2; ++i) {  // the second read is the cached merge
        auto st = c.db->state_at_block(75);
        ASSERT_TRUE(st);
        expect_state(c.states[75], *st, "block 75, read " + std::to_string(i));
        ASSERT_FALSE(HasFatalFailure());
    }
    const state::InMemoryState old75 = c.states[75];

    ASSERT_TRUE(c.db->rewind_to(72));
    c.truncate(72);
    c.rng.seed(11);
    c.grow(27);  // blocks 73..99 again, other diffs
    c.finalize(90);
    r = c.db->prune_now();
    ASSERT_TRUE(r) << r.error();
    ASSERT_FALSE(c.db->trie_kept(75));
    ASSERT_NE(c.states[75].state_root(), old75.state_root());
    auto st = c.db->state_at_block(75);
    ASSERT_TRUE(st);
    expect_state(c.states[75], *st, "block 75 after the rewind");
    ASSERT_FALSE(HasFatalFailure());
    c.expect_window_readable(r->oldest_state, "after the rewind");
}

TEST(Pruning, GarbageWrittenFasterThanPausedCyclesDeleteItEndsThePause) {
    // A cycle that takes over a second with prune_max_busy = 1 pauses over 99 s; blocks that
    // write twice the trigger's nodes meanwhile must start the next cycle without that wait
    // (else a sustained load could grow the datadir without bound). The test waits at most
    // 60 s, well under the pause.
    TempDir dir;
    Options o = options_at(dir);
    o.prune_interval = 1'000'000;  // only the node count triggers
    o.prune_min_nodes = 50;
    o.prune_max_busy = 1;
    std::atomic<int> reported{0}, slow_done{0};
    std::atomic<bool> slow{true};
    o.after_prune_mark = [&] {
        if (slow.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    };
    o.on_prune = [&](const PruneStatus&) {
        const int n = reported.fetch_add(1) + 1;
        if (!slow.load() && slow_done.load() == 0) slow_done.store(n);  // the slow cycle's
    };
    Chain c{open_or_fail(o)};
    auto wait_for = [&](int n) {
        for (int i = 0; i < 6000 && reported.load() < n; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return reported.load();
    };
    while (slow_done.load() == 0 && c.blocks.size() < 400) {
        c.grow(5);
        c.finalize(c.latest() - 3);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_GT(slow_done.load(), 0) << "no cycle got to its mark";
    const int after_slow = slow_done.load();
    const uint64_t trigger = std::max<uint64_t>(50, c.db->prune_status().last_marked);
    // Each random block writes a few dozen nodes: write well over twice the trigger.
    const size_t blocks = 3 * trigger / 10 + 20;
    c.grow(blocks);
    c.finalize(c.latest() - 3);
    EXPECT_GT(wait_for(after_slow + 1), after_slow) << "the next cycle waited for the pause";
    c.expect_window_readable(c.db->oldest_state_block(), "after the overdue cycle");
}
