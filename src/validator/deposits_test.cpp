// The validator and L1 deposits (docs/validator.md "Deposits"): against a real anvil with the real
// SequencerInbox, RollupCore and Bridge, a chain whose blocks carry deposits read from the Bridge
// is derived block by block; a batch referencing a deposit L1 does not have is filler and the
// watcher's alarm names the deposit; a deposit no batch includes for too long raises the alarm.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/hex.hpp"
#include "inbox/deposit_reader.hpp"
#include "l1/anvil_process.hpp"
#include "l1/bridge.hpp"
#include "l1/contracts.hpp"
#include "l1/fault_proxy.hpp"
#include "l1/head_watcher.hpp"
#include "poster/poster.hpp"
#include "poster/test_chain.hpp"
#include "validator/validator.hpp"

namespace fuse::validator {
namespace {

using namespace std::chrono_literals;
using poster::testing::client_config;
using poster::testing::deploy;
using poster::testing::L2Chain;
using poster::testing::sender_config;

constexpr const char* kPosterKey =  // anvil account 0: owner, batch poster, depositor
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr uint64_t kL2GasPrice = 1'000'000'000;

Address recipient(uint8_t i) {
    Address a;
    a[0] = 0xaa;
    a[19] = i;
    return a;
}

/// anvil + inbox + rollup + Bridge; a chain sealed the way the sequencer seals it.
struct Env {
    l1::testing::AnvilProcess anvil;
    l1::RpcClient rpc{client_config(anvil.url())};
    l1::TxSender sender{rpc, l1::Signer::from_hex(kPosterKey), sender_config()};
    L2Chain chain;
    Address inbox, rollup, bridge;
    uint64_t deploy_block = 0;
    std::unique_ptr<inbox::DepositReader> seq_deposits;  // the sequencer's reader

    Env() {
        deploy_block = rpc.block_number();
        inbox = poster::testing::deploy_inbox(sender, 122'880);
        rollup = deploy(sender, "RollupCore", "address,bytes32,address,address[]",
                        {l1::AbiValue::of(sender.address()), l1::AbiValue::of(chain.blocks[0].hash),
                         l1::AbiValue::of(inbox), l1::AbiValue::of_items({})});
        bridge = deploy(sender, "Bridge", "address,address,uint256,uint64,uint64,uint64",
                        {l1::AbiValue::of(sender.address()), l1::AbiValue::of(sender.address()),
                         l1::AbiValue::of(uint256(kL2GasPrice)), l1::AbiValue::of(uint256(65536)),
                         l1::AbiValue::of(uint256(21000)), l1::AbiValue::of(uint256(10'000'000))});
        seq_deposits = std::make_unique<inbox::DepositReader>(rpc, deposit_config());
    }

    inbox::DepositReaderConfig deposit_config() const {
        inbox::DepositReaderConfig c;
        c.bridge = bridge;
        c.deploy_block = deploy_block;
        return c;
    }

    l1::TxReceipt deposit(uint8_t to, uint64_t value) {
        const auto r = sender.wait(
            sender.submit(bridge, l1::encode_deposit_native(recipient(to)), uint256(value)), 20s);
        EXPECT_TRUE(r.success);
        return r;
    }

    l1::TxReceipt message(uint8_t to, uint64_t gas, uint64_t value) {
        const auto r = sender.wait(
            sender.submit(bridge, l1::encode_send_message(recipient(to), gas, Bytes{0x12, 0x34}),
                          uint256(value) + uint256(gas) * uint256(kL2GasPrice)),
            20s);
        EXPECT_TRUE(r.success);
        return r;
    }

    /// Seals `n` blocks on the current L1 block; with `deposits`, the first one takes every
    /// deposit the Bridge has up to that block (as the sequencer does).
    void seal(int n, bool deposits = false) {
        l1::HeadWatcher w(rpc, {});
        for (int i = 0; i < n; ++i) {
            EXPECT_TRUE(w.poll());
            const auto head = w.current();
            const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
            if (deposits && i == 0) {
                seq_deposits->ensure(chain.next_deposit, head.number);
                const auto d = seq_deposits->pending(chain.next_deposit, head.number, 64);
                EXPECT_FALSE(d.empty());
                chain.seal_with_deposits(d, head.number, head.base_fee, now);
            } else {
                chain.seal(2, 20, head.number, head.base_fee, now);
            }
        }
    }

    /// Seals one block referencing `deposits` as given (right or wrong), on the current L1 block.
    void seal_refs(const std::vector<Deposit>& deposits) {
        l1::HeadWatcher w(rpc, {});
        EXPECT_TRUE(w.poll());
        chain.seal_with_deposits(deposits, w.current().number, w.current().base_fee,
                                 static_cast<uint64_t>(std::time(nullptr)));
    }

    void post_all() {
        poster::PosterConfig cfg;
        cfg.inbox = inbox;
        cfg.max_batch_delay = 0ms;
        poster::BatchPoster poster(*chain.db, rpc, sender, cfg);
        poster::testing::drain_poster(poster, chain);
    }

    Config config(Mode mode, inbox::DepositReader* deposits) const {
        Config c;
        c.mode = mode;
        c.reader.inbox = inbox;
        c.reader.deploy_block = deploy_block;
        c.reader.confirmations = 0;
        c.reader.deposits = deposits;
        c.rollup = rollup;
        c.poll_interval = 20ms;
        return c;
    }
};

struct FreshNode {
    storage::testing::TempDir dir;
    std::unique_ptr<storage::Database> db;
    arbos::Genesis genesis = arbos::dev_genesis(poster::testing::kL2ChainId);

    FreshNode() {
        storage::Options o;
        o.path = (dir.path / "db").string();
        o.sync = false;
        db = std::move(storage::Database::open(o).value());
        state::StateDiff diff;
        const arbos::Block g = arbos::make_genesis_block(db->world(), genesis, &diff);
        arbos::Message none;
        storage::BlockCommit c{&g, &diff, &none};
        EXPECT_TRUE(db->commit({&c, 1}));
    }
    uint256 balance(const Address& a) {
        const auto acc = db->latest_state()->read_account(a).value();
        return acc ? acc->balance : uint256{};
    }
};

template <class Pred>
void run_until(Validator& v, Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        v.step();
        if (!done()) std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(done()) << "validator did not get there; last error: " << v.status().last_error;
}

// Deposits of both kinds, referenced by the sequencer's blocks: a validator with only L1 derives
// the same chain (block hashes and state roots), the value minted, the deposits stored.
TEST(ValidatorDeposits, DerivesBlocksWithDepositsFromTheBridge) {
    Env env;
    env.seal(2);
    env.deposit(1, 1000);
    env.deposit(2, 2000);
    env.message(3, 50'000, 7);
    env.seal(2, true);
    env.deposit(4, 4000);
    env.seal(1, true);
    env.post_all();

    FreshNode node;
    inbox::DepositReader deposits(env.rpc, env.deposit_config());
    Validator v(*node.db, node.genesis, env.rpc, nullptr, env.config(Mode::kFollow, &deposits));
    const uint64_t head = env.chain.blocks.size() - 1;
    run_until(v, [&] { return v.status().derived_block == head; });
    EXPECT_EQ(v.status().invalid_batches, 0u);
    EXPECT_EQ(v.status().next_deposit, 4u);
    for (uint64_t n = 0; n <= head; ++n)
        EXPECT_EQ(node.db->block_hash(n), env.chain.blocks[n].hash) << "block " << n;
    EXPECT_EQ(node.balance(recipient(1)), uint256(1000));
    EXPECT_EQ(node.balance(recipient(2)), uint256(2000));
    EXPECT_EQ(node.balance(recipient(4)), uint256(4000));
    ASSERT_TRUE(node.db->deposits(0, 4));
    EXPECT_EQ(*node.db->deposits(0, 4), *env.seq_deposits->range(0, 4));
    // The message deposit ran as a 0x66 transaction from the (EOA, unaliased) sender.
    const auto b3 = node.db->block_by_number(3);
    ASSERT_EQ(b3->txs.size(), 3u);
    EXPECT_EQ(b3->txs[2].tx.type, TxType::kArbitrumContract);
    EXPECT_EQ(b3->txs[2].sender, env.sender.address());
}

// The deposits a batch executes come with the poll that checked them (docs/validator.md
// "Deposits"). Before, the validator read them from the deposit reader a second time after the
// poll; when the reader no longer held them (dropped by a Bridge reorg check, or pruned) and
// that read failed for a moment (here: the L1 endpoint refusing Bridge requests), the error
// left the inbox reader past the poll's batches and the next round polled after them: the
// batches were never derived (the validator stayed at block 0 with nothing left to read).
TEST(ValidatorDeposits, ABridgeReadFailingAfterThePollSkipsNoBatch) {
    Env env;
    env.seal(1);
    env.deposit(1, 1000);
    env.seal(1, true);
    env.post_all();
    const uint64_t posted = env.chain.blocks.size() - 1;
    // Then an invalid batch (garbage brotli): one filler block. The inbox reader logs it
    // while it reads, after it checked the batch before: the moment the deposits go.
    {
        l1::CallRequest req;
        req.to = env.inbox;
        req.data = l1::encode_call(l1::sig::kBatchCount);
        const uint64_t seq = l1::decode_uint(env.rpc.call(req))->low64();
        const auto r = env.sender.wait(
            env.sender.submit(env.inbox, l1::encode_add_sequencer_l2_batch(
                                             {uint256(seq), Bytes{0x00, 0xde, 0xad, 0xbe, 0xef},
                                              uint256(posted), uint256(posted + 1)})),
            20s);
        ASSERT_TRUE(r.success);
    }

    l1::testing::FaultProxy proxy(env.anvil.port());
    l1::RpcClient rpc(client_config(proxy.url()));
    const std::string bridge = to_hex(env.bridge);
    auto to_bridge = [bridge](const nlohmann::json& req) {
        std::string params = req.value("params", nlohmann::json::array()).dump();
        std::transform(params.begin(), params.end(), params.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return params.find(bridge) != std::string::npos;
    };
    FreshNode node;
    inbox::DepositReader deposits(rpc, env.deposit_config());
    auto cfg = env.config(Mode::kFollow, &deposits);
    bool dropped = false;
    cfg.reader.log = [&](const std::string& line) {
        if (dropped || !line.starts_with("invalid batch ")) return;
        dropped = true;
        deposits.prune_below(1'000);
        // Both attempts of the next Bridge request: one L1 error, a moment, not an outage.
        proxy.fail_next(to_bridge, client_config(proxy.url()).max_attempts);
    };
    Validator v(*node.db, node.genesis, rpc, nullptr, cfg);
    run_until(v, [&] { return v.status().derived_block == posted + 1; });
    EXPECT_TRUE(dropped);
    EXPECT_EQ(proxy.refused(), 2);  // the fault happened
    EXPECT_GE(v.status().l1_errors, 1u);
    EXPECT_EQ(v.status().invalid_batches, 1u);
    for (uint64_t n = 0; n <= posted; ++n)
        EXPECT_EQ(node.db->block_hash(n), env.chain.blocks[n].hash) << "block " << n;
    EXPECT_EQ(node.balance(recipient(1)), uint256(1000));
    EXPECT_EQ(v.status().next_deposit, 1u);
}

// A batch that references a deposit L1 does not have: the validators derive filler for it (no
// deposit executes), and the watcher's alarm names the batch and the deposit.
TEST(ValidatorDeposits, WatcherAlarmsOnADepositNotOnL1) {
    Env env;
    env.deposit(1, 1000);
    env.seq_deposits->ensure(0, env.rpc.block_number());
    Deposit fake = env.seq_deposits->get(0)->deposit;
    fake.index = 1;
    fake.to = recipient(9);
    env.seal_refs({env.seq_deposits->get(0)->deposit, fake});
    env.post_all();

    FreshNode node;
    inbox::DepositReader deposits(env.rpc, env.deposit_config());
    std::string alarm;
    auto cfg = env.config(Mode::kWatch, &deposits);
    cfg.on_mismatch = [&](const std::string& text) { alarm = text; };
    Validator w(*node.db, node.genesis, env.rpc, nullptr, cfg);
    run_until(w, [&] { return w.status().mismatch; });
    EXPECT_NE(alarm.find("batch 0 "), std::string::npos) << alarm;
    EXPECT_NE(alarm.find("references deposit 1, which does not exist on L1"), std::string::npos)
        << alarm;
    EXPECT_NE(alarm.find("L2 blocks 1..1 are filler"), std::string::npos) << alarm;
    EXPECT_EQ(w.status().invalid_batches, 1u);
    EXPECT_EQ(w.status().next_deposit, 0u);
    // Filler: block 1 executes no deposit, so nothing is minted.
    run_until(w, [&] { return w.status().derived_block == 1; });
    EXPECT_TRUE(node.db->block_by_number(1)->txs.empty());
    EXPECT_EQ(node.balance(recipient(1)), uint256{});
    EXPECT_NE(node.db->block_hash(1), env.chain.blocks[1].hash);
}

// Nothing forces the sequencer to include deposits: a watcher alarms once the next deposit has
// waited more than max_deposit_wait L1 blocks, naming it; a follower only logs it.
TEST(ValidatorDeposits, WatcherAlarmsWhenADepositWaitsTooLong) {
    Env env;
    const auto r = env.deposit(5, 55);
    env.seal(1);
    env.post_all();
    FreshNode watch_node, follow_node;
    inbox::DepositReader d1(env.rpc, env.deposit_config()), d2(env.rpc, env.deposit_config());
    std::string alarm;
    auto cfg = env.config(Mode::kWatch, &d1);
    cfg.max_deposit_wait = 3;
    cfg.on_mismatch = [&](const std::string& text) { alarm = text; };
    Validator w(*watch_node.db, watch_node.genesis, env.rpc, nullptr, cfg);
    std::vector<std::string> lines;
    auto fcfg = env.config(Mode::kFollow, &d2);
    fcfg.max_deposit_wait = 3;
    fcfg.log = [&](const std::string& l) { lines.push_back(l); };
    Validator f(*follow_node.db, follow_node.genesis, env.rpc, nullptr, fcfg);
    run_until(w, [&] { return w.status().derived_block == 1; });
    EXPECT_FALSE(w.status().mismatch) << w.status().alarm;  // not yet late
    env.rpc.request("anvil_mine", nlohmann::json::array({5}));
    run_until(w, [&] { return w.status().mismatch; });
    EXPECT_NE(alarm.find("deposit 0 (L1 block " + std::to_string(r.block_number) + ", tx " +
                         to_hex(r.tx_hash)),
              std::string::npos)
        << alarm;
    EXPECT_NE(alarm.find("has waited"), std::string::npos) << alarm;
    EXPECT_NE(alarm.find("validator.max-deposit-wait = 3"), std::string::npos) << alarm;
    for (int i = 0; i < 5; ++i)
        f.step();
    EXPECT_FALSE(f.status().mismatch);
    bool logged = false;
    for (const auto& l : lines)
        logged |= l.find("deposit 0 (L1 block") != std::string::npos;
    EXPECT_TRUE(logged);
}

TEST(ValidatorDeposits, ConfigRefusesAZeroWait) {
    Config c;
    EXPECT_EQ(c.validate(), "");
    c.max_deposit_wait = 0;
    EXPECT_EQ(c.validate(), "max-deposit-wait must be at least 1 L1 block");
}

}  // namespace
}  // namespace fuse::validator
