// The posting pipeline against a real anvil and the real SequencerInbox, whose batches must come in
// order: with L1 mining stopped several batches wait in flight, then settle in order; a revert in
// the middle makes the pipeline settle the rest without counting any as landed, then resync.
#include "l1/posting_pipeline.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "l1/anvil_process.hpp"
#include "l1/contracts.hpp"
#include "l1/test_contracts.hpp"

namespace fuse::l1 {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

using testing::kDevKey;  // anvil's dev account 0: owner and batch poster of the inbox
// Ample for these small batches (the estimate is ~90,000 gas).
constexpr uint64_t kGasBehind = 300'000;

SenderConfig sender_config(uint64_t confirmations) {
    SenderConfig c;
    c.confirmations = confirmations;
    c.poll_interval = 20ms;
    return c;
}

RpcClientConfig client_config(const std::string& url) {
    RpcClientConfig c;
    c.url = url;
    c.backoff_initial = 20ms;
    return c;
}

/// An inbox deployed by the dev key (with a sender of its own: 1 confirmation, automine).
Address deploy_inbox(RpcClient& rpc) {
    TxSender deployer(rpc, Signer::from_hex(kDevKey), sender_config(1));
    return testing::deploy_inbox(deployer, 122'880);
}

/// anvil + an inbox + the dev key's sender (K `confirmations`); then mining stops: blocks come
/// only from `mine()`.
struct Env {
    testing::AnvilProcess anvil;
    RpcClient rpc;
    Address inbox;
    TxSender sender;

    explicit Env(uint64_t confirmations = 1)
        : rpc(client_config(anvil.url())),
          inbox(deploy_inbox(rpc)),
          sender(rpc, Signer::from_hex(kDevKey), sender_config(confirmations)) {
        rpc.request("evm_setAutomine", json::array({false}));
    }

    void mine() { rpc.request("evm_mine"); }

    /// addSequencerL2Batch(seq, data, prev, next) for the inbox.
    PostRequest batch(uint64_t seq, uint64_t prev, uint64_t next,
                      std::optional<uint64_t> gas_behind = kGasBehind) const {
        const Bytes data = {0x00, 0xba, 0x7c, static_cast<uint8_t>(seq)};
        return {inbox, encode_add_sequencer_l2_batch({seq, data, prev, next}), {}, gas_behind};
    }

    uint64_t batch_count() {
        return call_u64(rpc, inbox, encode_call(sig::kBatchCount), "batchCount()");
    }
};

using Pipeline = PostingPipeline<uint64_t>;  // item: the batch's sequence number

/// Polls until `n` transactions have settled (or 10 s pass); returns them in the order reported.
std::vector<Pipeline::Settled> poll_until(Pipeline& p, size_t n) {
    std::vector<Pipeline::Settled> all;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (all.size() < n && std::chrono::steady_clock::now() < deadline) {
        for (auto& s : p.poll())
            all.push_back(std::move(s));
        if (all.size() < n) std::this_thread::sleep_for(20ms);
    }
    return all;
}

TEST(PostingPipeline, SettlesInOrderAfterKConfirmationsWithSeveralInFlight) {
    Env env(/*confirmations=*/2);
    Pipeline p(env.sender, {.max_in_flight = 3});
    EXPECT_EQ(p.next(), Next::kFromL1);
    p.submit(env.batch(0, 0, 2), 0);
    EXPECT_EQ(p.next(), Next::kAfterLast);
    EXPECT_EQ(p.last(), 0u);
    p.submit(env.batch(1, 2, 4), 1);
    p.submit(env.batch(2, 4, 6), 2);
    EXPECT_EQ(p.next(), Next::kFull);
    EXPECT_EQ(p.in_flight(), 3u);

    EXPECT_TRUE(p.poll().empty());  // nothing mined
    env.mine();
    EXPECT_TRUE(p.poll().empty());  // included: 1 confirmation of 2
    EXPECT_EQ(p.in_flight(), 3u);
    env.mine();
    const auto settled = poll_until(p, 3);
    ASSERT_EQ(settled.size(), 3u);
    for (uint64_t i = 0; i < 3; ++i) {
        EXPECT_EQ(settled[i].item, i);
        EXPECT_EQ(settled[i].outcome, Outcome::kLanded) << to_string(settled[i].outcome);
        ASSERT_TRUE(settled[i].receipt);
        EXPECT_TRUE(settled[i].receipt->success);
        EXPECT_EQ(settled[i].receipt->block_number, settled[0].receipt->block_number);
    }
    EXPECT_EQ(p.next(), Next::kFromL1);
    EXPECT_TRUE(p.empty());
    EXPECT_EQ(env.batch_count(), 3u);
}

TEST(PostingPipeline, ARevertInTheMiddleSettlesTheRestThenAsksForAResync) {
    Env env(/*confirmations=*/2);
    Pipeline p(env.sender, {.max_in_flight = 3});
    p.submit(env.batch(0, 0, 2), 0);
    p.submit(env.batch(7, 2, 4), 7);  // a wrong sequence number: reverts when mined
    env.mine();
    // Sent behind the bad one, and right on L1 (batch 1 after batch 0): it will land.
    p.submit(env.batch(1, 2, 4), 1);
    env.mine();  // batches 0 and 7 confirmed, batch 1 included

    auto settled = poll_until(p, 2);
    ASSERT_EQ(settled.size(), 2u);
    EXPECT_EQ(settled[0].item, 0u);
    EXPECT_EQ(settled[0].outcome, Outcome::kLanded);
    EXPECT_EQ(settled[1].item, 7u);
    EXPECT_EQ(settled[1].outcome, Outcome::kReverted);
    ASSERT_TRUE(settled[1].receipt);
    EXPECT_FALSE(settled[1].receipt->success);
    // Nothing new while the rest settles.
    EXPECT_EQ(p.next(), Next::kSettling);
    EXPECT_THROW(p.submit(env.batch(2, 4, 6), 2), std::logic_error);
    EXPECT_EQ(p.in_flight(), 1u);

    env.mine();
    settled = poll_until(p, 1);
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0].item, 1u);
    EXPECT_EQ(settled[0].outcome, Outcome::kDiscarded) << "nothing after a revert lands";
    ASSERT_TRUE(settled[0].receipt);
    EXPECT_TRUE(settled[0].receipt->success);  // it did land: L1 decides what comes next
    EXPECT_EQ(p.next(), Next::kFromL1);
    EXPECT_EQ(env.batch_count(), 2u);
}

TEST(PostingPipeline, ReusesTheLastEstimatedGasLimitBehindUnconfirmedTransactions) {
    Env env;
    Pipeline p(env.sender, {.max_in_flight = 3});
    EXPECT_EQ(p.estimated_gas_limit(), 0u);
    const uint64_t first = p.submit(env.batch(0, 0, 2), 0);
    const uint64_t estimated = p.estimated_gas_limit();
    EXPECT_GT(estimated, 21'000u);
    EXPECT_EQ(env.sender.find(first)->txn.gas_limit, estimated);
    // Its own estimate would revert (batch 0 is not on L1 yet): the estimated limit is reused.
    const uint64_t second = p.submit(env.batch(1, 2, 4, std::nullopt), 1);
    EXPECT_EQ(env.sender.find(second)->txn.gas_limit, estimated);
    // An owner's computed limit comes first.
    const uint64_t third = p.submit(env.batch(2, 4, 6, 333'333), 2);
    EXPECT_EQ(env.sender.find(third)->txn.gas_limit, 333'333u);
    EXPECT_EQ(p.estimated_gas_limit(), estimated);

    env.mine();
    const auto settled = poll_until(p, 3);
    ASSERT_EQ(settled.size(), 3u);
    for (const auto& s : settled)
        EXPECT_EQ(s.outcome, Outcome::kLanded) << "batch " << s.item;
    EXPECT_LE(settled[1].receipt->gas_used, estimated);
    // With nothing in flight the next one is estimated again (and gas_behind is ignored).
    const uint64_t fourth = p.submit(env.batch(3, 6, 8, 1), 3);
    EXPECT_GT(env.sender.find(fourth)->txn.gas_limit, 21'000u);
}

TEST(PostingPipeline, KeepsAtMostMaxInFlightAndResyncsOnRequest) {
    Env env;
    Pipeline p(env.sender, {.max_in_flight = 2});
    // An estimate that reverts queues nothing.
    EXPECT_THROW(p.submit(env.batch(5, 0, 2), 5), L1Error);
    EXPECT_EQ(p.next(), Next::kFromL1);
    p.submit(env.batch(0, 0, 2), 0);
    p.submit(env.batch(1, 2, 4), 1);
    EXPECT_EQ(p.next(), Next::kFull);
    EXPECT_THROW(p.submit(env.batch(2, 4, 6), 2), std::logic_error);
    EXPECT_EQ(p.in_flight(), 2u);
    env.mine();
    ASSERT_EQ(poll_until(p, 2).size(), 2u);
    EXPECT_EQ(p.next(), Next::kFromL1);

    // The owner's view changed (e.g. its chain was rewound): what is in flight settles, none of
    // it as landed, then the owner continues from L1.
    p.submit(env.batch(2, 4, 6), 2);
    p.resync();
    EXPECT_EQ(p.next(), Next::kSettling);
    env.mine();
    const auto settled = poll_until(p, 1);
    ASSERT_EQ(settled.size(), 1u);
    EXPECT_EQ(settled[0].outcome, Outcome::kDiscarded);
    EXPECT_EQ(p.next(), Next::kFromL1);
    p.resync();  // nothing in flight: nothing to wait for
    EXPECT_EQ(p.next(), Next::kFromL1);

    // 0 counts as 1.
    Pipeline one(env.sender, {.max_in_flight = 0});
    one.submit(env.batch(3, 6, 8), 3);
    EXPECT_EQ(one.next(), Next::kFull);
    env.mine();
    ASSERT_EQ(poll_until(one, 1).size(), 1u);
    EXPECT_EQ(env.batch_count(), 4u);
}

}  // namespace
}  // namespace fuse::l1
