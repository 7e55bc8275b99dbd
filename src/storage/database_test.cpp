#include "storage/database.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include "state/state.hpp"
#include "storage/test_util.hpp"

using namespace fuse;
using namespace fuse::storage;
using namespace fuse::storage::testing;

namespace {

constexpr uint64_t kAccounts = 40;

std::unique_ptr<Database> open_db(const TempDir& dir, bool sync = false) {
    Options o;
    o.path = dir.path.string();
    o.sync = sync;
    o.block_cache_mb = 8;
    auto db = Database::open(o);
    EXPECT_TRUE(db) << (db ? "" : db.error());
    return std::move(db.value());
}

/// Every account and slot the random diffs can touch, compared between two readers.
void expect_same_state(const state::StateReader& want, const state::StateReader& got,
                       const std::string& what) {
    for (uint64_t i = 0; i < kAccounts; ++i) {
        const Address a = test_address(i);
        ASSERT_EQ(want.read_account(a).value(), got.read_account(a).value())
            << what << " account " << i;
        ASSERT_EQ(want.has_storage(a).value(), got.has_storage(a).value())
            << what << " has_storage " << i;
        for (uint64_t k = 0; k < 16; ++k)
            ASSERT_EQ(want.read_storage(a, uint256(k)).value(),
                      got.read_storage(a, uint256(k)).value())
                << what << " account " << i << " slot " << k;
        if (auto acc = want.read_account(a).value()) {
            ASSERT_EQ(want.read_code(acc->code_hash).value(), got.read_code(acc->code_hash).value())
                << what;
        }
    }
}

/// Builds blocks on a database and on an InMemoryState reference side by side.
struct Chain {
    explicit Chain(std::unique_ptr<Database> d) : db(std::move(d)) {}
    std::unique_ptr<Database> db;
    state::InMemoryState ref;
    std::vector<arbos::Block> blocks;
    std::vector<arbos::Message> messages;
    std::vector<state::StateDiff> diffs;
    std::mt19937_64 rng{42};

    /// Stages one block (apply_diff) without committing it.
    const arbos::Block& stage(size_t updates = 8) {
        diffs.push_back(random_diff(rng, kAccounts, updates));
        const Hash32 root = db->world().apply_diff(diffs.back()).value();
        ref.apply(diffs.back());
        EXPECT_EQ(root, ref.state_root()) << "block " << blocks.size();
        const uint64_t n = blocks.size();
        blocks.push_back(make_block(n, n ? blocks.back().hash : Hash32{}, root, rng() % 4, rng));
        arbos::Message m;
        m.l1_block_number = 1000 + n;
        m.l1_base_fee = uint256(7 + n);
        m.timestamp = 1'700'000'000 + n;
        for (const auto& t : blocks.back().txs)
            m.txs.push_back(t.raw);
        messages.push_back(std::move(m));
        return blocks.back();
    }
    BlockCommit commit_of(size_t n) const { return {&blocks[n], &diffs[n], &messages[n]}; }
    void commit_range(size_t from, size_t to) {
        std::vector<BlockCommit> cs;
        for (size_t n = from; n < to; ++n)
            cs.push_back(commit_of(n));
        auto r = db->commit(cs);
        ASSERT_TRUE(r) << r.error();
    }
    void grow(size_t count) {
        for (size_t i = 0; i < count; ++i) {
            stage();
            commit_range(blocks.size() - 1, blocks.size());
        }
    }
};

}  // namespace

TEST(Database, EmptyDatabaseHasNoHead) {
    TempDir dir;
    auto db = open_db(dir);
    EXPECT_FALSE(db->head(Head::kLatest));
    EXPECT_FALSE(db->block_by_number(0));
    EXPECT_EQ(db->world().read_account(test_address(1)).value(), std::nullopt);
    EXPECT_EQ(db->recompute_state_root().value(), kEmptyTrieRoot);
}

TEST(Database, OpenFailureNamesThePath) {
    Options o;
    o.path = "/proc/definitely/not/here";
    auto db = Database::open(o);
    ASSERT_FALSE(db);
    EXPECT_NE(db.error().find("/proc/definitely/not/here"), std::string::npos);
}

TEST(Database, CommittedBlocksReadBackExactly) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(12);
    EXPECT_EQ(c.db->head(Head::kLatest), 11u);
    for (size_t n = 0; n < c.blocks.size(); ++n) {
        const arbos::Block& want = c.blocks[n];
        auto got = c.db->block_by_number(n);
        ASSERT_TRUE(got);
        EXPECT_EQ(got->header, want.header);
        EXPECT_EQ(got->hash, want.hash);
        EXPECT_EQ(got->send_root, want.send_root);
        EXPECT_EQ(got->send_count, want.send_count);
        EXPECT_EQ(got->l1_block_number, want.l1_block_number);
        ASSERT_EQ(got->txs.size(), want.txs.size());
        for (size_t i = 0; i < want.txs.size(); ++i) {
            const auto& a = got->txs[i];
            const auto& b = want.txs[i];
            EXPECT_EQ(a.raw, b.raw);
            EXPECT_EQ(a.tx, b.tx);
            EXPECT_EQ(a.hash, b.hash);
            EXPECT_EQ(a.sender, b.sender);
            EXPECT_EQ(a.receipt, b.receipt);
            EXPECT_EQ(a.gas_used, b.gas_used);
            EXPECT_EQ(a.gas_used_for_l1, b.gas_used_for_l1);
            EXPECT_EQ(a.effective_gas_price, b.effective_gas_price);
            EXPECT_EQ(a.contract_address, b.contract_address);
            EXPECT_EQ(a.first_log_index, b.first_log_index);
            auto loc = c.db->tx_location(b.hash);
            ASSERT_TRUE(loc);
            EXPECT_EQ(loc->block_number, n);
            EXPECT_EQ(loc->index, i);
        }
        EXPECT_EQ(c.db->block_by_hash(want.hash)->header, want.header);
        EXPECT_EQ(c.db->block_hash(n), want.hash);
        EXPECT_EQ(c.db->header_by_number(n), want.header);
        EXPECT_EQ(c.db->message(n), c.messages[n]);
    }
    EXPECT_FALSE(c.db->block_by_number(12));
    EXPECT_FALSE(c.db->tx_location(keccak256(Bytes{1})));
}

TEST(Database, RootsMatchTheInMemoryReferenceAndFlatRecompute) {
    TempDir dir;
    Chain c{open_db(dir)};
    std::vector<state::InMemoryState> snapshots;
    for (int n = 0; n < 60; ++n) {
        c.stage(n % 7 == 0 ? 30 : 8);
        c.commit_range(c.blocks.size() - 1, c.blocks.size());
        snapshots.push_back(c.ref);
        ASSERT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
    }
    expect_same_state(c.ref, c.db->world(), "world");
    expect_same_state(c.ref, *c.db->latest_state(), "latest_state");
    // Archive: every committed root is readable through the tries.
    for (size_t n : {0u, 5u, 31u, 59u})
        expect_same_state(snapshots[n], *c.db->state_at(c.blocks[n].header.state_root),
                          "state_at " + std::to_string(n));
}

TEST(Database, StagedDiffsAreVisibleThroughWorldButNotLatestStateUntilCommit) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(3);
    const state::InMemoryState committed = c.ref;
    c.stage();
    c.stage();
    c.stage();
    expect_same_state(c.ref, c.db->world(), "world with 3 staged");
    expect_same_state(committed, *c.db->latest_state(), "latest before commit");
    auto reader = c.db->latest_state();  // a snapshot taken before the commit stays as it was
    c.commit_range(3, 5);                // group commit of two blocks, one left staged
    EXPECT_EQ(c.db->head(Head::kLatest), 4u);
    expect_same_state(c.ref, c.db->world(), "world after partial commit");
    expect_same_state(committed, *reader, "old snapshot");
    c.commit_range(5, 6);
    expect_same_state(c.ref, *c.db->latest_state(), "latest after commit");
    EXPECT_EQ(c.db->recompute_state_root().value(), c.ref.state_root());
}

TEST(Database, MemtablesStayWithinTheirBudgetWhateverIsWritten) {
    // 14 column families would each hold up to 2 x 64 MiB of memtables without a shared
    // budget (this test peaked at 121 MiB without it); with db.write-buffer-mb = 4 all of them
    // together stay near the budget plus each family's floor of arena blocks (~11 MiB
    // measured on an idle machine) while far more than that is written (docs/storage.md
    // "Memory"). The budget makes writes switch memtables and schedule flushes; it does not
    // stall them, so how far above it the total peaks depends on how fast the flush thread
    // runs: 19 MiB was seen on a loaded CI machine. The bound below allows for that and still
    // fails without the budget.
    TempDir dir;
    Options o;
    o.path = dir.path.string();
    o.sync = false;
    o.block_cache_mb = 8;
    o.write_buffer_mb = 4;
    auto opened = Database::open(o);
    ASSERT_TRUE(opened) << opened.error();
    Chain c{std::move(opened.value())};
    uint64_t peak = 0;
    for (int i = 0; i < 60; ++i) {
        for (int k = 0; k < 50; ++k) {
            c.stage(40);
            c.commit_range(c.blocks.size() - 1, c.blocks.size());
        }
        const MemoryUsage m = c.db->memory_usage();
        peak = std::max(peak, m.memtables);
        EXPECT_GT(m.memtables, 0u);
        EXPECT_LE(m.block_cache, uint64_t{8} << 20);
    }
    EXPECT_LE(peak, uint64_t{32} << 20) << "memtables peaked at " << peak << " bytes";
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
    c.db.reset();  // closed: no background compaction removes files while they are counted
    uint64_t on_disk = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir.path))
        if (f.is_regular_file()) on_disk += f.file_size();
    EXPECT_GT(on_disk, uint64_t{12} << 20) << "the test must write well past the budget";
}

TEST(Database, OptionsRefuseAWriteBufferBudgetOutOfRange) {
    Options o;
    o.path = "/tmp/x";
    EXPECT_EQ(o.validate(), "");
    o.write_buffer_mb = 2;
    EXPECT_EQ(o.validate(), "write-buffer-mb must be at least 4");
    o.write_buffer_mb = (size_t{1} << 20) + 1;
    EXPECT_EQ(o.validate(), "write-buffer-mb must be at most 1048576 (1 TiB)");
}

TEST(Database, ReopenResumesWithTheSameState) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(10);
    c.stage();  // staged, never committed: lost on close
    c.db.reset();
    c.db = open_db(dir);
    EXPECT_EQ(c.db->head(Head::kLatest), 9u);
    // Undo the lost block in the reference and the chain.
    c.blocks.pop_back();
    c.messages.pop_back();
    c.diffs.pop_back();
    c.ref = state::InMemoryState{};
    for (const auto& d : c.diffs)
        c.ref.apply(d);
    expect_same_state(c.ref, c.db->world(), "world after reopen");
    c.grow(5);  // continues on the reopened trie
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
}

TEST(Database, RewindRestoresFlatStateAndDropsBlocks) {
    TempDir dir;
    Chain c{open_db(dir)};
    std::vector<state::InMemoryState> snapshots;
    for (int n = 0; n < 20; ++n) {
        c.grow(1);
        snapshots.push_back(c.ref);
    }
    ASSERT_TRUE(c.db->set_head(Head::kSafe, 15));
    ASSERT_TRUE(c.db->set_head(Head::kFinalized, 8));
    ASSERT_TRUE(c.db->rewind_to(10));
    EXPECT_EQ(c.db->head(Head::kLatest), 10u);
    EXPECT_EQ(c.db->head(Head::kSafe), 10u);
    EXPECT_EQ(c.db->head(Head::kFinalized), 8u);
    EXPECT_FALSE(c.db->block_by_number(11));
    EXPECT_FALSE(c.db->message(11));
    for (size_t n = 11; n < 20; ++n) {
        EXPECT_FALSE(c.db->block_by_hash(c.blocks[n].hash));
        for (const auto& t : c.blocks[n].txs)
            EXPECT_FALSE(c.db->tx_location(t.hash));
    }
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks[10].header.state_root);
    expect_same_state(snapshots[10], *c.db->latest_state(), "after rewind");
    expect_same_state(snapshots[10], c.db->world(), "world after rewind");
    // Build a different block 11 on top.
    c.blocks.resize(11);
    c.messages.resize(11);
    c.diffs.resize(11);
    c.ref = snapshots[10];
    c.rng.seed(999);
    c.grow(3);
    EXPECT_EQ(c.db->recompute_state_root().value(), c.blocks.back().header.state_root);
    EXPECT_FALSE(c.db->rewind_to(50));
}

TEST(Database, CommitRefusesBlocksThatDoNotFit) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(2);
    std::mt19937_64 rng(1);
    // Wrong number.
    arbos::Block skip =
        make_block(5, c.blocks.back().hash, c.blocks.back().header.state_root, 0, rng);
    BlockCommit bc{&skip, nullptr, nullptr};
    EXPECT_FALSE(c.db->commit({&bc, 1}));
    // Wrong parent.
    arbos::Block orphan = make_block(2, Hash32{}, c.blocks.back().header.state_root, 0, rng);
    bc.block = &orphan;
    EXPECT_FALSE(c.db->commit({&bc, 1}));
    // A state root nobody staged.
    arbos::Block unstaged = make_block(2, c.blocks.back().hash, keccak256(Bytes{9}), 0, rng);
    bc.block = &unstaged;
    auto r = c.db->commit({&bc, 1});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("apply_diff"), std::string::npos);
    EXPECT_EQ(c.db->head(Head::kLatest), 1u);
    // A diff passed only to commit is staged by commit itself.
    state::StateDiff d = random_diff(rng, kAccounts, 5);
    c.ref.apply(d);
    arbos::Block ok = make_block(2, c.blocks.back().hash, c.ref.state_root(), 1, rng);
    BlockCommit okc{&ok, &d, nullptr};
    ASSERT_TRUE(c.db->commit({&okc, 1}));
    EXPECT_EQ(c.db->head(Head::kLatest), 2u);
    EXPECT_FALSE(c.db->message(2));
}

TEST(Database, LogsFilterByAddressTopicAndRange) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(30);
    struct Want {
        uint64_t block;
        uint32_t log_index;
    };
    auto expected = [&](const LogFilter& f) {
        std::vector<Want> out;
        for (uint64_t n = f.from_block; n <= std::min<uint64_t>(f.to_block, 29); ++n) {
            uint32_t li = 0;
            for (const auto& t : c.blocks[n].txs)
                for (const Log& l : t.receipt.logs) {
                    bool ok = f.addresses.empty() ||
                              std::find(f.addresses.begin(), f.addresses.end(), l.address) !=
                                  f.addresses.end();
                    for (size_t p = 0; p < f.topics.size() && ok; ++p)
                        if (!f.topics[p].empty())
                            ok = p < l.topics.size() &&
                                 std::find(f.topics[p].begin(), f.topics[p].end(), l.topics[p]) !=
                                     f.topics[p].end();
                    if (ok) out.push_back({n, li});
                    ++li;
                }
        }
        return out;
    };
    Hash32 t0;
    t0[31] = 1;
    Hash32 t1;
    t1[0] = 1;
    t1[31] = 2;
    std::vector<LogFilter> filters = {
        {0, 29, {}, {}},
        {3, 17, {test_address(7001)}, {}},
        {0, 100, {test_address(7000), test_address(7002)}, {}},
        {0, 29, {}, {{t0}}},
        {0, 29, {}, {{}, {t1}}},
        {5, 25, {test_address(7002)}, {{t0}, {t1}}},
        {10, 10, {}, {}},
    };
    for (size_t i = 0; i < filters.size(); ++i) {
        auto want = expected(filters[i]);
        auto got = c.db->logs(filters[i], 10'000);
        ASSERT_TRUE(got) << got.error();
        ASSERT_EQ(got->size(), want.size()) << "filter " << i;
        for (size_t k = 0; k < want.size(); ++k) {
            const LogEntry& e = (*got)[k];
            EXPECT_EQ(e.block_number, want[k].block);
            EXPECT_EQ(e.log_index, want[k].log_index);
            EXPECT_EQ(e.block_hash, c.blocks[e.block_number].hash);
            const auto& tx = c.blocks[e.block_number].txs[e.tx_index];
            EXPECT_EQ(e.tx_hash, tx.hash);
            EXPECT_EQ(e.log, tx.receipt.logs[e.log_index - tx.first_log_index]);
        }
    }
    ASSERT_GT(expected(filters[0]).size(), 3u);
    auto limited = c.db->logs(filters[0], 3);
    ASSERT_FALSE(limited);
    EXPECT_NE(limited.error().find("more than 3"), std::string::npos);
}

TEST(Database, MetaAndHeads) {
    TempDir dir;
    Chain c{open_db(dir)};
    EXPECT_FALSE(c.db->get_meta("poster.batch"));
    ASSERT_TRUE(c.db->put_meta("poster.batch", Bytes{1, 2, 3}));
    EXPECT_EQ(c.db->get_meta("poster.batch"), (Bytes{1, 2, 3}));
    EXPECT_FALSE(c.db->set_head(Head::kSafe, 0));  // no block yet
    c.grow(4);
    ASSERT_TRUE(c.db->set_head(Head::kSafe, 2));
    EXPECT_EQ(c.db->head(Head::kSafe), 2u);
    EXPECT_FALSE(c.db->head(Head::kFinalized));
    c.db.reset();
    c.db = open_db(dir);
    EXPECT_EQ(c.db->get_meta("poster.batch"), (Bytes{1, 2, 3}));
    EXPECT_EQ(c.db->head(Head::kSafe), 2u);
    EXPECT_EQ(c.db->head(Head::kLatest), 3u);
}

// The sequencer's pattern: one thread builds blocks on the staged state while another commits
// them (group commit), and RPC threads read committed blocks and snapshots meanwhile.
TEST(Database, CommitOnAnotherThreadWhileBuildingAndReading) {
    TempDir dir;
    auto db = open_db(dir);
    constexpr size_t kBlocks = 120;
    std::vector<arbos::Block> blocks(kBlocks);
    std::vector<state::StateDiff> diffs(kBlocks);
    std::vector<Hash32> expected_roots(kBlocks);
    std::atomic<size_t> built{0};
    std::atomic<bool> failed{false};
    std::thread builder([&] {
        std::mt19937_64 rng(5);
        state::InMemoryState ref;
        Hash32 parent;
        for (size_t n = 0; n < kBlocks; ++n) {
            diffs[n] = random_diff(rng, kAccounts, 10);
            const Hash32 root = db->world().apply_diff(diffs[n]).value();
            ref.apply(diffs[n]);
            if (root != ref.state_root()) failed = true;
            // The builder reads its own staged writes.
            for (const auto& u : diffs[n].accounts)
                if (db->world().read_account(u.address).value() != u.account) failed = true;
            blocks[n] = make_block(n, parent, root, 2, rng);
            parent = blocks[n].hash;
            expected_roots[n] = root;
            built.store(n + 1, std::memory_order_release);
        }
    });
    std::thread reader([&] {
        while (built.load(std::memory_order_acquire) < kBlocks || !db->head(Head::kLatest) ||
               *db->head(Head::kLatest) + 1 < kBlocks) {
            if (auto h = db->head(Head::kLatest)) {
                auto b = db->block_by_number(*h);
                if (!b || b->header.state_root != expected_roots[*h]) failed = true;
                auto snap = db->latest_state();
                (void)snap->read_account(test_address(3)).value();
            }
            std::this_thread::yield();
        }
    });
    size_t committed = 0;
    while (committed < kBlocks) {
        const size_t ready = built.load(std::memory_order_acquire);
        if (ready == committed) {
            std::this_thread::yield();
            continue;
        }
        std::vector<BlockCommit> cs;
        for (size_t n = committed; n < ready; ++n)
            cs.push_back({&blocks[n], &diffs[n], nullptr});
        auto r = db->commit(cs);
        ASSERT_TRUE(r) << r.error();
        committed = ready;
    }
    builder.join();
    reader.join();
    EXPECT_FALSE(failed);
    EXPECT_EQ(db->head(Head::kLatest), kBlocks - 1);
    EXPECT_EQ(db->recompute_state_root().value(), blocks.back().header.state_root);
}

TEST(Database, DiscardStagedReturnsToTheCommittedState) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(5);
    const state::InMemoryState committed = c.ref;
    c.stage();
    c.stage();
    c.db->discard_staged();
    expect_same_state(committed, c.db->world(), "after discard");
    // The abandoned blocks cannot be committed any more; a new block 5 can.
    auto r = c.db->commit(std::vector<BlockCommit>{{&c.blocks[5], nullptr, nullptr}});
    EXPECT_FALSE(r);
    c.blocks.resize(5);
    c.messages.resize(5);
    c.diffs.resize(5);
    c.ref = committed;
    c.grow(2);
    EXPECT_EQ(c.db->head(Head::kLatest), 6u);
    EXPECT_EQ(c.db->recompute_state_root().value(), c.ref.state_root());
}

// One commit of many blocks coalesces the flat-state writes (docs/storage.md "Staging and
// commit protocol"): the database it leaves must be the one that per-block commits leave —
// flat state, every block's state through the tries, undo records (rewinds), blocks and the tx
// index — with keys rewritten, wiped and deleted across the blocks of the one commit.
TEST(Database, ABatchCommitLeavesTheSameDatabaseAsPerBlockCommits) {
    TempDir dir_one, dir_batch;
    Chain one{open_db(dir_one)}, batch{open_db(dir_batch)};
    batch.rng.seed(7);
    one.rng.seed(7);
    std::vector<state::InMemoryState> snapshots;
    for (size_t chunk : {1u, 40u, 3u, 25u}) {
        const size_t from = batch.blocks.size();
        for (size_t i = 0; i < chunk; ++i) {
            batch.stage(12);
            one.stage(12);
            one.commit_range(one.blocks.size() - 1, one.blocks.size());
            snapshots.push_back(batch.ref);
        }
        batch.commit_range(from, batch.blocks.size());
        ASSERT_EQ(batch.blocks.back().hash, one.blocks.back().hash);
        expect_same_state(one.ref, *batch.db->latest_state(), "flat state after a batch");
        expect_same_state(*one.db->latest_state(), *batch.db->latest_state(), "flat states");
        ASSERT_EQ(batch.db->recompute_state_root().value(), batch.blocks.back().header.state_root);
    }
    const size_t n = batch.blocks.size();
    EXPECT_EQ(batch.db->head(Head::kLatest), n - 1);
    for (size_t b = 0; b < n; ++b) {
        expect_same_state(snapshots[b], *batch.db->state_at(batch.blocks[b].header.state_root),
                          "state_at " + std::to_string(b));
        EXPECT_EQ(batch.db->block_by_number(b)->hash, one.blocks[b].hash);
        for (size_t t = 0; t < batch.blocks[b].txs.size(); ++t) {
            auto loc = batch.db->tx_location(batch.blocks[b].txs[t].hash);
            ASSERT_TRUE(loc);
            EXPECT_EQ(loc->block_number, b);
            EXPECT_EQ(loc->index, t);
        }
    }
    // The undo records are per block as before: rewinding into the middle of the big commit
    // gives the state of that block on both.
    for (uint64_t to : {50u, 30u, 10u}) {
        ASSERT_TRUE(batch.db->rewind_to(to));
        ASSERT_TRUE(one.db->rewind_to(to));
        expect_same_state(snapshots[to], *batch.db->latest_state(), "batch rewound");
        expect_same_state(snapshots[to], *one.db->latest_state(), "per-block rewound");
        EXPECT_EQ(batch.db->recompute_state_root().value(), batch.blocks[to].header.state_root);
    }
}

// A slot written, then its account wiped, then written again, all in the blocks of one commit:
// only what the last wipe left and what came after it is in the flat state.
TEST(Database, ABatchCommitKeepsOnlyTheWritesAfterTheLastWipe) {
    TempDir dir;
    Chain c{open_db(dir)};
    const Address a = test_address(3), b = test_address(4);
    const auto update = [](const Address& addr, uint64_t nonce, bool wipe,
                           std::vector<state::StorageChange> storage) {
        state::AccountUpdate u;
        u.address = addr;
        state::Account acc;
        acc.nonce = nonce;
        u.account = acc;
        u.storage_cleared = wipe;
        u.storage = std::move(storage);
        return u;
    };
    // Committed first: slots 1, 2 of `a` and slot 1 of `b` in the database.
    state::StateDiff d0;
    d0.accounts.push_back(
        update(a, 1, false, {{uint256(1), uint256(11)}, {uint256(2), uint256(12)}}));
    d0.accounts.push_back(update(b, 1, false, {{uint256(1), uint256(21)}}));
    state::StateDiff d1;  // a: slot 3 written, then (next block) wiped with slot 4 written
    d1.accounts.push_back(update(a, 2, false, {{uint256(3), uint256(13)}}));
    state::StateDiff d2;
    d2.accounts.push_back(update(a, 3, true, {{uint256(4), uint256(14)}}));
    d2.accounts.push_back(update(b, 2, false, {{uint256(1), uint256{}}}));  // deleted
    state::StateDiff d3;  // a: slot 5 after the wipe, slot 4 rewritten; b: slot 1 back
    d3.accounts.push_back(
        update(a, 4, false, {{uint256(5), uint256(15)}, {uint256(4), uint256(24)}}));
    d3.accounts.push_back(update(b, 3, false, {{uint256(1), uint256(31)}}));
    for (auto* d : {&d0, &d1, &d2, &d3}) {
        c.diffs.push_back(*d);
        const Hash32 root = c.db->world().apply_diff(*d).value();
        c.ref.apply(*d);
        ASSERT_EQ(root, c.ref.state_root());
        const uint64_t n = c.blocks.size();
        c.blocks.push_back(make_block(n, n ? c.blocks.back().hash : Hash32{}, root, 0, c.rng));
        c.messages.emplace_back();
    }
    c.commit_range(0, 1);
    c.commit_range(1, 4);
    auto latest = c.db->latest_state();
    const auto slot = [&](const Address& addr, uint64_t k) {
        return latest->read_storage(addr, uint256(k)).value();
    };
    EXPECT_EQ(slot(a, 1), uint256{});
    EXPECT_EQ(slot(a, 2), uint256{});
    EXPECT_EQ(slot(a, 3), uint256{});
    EXPECT_EQ(slot(a, 4), uint256(24));
    EXPECT_EQ(slot(a, 5), uint256(15));
    EXPECT_EQ(slot(b, 1), uint256(31));
    EXPECT_EQ(latest->read_account(a).value()->nonce, 4u);
    EXPECT_EQ(c.db->recompute_state_root().value(), c.ref.state_root());
    ASSERT_TRUE(c.db->rewind_to(1));  // undo of blocks 3 and 2
    latest = c.db->latest_state();
    EXPECT_EQ(slot(a, 1), uint256(11));
    EXPECT_EQ(slot(a, 3), uint256(13));
    EXPECT_EQ(slot(a, 4), uint256{});
    EXPECT_EQ(slot(b, 1), uint256(21));
}

// Reads through world() find a key in the staged layer that wrote it last (an index, not a
// walk of every layer): with dozens of layers staged, keys rewritten and wiped across them,
// and layers leaving from the front as they commit, every read equals the reference.
TEST(Database, ReadsThroughManyStagedLayersMatchTheReference) {
    TempDir dir;
    Chain c{open_db(dir)};
    c.grow(2);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 30; ++i) {
            c.stage(10);
            if (i % 5 == 4) expect_same_state(c.ref, c.db->world(), "world while staging");
        }
        // Commit the staged blocks a few at a time: the rest stay staged and readable.
        while (c.db->head(Head::kLatest).value() + 1 < c.blocks.size()) {
            const size_t from = c.db->head(Head::kLatest).value() + 1;
            c.commit_range(from, std::min(from + 7, c.blocks.size()));
            expect_same_state(c.ref, c.db->world(), "world after a partial commit");
        }
        expect_same_state(c.ref, *c.db->latest_state(), "latest");
    }
    // Discarding staged layers leaves no index entry behind.
    const state::InMemoryState committed = c.ref;
    for (int i = 0; i < 5; ++i)
        c.stage(10);
    c.db->discard_staged();
    expect_same_state(committed, c.db->world(), "world after discard");
}

TEST(Codec, BodiesLeaveOutTransactionHashesAndOldBodiesStillDecode) {
    std::mt19937_64 rng(3);
    const arbos::Block b = make_block(9, Hash32{}, Hash32{}, 5, rng);
    const Bytes now = encode_body(b);
    // Every stored field of every transaction, and the hash, as committed.
    auto expect_body = [&](ByteView bytes, const std::string& what) {
        arbos::Block got;
        ASSERT_TRUE(decode_body(bytes, got)) << what;
        ASSERT_EQ(got.txs.size(), b.txs.size()) << what;
        for (size_t i = 0; i < b.txs.size(); ++i) {
            EXPECT_EQ(got.txs[i].hash, b.txs[i].hash) << what << i;
            EXPECT_EQ(got.txs[i].raw, b.txs[i].raw) << what << i;
            EXPECT_EQ(got.txs[i].sender, b.txs[i].sender) << what << i;
            EXPECT_EQ(got.txs[i].first_log_index, b.txs[i].first_log_index) << what << i;
            EXPECT_EQ(got.txs[i].contract_address, b.txs[i].contract_address) << what << i;
        }
    };
    expect_body(now, "now ");
    // A body as written before: the plain count and every transaction's hash after its bytes.
    Bytes old(now.begin(), now.begin() + 48);
    auto u32 = [&](uint32_t v) {
        for (int s = 24; s >= 0; s -= 8)
            old.push_back(static_cast<uint8_t>(v >> s));
    };
    u32(static_cast<uint32_t>(b.txs.size()));
    size_t pos = 52;
    for (const auto& t : b.txs) {
        const size_t rest = 4 + t.raw.size();
        old.insert(old.end(), now.begin() + pos, now.begin() + pos + rest);
        old.insert(old.end(), t.hash.bytes.begin(), t.hash.bytes.end());
        pos += rest;
        const size_t fields = 20 + 8 + 8 + 32 + 1 + (t.contract_address ? 20 : 0) + 8;
        old.insert(old.end(), now.begin() + pos, now.begin() + pos + fields);
        pos += fields;
    }
    ASSERT_EQ(pos, now.size());
    EXPECT_EQ(old.size(), now.size() + 32 * b.txs.size());
    expect_body(old, "old ");
    arbos::Block got;
    // Truncated or with a count beyond its bytes: refused, in either form.
    EXPECT_FALSE(decode_body(ByteView(now.data(), now.size() - 1), got));
    EXPECT_FALSE(decode_body(ByteView(old.data(), old.size() - 1), got));
    Bytes huge = now;
    huge[48] = 0xff;  // count 0xff.. with the flag: more transactions than bytes
    EXPECT_FALSE(decode_body(huge, got));
}
