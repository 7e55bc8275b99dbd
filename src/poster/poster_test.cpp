// The batch poster against a real anvil running the real SequencerInbox, with real L2 blocks
// (ArbOS over a RocksDB database): every message reaches L1 exactly once, in order, and decodes
// back to what the sequencer sealed; a restarted poster continues where L1 says it stopped.

#include "poster/poster.hpp"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "batch/batch.hpp"
#include "core/hex.hpp"
#include "inbox/registry_store.hpp"
#include "l1/abi.hpp"
#include "l1/anvil_process.hpp"
#include "l1/contracts.hpp"
#include "l1/test_util.hpp"
#include "poster/test_chain.hpp"
#include "storage/test_util.hpp"

namespace fuse::poster {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPosterKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";  // anvil account 0
constexpr const char* kOtherKey =
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";  // anvil account 1
using testing::client_config;
using testing::deploy_inbox;
using testing::drain_poster;
using testing::L2Chain;
using testing::sender_config;

/// Every SequencerBatchDelivered of `inbox`, decoded with the data from its transaction.
struct Posted {
    uint64_t seq, prev, next;
    std::vector<batch::L2Message> messages;
    size_t size;
};
std::vector<Posted> read_batches(l1::RpcClient& rpc, const Address& inbox) {
    l1::LogFilter f;
    f.addresses = {inbox};
    std::vector<Posted> out;
    batch::AddressRegistry registry;  // format 0x02: carried from batch to batch, as a reader does
    for (const auto& log : rpc.get_logs(f)) {
        auto ev = l1::decode_sequencer_batch_delivered(log);
        if (!ev) continue;
        auto tx = rpc.get_transaction(log.tx_hash);
        EXPECT_TRUE(tx);
        auto call = l1::decode_add_sequencer_l2_batch(tx->input);
        EXPECT_TRUE(call);
        std::vector<Address> registered;
        auto msgs = batch::decode_batch(call->data, {}, &registry, &registered);
        EXPECT_TRUE(msgs) << "batch " << ev->batch_sequence_number.to_dec();
        EXPECT_TRUE(registry.apply_batch(ev->batch_sequence_number.low64(), registered));
        out.push_back({ev->batch_sequence_number.low64(), ev->prev_message_count.low64(),
                       ev->new_message_count.low64(),
                       msgs ? *msgs : std::vector<batch::L2Message>{}, call->data.size()});
    }
    return out;
}

void expect_all_posted_once(const std::vector<Posted>& batches, const L2Chain& chain) {
    uint64_t expect_next = 1;
    for (size_t i = 0; i < batches.size(); ++i) {
        const auto& b = batches[i];
        EXPECT_EQ(b.seq, i);
        EXPECT_EQ(b.prev + 1, expect_next) << "gap or duplicate before batch " << b.seq;
        ASSERT_EQ(b.messages.size(), b.next - b.prev);
        for (uint64_t n = b.prev + 1; n <= b.next; ++n) {
            const auto& m = b.messages[n - b.prev - 1];
            const arbos::Block& blk = chain.blocks[n];
            EXPECT_EQ(m.timestamp, blk.header.timestamp) << "message " << n;
            ASSERT_EQ(m.txs.size(), blk.txs.size()) << "message " << n;
            for (size_t k = 0; k < m.txs.size(); ++k)
                EXPECT_EQ(keccak256(m.txs[k]), blk.txs[k].hash) << "message " << n << " tx " << k;
        }
        expect_next = b.next + 1;
    }
    EXPECT_EQ(expect_next - 1, chain.blocks.size() - 1) << "not every sealed message was posted";
}

TEST(BatchPoster, PostsEveryMessageOnceAndSplitsBySize) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);

    L2Chain chain;
    for (int i = 0; i < 40; ++i)
        chain.seal(5, 300);  // ~ incompressible-ish calldata: several batches

    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_size = 20'000;
    cfg.max_batch_delay = 0ms;
    BatchPoster poster(*chain.db, rpc, sender, cfg);
    drain_poster(poster, chain);

    const auto batches = read_batches(rpc, inbox);
    ASSERT_GE(batches.size(), 2u) << "20 KB batches must split 40 blocks of ~1.5 KB";
    for (const auto& b : batches)
        EXPECT_LE(b.size, 20'000u);
    expect_all_posted_once(batches, chain);
    EXPECT_EQ(poster.status().batches_posted, batches.size());
    // The poster recorded what each batch carries.
    for (const auto& b : batches) {
        auto meta = chain.db->get_meta(batch_meta_key(b.seq));
        ASSERT_TRUE(meta);
        ASSERT_EQ(meta->size(), 48u);
        uint64_t prev = 0, next = 0;
        for (int k = 0; k < 8; ++k) {
            prev = prev << 8 | (*meta)[k];
            next = next << 8 | (*meta)[8 + k];
        }
        EXPECT_EQ(prev, b.prev);
        EXPECT_EQ(next, b.next);
    }
}

// Messages that carry deposits are posted with their deposit segment (0x03): the batch holds
// the reference {first_index, count, acc}, never the deposits, in both formats.
TEST(BatchPoster, PostsDepositRefs) {
    for (const uint8_t format : {uint8_t{0}, uint8_t{1}}) {
        l1::testing::AnvilProcess anvil;
        l1::RpcClient rpc(client_config(anvil.url()));
        l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
        const Address inbox = deploy_inbox(sender, 122'880);
        L2Chain chain;
        chain.seal_deposits(2);
        chain.seal(3, 10);
        chain.seal_deposits(1);
        const auto ref1 = chain.db->message(1)->deposit_ref;
        const auto ref3 = chain.db->message(3)->deposit_ref;
        ASSERT_TRUE(ref1 && ref3);

        PosterConfig cfg;
        cfg.inbox = inbox;
        cfg.max_batch_delay = 0ms;
        cfg.batch_format = format;
        BatchPoster poster(*chain.db, rpc, sender, cfg);
        drain_poster(poster, chain);
        std::vector<batch::L2Message> posted;
        for (const auto& b : read_batches(rpc, inbox))
            posted.insert(posted.end(), b.messages.begin(), b.messages.end());
        ASSERT_EQ(posted.size(), 3u);
        EXPECT_EQ(posted[0].deposit_ref, ref1);
        EXPECT_EQ(posted[0].deposit_ref->first_index, 0u);
        EXPECT_EQ(posted[0].deposit_ref->count, 2u);
        EXPECT_TRUE(posted[0].txs.empty());  // the deposits themselves are not in the batch
        EXPECT_FALSE(posted[1].deposit_ref);
        EXPECT_EQ(posted[1].txs.size(), 3u);
        EXPECT_EQ(posted[2].deposit_ref, ref3);
        EXPECT_EQ(posted[2].deposit_ref->first_index, 2u);
        // The messages as stored (the ref included) are what the batch carries.
        for (uint64_t n = 1; n <= 3; ++n)
            EXPECT_EQ(posted[n - 1], *chain.db->message(n)) << "message " << n;
    }
}

TEST(BatchPoster, PostsTheColumnarFormatWhenConfigured) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    L2Chain chain;
    for (int i = 0; i < 12; ++i)
        chain.seal(3, 40);
    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 0ms;
    cfg.batch_format = batch::kColumnarFormat;
    BatchPoster poster(*chain.db, rpc, sender, cfg);
    drain_poster(poster, chain);
    // The inbox accepted format 0x01, and every batch decodes back to the sealed transactions.
    l1::LogFilter f;
    f.addresses = {inbox};
    size_t seen = 0;
    for (const auto& log : rpc.get_logs(f)) {
        if (!l1::decode_sequencer_batch_delivered(log)) continue;
        const auto call =
            l1::decode_add_sequencer_l2_batch(rpc.get_transaction(log.tx_hash)->input);
        ASSERT_TRUE(call);
        ASSERT_FALSE(call->data.empty());
        EXPECT_EQ(call->data[0], batch::kColumnarFormat);
        ++seen;
    }
    EXPECT_GE(seen, 1u);
    expect_all_posted_once(read_batches(rpc, inbox), chain);
}

TEST(BatchPoster, PostsTheRegistryFormatAndKeepsTheRegistryAcrossARestart) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    L2Chain chain;
    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 0ms;
    cfg.batch_format = batch::kRegistryFormat;
    for (int round = 0; round < 3; ++round) {  // a new poster (a restart) each round
        chain.seal(3, 40);
        BatchPoster poster(*chain.db, rpc, sender, cfg);
        drain_poster(poster, chain);
    }
    l1::LogFilter f;
    f.addresses = {inbox};
    std::vector<Bytes> data;
    for (const auto& log : rpc.get_logs(f)) {
        if (!l1::decode_sequencer_batch_delivered(log)) continue;
        const auto call =
            l1::decode_add_sequencer_l2_batch(rpc.get_transaction(log.tx_hash)->input);
        ASSERT_TRUE(call);
        ASSERT_FALSE(call->data.empty());
        EXPECT_EQ(call->data[0], batch::kRegistryFormat);
        data.push_back(call->data);
    }
    ASSERT_GE(data.size(), 3u);
    // Every tx goes to the same address: batch 0 registers it, the later ones (posted by the
    // restarted posters, from the registry they loaded) name it by index and cannot decode
    // without the registry.
    auto first = batch::decode_batch(data[0]);
    EXPECT_TRUE(first);
    for (size_t k = 1; k < data.size(); ++k) {
        auto alone = batch::decode_batch(data[k]);
        ASSERT_FALSE(alone) << "batch " << k;
        EXPECT_EQ(alone.error(), batch::BatchError::kUnknownRegistryIndex);
    }
    expect_all_posted_once(read_batches(rpc, inbox), chain);
    inbox::MetaRegistryStore store{*chain.db};
    auto saved = batch::load_registry(store, kRegistryMetaPrefix);
    ASSERT_TRUE(saved);
    EXPECT_EQ(saved->size(), 1u);
    EXPECT_EQ(saved->next_batch(), data.size());
}

TEST(BatchPoster, RefusesTheRegistryFormatWithoutTheRegistryOfEarlierBatches) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    L2Chain chain;
    chain.seal(3, 40);
    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 0ms;
    cfg.batch_format = batch::kRegistryFormat;
    {
        BatchPoster poster(*chain.db, rpc, sender, cfg);
        drain_poster(poster, chain);
    }
    // Another database (no registry, no record of batch 0) with a message to post next.
    L2Chain other;
    other.seal(3, 40);
    other.seal(3, 40);
    cfg.warn = [](const std::string&) {};
    BatchPoster poster(*other.db, rpc, sender, cfg);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(poster.step(), Step::kL1Error);
    EXPECT_NE(poster.status().last_error.find("no address registry"), std::string::npos)
        << poster.status().last_error;
    EXPECT_EQ(poster.status().next_sequence_number, 1u);
}

TEST(BatchPoster, WaitsForTheDelayThenPostsAPartialBatch) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    L2Chain chain;
    chain.seal(2, 10);

    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 300ms;
    BatchPoster poster(*chain.db, rpc, sender, cfg);
    EXPECT_EQ(poster.step(), Step::kIdle);  // small and young: wait
    EXPECT_TRUE(read_batches(rpc, inbox).empty());
    std::this_thread::sleep_for(350ms);
    EXPECT_EQ(poster.step(), Step::kPosted);
    drain_poster(poster, chain);
    const auto batches = read_batches(rpc, inbox);
    ASSERT_EQ(batches.size(), 1u);
    expect_all_posted_once(batches, chain);
}

TEST(BatchPoster, RestartedPosterResumesWithoutGapOrDuplicate) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    L2Chain chain;
    Address inbox;
    {
        l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
        inbox = deploy_inbox(sender, 122'880);
        for (int i = 0; i < 10; ++i)
            chain.seal(3, 50);
        PosterConfig cfg;
        cfg.inbox = inbox;
        cfg.max_batch_delay = 0ms;
        BatchPoster poster(*chain.db, rpc, sender, cfg);
        // Send one batch and "crash" before seeing it confirmed.
        EXPECT_EQ(poster.step(), Step::kPosted);
    }
    for (int i = 0; i < 10; ++i)
        chain.seal(3, 50);
    {
        l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
        PosterConfig cfg;
        cfg.inbox = inbox;
        cfg.max_batch_delay = 0ms;
        BatchPoster poster(*chain.db, rpc, sender, cfg);
        EXPECT_TRUE(poster.wait_for_mempool(10s));
        drain_poster(poster, chain);
    }
    const auto batches = read_batches(rpc, inbox);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0].next, 10u);
    expect_all_posted_once(batches, chain);
}

TEST(BatchPoster, L1DownIsAnErrorNotACrashAndRecoveryContinues) {
    // A port nobody listens on: every round is an L1 error with the reason, nothing posted.
    l1::RpcClient rpc(client_config("http://127.0.0.1:9"));
    L2Chain chain;
    chain.seal(1, 1);
    l1::testing::AnvilProcess live;
    l1::RpcClient live_rpc(client_config(live.url()));
    l1::TxSender sender(live_rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 0ms;
    BatchPoster down(*chain.db, rpc, sender, cfg);
    EXPECT_EQ(down.step(), Step::kL1Error);
    EXPECT_EQ(down.status().l1_errors, 1u);
    EXPECT_FALSE(down.status().last_error.empty());
    // The same messages go out once L1 answers.
    BatchPoster up(*chain.db, live_rpc, sender, cfg);
    drain_poster(up, chain);
    expect_all_posted_once(read_batches(live_rpc, inbox), chain);
}

TEST(BatchPoster, PipelinesBatchesBehindUnconfirmedOnesAndStillPostsEachMessageOnce) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender sender(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(sender, 122'880);
    L2Chain chain;
    for (int i = 0; i < 60; ++i)
        chain.seal(5, 300);
    rpc.request("evm_setAutomine", nlohmann::json::array({false}));

    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_size = 10'000;
    cfg.max_batch_delay = 0ms;
    cfg.max_in_flight = 3;
    BatchPoster poster(*chain.db, rpc, sender, cfg);
    // Nothing is mined: the poster sends three batches (the 2nd and 3rd behind unconfirmed
    // ones, with a computed gas limit) and then waits.
    for (int i = 0; i < 10; ++i)
        EXPECT_NE(poster.step(), Step::kL1Error) << poster.status().last_error;
    EXPECT_EQ(poster.status().in_flight, 3u);
    EXPECT_TRUE(read_batches(rpc, inbox).empty());

    drain_poster(poster, chain, [&](Step s) {
        EXPECT_NE(s, Step::kL1Error) << poster.status().last_error;
        if (poster.status().in_flight > 0) rpc.request("evm_mine");
    });
    const auto batches = read_batches(rpc, inbox);
    ASSERT_GE(batches.size(), 4u);
    expect_all_posted_once(batches, chain);
    EXPECT_EQ(poster.status().batches_posted, batches.size());
    EXPECT_EQ(poster.status().in_flight, 0u);

    // Several batches shared an L1 block, and no computed gas limit was too low.
    l1::LogFilter f;
    f.addresses = {inbox};
    std::map<uint64_t, int> per_block;
    for (const auto& log : rpc.get_logs(f)) {
        if (!l1::decode_sequencer_batch_delivered(log)) continue;  // the deployment's events
        const auto tx = rpc.get_transaction(log.tx_hash);
        const auto receipt = rpc.get_receipt(log.tx_hash);
        ASSERT_TRUE(tx && receipt);
        EXPECT_LE(receipt->gas_used, batch_gas_limit(tx->input));
        ++per_block[log.block_number];
    }
    int most = 0;
    for (const auto& [block, n] : per_block)
        most = std::max(most, n);
    EXPECT_GE(most, 2) << "no two batches were in flight together";
}

TEST(BatchPoster, ABatchFromANonPosterKeyIsRefusedByTheInbox) {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc(client_config(anvil.url()));
    l1::TxSender owner(rpc, l1::Signer::from_hex(kPosterKey), sender_config());
    const Address inbox = deploy_inbox(owner, 122'880);
    L2Chain chain;
    chain.seal(1, 1);
    l1::TxSender intruder(rpc, l1::Signer::from_hex(kOtherKey), sender_config());
    PosterConfig cfg;
    cfg.inbox = inbox;
    cfg.max_batch_delay = 0ms;
    BatchPoster poster(*chain.db, rpc, intruder, cfg);
    EXPECT_EQ(poster.step(), Step::kL1Error);  // the gas estimate reverts: NotBatchPoster
    EXPECT_NE(poster.status().last_error.find("revert"), std::string::npos)
        << poster.status().last_error;
    EXPECT_TRUE(read_batches(rpc, inbox).empty());
}

}  // namespace
}  // namespace fuse::poster
