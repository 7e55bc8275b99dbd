// Benchmarks of the storage layer (issue #5 §2): committing a block of 100 transfers (state
// root included) with and without fsync, and the cost of a state-root update as the state grows.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "storage/database.hpp"
#include "storage/test_util.hpp"

using namespace fuse;
using namespace fuse::storage;
using namespace fuse::storage::testing;

namespace {

std::unique_ptr<Database> open_db(const TempDir& dir, bool sync) {
    Options o;
    o.path = dir.path.string();
    o.sync = sync;
    return std::move(Database::open(o).value());
}

state::Account funded(uint64_t i) {
    state::Account a;
    a.nonce = i % 7;
    a.balance = uint256(1'000'000'000'000ull + i);
    return a;
}

/// Creates accounts [0, n) in blocks of at most 20'000; returns the next block number.
uint64_t populate(Database& db, uint64_t n, Hash32& parent) {
    std::mt19937_64 rng(1);
    uint64_t number = 0;
    for (uint64_t start = 0; start < n; start += 20'000) {
        state::StateDiff d;
        for (uint64_t i = start; i < std::min(n, start + 20'000); ++i)
            d.accounts.push_back({test_address(i), funded(i), false, {}, std::nullopt});
        const Hash32 root = db.world().apply_diff(d).value();
        arbos::Block b = make_block(number, parent, root, 0, rng);
        BlockCommit c{&b, &d, nullptr};
        if (!db.commit({&c, 1})) std::abort();
        parent = b.hash;
        ++number;
    }
    return number;
}

/// `count` transfers between random existing accounts: two account updates each.
void add_transfers(state::StateDiff& d, std::mt19937_64& rng, uint64_t n_accounts, uint64_t round,
                   int count) {
    for (int t = 0; t < count; ++t) {
        state::Account from = funded(rng() % n_accounts);
        from.nonce += round;
        d.accounts.push_back({test_address(rng() % n_accounts), from, false, {}, std::nullopt});
        d.accounts.push_back(
            {test_address(rng() % n_accounts), funded(round), false, {}, std::nullopt});
    }
}

/// One block of 100 transfers between random existing accounts: 200 account updates plus the
/// fee recipient, like the diff ArbOS produces for ETH transfers.
state::StateDiff transfer_diff(std::mt19937_64& rng, uint64_t n_accounts, uint64_t round) {
    state::StateDiff d;
    add_transfers(d, rng, n_accounts, round, 100);
    d.accounts.push_back({test_address(n_accounts + 1), funded(round), false, {}, std::nullopt});
    return d;
}

/// apply_diff (new state root) + block with 100 txs + commit, per iteration.
void BM_Commit100Transfers(benchmark::State& st) {
    const bool sync = st.range(0) != 0;
    TempDir dir;
    auto db = open_db(dir, sync);
    Hash32 parent;
    uint64_t number = populate(*db, 10'000, parent);
    std::mt19937_64 rng(7);
    for (auto _ : st) {
        state::StateDiff d = transfer_diff(rng, 10'000, number);
        const Hash32 root = db->world().apply_diff(d).value();
        arbos::Block b = make_block(number, parent, root, 100, rng);
        BlockCommit c{&b, &d, nullptr};
        if (!db->commit({&c, 1})) std::abort();
        parent = b.hash;
        ++number;
    }
    st.SetItemsProcessed(st.iterations() * 100);
    st.counters["blocks/s"] =
        benchmark::Counter(static_cast<double>(st.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Commit100Transfers)
    ->ArgName("sync")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// A validator's batch during catch-up (issue 16 point 2): 160 small blocks of 7 transfers,
/// each block also rewriting a hot account's 8 slots (ArbOS's state changes in every block)
/// and 4 slots of a token contract, staged with apply_diff (outside the timing), then one
/// commit of all 160 (timed: the WriteBatch, its memtable inserts and the WAL, no fsync).
void BM_CommitBatchOf160SmallBlocks(benchmark::State& st) {
    TempDir dir;
    auto db = open_db(dir, false);
    Hash32 parent;
    constexpr uint64_t kN = 100'000;
    uint64_t number = populate(*db, kN, parent);
    std::mt19937_64 rng(13);
    std::vector<state::StateDiff> diffs(160);
    std::vector<arbos::Block> blocks(160);
    for (auto _ : st) {
        st.PauseTiming();
        std::vector<BlockCommit> commits;
        for (size_t i = 0; i < diffs.size(); ++i) {
            state::StateDiff& d = diffs[i];
            d = {};
            add_transfers(d, rng, kN, number, 7);
            state::AccountUpdate hot{test_address(kN + 2), funded(number), false, {}, std::nullopt};
            for (uint64_t k = 0; k < 8; ++k)
                hot.storage.push_back({uint256(k), uint256(number * 8 + k + 1)});
            d.accounts.push_back(std::move(hot));
            state::AccountUpdate token{test_address(kN + 3), funded(7), false, {}, std::nullopt};
            for (int k = 0; k < 4; ++k)
                token.storage.push_back({uint256(rng() % kN), uint256(number + 1)});
            d.accounts.push_back(std::move(token));
            const Hash32 root = db->world().apply_diff(d).value();
            blocks[i] = make_block(number, parent, root, 7, rng);
            parent = blocks[i].hash;
            ++number;
            commits.push_back({&blocks[i], &d, nullptr});
        }
        st.ResumeTiming();
        if (!db->commit(commits)) std::abort();
    }
    st.SetItemsProcessed(st.iterations() * 160 * 7);
}
BENCHMARK(BM_CommitBatchOf160SmallBlocks)->Unit(benchmark::kMillisecond)->Iterations(60);

/// The state-root update alone (apply_diff of 201 account updates) on a state of N accounts;
/// the commit that makes it durable is outside the timing.
void BM_StateRootUpdate(benchmark::State& st) {
    const uint64_t n = static_cast<uint64_t>(st.range(0));
    TempDir dir;
    auto db = open_db(dir, false);
    Hash32 parent;
    uint64_t number = populate(*db, n, parent);
    std::mt19937_64 rng(11);
    for (auto _ : st) {
        state::StateDiff d = transfer_diff(rng, n, number);
        const Hash32 root = db->world().apply_diff(d).value();
        st.PauseTiming();
        arbos::Block b = make_block(number, parent, root, 0, rng);
        BlockCommit c{&b, &d, nullptr};
        if (!db->commit({&c, 1})) std::abort();
        parent = b.hash;
        ++number;
        st.ResumeTiming();
    }
    st.SetItemsProcessed(st.iterations() * 201);
}
BENCHMARK(BM_StateRootUpdate)
    ->ArgName("accounts")
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(200);

}  // namespace

BENCHMARK_MAIN();
