// The sequencer's deposits (docs/sequencer.md "Deposits"): included exactly once, in index
// order, in the first block whose L1 block is at least the deposit's; stored with their block;
// and never lost or repeated across a kill -9.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "core/hash.hpp"
#include "sequencer/sequencer.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using namespace std::chrono_literals;
using testing::make_raw;

constexpr uint64_t kChainId = 412346;

arbos::Genesis deposit_genesis() {
    arbos::Genesis g;
    g.chain_id = kChainId;
    g.timestamp = 1'700'000'000;
    g.fees.block_gas_limit = 32'000'000;
    g.fees.max_tx_gas_limit = 32'000'000;
    for (uint64_t i = 1; i <= 8; ++i)
        g.alloc[testing::test_address(i)].balance = uint256{1} << 90;
    return g;
}

std::unique_ptr<storage::Database> open_rocks(const std::string& path) {
    storage::Options o;
    o.path = path;
    o.sync = false;  // kill -9 is survived without fsync
    o.block_cache_mb = 8;
    auto db = storage::Database::open(o);
    return db ? std::move(db).value() : nullptr;
}

void init_genesis(storage::Database& db, const arbos::Genesis& g) {
    if (db.head(storage::Head::kLatest)) return;
    state::StateDiff diff;
    const arbos::Block b0 = arbos::make_genesis_block(db.world(), g, &diff);
    const arbos::Message m0{};
    const storage::BlockCommit c{&b0, &diff, &m0};
    ASSERT_TRUE(db.commit(std::span(&c, 1)).has_value());
}

Address recipient(uint64_t i) {
    Address a;
    a[0] = 0xde;
    a[18] = static_cast<uint8_t>(i >> 8);
    a[19] = static_cast<uint8_t>(i);
    return a;
}

/// Deposit `i`: 1000 + i wei to recipient(i) from L1 block `block`.
Deposit make_deposit(uint64_t i, uint64_t block) {
    Deposit d;
    d.kind = DepositKind::kNative;
    d.index = i;
    d.l2_from = testing::test_address(1);
    d.to = recipient(i);
    d.value = uint256(1000 + i);
    d.l1_block_number = block;
    d.l1_timestamp = 1'700'000'000 + block;
    return d;
}

/// A stand-in for the node's DepositReader: a list that grows, read as `pending` reads.
class FakeBridge {
public:
    void add(Deposit d) {
        std::lock_guard lock(mu_);
        list_.push_back(std::move(d));
    }
    /// Several deposits that appear on L1 together (the sealer never sees only some of them).
    void add_all(std::vector<Deposit> ds) {
        std::lock_guard lock(mu_);
        for (Deposit& d : ds)
            list_.push_back(std::move(d));
    }
    DepositSource source() {
        return [this](uint64_t first, uint64_t max_block, size_t max) {
            std::lock_guard lock(mu_);
            std::vector<Deposit> out;
            for (uint64_t i = first; i < list_.size() && out.size() < max; ++i) {
                if (list_[i].l1_block_number > max_block) break;
                out.push_back(list_[i]);
            }
            return out;
        };
    }

private:
    std::mutex mu_;
    std::vector<Deposit> list_;
};

/// The deposit indices in blocks 1..head, in order, read back from the blocks' deposit
/// transactions (their request id is the index), checked against the stored deposits and the
/// message's deposit ref.
std::vector<uint64_t> included(const storage::Database& db) {
    std::vector<uint64_t> out;
    const uint64_t head = db.head(storage::Head::kLatest).value_or(0);
    for (uint64_t n = 1; n <= head; ++n) {
        const auto b = db.block_by_number(n);
        const auto m = db.message(n);
        EXPECT_TRUE(b && m);
        if (!b || !m) break;
        size_t in_block = 0;
        for (const auto& tx : b->txs) {
            if (!is_deposit_type(tx.tx.type)) continue;
            const uint64_t index = uint256::from_hash(tx.tx.request_id).low64();
            // Deposits come first in the block.
            EXPECT_EQ(&tx - b->txs.data(), static_cast<ptrdiff_t>(in_block)) << "block " << n;
            const auto stored = db.deposit(index);
            EXPECT_TRUE(stored) << "deposit " << index << " not stored";
            EXPECT_TRUE(tx.receipt.success);
            out.push_back(index);
            ++in_block;
        }
        if (in_block == 0) {
            EXPECT_FALSE(m->deposit_ref) << "block " << n;
        } else {
            EXPECT_TRUE(m->deposit_ref) << "block " << n;
            if (m->deposit_ref) {
                EXPECT_EQ(m->deposit_ref->count, in_block);
                EXPECT_EQ(m->deposit_ref->first_index, out[out.size() - in_block]);
            }
        }
    }
    return out;
}

/// Waits until `pred` holds (at most 20 s).
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 2000; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return pred();
}

struct Rig {
    testing::TempDir dir;
    arbos::Genesis genesis = deposit_genesis();
    std::unique_ptr<storage::Database> db;
    FakeBridge bridge;
    std::atomic<uint64_t> l1_block{1};
    std::unique_ptr<Sequencer> seq;

    explicit Rig(Config c = config()) {
        db = open_rocks(dir.path.string());
        init_genesis(*db, genesis);
        start(c);
    }
    static Config config() {
        Config c;
        c.min_block_interval = 500us;
        return c;
    }
    void start(Config c = config()) {
        seq = std::make_unique<Sequencer>(
            *db, genesis, c,
            [this] {
                return L1Info{l1_block.load(), uint256()};
            },
            bridge.source());
        seq->start();
    }
    uint256 balance(const Address& a) {
        const auto acc = db->latest_state()->read_account(a).value();
        return acc ? acc->balance : uint256{};
    }
    SubmitResult submit_wait(Bytes raw) {
        std::promise<SubmitResult> p;
        auto f = p.get_future();
        seq->submit(std::move(raw), [&p](SubmitResult r) { p.set_value(std::move(r)); });
        EXPECT_EQ(f.wait_for(20s), std::future_status::ready);
        return f.get();
    }
};

// Deposits wait for the L1 view to reach their block, then go into a block of their own (no
// transaction needed), first in it, in index order, each once; the value is minted; the
// message's ref and the stored deposits match.
TEST(SequencerDeposits, IncludedOnceInOrderWhenTheL1ViewReachesThem) {
    Rig r;
    r.bridge.add(make_deposit(0, 5));
    r.bridge.add(make_deposit(1, 5));
    r.bridge.add(make_deposit(2, 8));
    r.seq->deposits_arrived();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(r.db->head(storage::Head::kLatest), 0u);  // L1 view at 1: nothing yet

    r.l1_block = 6;
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->next_deposit_index() == 2; }));
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 2; }));
    EXPECT_EQ(r.balance(recipient(0)), uint256(1000));
    EXPECT_EQ(r.balance(recipient(1)), uint256(1001));
    const auto m1 = r.db->message(1);
    ASSERT_TRUE(m1 && m1->deposit_ref);
    EXPECT_EQ(m1->l1_block_number, 6u);
    EXPECT_EQ(m1->deposit_ref->first_index, 0u);
    EXPECT_EQ(m1->deposit_ref->count, 2u);
    EXPECT_EQ(m1->deposit_ref->acc,
              chain_acc(Hash32{}, std::vector{make_deposit(0, 5), make_deposit(1, 5)}));

    // A transaction meanwhile: its block repeats no deposit; deposit 2 is still too new.
    const auto tx = r.submit_wait(make_raw({.key = 2, .nonce = 0}));
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(tx->index, 0u);
    EXPECT_FALSE(r.db->message(tx->block_number)->deposit_ref);

    // The L1 view reaches block 8: deposit 2, then a block with a deposit and a transaction.
    r.l1_block = 8;
    r.bridge.add(make_deposit(3, 8));
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->next_deposit_index() == 4; }));
    r.l1_block = 9;
    r.bridge.add(make_deposit(4, 9));
    const auto tx2 = r.submit_wait(make_raw({.key = 2, .nonce = 1}));
    ASSERT_TRUE(tx2.has_value());
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 5; }));
    r.seq->stop();
    EXPECT_EQ(included(*r.db), (std::vector<uint64_t>{0, 1, 2, 3, 4}));
    // A transaction behind deposits is acknowledged at its index in the block (after them).
    const auto b = r.db->block_by_number(tx2->block_number);
    EXPECT_EQ(b->txs.at(tx2->index).hash, keccak256(make_raw({.key = 2, .nonce = 1})));
    EXPECT_EQ(*r.db->deposits(0, 5),
              (std::vector<Deposit>{make_deposit(0, 5), make_deposit(1, 5), make_deposit(2, 8),
                                    make_deposit(3, 8), make_deposit(4, 9)}));
}

// At most max_block_deposits per block; the rest follow in the next blocks at once.
TEST(SequencerDeposits, ManyDepositsSpreadOverBlocks) {
    Config c = Rig::config();
    c.max_block_deposits = 3;
    Rig r(c);
    for (uint64_t i = 0; i < 10; ++i)
        r.bridge.add(make_deposit(i, 1));
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 10; }));
    r.seq->stop();
    EXPECT_EQ(*r.db->head(storage::Head::kLatest), 4u);  // 3 + 3 + 3 + 1
    std::vector<uint64_t> want(10);
    for (uint64_t i = 0; i < 10; ++i)
        want[i] = i;
    EXPECT_EQ(included(*r.db), want);
}

// A restarted sequencer continues at ArbOS's next deposit index: nothing included twice.
TEST(SequencerDeposits, RestartContinuesAtTheNextIndex) {
    Rig r;
    for (uint64_t i = 0; i < 3; ++i)
        r.bridge.add(make_deposit(i, 1));
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 3; }));
    r.seq->stop();
    r.seq.reset();
    r.bridge.add(make_deposit(3, 1));
    EXPECT_EQ(arbos::read_system_state(*r.db->latest_state()).value().next_deposit_index, 3u);
    r.start();
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 1; }));
    r.seq->stop();
    EXPECT_EQ(included(*r.db), (std::vector<uint64_t>{0, 1, 2, 3}));
}

constexpr uint64_t kKillDeposits = 3000;

// A rewind drops blocks with deposits: L1's adopted message executes with its deposits (read
// before the rewind drops the stored ones), the dropped blocks' deposits are not re-sequenced as
// transactions (nor reported as dropped) but included again by the sealer, each once.
TEST(SequencerDeposits, RewindAdoptsAndIncludesDepositsAgain) {
    Config c = Rig::config();
    std::vector<std::string> warnings;
    std::mutex warn_mu;
    c.warn = [&](const std::string& line) {
        std::lock_guard lock(warn_mu);
        warnings.push_back(line);
    };
    Rig r(c);
    r.l1_block = 6;
    // Together: added one by one, the sealer may include deposit 0 alone first (a block more
    // than the layout below; it happened under CI load).
    r.bridge.add_all({make_deposit(0, 5), make_deposit(1, 5)});
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 2; }));
    const auto tx = r.submit_wait(make_raw({.key = 2, .nonce = 0}));
    ASSERT_TRUE(tx.has_value());
    r.bridge.add(make_deposit(2, 6));
    r.seq->deposits_arrived();
    ASSERT_TRUE(eventually([&] { return r.seq->stats().deposits == 3; }));
    const uint64_t head = *r.db->head(storage::Head::kLatest);
    ASSERT_EQ(head, 3u);

    // L1 derives block 1 as the sequencer made it (deposits 0 and 1), then a filler block.
    const arbos::Message m1 = *r.db->message(1);
    ASSERT_TRUE(m1.deposit_ref);
    arbos::Message filler = m1;
    filler.deposit_ref.reset();
    const Hash32 old_hash1 = *r.db->block_hash(1);
    auto report = r.seq->rewind({.keep_through = 0, .adopt = {m1, filler}, .reason = "test"});
    ASSERT_TRUE(report.has_value()) << report.error();
    EXPECT_EQ(report->dropped_txs, 1u);  // the user transaction only
    EXPECT_EQ(report->requeued, 1u);
    EXPECT_EQ(*r.db->block_hash(1), old_hash1);  // same message, same deposits: same block
    ASSERT_TRUE(eventually([&] { return r.seq->next_deposit_index() == 3; }));
    ASSERT_TRUE(eventually([&] {
        return r.db->tx_location(keccak256(make_raw({.key = 2, .nonce = 0}))).has_value();
    }));
    r.seq->stop();
    EXPECT_EQ(included(*r.db), (std::vector<uint64_t>{0, 1, 2}));
    EXPECT_EQ(r.seq->stats().dropped_txs, 0u);
    for (uint64_t i = 0; i < 3; ++i)
        EXPECT_EQ(r.balance(recipient(i)), uint256(1000 + i));
    std::lock_guard lock(warn_mu);
    for (const auto& w : warnings)
        EXPECT_EQ(w.find("no longer valid"), std::string::npos) << w;
}

/// The child of the kill -9 test: a sequencer with deposits arriving one per L1 block and a
/// stream of transactions; reports every acknowledged transaction's block on `fd`.
[[noreturn]] void child(const std::string& path, int fd) {
    auto db = open_rocks(path);
    if (!db) _exit(3);
    const arbos::Genesis g = deposit_genesis();
    if (!db->head(storage::Head::kLatest)) {
        state::StateDiff diff;
        const arbos::Block b0 = arbos::make_genesis_block(db->world(), g, &diff);
        const arbos::Message m0{};
        const storage::BlockCommit c{&b0, &diff, &m0};
        if (!db->commit(std::span(&c, 1))) _exit(4);
    }
    FakeBridge bridge;
    for (uint64_t i = 0; i < kKillDeposits; ++i)
        bridge.add(make_deposit(i, 1 + i));
    // The L1 view goes on from the chain's (a restarted node's watcher is at least there).
    const auto head_msg = db->message(*db->head(storage::Head::kLatest));
    std::atomic<uint64_t> l1{head_msg ? std::max<uint64_t>(head_msg->l1_block_number, 1) : 1};
    Sequencer seq(
        *db, g, Rig::config(),
        [&] {
            return L1Info{l1.load(), uint256()};
        },
        bridge.source());
    const uint64_t nonce0 = db->latest_state()
                                ->read_account(testing::test_address(3))
                                .value()
                                .value_or(state::Account{})
                                .nonce;
    seq.start();
    for (uint64_t n = nonce0;; ++n) {
        l1 = l1 + 1;
        seq.deposits_arrived();
        std::promise<uint64_t> p;
        auto f = p.get_future();
        seq.submit(make_raw({.key = 3, .nonce = n}),
                   [&p](SubmitResult r) { p.set_value(r ? r->block_number : ~uint64_t{0}); });
        const uint64_t block = f.get();
        if (block == ~uint64_t{0}) _exit(5);
        if (write(fd, &block, sizeof block) != sizeof block) _exit(6);
    }
}

// kill -9 at random moments while deposits and transactions are sealed: after each, every
// acknowledged transaction is there, and the deposits in the chain are 0..n-1, each once, stored;
// a last run completes all of them without a repeat.
TEST(SequencerDeposits, KillNineNeverLosesNorRepeatsADeposit) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "fork + threads is not supported under ThreadSanitizer";
#endif
    testing::TempDir dir;
    const std::string path = (dir.path / "db").string();
    std::mt19937_64 rng(13);
    uint64_t acked_block = 0;
    for (int round = 0; round < 4; ++round) {
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            child(path, fds[1]);
        }
        close(fds[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 600));
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFSIGNALED(status)) << "child exited by itself, status " << status;
        uint64_t v = 0;
        while (read(fds[0], &v, sizeof v) == sizeof v)
            acked_block = std::max(acked_block, v);
        close(fds[0]);

        auto db = open_rocks(path);
        ASSERT_TRUE(db);
        ASSERT_GE(db->head(storage::Head::kLatest).value_or(0), acked_block) << "round " << round;
        const auto got = included(*db);
        for (uint64_t i = 0; i < got.size(); ++i)
            ASSERT_EQ(got[i], i) << "round " << round;
        EXPECT_EQ(arbos::read_system_state(*db->latest_state()).value().next_deposit_index,
                  got.size());
        std::printf("round %d: acknowledged up to block %llu, %zu deposits in the chain\n", round,
                    static_cast<unsigned long long>(acked_block), got.size());
    }
    // The rest, in this process.
    auto db = open_rocks(path);
    ASSERT_TRUE(db);
    const arbos::Genesis g = deposit_genesis();
    FakeBridge bridge;
    for (uint64_t i = 0; i < kKillDeposits; ++i)
        bridge.add(make_deposit(i, 1 + i));
    Sequencer seq(
        *db, g, Rig::config(),
        [] {
            return L1Info{kKillDeposits, uint256()};
        },
        bridge.source());
    seq.start();
    ASSERT_TRUE(eventually([&] { return seq.next_deposit_index() == kKillDeposits; }))
        << "next deposit " << seq.next_deposit_index();
    seq.stop();
    const auto got = included(*db);
    ASSERT_EQ(got.size(), kKillDeposits);
    for (uint64_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(got[i], i);
    for (uint64_t i = 0; i < kKillDeposits; ++i)
        EXPECT_EQ(db->latest_state()->read_account(recipient(i)).value()->balance,
                  uint256(1000 + i));
}

}  // namespace
}  // namespace fuse::sequencer
