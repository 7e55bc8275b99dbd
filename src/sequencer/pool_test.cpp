#include "sequencer/pool.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

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
                                std::optional<state::Account> account = funded()) {
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
            account, completions);
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

}  // namespace
}  // namespace fuse::sequencer
