// The storage error policy below the EVM (docs/storage.md "Errors"), with RocksDB on a
// fault-injecting file system: state reads return their fault and never throw, a missing trie
// node is named as geth names it, a failed apply_diff leaves the world as it was, and a failed
// commit writes nothing: the reopened database ends at the last durable block.
#include "storage/fault_injection.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <set>

#include "core/hex.hpp"
#include "state/mpt_proof.hpp"
#include "storage/test_util.hpp"

namespace fuse::storage {
namespace {

using testing::make_block;
using testing::random_diff;
using testing::TempDir;
using testing::test_address;

constexpr uint64_t kAccounts = 200;

std::set<std::string> files_of(const Database& db, std::string_view cf) {
    const auto v = table_files(db, cf);
    return {v.begin(), v.end()};
}

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.rfind(prefix, 0) == 0;
}

class StorageFaults : public ::testing::Test {
protected:
    void SetUp() override {
        options.path = dir.path.string();
        options.env = faults.env();
        options.block_cache_mb = 0;  // every read reaches the files
        reopen();
        // Every account gets a record and some storage, over a few blocks.
        state::StateDiff all;
        for (uint64_t i = 0; i < kAccounts; ++i) {
            state::AccountUpdate u;
            u.address = test_address(i);
            u.account = state::Account{i, uint256(1000 + i), kEmptyCodeHash};
            u.storage = {{uint256(1), uint256(i + 1)}, {uint256(2), uint256(i + 2)}};
            all.accounts.push_back(u);
        }
        ASSERT_TRUE(commit_block(all));
        for (int b = 0; b < 3; ++b)
            ASSERT_TRUE(commit_block(random_diff(rng, kAccounts, 40)));
        reopen();  // the blocks are now in table files
    }

    void reopen() {
        db.reset();
        auto opened = Database::open(options);
        ASSERT_TRUE(opened) << opened.error();
        db = std::move(*opened);
    }

    /// The next block with `diff`, staged and committed; its result.
    Result<void, std::string> commit_block(const state::StateDiff& diff) {
        const auto head = db->head(Head::kLatest);
        const uint64_t number = head ? *head + 1 : 0;
        const Hash32 parent = head ? *db->block_hash(*head) : Hash32{};
        auto root = db->world().apply_diff(diff);
        if (!root) return Unexpected{state::to_string(root.error())};
        blocks.push_back(make_block(number, parent, *root, 2, rng));
        const BlockCommit c{&blocks.back(), nullptr, nullptr};
        return db->commit({&c, 1});
    }

    TempDir dir;
    FaultInjection faults;
    Options options;
    std::unique_ptr<Database> db;
    std::mt19937_64 rng{15};
    std::deque<arbos::Block> blocks;
};

// A read the disk fails is a fault value from every state reader (flat snapshot, the writer's
// world, a trie reader), never an exception; the block reads, outside the EVM, throw ReadError.
TEST_F(StorageFaults, ReadFailureIsAFaultValueNotAnException) {
    const Address a = test_address(7);
    const auto before = db->latest_state()->read_account(a);
    ASSERT_TRUE(before && before->has_value());

    faults.fail_reads(files_of(*db, "accounts"));
    const auto snapshot = db->latest_state();
    const std::vector<const state::StateReader*> readers = {snapshot.get(), &db->world()};
    for (const state::StateReader* r : readers) {
        auto acc = r->read_account(a);
        ASSERT_FALSE(acc);
        EXPECT_EQ(acc.error().kind, state::FaultKind::kReadFailed);
        EXPECT_TRUE(starts_with(state::to_string(acc.error()),
                                "database read failed: IO error: injected read fault"))
            << state::to_string(acc.error());
        EXPECT_FALSE(r->has_storage(a));
    }
    faults.fail_reads(files_of(*db, "trie_nodes"));
    const auto trie = db->state_at(blocks.back().header.state_root);
    EXPECT_FALSE(trie->read_account(a));
    EXPECT_FALSE(trie->read_storage(a, uint256(1)));
    faults.fail_reads(files_of(*db, "headers"));
    EXPECT_THROW(db->block_by_number(1), ReadError);
    EXPECT_GT(faults.failed_reads(), 0u);

    faults.heal();
    EXPECT_EQ(db->latest_state()->read_account(a).value(), before.value());
    EXPECT_EQ(db->state_at(blocks.back().header.state_root)->read_account(a).value(),
              before.value());
    EXPECT_TRUE(db->block_by_number(1));
}

// A trie node the database lost: the reader names it, with where it hangs (geth's text), and
// the writer's apply_diff fails on it without changing the world: a diff that does not need the
// node is applied and committed afterwards with the right root.
TEST_F(StorageFaults, MissingTrieNodeIsNamedAndLeavesTheWorldAsItWas) {
    const Address a = test_address(42);
    const Hash32 key = keccak256(a);
    const Hash32 root = blocks.back().header.state_root;
    auto proof = state::mpt_prove(*db->trie_nodes(), root, key.view());
    ASSERT_TRUE(proof);
    ASSERT_GE(proof->nodes.size(), 2u);
    const Hash32 lost = keccak256(proof->nodes[1]);  // the node below the root on a's path
    ASSERT_TRUE(delete_trie_node(*db, lost));

    auto acc = db->state_at(root)->read_account(a);
    ASSERT_FALSE(acc);
    const state::StorageFault& f = acc.error();
    EXPECT_EQ(f.kind, state::FaultKind::kMissingNode);
    EXPECT_EQ(f.node, lost);
    ASSERT_FALSE(f.path.empty());
    for (size_t i = 0; i < f.path.size(); ++i)  // a prefix of the key's nibbles
        EXPECT_EQ(f.path[i], i % 2 ? key[i / 2] & 0x0f : key[i / 2] >> 4);
    EXPECT_EQ(state::to_string(f), "missing trie node " + to_hex_raw(lost.view()) + " (path " +
                                       to_hex_raw(f.path) + ")");

    // The writer: the reopened world loads the trie from the database, so it meets the hole.
    state::StateDiff needs_it;
    needs_it.accounts.push_back({a, state::Account{1, uint256(5), kEmptyCodeHash}, false, {}, {}});
    auto failed = db->world().apply_diff(needs_it);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().kind, state::FaultKind::kMissingNode);
    EXPECT_EQ(db->world().read_account(a).value(), db->latest_state()->read_account(a).value());
    // An account on another path: applied on the unchanged world, committed, and the root
    // matches the flat state's from scratch.
    Address other;
    for (uint64_t i = 0; i < kAccounts; ++i) {
        const Hash32 k = keccak256(test_address(i));
        if ((k[0] >> 4) != (key[0] >> 4)) {
            other = test_address(i);
            break;
        }
    }
    state::StateDiff elsewhere;
    elsewhere.accounts.push_back(
        {other, state::Account{9, uint256(99), kEmptyCodeHash}, false, {}, {}});
    ASSERT_TRUE(commit_block(elsewhere));
    EXPECT_EQ(db->recompute_state_root().value(), blocks.back().header.state_root);
}

// The disk fails while the WAL is written: the commit reports it, nothing of the block is
// written, and a reopened database ends at the last durable block with its state, ready for the
// next block.
TEST_F(StorageFaults, FailedCommitWritesNothingAndReopenResumesAtTheLastDurableHead) {
    const uint64_t durable = *db->head(Head::kLatest);
    const Hash32 durable_root = blocks.back().header.state_root;
    faults.fail_writes();
    const state::StateDiff diff = random_diff(rng, kAccounts, 30);
    auto r = commit_block(diff);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("injected write fault"), std::string::npos) << r.error();
    EXPECT_GT(faults.failed_writes(), 0u);
    EXPECT_EQ(db->head(Head::kLatest), durable);
    EXPECT_FALSE(db->tx_location(blocks.back().txs[0].hash));
    // The staged block is dropped without reading anything; the database refuses writes now.
    db->discard_staged();
    EXPECT_EQ(db->world().read_account(test_address(3)).value(),
              db->latest_state()->read_account(test_address(3)).value());
    EXPECT_FALSE(db->put_meta("k", Bytes{1}));

    db.reset();  // the process stops (disk still failing)
    faults.heal();
    blocks.pop_back();
    reopen();
    EXPECT_EQ(db->head(Head::kLatest), durable);
    EXPECT_FALSE(db->block_by_number(durable + 1));
    EXPECT_EQ(db->recompute_state_root().value(), durable_root);
    ASSERT_TRUE(commit_block(diff));
    EXPECT_EQ(db->head(Head::kLatest), durable + 1);
    EXPECT_EQ(db->recompute_state_root().value(), blocks.back().header.state_root);
}

// The disk fails reads of trie nodes while apply_diff updates the trie: the fault is returned,
// nothing is staged, and once the disk is back the same diff gives the same root as before.
TEST_F(StorageFaults, ReadFailureInApplyDiffStagesNothing) {
    const state::StateDiff diff = random_diff(rng, kAccounts, 30);
    faults.fail_reads(files_of(*db, "trie_nodes"));
    auto failed = db->world().apply_diff(diff);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().kind, state::FaultKind::kReadFailed);
    faults.heal();
    ASSERT_TRUE(commit_block(diff));
    EXPECT_EQ(db->recompute_state_root().value(), blocks.back().header.state_root);
}

}  // namespace
}  // namespace fuse::storage
