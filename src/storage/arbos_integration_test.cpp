// The real state-transition function on the real database: genesis and blocks of signed
// transfers built by ArbOS on `db.world()`, committed, reopened, and replayed on a MemoryWorld
// (the reference) with identical block hashes and state roots.

#include <gtest/gtest.h>

#include "arbos/arbos.hpp"
#include "arbos/memory_world.hpp"
#include "storage/database.hpp"
#include "storage/test_util.hpp"

using namespace fuse;
using namespace fuse::storage;

namespace {

constexpr uint64_t kChainId = 412346;

Bytes transfer(size_t from, uint64_t nonce, const Address& to, uint64_t value) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = kChainId;
    t.nonce = nonce;
    t.max_fee_per_gas = uint256(1'000'000'000);
    t.gas_limit = 21'000;
    t.to = to;
    t.value = uint256(value);
    EXPECT_TRUE(sign_transaction(t, arbos::dev_accounts()[from].private_key));
    return encode_transaction(t);
}

std::unique_ptr<Database> open_db(const storage::testing::TempDir& dir) {
    Options o;
    o.path = dir.path.string();
    o.sync = false;
    o.block_cache_mb = 8;
    return std::move(Database::open(o).value());
}

}  // namespace

TEST(ArbosOnDatabase, GenesisAndTransferBlocksMatchTheInMemoryReplay) {
    storage::testing::TempDir dir;
    const arbos::Genesis genesis = arbos::dev_genesis(kChainId);
    std::vector<arbos::Block> blocks;
    std::vector<arbos::Message> messages;
    {
        auto db = open_db(dir);
        ASSERT_FALSE(db->head(Head::kLatest));
        state::StateDiff gdiff;
        blocks.push_back(arbos::make_genesis_block(db->world(), genesis, &gdiff));
        messages.emplace_back();
        BlockCommit g{&blocks[0], &gdiff, nullptr};
        ASSERT_TRUE(db->commit({&g, 1}));
        std::vector<uint64_t> nonces(4, 0);
        for (uint64_t n = 1; n <= 6; ++n) {
            arbos::Message m;
            m.timestamp = blocks.back().header.timestamp + 1;
            m.l1_block_number = 10 + n;
            for (size_t from = 0; from < 4; ++from)
                m.txs.push_back(transfer(from, nonces[from]++,
                                         storage::testing::test_address(n * 10 + from),
                                         1000 * n + from));
            state::StateDiff diff;
            auto hashes = [&](int64_t k) {
                return k >= 0 && static_cast<size_t>(k) < blocks.size() ? blocks[k].hash : Hash32{};
            };
            blocks.push_back(
                arbos::execute_message(db->world(), genesis, blocks.back(), m, &diff, hashes));
            messages.push_back(m);
            ASSERT_EQ(blocks.back().txs.size(), 4u);
            BlockCommit c{&blocks.back(), &diff, &messages.back()};
            auto r = db->commit({&c, 1});
            ASSERT_TRUE(r) << r.error();
        }
        EXPECT_EQ(db->recompute_state_root().value(), blocks.back().header.state_root);
    }
    // Reopen and replay the stored messages on a MemoryWorld.
    auto db = open_db(dir);
    ASSERT_EQ(db->head(Head::kLatest), 6u);
    arbos::MemoryWorld mem;
    std::vector<arbos::Block> replay;
    replay.push_back(arbos::make_genesis_block(mem, genesis));
    ASSERT_EQ(replay[0].hash, db->block_hash(0));
    for (uint64_t n = 1; n <= 6; ++n) {
        auto m = db->message(n);
        ASSERT_TRUE(m);
        auto hashes = [&](int64_t k) {
            return k >= 0 && static_cast<size_t>(k) < replay.size() ? replay[k].hash : Hash32{};
        };
        replay.push_back(arbos::execute_message(mem, genesis, replay.back(), *m, nullptr, hashes));
        auto stored = db->block_by_number(n);
        ASSERT_TRUE(stored);
        EXPECT_EQ(replay.back().hash, stored->hash) << "block " << n;
        EXPECT_EQ(replay.back().header.state_root, stored->header.state_root);
        ASSERT_EQ(stored->txs.size(), replay.back().txs.size());
        for (size_t i = 0; i < stored->txs.size(); ++i) {
            EXPECT_EQ(stored->txs[i].receipt, replay.back().txs[i].receipt);
            EXPECT_EQ(stored->txs[i].sender, replay.back().txs[i].sender);
            EXPECT_EQ(db->tx_location(stored->txs[i].hash)->block_number, n);
        }
    }
    // Balances read three ways agree: world (flat), snapshot, and through the trie.
    auto latest = db->latest_state();
    auto trie = db->state_at(db->header_by_number(6)->state_root);
    for (uint64_t n = 1; n <= 6; ++n) {
        for (size_t from = 0; from < 4; ++from) {
            const Address to = storage::testing::test_address(n * 10 + from);
            auto want = mem.read_account(to).value();
            ASSERT_TRUE(want);
            EXPECT_EQ(want->balance, uint256(1000 * n + from));
            EXPECT_EQ(db->world().read_account(to).value(), want);
            EXPECT_EQ(latest->read_account(to).value(), want);
            EXPECT_EQ(trie->read_account(to).value(), want);
        }
    }
    for (size_t from = 0; from < 4; ++from) {
        const Address a = arbos::dev_accounts()[from].address;
        EXPECT_EQ(latest->read_account(a).value(), mem.read_account(a).value());
        EXPECT_EQ(trie->read_account(a).value(), mem.read_account(a).value());
    }
}
