// Deposits in the database (docs/storage.md): the message's deposit ref and the deposit
// contents survive a restart, deposit transactions read back from block bodies, a rewind drops
// the deposits of the dropped blocks, and a block replayed from what is stored gets the same
// hash.
#include <gtest/gtest.h>

#include <deque>

#include "arbos/arbos.hpp"
#include "arbos/memory_world.hpp"
#include "storage/codec.hpp"
#include "storage/database.hpp"
#include "storage/test_util.hpp"

using namespace fuse;
using namespace fuse::storage;

namespace {

constexpr uint64_t kChainId = 412346;

std::unique_ptr<Database> open_db(const storage::testing::TempDir& dir) {
    Options o;
    o.path = dir.path.string();
    o.sync = false;
    o.block_cache_mb = 8;
    return std::move(Database::open(o).value());
}

Deposit make_deposit(uint64_t index, DepositKind kind) {
    Deposit d;
    d.kind = kind;
    d.index = index;
    d.l2_from = storage::testing::test_address(500 + index);
    d.to = storage::testing::test_address(600 + index);
    d.value = uint256(1000 + index);
    d.l1_block_number = 1;
    d.l1_timestamp = 77 + index;
    if (kind == DepositKind::kMessage) {
        d.l2_gas_limit = 50'000;
        d.data = Bytes{0xde, 0xad, static_cast<uint8_t>(index)};
    }
    return d;
}

arbos::Message header_only(uint64_t ts) {
    arbos::Message m;
    m.timestamp = ts;
    m.l1_block_number = 1;
    m.l1_base_fee = uint256(3);
    return m;
}

TEST(StorageCodec, MessageKeepsItsDepositRef) {
    arbos::Message m = header_only(5);
    m.txs = {Bytes{1, 2}, Bytes{3}};
    const Bytes plain = encode_message(m);
    EXPECT_EQ(decode_message(plain), m);
    m.deposit_ref = batch::DepositRef{7, 3, keccak256(Bytes{9})};
    const Bytes with_ref = encode_message(m);
    EXPECT_EQ(with_ref.size(), plain.size() + 1 + 8 + 8 + 32);
    EXPECT_EQ(decode_message(with_ref), m);
    // Records written before refs existed end after the txs: they decode with no ref.
    EXPECT_FALSE(decode_message(plain)->deposit_ref);
    // A trailer that is not exactly one ref is corrupt.
    Bytes bad = with_ref;
    bad[plain.size()] = 2;
    EXPECT_FALSE(decode_message(bad));
    bad = with_ref;
    bad.pop_back();
    EXPECT_FALSE(decode_message(bad));
    bad = with_ref;
    bad.push_back(0);
    EXPECT_FALSE(decode_message(bad));
}

TEST(StorageCodec, DepositsRoundTrip) {
    for (DepositKind kind : {DepositKind::kNative, DepositKind::kMessage}) {
        const Deposit d = make_deposit(42, kind);
        const Bytes enc = encode_deposit(d);
        EXPECT_EQ(decode_deposit(42, enc), d);
        EXPECT_NE(decode_deposit(43, enc), d);  // the index comes from the key
        Bytes cut = enc;
        cut.pop_back();
        EXPECT_FALSE(decode_deposit(42, cut));
        cut = enc;
        cut.push_back(0);
        EXPECT_FALSE(decode_deposit(42, cut));
    }
}

/// Blocks with deposits built by ArbOS on the database, as the sequencer commits them.
struct DepositChainOnDb {
    explicit DepositChainOnDb(const storage::testing::TempDir& dir) : db(open_db(dir)) {
        state::StateDiff gdiff;
        blocks.push_back(arbos::make_genesis_block(db->world(), genesis, &gdiff));
        BlockCommit g{&blocks[0], &gdiff, nullptr};
        EXPECT_TRUE(db->commit({&g, 1}));
    }
    /// Builds and commits a block with `deposits` (a ref to them when not empty).
    const arbos::Block& add(const std::vector<Deposit>& deposits) {
        arbos::Message m = header_only(blocks.back().header.timestamp + 1);
        if (!deposits.empty()) {
            const Hash32 prev = arbos::read_system_state(db->world()).value().deposit_acc;
            m.deposit_ref = batch::make_deposit_ref(prev, deposits);
        }
        state::StateDiff diff;
        blocks.push_back(
            arbos::execute_message(db->world(), genesis, blocks.back(), m, &diff, {}, deposits));
        EXPECT_FALSE(blocks.back().deposit_error);
        BlockCommit c{&blocks.back(), &diff, &m, deposits};
        auto r = db->commit({&c, 1});
        EXPECT_TRUE(r) << (r ? "" : r.error());
        return blocks.back();
    }

    arbos::Genesis genesis = arbos::dev_genesis(kChainId);
    std::unique_ptr<Database> db;
    std::deque<arbos::Block> blocks;
};

TEST(DatabaseDeposits, DepositsAndRefsSurviveARestartAndReplayToTheSameBlocks) {
    storage::testing::TempDir dir;
    const std::vector<std::vector<Deposit>> per_block = {
        {make_deposit(0, DepositKind::kNative), make_deposit(1, DepositKind::kMessage)},
        {},
        {make_deposit(2, DepositKind::kMessage)},
    };
    std::vector<arbos::Block> built;
    {
        DepositChainOnDb c(dir);
        for (const auto& ds : per_block)
            built.push_back(c.add(ds));
    }
    auto db = open_db(dir);
    ASSERT_EQ(db->head(Head::kLatest), 3u);
    for (uint64_t i = 0; i < 3; ++i) {
        const auto d = db->deposit(i);
        ASSERT_TRUE(d) << i;
        EXPECT_EQ(*d, make_deposit(i, i == 0 ? DepositKind::kNative : DepositKind::kMessage));
    }
    EXPECT_FALSE(db->deposit(3));
    EXPECT_EQ(db->deposits(0, 2)->size(), 2u);
    EXPECT_FALSE(db->deposits(2, 2));  // deposit 3 is missing
    EXPECT_EQ(db->deposits(5, 0)->size(), 0u);

    // Bodies hold the deposit transactions, decoded; receipts keep their types.
    const auto b1 = db->block_by_number(1);
    ASSERT_TRUE(b1);
    ASSERT_EQ(b1->txs.size(), 2u);
    EXPECT_EQ(b1->txs[0].tx.type, TxType::kArbitrumDeposit);
    EXPECT_EQ(b1->txs[1].tx.type, TxType::kArbitrumContract);
    EXPECT_EQ(b1->txs[1].tx.from, make_deposit(1, DepositKind::kMessage).l2_from);
    EXPECT_EQ(b1->txs[1].receipt.type, TxType::kArbitrumContract);
    EXPECT_EQ(b1->txs[1].hash, built[0].txs[1].hash);
    EXPECT_EQ(db->tx_location(built[0].txs[0].hash)->block_number, 1u);

    // Replay every block from the stored message and deposits: same hashes.
    arbos::MemoryWorld mem;
    std::vector<arbos::Block> replay{arbos::make_genesis_block(mem, arbos::dev_genesis(kChainId))};
    for (uint64_t n = 1; n <= 3; ++n) {
        const auto m = db->message(n);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->deposit_ref.has_value(), !per_block[n - 1].empty());
        std::vector<Deposit> ds;
        if (m->deposit_ref)
            ds = db->deposits(m->deposit_ref->first_index, m->deposit_ref->count).value();
        EXPECT_EQ(ds, per_block[n - 1]);
        replay.push_back(arbos::execute_message(mem, arbos::dev_genesis(kChainId), replay.back(),
                                                *m, nullptr, {}, ds));
        EXPECT_FALSE(replay.back().deposit_error);
        EXPECT_EQ(replay.back().hash, db->block_hash(n)) << n;
    }
}

TEST(DatabaseDeposits, RewindDropsTheDepositsOfTheDroppedBlocks) {
    storage::testing::TempDir dir;
    DepositChainOnDb c(dir);
    c.add({make_deposit(0, DepositKind::kNative)});
    c.add({make_deposit(1, DepositKind::kNative), make_deposit(2, DepositKind::kMessage)});
    c.add({});
    ASSERT_TRUE(c.db->deposit(2));
    ASSERT_TRUE(c.db->rewind_to(1));
    EXPECT_TRUE(c.db->deposit(0));
    EXPECT_FALSE(c.db->deposit(1));
    EXPECT_FALSE(c.db->deposit(2));
    // A re-sequenced block 2 brings other contents for index 1 (an L1 reorg).
    c.blocks.resize(2);
    Deposit other = make_deposit(1, DepositKind::kNative);
    other.value = uint256(5);
    c.add({other});
    EXPECT_EQ(c.db->deposit(1), other);
    EXPECT_FALSE(c.db->deposit(2));
    EXPECT_EQ(arbos::read_system_state(*c.db->latest_state()).value().next_deposit_index, 2u);
    ASSERT_TRUE(c.db->rewind_to(0));
    EXPECT_FALSE(c.db->deposit(0));
    EXPECT_FALSE(c.db->deposit(1));
}

}  // namespace

TEST(MessageRecord, TransactionsTheBodyHoldsAreStoredAsReferences) {
    std::mt19937_64 rng(5);
    arbos::Block b = fuse::storage::testing::make_block(7, Hash32{}, kEmptyTrieRoot, 6, rng);
    arbos::Message m;
    m.l1_block_number = 3;
    m.timestamp = 9;
    // the block's transactions, with one the block refused in the middle and one at the end
    for (size_t i = 0; i < b.txs.size(); ++i) {
        m.txs.push_back(b.txs[i].raw);
        if (i == 2) m.txs.push_back(fuse::storage::testing::test_raw_tx(999, 1));
    }
    m.txs.push_back(fuse::storage::testing::test_raw_tx(998, 2));
    const Bytes plain = encode_message(m);
    const Bytes refs = encode_message(m, &b);
    EXPECT_FALSE(message_refers_to_body(plain));
    EXPECT_TRUE(message_refers_to_body(refs));
    size_t raw_bytes = 0;
    for (const auto& t : b.txs)
        raw_bytes += t.raw.size();
    EXPECT_EQ(plain.size() - refs.size(), raw_bytes - 4 * b.txs.size());
    EXPECT_EQ(decode_message(refs, &b), m);
    EXPECT_FALSE(decode_message(refs));  // a reference needs the body
    arbos::Block short_body = b;
    short_body.txs.resize(2);
    EXPECT_FALSE(decode_message(refs, &short_body));
    EXPECT_EQ(decode_message(plain), m);  // records without references read as before
}
