#include "sequencer/sequencer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "arbos/l1_fee.hpp"
#include "arbos/revision.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "sequencer/test_db.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using testing::make_raw;
using testing::TxSpec;
using R = Rejection::Reason;

constexpr uint64_t kChainId = 412346;
constexpr uint64_t kFunded = 64;  // test keys 1..kFunded have ETH

arbos::Genesis test_genesis(uint64_t block_gas_limit = 32'000'000) {
    arbos::Genesis g;
    g.chain_id = kChainId;
    g.timestamp = 1'700'000'000;
    g.fees.block_gas_limit = block_gas_limit;
    g.fees.max_tx_gas_limit = block_gas_limit;
    for (uint64_t i = 1; i <= kFunded; ++i)
        g.alloc[testing::test_address(i)].balance = uint256{1} << 90;
    return g;
}

/// Commits block 0 of `g` into `db`.
void init_genesis(storage::Database& db, const arbos::Genesis& g) {
    state::StateDiff diff;
    const arbos::Block b0 = arbos::make_genesis_block(db.world(), g, &diff);
    const arbos::Message m0{};
    const storage::BlockCommit c{&b0, &diff, &m0};
    ASSERT_TRUE(db.commit(std::span(&c, 1)).has_value());
}

/// What a submit's callback reported (thread-safe).
class Outcomes {
public:
    SubmitCallback callback(const Hash32& hash) {
        return [this, hash](SubmitResult r) {
            std::lock_guard lock(mu_);
            ++calls_[hash];
            results_.emplace(hash, std::move(r));
            cv_.notify_all();
        };
    }
    /// Waits (at most 20 s: a hang fails the test, no timing is asserted) for `n` results.
    bool wait_for(size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return results_.size() >= n; });
    }
    const SubmitResult& at(const Hash32& hash) {
        std::lock_guard lock(mu_);
        return results_.at(hash);
    }
    bool has(const Hash32& hash) {
        std::lock_guard lock(mu_);
        return results_.contains(hash);
    }
    std::map<Hash32, int> calls() {
        std::lock_guard lock(mu_);
        return calls_;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::map<Hash32, SubmitResult> results_;
    std::map<Hash32, int> calls_;
};

/// Which Database the sequencer runs on: the in-test one (with a simulated fsync delay) or
/// the real RocksDB one in a temporary directory.
enum class DbKind { kMemory, kRocks };

std::unique_ptr<storage::Database> open_rocks(const std::string& path) {
    storage::Options o;
    o.path = path;
    o.sync = true;
    o.block_cache_mb = 8;
    auto db = storage::Database::open(o);
    EXPECT_TRUE(db.has_value()) << (db.has_value() ? "" : db.error());
    return db.has_value() ? std::move(db).value() : nullptr;
}

struct Harness {
    explicit Harness(DbKind kind, arbos::Genesis g = test_genesis(), Config config = fast_config(),
                     std::chrono::microseconds commit_delay = std::chrono::microseconds(500),
                     std::chrono::microseconds read_delay = {})
        : genesis(std::move(g)) {
        if (kind == DbKind::kMemory) {
            auto m = std::make_unique<testing::TestDatabase>(commit_delay, read_delay);
            mem = m.get();
            db = std::move(m);
        } else {
            db = open_rocks(dir.path.string());
        }
        init_genesis(*db, genesis);
        seq = std::make_unique<Sequencer>(*db, genesis, config, [this] { return l1; });
    }
    static Config fast_config() {
        Config c;
        c.min_block_interval = std::chrono::microseconds(500);
        // Tests that leave a nonce gap fill it (or stop) well within this; the refusal after
        // the wait has its own tests with a 1 ms wait.
        c.nonce_gap_wait = std::chrono::minutes(10);
        return c;
    }

    /// Submits and waits for the answer.
    SubmitResult submit_wait(Bytes raw) {
        std::promise<SubmitResult> p;
        auto f = p.get_future();
        seq->submit(std::move(raw), [&p](SubmitResult r) { p.set_value(std::move(r)); });
        if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
            return Unexpected{Rejection{R::kShuttingDown, "test timed out", 0}};
        return f.get();
    }
    Hash32 submit(const TxSpec& spec, Outcomes& out) {
        Bytes raw = make_raw(spec);
        const Hash32 h = keccak256(raw);
        seq->submit(std::move(raw), out.callback(h));
        return h;
    }
    std::optional<state::Account> account(uint64_t key) {
        return db->latest_state()->read_account(testing::test_address(key)).value();
    }

    testing::TempDir dir;
    arbos::Genesis genesis;
    std::unique_ptr<storage::Database> db;
    testing::TestDatabase* mem = nullptr;
    L1Info l1{};
    std::unique_ptr<Sequencer> seq;
};

class SequencerTest : public ::testing::TestWithParam<DbKind> {};

Rejection refusal(const SubmitResult& r) {
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? Rejection{} : r.error();
}

TEST_P(SequencerTest, AcknowledgesOnlyOnceTheBlockIsDurable) {
    Harness h(GetParam());
    h.seq->start();
    const Address to = testing::test_address(200);
    Bytes raw = make_raw({.key = 1, .value = 12345, .to = to});
    const Hash32 hash = keccak256(raw);
    std::optional<storage::TxLocation> seen_in_callback;
    std::promise<SubmitResult> p;
    h.seq->submit(raw, [&](SubmitResult r) {
        seen_in_callback = h.db->tx_location(hash);  // the receipt must already exist
        p.set_value(std::move(r));
    });
    auto f = p.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    const SubmitResult r = f.get();
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->tx_hash, hash);
    EXPECT_GE(r->block_number, 1u);
    ASSERT_TRUE(seen_in_callback);
    EXPECT_EQ(seen_in_callback->block_number, r->block_number);
    EXPECT_EQ(seen_in_callback->index, r->index);
    const auto block = h.db->block_by_number(r->block_number);
    ASSERT_TRUE(block);
    ASSERT_GT(block->txs.size(), r->index);
    EXPECT_EQ(block->txs[r->index].hash, hash);
    EXPECT_EQ(block->txs[r->index].sender, testing::test_address(1));
    EXPECT_EQ(h.db->message(r->block_number)->txs.at(r->index), raw);
    EXPECT_EQ(h.db->latest_state()->read_account(to).value()->balance, uint256{12345});
    EXPECT_EQ(h.seq->pending_nonce(testing::test_address(1)).value(), 1u);
}

TEST_P(SequencerTest, RefusalsComeAtOnceWithGethMessages) {
    Harness h(GetParam());
    std::mutex labels_mu;
    std::vector<std::string> labels;
    h.seq->on_rejection([&](const Rejection& r) {
        std::lock_guard lock(labels_mu);
        labels.push_back(to_label(r));
    });
    // Before start(): pool checks answer synchronously, nothing is sealed.
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.chain_id = 1}))).reason, R::kWrongChainId);
    EXPECT_EQ(refusal(h.submit_wait(Bytes{0x01, 0x02})).reason, R::kMalformed);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.gas_limit = 20'000}))).reason, R::kIntrinsicGas);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.gas_limit = 40'000'000}))).reason, R::kGasLimit);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.max_fee = 1}))).reason, R::kFeeCapTooLow);
    const Rejection poor = refusal(h.submit_wait(make_raw({.key = kFunded + 1})));
    EXPECT_EQ(poor.reason, R::kInsufficientFunds);
    EXPECT_EQ(poor.message.rfind("insufficient funds for gas * price + value", 0), 0u);

    Outcomes out;
    const Hash32 first = h.submit({.key = 2, .nonce = 0}, out);
    EXPECT_FALSE(out.has(first));  // accepted: waits for its block
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.key = 2, .nonce = 0}))).reason, R::kAlreadyKnown);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.key = 2, .nonce = 0, .value = 9}))).reason,
              R::kReplacementUnderpriced);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.key = 2, .nonce = 500}))).reason,
              R::kNonceGapTooLarge);
    EXPECT_EQ(h.seq->pool_size(), 1u);

    h.seq->start();
    ASSERT_TRUE(out.wait_for(1));
    ASSERT_TRUE(out.at(first).has_value());
    const Rejection low = refusal(h.submit_wait(make_raw({.key = 2, .nonce = 0, .value = 3})));
    EXPECT_EQ(low.reason, R::kNonceTooLow);
    EXPECT_EQ(low.message, "nonce too low: next nonce 1, tx nonce 0");
    // Every refusal was reported to the on_rejection observer, in order.
    std::lock_guard lock(labels_mu);
    EXPECT_EQ(labels, (std::vector<std::string>{"wrong_chain_id", "malformed", "intrinsic_gas",
                                                "gas_limit", "underpriced", "insufficient_funds",
                                                "already_known", "replacement_underpriced",
                                                "nonce_gap_too_large", "nonce_too_low"}));
}

TEST_P(SequencerTest, IntrinsicGasIncludesTheL1PosterGas) {
    Harness h(GetParam());
    h.l1 = L1Info{.block_number = 7, .base_fee = 1'000'000'000};  // 1 gwei on L1
    h.seq->start();
    // Block 1 records the L1 base fee; from then on the pool charges the L1 data fee.
    ASSERT_TRUE(h.submit_wait(make_raw({.key = 1, .gas_limit = 5'000'000})).has_value());
    const Rejection r = refusal(h.submit_wait(make_raw({.key = 1, .nonce = 1})));
    EXPECT_EQ(r.reason, R::kIntrinsicGas);
    EXPECT_NE(r.message.find("(L1 data "), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("(L1 data 0)"), std::string::npos) << r.message;
    const SubmitResult ok = h.submit_wait(make_raw({.key = 1, .nonce = 1, .gas_limit = 5'000'000}));
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    const auto block = h.db->block_by_number(ok->block_number);
    ASSERT_TRUE(block);
    const arbos::ExecutedTx& tx = block->txs.at(ok->index);
    EXPECT_GT(tx.gas_used_for_l1, 0u);
    EXPECT_EQ(tx.gas_used, 21'000 + tx.gas_used_for_l1);
    EXPECT_EQ(block->l1_block_number, 7u);
}

/// `n` bytes that brotli cannot shrink (a keccak chain), so each carries ~n bytes of L1 data.
Bytes incompressible(size_t n, uint8_t seed) {
    Bytes out;
    Hash32 h = keccak256(Bytes{seed});
    while (out.size() < n) {
        out.insert(out.end(), h.bytes.begin(), h.bytes.end());
        h = keccak256(h.view());
    }
    out.resize(n);
    return out;
}

TEST_P(SequencerTest, PoolRefusesAFixedBudgetOnceTheL1BacklogPricesItOut) {
    // ArbOS version 3 (docs/arbos.md "L1 price per byte"): a few KB of L1 data against a target
    // of 100 B/s raise the next block's L1 price; a transfer whose gas limit covers its L1 part
    // at the calm price with 50% to spare is then refused by the pool, naming the L1 part. On a
    // version-2 chain the same sequence accepts it. (Wall-clock drain: 100 B/s, against ~12 KB.)
    for (uint64_t version : {arbos::kArbosVersionPrague, arbos::kArbosVersionL1Backlog}) {
        arbos::Genesis g = test_genesis();
        g.arbos_version = version;
        g.fees.l1_target_bytes_per_second = 100;
        g.fees.l1_backlog_tolerance_seconds = 1;
        g.fees.l1_pricing_inertia = 100;
        Harness h(GetParam(), g);
        h.l1 = L1Info{.block_number = 7, .base_fee = 1'000'000'000};  // 1 gwei on L1
        h.seq->start();
        for (uint64_t n = 0; n < 4; ++n) {
            const auto ok = h.submit_wait(make_raw({.key = 1,
                                                    .nonce = n,
                                                    .gas_limit = 30'000'000,
                                                    .data = incompressible(3'000, uint8_t(n))}));
            ASSERT_TRUE(ok.has_value()) << "version " << version << ": " << ok.error().message;
        }
        const arbos::SystemState sys = arbos::read_system_state(*h.db->latest_state()).value();
        // A transfer's L1 part at the plain price (16 × 1 gwei per byte), with 50% to spare.
        const Bytes shape = make_raw({.key = 2, .gas_limit = 1'000'000});
        const uint64_t calm = arbos::poster_gas(
            arbos::l1_fee_wei(shape, uint256(16) * uint256(1'000'000'000)), sys.l2_base_fee);
        const auto probe = h.submit_wait(make_raw({.key = 2, .gas_limit = 21'000 + calm * 3 / 2}));
        if (version < arbos::kArbosVersionL1Backlog) {
            EXPECT_EQ(sys.l1_backlog, 0u);
            EXPECT_TRUE(probe.has_value()) << probe.error().message;
            continue;
        }
        EXPECT_GT(sys.l1_backlog, 10'000u);
        const Rejection r = refusal(probe);
        EXPECT_EQ(r.reason, R::kIntrinsicGas) << r.message;
        EXPECT_NE(r.message.find("(L1 data "), std::string::npos) << r.message;
    }
}

TEST_P(SequencerTest, GasCapBoundsComputeGasNotTheL1Part) {
    constexpr uint64_t kCap = 1'000'000;
    Harness h(GetParam(), test_genesis(kCap));
    h.l1 = L1Info{.block_number = 7, .base_fee = 1'000'000'000};  // 1 gwei on L1
    h.seq->start();
    // Block 1 records the L1 base fee; from then on transactions carry poster gas.
    ASSERT_TRUE(h.submit_wait(make_raw({.key = 1, .gas_limit = 500'000})).has_value());
    const arbos::SystemState sys = arbos::read_system_state(*h.db->latest_state()).value();
    // The poster gas of a transaction of this shape (the real one differs in a few signature
    // bytes, so its brotli size may differ by a byte or two: P / 2 of slack either way).
    const uint64_t p =
        arbos::poster_gas(arbos::l1_fee_wei(make_raw({.key = 1, .nonce = 1, .gas_limit = kCap}),
                                            sys.l1_price_per_byte),
                          sys.l2_base_fee);
    ASSERT_GT(p, 1'000u);

    // Over the cap only because of the L1 part: accepted and included.
    const uint64_t over_by_l1 = kCap + p / 2;
    const SubmitResult ok =
        h.submit_wait(make_raw({.key = 1, .nonce = 1, .gas_limit = over_by_l1}));
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    const auto block = h.db->block_by_number(ok->block_number);
    ASSERT_TRUE(block);
    const arbos::ExecutedTx& tx = block->txs.at(ok->index);
    EXPECT_EQ(tx.tx.gas_limit, over_by_l1);
    EXPECT_GT(tx.gas_used_for_l1, over_by_l1 - kCap);
    EXPECT_EQ(tx.gas_used, 21'000 + tx.gas_used_for_l1);

    // Compute gas alone over the cap: refused at once with geth's message.
    const Rejection r =
        refusal(h.submit_wait(make_raw({.key = 1, .nonce = 2, .gas_limit = kCap + 2 * p})));
    EXPECT_EQ(r.reason, R::kGasLimit);
    EXPECT_EQ(r.message.rfind("exceeds block gas limit", 0), 0u) << r.message;
    EXPECT_EQ(h.seq->pending_nonce(testing::test_address(1)).value(), 2u);
}

TEST_P(SequencerTest, PoolFullIsRefused) {
    Config c = Harness::fast_config();
    c.max_pool_txs = 2;
    // Declared before the sequencer so that it outlives it: stopping the sequencer answers
    // what is still pooled (ASan/LSan caught callbacks into an already destroyed Outcomes).
    Outcomes out;
    Harness h(GetParam(), test_genesis(), c);
    const Hash32 a = h.submit({.key = 1}, out);
    const Hash32 b = h.submit({.key = 2}, out);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.key = 3}))).reason, R::kPoolFull);
    h.seq->stop();  // never started: both pooled transactions are answered
    ASSERT_TRUE(out.wait_for(2));
    EXPECT_EQ(refusal(out.at(a)).reason, R::kShuttingDown);
    EXPECT_EQ(refusal(out.at(b)).reason, R::kShuttingDown);
}

TEST(SequencerConfig, NonceGapWaitIsBounded) {
    Config c;
    EXPECT_EQ(c.nonce_gap_wait, std::chrono::milliseconds(1'000));
    EXPECT_EQ(c.validate(), "");
    c.nonce_gap_wait = std::chrono::milliseconds(0);
    EXPECT_EQ(c.validate(), "nonce-gap-wait-ms must be between 1 and 600000, not 0");
    c.nonce_gap_wait = kMaxNonceGapWait + std::chrono::milliseconds(1);
    EXPECT_EQ(c.validate(), "nonce-gap-wait-ms must be between 1 and 600000, not 600001");
    c.nonce_gap_wait = kMaxNonceGapWait;
    EXPECT_EQ(c.validate(), "");
}

/// Issue 14 point 4: a nonce gap that is never filled is refused, naming the next nonce, once
/// `nonce_gap_wait` has passed; before, its submitter waited forever (the RPC timed out).
TEST_P(SequencerTest, NonceGapNotFilledIsRefusedNamingTheNextNonce) {
    Config c = Harness::fast_config();
    c.nonce_gap_wait = std::chrono::milliseconds(1);
    Harness h(GetParam(), test_genesis(), c);
    std::vector<std::string> labels;
    std::mutex labels_mu;
    h.seq->on_rejection([&](const Rejection& r) {
        std::lock_guard lock(labels_mu);
        labels.push_back(to_label(r));
    });
    h.seq->start();
    ASSERT_TRUE(h.submit_wait(make_raw({.key = 9, .nonce = 0})).has_value());

    const Rejection r = refusal(h.submit_wait(make_raw({.key = 9, .nonce = 2})));
    EXPECT_EQ(r.reason, R::kNonceTooHigh);
    EXPECT_EQ(r.message, "nonce too high: next nonce 1, tx nonce 2");
    EXPECT_FALSE(r.at_execution);
    EXPECT_EQ(h.seq->pool_size(), 0u);
    EXPECT_EQ(h.db->head(storage::Head::kLatest), 1u);  // only nonce 0's block
    {
        std::lock_guard lock(labels_mu);
        EXPECT_EQ(labels, (std::vector<std::string>{"nonce_too_high"}));
    }
    // The same transaction is accepted once the gap is filled.
    ASSERT_TRUE(h.submit_wait(make_raw({.key = 9, .nonce = 1})).has_value());
    ASSERT_TRUE(h.submit_wait(make_raw({.key = 9, .nonce = 2})).has_value());
    EXPECT_EQ(h.account(9)->nonce, 3u);
}

/// A gap filled within the wait: both are included, in nonce order, each acknowledged when its
/// block is durable (the queued one was not answered before).
TEST_P(SequencerTest, NonceOrderAndQueuedPromotion) {
    Harness h(GetParam());
    h.seq->start();
    Outcomes out;
    const Hash32 n2 = h.submit({.key = 3, .nonce = 2}, out);
    const Hash32 n1 = h.submit({.key = 3, .nonce = 1}, out);
    EXPECT_EQ(h.seq->pool_size(), 2u);  // queued: nonce 0 is missing, nothing sealed
    EXPECT_EQ(h.seq->pending_nonce(testing::test_address(3)).value(), 0u);
    const Hash32 n0 = h.submit({.key = 3, .nonce = 0}, out);
    ASSERT_TRUE(out.wait_for(3));
    for (const Hash32& x : {n0, n1, n2})
        ASSERT_TRUE(out.at(x).has_value()) << to_hex(x);
    auto pos = [&](const Hash32& x) {
        return std::pair(out.at(x)->block_number, out.at(x)->index);
    };
    EXPECT_LT(pos(n0), pos(n1));
    EXPECT_LT(pos(n1), pos(n2));
    EXPECT_EQ(h.account(3)->nonce, 3u);
}

TEST_P(SequencerTest, ReplacementWithHigherFees) {
    Harness h(GetParam());
    h.seq->start();
    Outcomes out;
    // Nonce 1 waits for nonce 0, so it can be replaced while pooled.
    const Hash32 cheap =
        h.submit({.key = 4, .nonce = 1, .max_fee = 1'000'000'000, .tip = 100, .value = 1}, out);
    const Hash32 dear =
        h.submit({.key = 4, .nonce = 1, .max_fee = 1'100'000'000, .tip = 110, .value = 2}, out);
    ASSERT_TRUE(out.wait_for(1));
    EXPECT_EQ(refusal(out.at(cheap)).reason, R::kReplaced);
    const Hash32 zero = h.submit({.key = 4, .nonce = 0}, out);
    ASSERT_TRUE(out.wait_for(3));
    ASSERT_TRUE(out.at(zero).has_value());
    ASSERT_TRUE(out.at(dear).has_value());
    EXPECT_TRUE(h.db->tx_location(dear));
    EXPECT_FALSE(h.db->tx_location(cheap));
    EXPECT_EQ(out.calls().at(cheap), 1);
}

TEST_P(SequencerTest, BlockGasLimitSplitsTransactionsOverBlocks) {
    // Room for four 21,000-gas transfers per block.
    Harness h(GetParam(), test_genesis(90'000));
    Outcomes out;
    std::vector<Hash32> hashes;
    for (uint64_t k = 1; k <= 10; ++k)
        hashes.push_back(h.submit({.key = k}, out));
    h.seq->start();
    ASSERT_TRUE(out.wait_for(10));
    std::map<uint64_t, int> per_block;
    for (const Hash32& x : hashes) {
        ASSERT_TRUE(out.at(x).has_value()) << out.at(x).error().message;
        ++per_block[out.at(x)->block_number];
    }
    EXPECT_GE(per_block.size(), 3u);
    for (const auto& [number, count] : per_block) {
        EXPECT_LE(count, 4) << number;
        const auto block = h.db->block_by_number(number);
        ASSERT_TRUE(block);
        EXPECT_LE(block->header.gas_used, 90'000u);
    }
}

TEST_P(SequencerTest, TransactionRefusedAtExecutionIsReported) {
    arbos::Genesis g = test_genesis();
    // Enough for one 21,000-gas transfer at 1 gwei plus value 1, not two.
    g.alloc[testing::test_address(5)].balance = uint256{21'000ull * 1'000'000'000ull + 1};
    Harness h(GetParam(), g);
    Outcomes out;
    const Hash32 a = h.submit({.key = 5, .nonce = 0}, out);
    const Hash32 b = h.submit({.key = 5, .nonce = 1}, out);  // each alone is affordable
    h.seq->start();
    ASSERT_TRUE(out.wait_for(2));
    ASSERT_TRUE(out.at(a).has_value());
    const Rejection r = refusal(out.at(b));
    EXPECT_TRUE(r.at_execution);
    EXPECT_EQ(to_label(r), std::string("execution"));
    EXPECT_EQ(r.reason, R::kInsufficientFunds);
    EXPECT_NE(r.message.find("insufficient funds"), std::string::npos) << r.message;
    EXPECT_FALSE(h.db->tx_location(b));
    EXPECT_EQ(h.seq->stats().execution_rejected, 1u);
}

TEST_P(SequencerTest, ConcurrentSubmittersEachAcknowledgedExactlyOnce) {
    Harness h(GetParam(), test_genesis(), Harness::fast_config(), std::chrono::microseconds(2'000));
    std::vector<arbos::Block> announced;
    std::mutex announced_mu;
    h.seq->on_block([&](const arbos::Block& b) {
        std::lock_guard lock(announced_mu);
        announced.push_back(b);
    });
    h.seq->start();
    constexpr uint64_t kThreads = 8, kPerThread = 40;
    Outcomes out;
    std::vector<std::vector<Hash32>> hashes(kThreads);
    std::vector<std::thread> threads;
    for (uint64_t t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (uint64_t n = 0; n < kPerThread; ++n)
                hashes[t].push_back(h.submit({.key = 10 + t, .nonce = n}, out));
        });
    for (auto& th : threads)
        th.join();
    ASSERT_TRUE(out.wait_for(kThreads * kPerThread));
    h.seq->stop();

    const auto calls = out.calls();
    EXPECT_EQ(calls.size(), kThreads * kPerThread);
    for (const auto& [hash, n] : calls)
        EXPECT_EQ(n, 1) << to_hex(hash);
    for (uint64_t t = 0; t < kThreads; ++t) {
        std::pair<uint64_t, uint32_t> prev{0, 0};
        for (const Hash32& x : hashes[t]) {
            const SubmitResult& r = out.at(x);
            ASSERT_TRUE(r.has_value()) << r.error().message;
            const auto loc = h.db->tx_location(x);
            ASSERT_TRUE(loc);
            EXPECT_EQ(loc->block_number, r->block_number);
            EXPECT_EQ(loc->index, r->index);
            const std::pair<uint64_t, uint32_t> pos{r->block_number, r->index};
            EXPECT_LT(prev, pos);  // a sender's nonces in order
            prev = pos;
        }
        EXPECT_EQ(h.account(10 + t)->nonce, kPerThread);
    }
    // Every durable block announced once, in order, and the stats agree.
    const Stats s = h.seq->stats();
    EXPECT_EQ(s.txs, kThreads * kPerThread);
    EXPECT_EQ(s.blocks, announced.size());
    EXPECT_LE(s.commits, s.blocks);
    if (h.mem) {
        EXPECT_EQ(s.commits, h.mem->commit_calls() - 1);  // minus the genesis commit
    }
    for (size_t i = 0; i < announced.size(); ++i)
        EXPECT_EQ(announced[i].header.number, i + 1);
    EXPECT_EQ(*h.db->head(storage::Head::kLatest), announced.size());
}

/// Regression: a sender's next nonce submitted while the commit of its previous one drops the
/// sender's pool record must not be judged against the account as it was before that commit
/// (it would wait forever for a nonce already included).
TEST_P(SequencerTest, BackToBackNoncesOfOneSenderNeverStall) {
    Config c = Harness::fast_config();
    c.min_block_interval = std::chrono::microseconds(100);
    // On the in-test database every account read takes 2 ms, so the previous nonce's block is
    // sealed and committed while the next submit reads the account (through a snapshot taken
    // before that commit): the race happens on most submits.
    Harness h(GetParam(), test_genesis(), c, std::chrono::microseconds(0),
              std::chrono::microseconds(2'000));
    h.seq->start();
    Outcomes out;
    constexpr uint64_t kTxs = 100;
    for (uint64_t n = 0; n < kTxs; ++n)
        h.submit({.key = 11, .nonce = n}, out);
    ASSERT_TRUE(out.wait_for(kTxs)) << "pool size " << h.seq->pool_size();
    for (const auto& [hash, n] : out.calls()) {
        ASSERT_TRUE(out.at(hash).has_value()) << out.at(hash).error().message;
    }
    EXPECT_EQ(h.seq->stats().txs, kTxs);
    EXPECT_EQ(h.account(11)->nonce, kTxs);
}

TEST_P(SequencerTest, UnpipelinedCommitGivesTheSameResults) {
    Config c = Harness::fast_config();
    c.max_uncommitted_blocks = 0;
    Harness h(GetParam(), test_genesis(), c);
    h.seq->start();
    Outcomes out;
    for (uint64_t n = 0; n < 5; ++n)
        h.submit({.key = 6, .nonce = n}, out);
    ASSERT_TRUE(out.wait_for(5));
    EXPECT_EQ(h.account(6)->nonce, 5u);
    EXPECT_EQ(h.seq->stats().commits, h.seq->stats().blocks);
}

TEST_P(SequencerTest, StopSealsReadyAndAnswersTheRest) {
    Harness h(GetParam());
    Outcomes out;
    const Hash32 ready = h.submit({.key = 7, .nonce = 0}, out);
    const Hash32 queued = h.submit({.key = 7, .nonce = 5}, out);
    h.seq->start();
    h.seq->stop();
    ASSERT_TRUE(out.wait_for(2));
    EXPECT_TRUE(out.at(ready).has_value());
    EXPECT_EQ(refusal(out.at(queued)).reason, R::kShuttingDown);
    EXPECT_EQ(refusal(h.submit_wait(make_raw({.key = 8}))).reason, R::kShuttingDown);
}

TEST_P(SequencerTest, ResumesOnTopOfTheDurableHead) {
    Harness h(GetParam());
    Outcomes out;
    h.seq->start();
    const Bytes raw0 = make_raw({.key = 9, .nonce = 0});
    h.seq->submit(raw0, out.callback(keccak256(raw0)));
    ASSERT_TRUE(out.wait_for(1));
    h.seq.reset();
    const uint64_t head = *h.db->head(storage::Head::kLatest);
    Sequencer again(*h.db, h.genesis, Harness::fast_config(), [] { return L1Info{}; });
    EXPECT_EQ(again.pending_nonce(testing::test_address(9)).value(), 1u);
    again.start();
    const Bytes raw1 = make_raw({.key = 9, .nonce = 1});
    again.submit(raw1, out.callback(keccak256(raw1)));
    ASSERT_TRUE(out.wait_for(2));
    ASSERT_TRUE(out.at(keccak256(raw1)).has_value());
    EXPECT_EQ(out.at(keccak256(raw1))->block_number, head + 1);
}

/// Acknowledged transactions survive closing and reopening the RocksDB database, with the
/// state root recomputed from the flat state equal to the head block's.
TEST(SequencerRocks, AcknowledgedTransactionsAreInTheReopenedDatabase) {
    testing::TempDir dir;
    const arbos::Genesis g = test_genesis();
    Outcomes out;
    std::vector<Hash32> acked;
    {
        auto db = open_rocks(dir.path.string());
        ASSERT_TRUE(db);
        init_genesis(*db, g);
        Sequencer seq(*db, g, Harness::fast_config(), [] { return L1Info{}; });
        seq.start();
        for (uint64_t k = 1; k <= 4; ++k)
            for (uint64_t n = 0; n < 10; ++n) {
                Bytes raw = make_raw({.key = k, .nonce = n});
                acked.push_back(keccak256(raw));
                seq.submit(std::move(raw), out.callback(acked.back()));
            }
        ASSERT_TRUE(out.wait_for(acked.size()));
        seq.stop();
    }
    auto db = open_rocks(dir.path.string());
    ASSERT_TRUE(db);
    for (const Hash32& x : acked) {
        ASSERT_TRUE(out.at(x).has_value());
        const auto loc = db->tx_location(x);
        ASSERT_TRUE(loc) << to_hex(x);
        EXPECT_EQ(loc->block_number, out.at(x)->block_number);
        EXPECT_EQ(db->block_by_number(loc->block_number)->txs.at(loc->index).hash, x);
    }
    const auto head = db->header_by_number(*db->head(storage::Head::kLatest));
    ASSERT_TRUE(head);
    auto root = db->recompute_state_root();
    ASSERT_TRUE(root.has_value()) << root.error();
    EXPECT_EQ(*root, head->state_root);
    for (uint64_t k = 1; k <= 4; ++k)
        EXPECT_EQ(db->latest_state()->read_account(testing::test_address(k)).value()->nonce, 10u);
}

INSTANTIATE_TEST_SUITE_P(Db, SequencerTest, ::testing::Values(DbKind::kMemory, DbKind::kRocks),
                         [](const auto& info) {
                             return info.param == DbKind::kMemory ? "Memory" : "RocksDb";
                         });

}  // namespace
}  // namespace fuse::sequencer
