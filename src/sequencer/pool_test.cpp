#include "sequencer/pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include <string>
#include <vector>

#include "core/hash.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using testing::make_raw;
using testing::TxSpec;
using R = Rejection::Reason;

CheckedTx checked(const TxSpec& spec) {
    ChainRules rules;
    rules.chain_id = 412346;
    FeeView fees;
    auto r = check_transaction(make_raw(spec), rules, fees);
    EXPECT_TRUE(r.has_value());
    return std::move(r).value();
}

state::Account funded(uint64_t nonce = 0) {
    state::Account a;
    a.nonce = nonce;
    a.balance = uint256{1} << 100;
    return a;
}

/// A pool plus a record of which callbacks ran.
struct PoolFixture : ::testing::Test {
    TxPool pool{
        PoolLimits{.max_pool_txs = 100, .max_queued_per_sender = 4, .price_bump_percent = 10}};
    std::vector<Completion> completions;
    std::vector<std::string> events;

    Result<void, Rejection> add(const TxSpec& spec,
                                std::optional<state::Account> account = funded(),
                                PoolClock::time_point now = PoolClock::time_point{}) {
        std::string tag = std::to_string(spec.key);
        tag.append(":").append(std::to_string(spec.nonce));
        return pool.add(
            checked(spec),
            [this, tag](SubmitResult r) {
                std::string event = tag;
                event.append(r.has_value() ? "+" : "-");
                if (!r.has_value()) event.append(to_label(r.error().reason));
                events.push_back(std::move(event));
            },
            account, completions, now);
    }
    Rejection refused(const TxSpec& spec, std::optional<state::Account> account = funded()) {
        auto r = add(spec, account);
        EXPECT_FALSE(r.has_value());
        return r.has_value() ? Rejection{} : r.error();
    }
    /// Takes everything ready, as (key-address, nonce) in order.
    std::vector<uint64_t> take_all_nonces(uint64_t gas_left = 1'000'000) {
        std::vector<uint64_t> out;
        while (auto tx = pool.take_ready(gas_left))
            out.push_back(tx->checked.tx.nonce);
        return out;
    }
};

TEST_F(PoolFixture, NonceBelowAccountIsRefused) {
    const Rejection r = refused({.nonce = 4}, funded(5));
    EXPECT_EQ(r.reason, R::kNonceTooLow);
    EXPECT_EQ(r.message, "nonce too low: next nonce 5, tx nonce 4");
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_FALSE(pool.pending_nonce(testing::test_address(1)));  // no sender record left behind
}

TEST_F(PoolFixture, InsufficientFundsCountsGasTimesMaxFeePlusValue) {
    state::Account poor;
    poor.balance = uint256{21'000ull * 1'000'000'000ull};  // one wei short of gas + value 1
    const Rejection r = refused({}, poor);
    EXPECT_EQ(r.reason, R::kInsufficientFunds);
    EXPECT_EQ(r.message,
              "insufficient funds for gas * price + value: balance 21000000000000, tx cost "
              "21000000000001, overshot 1");
    EXPECT_EQ(refused({}, std::nullopt).reason, R::kInsufficientFunds);  // no account at all
    poor.balance = poor.balance + 1;
    EXPECT_TRUE(add({}, poor).has_value());
}

TEST_F(PoolFixture, DuplicateIsAlreadyKnownAlsoWhileInABlock) {
    ASSERT_TRUE(add({.nonce = 0}).has_value());
    EXPECT_EQ(refused({.nonce = 0}).message, "already known");
    auto taken = pool.take_ready(1'000'000);
    ASSERT_TRUE(taken);
    EXPECT_EQ(refused({.nonce = 0}).reason, R::kAlreadyKnown);  // taken, not durable yet
    pool.committed(taken->checked.sender, taken->checked.hash);
    // Durable: now the nonce rule answers (the next nonce is 1).
    EXPECT_EQ(refused({.nonce = 0}, funded(1)).reason, R::kNonceTooLow);
}

TEST_F(PoolFixture, NoncesTakenInOrderAndQueuedPromotedWhenGapFills) {
    ASSERT_TRUE(add({.nonce = 2}).has_value());
    ASSERT_TRUE(add({.nonce = 1}).has_value());
    EXPECT_FALSE(pool.has_ready());  // nonce 0 missing: both queued
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 0u);
    ASSERT_TRUE(add({.nonce = 0}).has_value());
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 3u);
    EXPECT_EQ(take_all_nonces(), (std::vector<uint64_t>{0, 1, 2}));
    EXPECT_EQ(pool.size(), 0u);
}

TEST_F(PoolFixture, ReadyTransactionsTakenInArrivalOrderAcrossSenders) {
    ASSERT_TRUE(add({.key = 1, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 2, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 1, .nonce = 1}).has_value());
    ASSERT_TRUE(add({.key = 3, .nonce = 0}).has_value());
    std::vector<std::pair<Address, uint64_t>> order;
    while (auto tx = pool.take_ready(1'000'000))
        order.emplace_back(tx->checked.sender, tx->checked.tx.nonce);
    const std::vector<std::pair<Address, uint64_t>> expected{{testing::test_address(1), 0},
                                                             {testing::test_address(2), 0},
                                                             {testing::test_address(1), 1},
                                                             {testing::test_address(3), 0}};
    EXPECT_EQ(order, expected);
}

TEST_F(PoolFixture, TakeSkipsWhatDoesNotFitTheBlock) {
    ASSERT_TRUE(add({.key = 1, .gas_limit = 100'000}).has_value());
    ASSERT_TRUE(add({.key = 2, .gas_limit = 21'000}).has_value());
    auto tx = pool.take_ready(50'000);
    ASSERT_TRUE(tx);
    EXPECT_EQ(tx->checked.sender, testing::test_address(2));
    EXPECT_FALSE(pool.take_ready(50'000));
    EXPECT_TRUE(pool.take_ready(100'000));
}

TEST_F(PoolFixture, ReplacementNeedsTenPercentOnBothFees) {
    ASSERT_TRUE(add({.nonce = 0, .max_fee = 1000, .tip = 100}).has_value());
    // +10% on the fee cap but not on the tip.
    EXPECT_EQ(refused({.nonce = 0, .max_fee = 1100, .tip = 109, .value = 2}).reason,
              R::kReplacementUnderpriced);
    const Rejection r = refused({.nonce = 0, .max_fee = 1099, .tip = 110, .value = 2});
    EXPECT_EQ(r.reason, R::kReplacementUnderpriced);
    EXPECT_EQ(r.message, "replacement transaction underpriced");
    EXPECT_TRUE(events.empty());
    ASSERT_TRUE(add({.nonce = 0, .max_fee = 1100, .tip = 110, .value = 2}).has_value());
    // The replaced transaction's submitter is told, exactly once.
    ASSERT_EQ(completions.size(), 1u);
    completions[0].done(std::move(completions[0].result));
    EXPECT_EQ(events, (std::vector<std::string>{"1:0-replaced"}));
    EXPECT_EQ(pool.size(), 1u);
    auto tx = pool.take_ready(1'000'000);
    ASSERT_TRUE(tx);
    EXPECT_EQ(tx->checked.tx.value, uint256{2});
}

TEST_F(PoolFixture, QueuedFutureNoncesAreBoundedPerSender) {
    ASSERT_TRUE(add({.nonce = 0}).has_value());
    // pending run ends at 1; queued nonces may be 2..5 (4 of them).
    const Rejection far = refused({.nonce = 6});
    EXPECT_EQ(far.reason, R::kNonceGapTooLarge);
    EXPECT_NE(far.message.find("account limit exceeded"), std::string::npos);
    for (uint64_t n = 2; n <= 5; ++n)
        ASSERT_TRUE(add({.nonce = n}).has_value()) << n;
    EXPECT_EQ(pool.size(), 5u);
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 1u);
    ASSERT_TRUE(add({.nonce = 1}).has_value());  // fills the gap: all pending
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 6u);
    EXPECT_EQ(take_all_nonces(), (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
}

TEST_F(PoolFixture, PoolBound) {
    TxPool small{PoolLimits{.max_pool_txs = 2}};
    std::vector<Completion> c;
    ASSERT_TRUE(small
                    .add(
                        checked({.key = 1}), [](SubmitResult) {}, funded(), c)
                    .has_value());
    ASSERT_TRUE(small
                    .add(
                        checked({.key = 2}), [](SubmitResult) {}, funded(), c)
                    .has_value());
    auto r = small.add(
        checked({.key = 3}), [](SubmitResult) {}, funded(), c);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().reason, R::kPoolFull);
    EXPECT_EQ(r.error().message.rfind("txpool is full", 0), 0u);
}

TEST_F(PoolFixture, UntakeMakesLaterNoncesWaitForTheFailedOne) {
    ASSERT_TRUE(add({.nonce = 0}).has_value());
    ASSERT_TRUE(add({.nonce = 1}).has_value());
    auto first = pool.take_ready(1'000'000);
    ASSERT_TRUE(first);
    pool.untake(*first);  // ArbOS refused nonce 0
    EXPECT_FALSE(pool.has_ready());
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 0u);
    // The sender resubmits nonce 0 (different value = different hash): both go through.
    ASSERT_TRUE(add({.nonce = 0, .value = 5}).has_value());
    EXPECT_EQ(take_all_nonces(), (std::vector<uint64_t>{0, 1}));
}

TEST_F(PoolFixture, PutBackKeepsNonceOrderAndArrivalPlace) {
    ASSERT_TRUE(add({.key = 1, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 2, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 1, .nonce = 1}).has_value());
    auto first = pool.take_ready(1'000'000);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->checked.sender, testing::test_address(1));
    pool.put_back(std::move(first));  // did not fit: block ends
    EXPECT_EQ(pool.size(), 3u);
    EXPECT_EQ(pool.pending_nonce(testing::test_address(1)), 2u);
    std::vector<std::pair<Address, uint64_t>> order;
    while (auto tx = pool.take_ready(1'000'000))
        order.emplace_back(tx->checked.sender, tx->checked.tx.nonce);
    const std::vector<std::pair<Address, uint64_t>> expected{{testing::test_address(1), 0},
                                                             {testing::test_address(2), 0},
                                                             {testing::test_address(1), 1}};
    EXPECT_EQ(order, expected);
}

TEST_F(PoolFixture, DrainAnswersEveryPooledTransaction) {
    ASSERT_TRUE(add({.key = 1, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 2, .nonce = 3}).has_value());  // queued
    auto out = pool.drain(Rejection{R::kShuttingDown, "shutting down"});
    ASSERT_EQ(out.size(), 2u);
    for (auto& c : out)
        c.done(std::move(c.result));
    std::sort(events.begin(), events.end());
    EXPECT_EQ(events, (std::vector<std::string>{"1:0-shutting_down", "2:3-shutting_down"}));
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_FALSE(pool.has_ready());
}

// ---- nonce gaps (issue 14 point 4): a queued transaction waits nonce_gap_wait, then is refused

constexpr PoolClock::time_point kT0{};
constexpr auto kWait = std::chrono::milliseconds(1000);  // PoolLimits' default

/// Runs the completions, as the sequencer does outside its lock.
void run(std::vector<Completion>& out) {
    for (auto& c : out)
        c.done(std::move(c.result));
}

TEST_F(PoolFixture, QueuedTransactionIsRefusedNamingTheNextNonceWhenItsWaitEnds) {
    ASSERT_TRUE(add({.nonce = 0}, funded(), kT0).has_value());
    ASSERT_TRUE(add({.nonce = 2}, funded(), kT0).has_value());  // gap at 1
    EXPECT_EQ(pool.next_expiry(), kT0 + kWait);
    EXPECT_TRUE(pool.expire_queued(kT0 + kWait - std::chrono::nanoseconds(1)).empty());
    EXPECT_EQ(pool.size(), 2u);

    auto out = pool.expire_queued(kT0 + kWait);
    ASSERT_EQ(out.size(), 1u);
    ASSERT_FALSE(out[0].result.has_value());
    EXPECT_EQ(out[0].result.error().reason, R::kNonceTooHigh);
    EXPECT_EQ(out[0].result.error().message, "nonce too high: next nonce 1, tx nonce 2");
    run(out);
    EXPECT_EQ(events, (std::vector<std::string>{"1:2-nonce_too_high"}));
    EXPECT_EQ(pool.size(), 1u);
    EXPECT_FALSE(pool.next_expiry());
    EXPECT_EQ(take_all_nonces(), (std::vector<uint64_t>{0}));
    // The refused hash is forgotten: the same transaction may come again.
    EXPECT_TRUE(add({.nonce = 2}, funded(), kT0 + kWait).has_value());
}

TEST_F(PoolFixture, GapFilledWithinTheWaitIncludesBothInNonceOrder) {
    ASSERT_TRUE(add({.nonce = 1}, funded(), kT0).has_value());  // queued behind 0
    EXPECT_FALSE(pool.has_ready());
    ASSERT_TRUE(add({.nonce = 0}, funded(), kT0 + kWait / 2).has_value());
    EXPECT_FALSE(pool.next_expiry());  // promoted: no longer waiting
    EXPECT_TRUE(pool.expire_queued(kT0 + 10 * kWait).empty());
    EXPECT_EQ(take_all_nonces(), (std::vector<uint64_t>{0, 1}));
    EXPECT_TRUE(events.empty());  // nobody answered yet: that happens when the block is durable
}

TEST_F(PoolFixture, EachQueuedTransactionHasItsOwnWait) {
    ASSERT_TRUE(add({.key = 1, .nonce = 3}, funded(), kT0).has_value());
    ASSERT_TRUE(add({.key = 2, .nonce = 5}, funded(2), kT0 + kWait / 2).has_value());
    auto first = pool.expire_queued(kT0 + kWait);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].result.error().message, "nonce too high: next nonce 0, tx nonce 3");
    EXPECT_EQ(pool.next_expiry(), kT0 + kWait / 2 + kWait);
    auto second = pool.expire_queued(kT0 + 2 * kWait);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].result.error().message, "nonce too high: next nonce 2, tx nonce 5");
    EXPECT_EQ(pool.size(), 0u);
    EXPECT_FALSE(pool.pending_nonce(testing::test_address(1)));  // sender records dropped
}

TEST_F(PoolFixture, ReplacingAQueuedTransactionRestartsItsWait) {
    ASSERT_TRUE(add({.nonce = 2}, funded(), kT0).has_value());
    ASSERT_TRUE(add({.nonce = 2, .max_fee = 2'000'000'000, .tip = 1}, funded(), kT0 + kWait / 2)
                    .has_value());
    run(completions);  // the replaced one's answer
    EXPECT_EQ(events, (std::vector<std::string>{"1:2-replaced"}));
    EXPECT_TRUE(pool.expire_queued(kT0 + kWait).empty());
    EXPECT_EQ(pool.expire_queued(kT0 + kWait / 2 + kWait).size(), 1u);
}

TEST_F(PoolFixture, UntakeStartsTheWaitOfTheLaterNonces) {
    ASSERT_TRUE(add({.nonce = 0}, funded(), kT0).has_value());
    ASSERT_TRUE(add({.nonce = 1}, funded(), kT0).has_value());
    EXPECT_FALSE(pool.next_expiry());
    auto first = pool.take_ready(1'000'000);
    ASSERT_TRUE(first);
    pool.untake(*first, kT0 + kWait);  // ArbOS refused nonce 0: nonce 1 now waits behind it
    EXPECT_EQ(pool.next_expiry(), kT0 + 2 * kWait);
    auto out = pool.expire_queued(kT0 + 2 * kWait);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].result.error().message, "nonce too high: next nonce 0, tx nonce 1");
}

TEST_F(PoolFixture, ContentListsPendingAndQueuedBySenderThenNonce) {
    ASSERT_TRUE(add({.key = 2, .nonce = 1}, funded(1)).has_value());
    ASSERT_TRUE(add({.key = 1, .nonce = 0}).has_value());
    ASSERT_TRUE(add({.key = 1, .nonce = 3}).has_value());  // queued behind 1, 2
    ASSERT_TRUE(add({.key = 1, .nonce = 1}).has_value());
    const PoolContent c = pool.content();
    const auto key = [](const PooledTx& t) { return std::make_pair(t.sender, t.tx.nonce); };
    std::vector<std::pair<Address, uint64_t>> pending, queued;
    for (const auto& t : c.pending)
        pending.push_back(key(t));
    for (const auto& t : c.queued)
        queued.push_back(key(t));
    Address a1 = testing::test_address(1), a2 = testing::test_address(2);
    std::vector<std::pair<Address, uint64_t>> want_pending{{a1, 0}, {a1, 1}, {a2, 1}};
    if (a2 < a1) want_pending = {{a2, 1}, {a1, 0}, {a1, 1}};
    EXPECT_EQ(pending, want_pending);
    EXPECT_EQ(queued, (std::vector<std::pair<Address, uint64_t>>{{a1, 3}}));
    EXPECT_EQ(pool.counts(), std::make_pair(size_t{3}, size_t{1}));
    EXPECT_EQ(c.pending[0].hash,
              keccak256(make_raw(c.pending[0].sender == a1 ? TxSpec{.key = 1, .nonce = 0}
                                                           : TxSpec{.key = 2, .nonce = 1})));
}

}  // namespace
}  // namespace fuse::sequencer
