#pragma once
// The validator tests' L1 (anvil with the real SequencerInbox and RollupCore, a chain posted by
// the real batch poster) and a validator's own database.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "l1/abi.hpp"
#include "l1/anvil_process.hpp"
#include "l1/contracts.hpp"
#include "l1/head_watcher.hpp"
#include "l1/test_util.hpp"
#include "poster/poster.hpp"
#include "poster/test_chain.hpp"
#include "validator/validator.hpp"

namespace fuse::validator::testing {

using namespace std::chrono_literals;
using poster::testing::client_config;
using poster::testing::deploy;
using poster::testing::L2Chain;
using poster::testing::sender_config;

constexpr const char* kPosterKey =  // anvil account 0: owner + batch poster
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr const char* kProposerKey =  // anvil account 2: the proposer
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

/// anvil + inbox + rollup (genesis hash = the L2 chain's block 0) + poster and proposer keys.
struct Env {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc{client_config(anvil.url())};
    l1::TxSender poster_sender{rpc, l1::Signer::from_hex(kPosterKey), sender_config()};
    l1::TxSender proposer_sender{rpc, l1::Signer::from_hex(kProposerKey), sender_config()};
    L2Chain chain;
    Address inbox, rollup;
    uint64_t deploy_block = 0;

    Env() {
        deploy_block = rpc.block_number();
        inbox = poster::testing::deploy_inbox(poster_sender, 122'880);
        rollup = deploy_rollup({proposer_sender.address()});
    }

    Address deploy_rollup(std::vector<Address> proposers) {
        std::vector<l1::AbiValue> ps;
        for (const auto& p : proposers)
            ps.push_back(l1::AbiValue::of(p));
        return deploy(
            poster_sender, "RollupCore", "address,bytes32,address,address[]",
            {l1::AbiValue::of(poster_sender.address()), l1::AbiValue::of(chain.blocks[0].hash),
             l1::AbiValue::of(inbox), l1::AbiValue::of_items(ps)});
    }

    /// Seals `n` blocks the way the sequencer does: on the current L1 block and its base fee.
    void seal(int n, size_t txs = 3) {
        l1::HeadWatcher w(rpc, {});
        for (int i = 0; i < n; ++i) {
            EXPECT_TRUE(w.poll());
            const auto head = w.current();
            chain.seal(txs, 40, head.number, head.base_fee,
                       static_cast<uint64_t>(std::time(nullptr)));
        }
    }

    /// Posts everything sealed, in batches of at most `max_size` bytes.
    void post_all(size_t max_size = 2'000) {
        poster::PosterConfig cfg;
        cfg.inbox = inbox;
        cfg.max_batch_size = max_size;
        cfg.max_batch_delay = 0ms;
        poster::BatchPoster poster(*chain.db, rpc, poster_sender, cfg);
        poster::testing::drain_poster(poster, chain);
    }

    /// RollupCore's record of batch `seq` (getRecord), decoded.
    Result<l1::StateRootRecord, l1::AbiError> record(uint64_t seq) {
        l1::CallRequest req;
        req.to = rollup;
        req.data = l1::encode_call(l1::sig::kGetRecord, uint256(seq));
        return l1::decode_state_root_record(rpc.call(req));
    }

    Config config(Mode mode) const {
        Config c;
        c.mode = mode;
        c.reader.inbox = inbox;
        c.reader.deploy_block = deploy_block;
        c.reader.confirmations = 0;
        c.rollup = rollup;
        c.poll_interval = 20ms;
        return c;
    }

    uint64_t batch_count() {
        l1::CallRequest req;
        req.to = inbox;
        req.data = l1::encode_call(l1::sig::kBatchCount);
        return l1::decode_uint(rpc.call(req))->low64();
    }
};

/// A validator's own database: genesis only, as a fresh node starts.
struct FreshNode {
    storage::testing::TempDir dir;
    std::unique_ptr<storage::Database> db;
    arbos::Genesis genesis = arbos::dev_genesis(poster::testing::kL2ChainId);
    arbos::Block genesis_block;

    /// `env`: the RocksDB environment (a storage::FaultInjection's; null: the real one).
    explicit FreshNode(rocksdb::Env* env = nullptr) {
        open(env);
        state::StateDiff diff;
        genesis_block = arbos::make_genesis_block(db->world(), genesis, &diff);
        arbos::Message none;
        storage::BlockCommit c{&genesis_block, &diff, &none};
        EXPECT_TRUE(db->commit({&c, 1}));
    }

    /// (Re)opens the database, as a restarted node does.
    void open(rocksdb::Env* env = nullptr) {
        db.reset();
        storage::Options o;
        o.path = (dir.path / "db").string();
        o.sync = false;
        o.env = env;
        if (env) o.block_cache_mb = 0;  // fault injection: reads reach the files
        db = std::move(storage::Database::open(o).value());
    }
};

template <class Pred>
inline void run_until(Validator& v, Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        v.step();
        if (!done()) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(done()) << "validator did not get there; last error: " << v.status().last_error;
}

inline void expect_same_chain(const L2Chain& seq, storage::Database& db) {
    const uint64_t head = seq.blocks.size() - 1;
    ASSERT_EQ(db.head(storage::Head::kLatest).value_or(0), head);
    for (uint64_t n = 0; n <= head; ++n) {
        auto ours = db.block_by_number(n);
        ASSERT_TRUE(ours) << n;
        EXPECT_EQ(ours->hash, seq.blocks[n].hash) << "block " << n;
        EXPECT_EQ(ours->header.state_root, seq.blocks[n].header.state_root) << "block " << n;
    }
}

}  // namespace fuse::validator::testing
