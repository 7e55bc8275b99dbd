#pragma once
// Test helpers (poster and validator tests): an L2 chain of real ArbOS blocks in a real RocksDB
// database, sealed the way the sequencer seals them, and a loop that posts all of it.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "core/hex.hpp"
#include "core/transaction.hpp"
#include "l1/rpc_client.hpp"
#include "l1/test_contracts.hpp"
#include "l1/tx_sender.hpp"
#include "poster/poster.hpp"
#include "storage/database.hpp"
#include "storage/test_util.hpp"

namespace fuse::poster::testing {

inline constexpr uint64_t kL2ChainId = 412346;

using l1::testing::client_config;

/// A sender polling every 20 ms.
inline l1::SenderConfig sender_config() {
    using namespace std::chrono_literals;
    l1::SenderConfig c;
    c.poll_interval = 20ms;
    return c;
}

using l1::testing::deploy;
using l1::testing::deploy_inbox;

/// An L2 chain in a real database: genesis + `n` blocks of dev-account transfers.
struct L2Chain {
    storage::testing::TempDir dir;
    std::unique_ptr<storage::Database> db;
    arbos::Genesis genesis = arbos::dev_genesis(kL2ChainId);
    std::vector<arbos::Block> blocks;
    uint64_t nonce = 0;

    L2Chain() {
        storage::Options o;
        o.path = (dir.path / "db").string();
        o.sync = false;
        db = std::move(storage::Database::open(o).value());
        state::StateDiff diff;
        blocks.push_back(arbos::make_genesis_block(db->world(), genesis, &diff));
        arbos::Message none;
        storage::BlockCommit c{&blocks.back(), &diff, &none};
        EXPECT_TRUE(db->commit({&c, 1}));
    }

    /// The Bridge's accumulator after the last deposit sealed, and the next index.
    Hash32 deposit_acc;
    uint64_t next_deposit = 0;

    /// Seals one block with `count` L1 deposits (native, 1 wei each) and no transaction, stored
    /// with the block as the sequencer does.
    void seal_deposits(size_t count, uint64_t l1_block = 1) {
        std::vector<Deposit> deposits;
        for (size_t i = 0; i < count; ++i) {
            Deposit d;
            d.index = next_deposit + i;
            d.l2_from = arbos::dev_accounts()[0].address;
            d.to = arbos::dev_accounts()[1].address;
            d.value = uint256(1);
            d.l1_block_number = l1_block;
            deposits.push_back(d);
        }
        seal_with_deposits(deposits, l1_block);
    }

    /// Seals one block with `deposits` (the next ones, as read from a Bridge) on L1 block
    /// `l1_block` and base fee, no transaction; the message references them as the sequencer's.
    void seal_with_deposits(const std::vector<Deposit>& deposits, uint64_t l1_block,
                            uint256 l1_base_fee = {}, uint64_t timestamp = 0) {
        arbos::Message msg;
        msg.timestamp = std::max(timestamp, blocks.back().header.timestamp + 1);
        msg.l1_block_number = l1_block;
        msg.l1_base_fee = l1_base_fee;
        next_deposit += deposits.size();
        msg.deposit_ref = batch::make_deposit_ref(deposit_acc, deposits);
        deposit_acc = msg.deposit_ref->acc;
        state::StateDiff diff;
        arbos::Block b =
            arbos::execute_message(db->world(), genesis, blocks.back(), msg, &diff, {}, deposits);
        ASSERT_FALSE(b.deposit_error);
        blocks.push_back(std::move(b));
        storage::BlockCommit c{&blocks.back(), &diff, &msg, deposits};
        ASSERT_TRUE(db->commit({&c, 1}));
    }

    /// Seals one block with `txs` transfers carrying `payload` bytes of calldata each.
    void seal(size_t txs, size_t payload, uint64_t l1_block = 1, uint256 l1_base_fee = {},
              uint64_t timestamp = 0) {
        arbos::Message msg;
        msg.timestamp = std::max(timestamp, blocks.back().header.timestamp + 1);
        msg.l1_block_number = l1_block;
        msg.l1_base_fee = l1_base_fee;
        for (size_t i = 0; i < txs; ++i) {
            Transaction t;
            t.type = TxType::kDynamicFee;
            t.chain_id = kL2ChainId;
            t.nonce = nonce++;
            t.max_fee_per_gas = uint256(1'000'000'000);
            t.gas_limit = 3'000'000;  // covers the L1 poster gas at real L1 base fees
            t.to = arbos::dev_accounts()[1].address;
            t.value = uint256(1000 + i);
            t.data.resize(payload);
            for (size_t k = 0; k < payload; ++k)
                t.data[k] = static_cast<uint8_t>((nonce * 131 + k * 7) ^ (k >> 3));
            EXPECT_TRUE(sign_transaction(t, arbos::dev_accounts()[0].private_key));
            msg.txs.push_back(encode_transaction(t));
        }
        state::StateDiff diff;
        arbos::Block b = arbos::execute_message(db->world(), genesis, blocks.back(), msg, &diff);
        ASSERT_EQ(b.txs.size(), txs) << "a test transaction was rejected";
        blocks.push_back(std::move(b));
        storage::BlockCommit c{&blocks.back(), &diff, &msg};
        ASSERT_TRUE(db->commit({&c, 1}));
    }
};

/// Runs `poster` round after round until it is idle with every message of `chain` posted;
/// fails the test after 60 s (a hang guard, not a timing assertion). After each round that
/// did not finish, `between_rounds` (when given) runs with its result, e.g. to mine L1 blocks;
/// otherwise a round that sent or confirmed nothing is followed by a 20 ms pause.
inline void drain_poster(BatchPoster& poster, const L2Chain& chain,
                         const std::function<void(Step)>& between_rounds = {}) {
    using namespace std::chrono_literals;
    const uint64_t messages = chain.blocks.size() - 1;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        const Step s = poster.step();
        if (s == Step::kIdle && poster.status().messages_posted == messages) return;
        if (between_rounds)
            between_rounds(s);
        else if (s != Step::kPosted && s != Step::kConfirmed)
            std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "poster did not drain: " << poster.status().messages_posted << " of "
                  << messages << " messages posted";
}

}  // namespace fuse::poster::testing
