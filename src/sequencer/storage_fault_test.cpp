// The sequencer under the storage error policy (docs/storage.md "Errors"), on RocksDB with a
// fault-injecting file system: a failed commit halts sealing before any of its transactions is
// acknowledged, a state read failing while a block is built abandons the block and halts, a read
// failing at admission refuses that transaction only; a restart resumes at the last durable
// block with every acknowledged transaction there.
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <vector>

#include "core/hash.hpp"
#include "sequencer/sequencer.hpp"
#include "sequencer/test_util.hpp"
#include "storage/fault_injection.hpp"

namespace fuse::sequencer {
namespace {

using testing::make_raw;
using testing::TxSpec;
using R = Rejection::Reason;

constexpr uint64_t kChainId = 412346;

arbos::Genesis test_genesis() {
    arbos::Genesis g;
    g.chain_id = kChainId;
    g.timestamp = 1'700'000'000;
    for (uint64_t i = 1; i <= 4; ++i)
        g.alloc[testing::test_address(i)].balance = uint256{1} << 90;
    return g;
}

bool contains(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

class SequencerStorageFaults : public ::testing::Test {
protected:
    void SetUp() override {
        open(faults.env());
        state::StateDiff diff;
        const arbos::Block b0 = arbos::make_genesis_block(db->world(), genesis, &diff);
        const arbos::Message m0{};
        const storage::BlockCommit c{&b0, &diff, &m0};
        ASSERT_TRUE(db->commit(std::span(&c, 1)));
    }
    void TearDown() override {
        if (seq) seq->stop();
        seq.reset();
        db.reset();
    }

    /// Opens the database (no block cache: reads reach the files) on `env` (null: the real
    /// file system).
    void open(rocksdb::Env* env) {
        seq.reset();
        db.reset();
        storage::Options o;
        o.path = dir.path.string();
        o.sync = true;
        o.block_cache_mb = 0;
        o.env = env;
        auto opened = storage::Database::open(o);
        ASSERT_TRUE(opened) << opened.error();
        db = std::move(*opened);
    }
    void make_sequencer() {
        Config c;
        c.min_block_interval = std::chrono::microseconds(500);
        c.warn = [this](const std::string& line) {
            std::lock_guard lock(mu);
            warnings.push_back(line);
        };
        seq = std::make_unique<Sequencer>(*db, genesis, c, [] { return L1Info{}; });
    }
    std::future<SubmitResult> submit(const TxSpec& spec) {
        auto p = std::make_shared<std::promise<SubmitResult>>();
        auto f = p->get_future();
        seq->submit(make_raw(spec), [p](SubmitResult r) { p->set_value(std::move(r)); });
        return f;
    }
    static SubmitResult wait(std::future<SubmitResult>& f) {
        if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
            return Unexpected{Rejection{R::kShuttingDown, "test timed out", false}};
        return f.get();
    }
    bool warned(std::string_view part) {
        std::lock_guard lock(mu);
        for (const auto& w : warnings)
            if (contains(w, part)) return true;
        return false;
    }

    testing::TempDir dir;
    storage::FaultInjection faults;
    arbos::Genesis genesis = test_genesis();
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<Sequencer> seq;
    std::mutex mu;
    std::vector<std::string> warnings;
};

TEST_F(SequencerStorageFaults, FailedCommitHaltsBeforeAcknowledgingAndARestartResumes) {
    make_sequencer();
    seq->start();
    std::vector<Hash32> acknowledged;
    for (uint64_t n = 0; n < 3; ++n) {
        const TxSpec spec{.key = 1, .nonce = n};
        auto f = submit(spec);
        auto r = wait(f);
        ASSERT_TRUE(r) << r.error().message;
        acknowledged.push_back(r->tx_hash);
    }
    const uint64_t durable = seq->stats().last_block_number;

    faults.fail_writes();  // the disk fails from here on
    std::vector<std::future<SubmitResult>> later;
    std::vector<Hash32> refused;
    for (uint64_t n = 0; n < 3; ++n) {
        later.push_back(submit({.key = 2, .nonce = n}));
        refused.push_back(keccak256(make_raw({.key = 2, .nonce = n})));
    }
    for (auto& f : later) {
        auto r = wait(f);
        ASSERT_FALSE(r) << "acknowledged although its block was never written";
        EXPECT_EQ(r.error().reason, R::kHalted);
        EXPECT_TRUE(contains(r.error().message, "storage: committing block")) << r.error().message;
        EXPECT_TRUE(contains(r.error().message, "injected write fault")) << r.error().message;
    }
    // Halted with the reason, counted, logged; the pool refuses; reads are still served.
    const auto halted = seq->halted();
    ASSERT_TRUE(halted);
    EXPECT_TRUE(contains(*halted, "the database ends at block " + std::to_string(durable)))
        << *halted;
    EXPECT_GE(seq->stats().storage_errors, 1u);
    EXPECT_EQ(seq->stats().last_block_number, durable);
    EXPECT_TRUE(warned("HALTED: storage: committing block"));
    auto after = submit({.key = 3, .nonce = 0});
    auto r = wait(after);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, R::kHalted);
    EXPECT_EQ(seq->pending_nonce(testing::test_address(1)).value(), 3u);
    seq->stop();

    // Restart on a working disk: the last durable block, every acknowledged tx, none refused.
    faults.heal();
    open(nullptr);
    EXPECT_EQ(db->head(storage::Head::kLatest), durable);
    for (const Hash32& h : acknowledged)
        EXPECT_TRUE(db->tx_location(h));
    for (const Hash32& h : refused)
        EXPECT_FALSE(db->tx_location(h));
    EXPECT_EQ(db->recompute_state_root().value(), db->header_by_number(durable).value().state_root);
    make_sequencer();
    seq->start();
    auto again = submit({.key = 2, .nonce = 0});
    auto ok = wait(again);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->block_number, durable + 1);
    EXPECT_FALSE(seq->halted());
}

TEST_F(SequencerStorageFaults, ReadFaultWhileSealingAbandonsTheBlockAndHalts) {
    open(faults.env());  // the genesis block in table files
    make_sequencer();
    // Admitted while the disk works; sealing starts after the disk failed: the system step reads
    // ArbOS's storage slots first.
    auto f = submit({.key = 1, .nonce = 0});
    const auto files = storage::table_files(*db, "storage");
    ASSERT_FALSE(files.empty());
    faults.fail_reads({files.begin(), files.end()});
    seq->start();
    auto r = wait(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, R::kHalted);
    EXPECT_TRUE(contains(r.error().message,
                         "reading the state while building block 1 failed: database read failed"))
        << r.error().message;
    ASSERT_TRUE(seq->halted());
    EXPECT_GE(seq->stats().storage_errors, 1u);
    EXPECT_EQ(db->head(storage::Head::kLatest), 0u);  // nothing sealed, nothing written
    seq->stop();

    faults.heal();
    open(nullptr);
    make_sequencer();
    seq->start();
    auto again = submit({.key = 1, .nonce = 0});
    auto ok = wait(again);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->block_number, 1u);
}

TEST_F(SequencerStorageFaults, ReadFaultAtAdmissionRefusesThatTransactionOnly) {
    open(faults.env());
    make_sequencer();
    seq->start();
    const auto files = storage::table_files(*db, "accounts");
    ASSERT_FALSE(files.empty());
    faults.fail_reads({files.begin(), files.end()});
    auto f = submit({.key = 1, .nonce = 0});
    auto r = wait(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, R::kStorageFault);
    EXPECT_TRUE(contains(r.error().message, "database read failed: IO error: injected read fault"))
        << r.error().message;
    EXPECT_FALSE(seq->halted());
    EXPECT_FALSE(seq->pending_nonce(testing::test_address(1)));
    faults.heal();
    auto g = submit({.key = 1, .nonce = 0});
    auto ok = wait(g);
    ASSERT_TRUE(ok) << ok.error().message;
}

}  // namespace
}  // namespace fuse::sequencer
