// Tests of the L1 client, ABI wrappers and sender against a real anvil with the real contracts.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "core/hex.hpp"
#include "l1/anvil_process.hpp"
#include "l1/contracts.hpp"
#include "l1/rpc_client.hpp"
#include "l1/test_contracts.hpp"
#include "l1/tx_sender.hpp"

namespace fuse::l1 {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

using testing::kDevKey;  // anvil's dev account 0
constexpr const char* kDevKeyRaw =
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

RpcClientConfig client_config(const std::string& url, int attempts = 5) {
    RpcClientConfig c;
    c.url = url;
    c.max_attempts = attempts;
    c.backoff_initial = 20ms;
    return c;
}

struct Env {
    testing::AnvilProcess anvil;
    RpcClient rpc;
    std::vector<std::string> log;
    TxSender sender;

    explicit Env(std::vector<std::string> anvil_args = {}, SenderConfig cfg = {})
        : anvil(std::move(anvil_args)),
          rpc(client_config(anvil.url())),
          sender(rpc, Signer::from_hex(kDevKey), with_log(cfg)) {}

    SenderConfig with_log(SenderConfig cfg) {
        cfg.poll_interval = 20ms;
        cfg.log = [this](const std::string& line) { log.push_back(line); };
        return cfg;
    }

    Bytes call(const Address& to, const Bytes& data) {
        CallRequest req;
        req.to = to;
        req.data = data;
        return rpc.call(req);
    }
};

// Polls until `id` reaches `state` (automine answers before its block is visible) or 10 s pass.
void poll_until(TxSender& sender, uint64_t id, InFlightTx::State state) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (sender.find(id)->state != state && std::chrono::steady_clock::now() < deadline) {
        sender.poll();
        if (sender.find(id)->state != state) std::this_thread::sleep_for(20ms);
    }
}

struct Deployed {
    Address inbox, rollup;
};

Deployed deploy_contracts(Env& env) {
    const Address me = env.sender.address();
    Deployed d;
    d.inbox = testing::deploy_inbox(env.sender, 122880);
    Hash32 genesis;
    genesis[31] = 0x42;
    d.rollup = testing::deploy(env.sender, "RollupCore", "address,bytes32,address,address[]",
                               {AbiValue::of(me), AbiValue::of(genesis), AbiValue::of(d.inbox),
                                AbiValue::of_items({AbiValue::of(me)})});
    return d;
}

/// Batch 0 (`data`, messages 1..3, sent in `receipt`): its SequencerBatchDelivered event read back
/// with eth_getLogs and checked per docs/contracts.md, both hashes recomputed from the transaction
/// input as the validator does, and the inbox's views after it. `after_acc` gets the accumulator.
void check_batch_delivered(Env& env, const Deployed& d, const TxReceipt& receipt, const Bytes& data,
                           Hash32& after_acc) {
    LogFilter filter;
    filter.from_block = "0x0";
    filter.addresses = {d.inbox};
    filter.topics = {{event_topic(sig::kSequencerBatchDelivered)}};
    const auto logs = env.rpc.get_logs(filter);
    ASSERT_EQ(logs.size(), 1u);
    auto ev = decode_sequencer_batch_delivered(logs[0]);
    ASSERT_TRUE(ev) << to_string(ev.error());
    EXPECT_EQ(ev->batch_sequence_number, uint256(0));
    EXPECT_TRUE(ev->before_acc.is_zero());
    EXPECT_EQ(ev->prev_message_count, uint256(0));
    EXPECT_EQ(ev->new_message_count, uint256(3));
    const auto block = env.rpc.get_block(block_tag(receipt.block_number));
    ASSERT_TRUE(block);
    ASSERT_TRUE(block->base_fee);
    EXPECT_EQ(ev->time_bounds.max_timestamp, block->timestamp + 768);
    EXPECT_EQ(ev->time_bounds.min_timestamp,
              block->timestamp > 86400 ? block->timestamp - 86400 : 0);
    EXPECT_EQ(ev->time_bounds.min_block_number, 0u);
    EXPECT_EQ(ev->time_bounds.max_block_number, block->number + 12);
    // The validator's path: the transaction input carries the data; recompute both hashes.
    const auto txn = env.rpc.get_transaction(logs[0].tx_hash);
    ASSERT_TRUE(txn);
    auto call = decode_add_sequencer_l2_batch(txn->input);
    ASSERT_TRUE(call);
    EXPECT_EQ(call->data, data);
    const Hash32 data_hash = batch_data_hash(ev->time_bounds, 0, 3, call->data);
    EXPECT_EQ(ev->data_hash, data_hash);
    EXPECT_EQ(ev->after_acc, next_accumulator(Hash32{}, data_hash));
    EXPECT_EQ(*decode_uint(env.call(d.inbox, encode_call(sig::kBatchCount))), uint256(1));
    EXPECT_EQ(*decode_uint(env.call(d.inbox, encode_call(sig::kInboxAccs, uint256(0)))),
              uint256::from_hash(ev->after_acc));
    EXPECT_EQ(*decode_uint(env.call(d.inbox, encode_call(sig::kTotalMessageCount))), uint256(3));
    EXPECT_EQ(*decode_uint(env.call(d.inbox, encode_call(sig::kMessageCountAfter, uint256(0)))),
              uint256(3));
    after_acc = ev->after_acc;
}

/// A wrong sequence number: the estimate reverts, the error names the custom error, and no
/// nonce is used up.
void check_wrong_sequence_number_reverts(Env& env, const Deployed& d, const Bytes& data,
                                         const ErrorRegistry& errors) {
    const uint64_t nonce = env.sender.next_nonce();
    try {
        env.sender.submit(d.inbox, encode_add_sequencer_l2_batch({5, data, 3, 4}));
        ADD_FAILURE() << "a wrong sequence number must revert";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kReverted) << e.what();
        const auto reason = decode_revert(e.revert_data, errors);
        EXPECT_EQ(reason.name, "BadSequenceNumber");
        EXPECT_EQ(reason.to_string(), "BadSequenceNumber(1, 5)");
    }
    EXPECT_EQ(env.sender.next_nonce(), nonce);
}

/// Posts the state root for batch 0 (after `inbox_acc`) and reads it back three ways (event,
/// getRecord, latestPosted); a view that reverts is decoded.
void check_state_root_round_trip(Env& env, const Deployed& d, const Hash32& inbox_acc,
                                 const ErrorRegistry& errors) {
    Hash32 block_hash, state_root, send_root;
    block_hash[0] = 1;
    state_root[0] = 2;
    send_root[0] = 3;
    const auto r2 = env.sender.wait(
        env.sender.submit(d.rollup,
                          encode_post_state_root(0, 3, block_hash, state_root, send_root)),
        20s);
    ASSERT_TRUE(r2.success);
    ASSERT_EQ(r2.logs.size(), 1u);
    auto posted = decode_state_root_posted(r2.logs[0]);
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->l2_block_number, 3u);
    EXPECT_EQ(posted->state_root, state_root);
    EXPECT_EQ(posted->inbox_acc, inbox_acc);
    EXPECT_EQ(posted->proposer, env.sender.address());
    auto record =
        decode_state_root_record(env.call(d.rollup, encode_call(sig::kGetRecord, uint256(0))));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->l2_block_hash, block_hash);
    EXPECT_EQ(record->send_root, send_root);
    EXPECT_EQ(record->posted_at_l1_block, r2.block_number);
    auto latest = decode_latest_posted(env.call(d.rollup, encode_call(sig::kLatestPosted)));
    ASSERT_TRUE(latest);
    EXPECT_EQ(latest->first, uint256(0));
    EXPECT_EQ(latest->second.state_root, state_root);
    // A view that reverts: getRecord(7) -> RootNotPosted(7).
    try {
        env.call(d.rollup, encode_call(sig::kGetRecord, uint256(7)));
        ADD_FAILURE() << "getRecord(7) must revert";
    } catch (const L1Error& e) {
        EXPECT_EQ(decode_revert(e.revert_data, errors).to_string(), "RootNotPosted(7)");
    }
}

TEST(L1Anvil, BatchAndStateRootRoundTrip) {
    Env env;
    EXPECT_EQ(env.rpc.chain_id(), 122u);
    EXPECT_TRUE(env.sender.uses_eip1559());  // --hardfork london has a base fee
    const auto d = deploy_contracts(env);
    EXPECT_EQ(*decode_uint(env.call(d.rollup, encode_call(sig::kInbox))),
              uint256::from_be(d.inbox));

    // Post batch 0 through the sender.
    const Bytes data = {0x00, 0xde, 0xad, 0xbe, 0xef};
    const auto receipt = env.sender.wait(
        env.sender.submit(d.inbox, encode_add_sequencer_l2_batch({0, data, 0, 3})), 20s);
    ASSERT_TRUE(receipt.success);
    Hash32 after_acc;
    ASSERT_NO_FATAL_FAILURE(check_batch_delivered(env, d, receipt, data, after_acc));

    ErrorRegistry errors;
    ASSERT_TRUE(errors.add_abi_json(testing::load_artifact("SequencerInbox").dump()));
    ASSERT_TRUE(errors.add_abi_json(testing::load_artifact("RollupCore").dump()));
    check_wrong_sequence_number_reverts(env, d, data, errors);
    ASSERT_NO_FATAL_FAILURE(check_state_root_round_trip(env, d, after_acc, errors));

    // The key never appears in what the sender logged.
    ASSERT_FALSE(env.log.empty());
    for (const auto& line : env.log)
        EXPECT_EQ(line.find(kDevKeyRaw), std::string::npos) << line;
}

TEST(L1Anvil, StuckTransactionIsReplacedAfterNBlocks) {
    SenderConfig cfg;
    cfg.stuck_blocks = 2;
    Env env({"--no-mining"}, cfg);
    Address to;
    to[19] = 0x55;
    const uint64_t id = env.sender.submit(to, {}, uint256(4242), 21000);
    const uint256 first_fee = env.sender.find(id)->txn.max_fee_per_gas;
    const uint256 first_tip = env.sender.find(id)->txn.max_priority_fee_per_gas;
    // Blocks too small for the transaction: it stays in the pool, unmined.
    env.rpc.request("evm_setBlockGasLimit", json::array({"0x5000"}));
    env.rpc.request("evm_mine");
    env.sender.poll();
    EXPECT_EQ(env.sender.find(id)->bumps, 0u);  // one block: not stuck yet
    env.rpc.request("evm_mine");
    // Room again (a replacement must fit the block gas limit to be accepted), nothing mined yet.
    env.rpc.request("evm_setBlockGasLimit", json::array({"0x1c9c380"}));
    env.sender.poll();  // two blocks without inclusion: replaced, same nonce, fees +12.5%
    const InFlightTx* tx = env.sender.find(id);
    ASSERT_EQ(tx->bumps, 1u);
    ASSERT_EQ(tx->sent_hashes.size(), 2u);
    EXPECT_EQ(tx->txn.nonce, 0u);
    EXPECT_GE(tx->txn.max_fee_per_gas * uint256(8), first_fee * uint256(9));
    EXPECT_GE(tx->txn.max_priority_fee_per_gas * uint256(8), first_tip * uint256(9));
    env.rpc.request("evm_mine");
    const auto receipt = env.sender.wait(id, 10s);
    EXPECT_TRUE(receipt.success);
    EXPECT_EQ(receipt.tx_hash, tx->sent_hashes[1]);
    EXPECT_FALSE(env.rpc.get_receipt(tx->sent_hashes[0]));
    EXPECT_EQ(env.rpc.get_balance(to), uint256(4242));
}

// anvil evicts a transaction whose fee cap falls below the base fee: the sender sees it dropped,
// the node refuses the old fees, and the sender replaces it with current ones.
TEST(L1Anvil, UnderpricedDroppedTransactionIsReplaced) {
    SenderConfig cfg;
    cfg.stuck_blocks = 2;
    Env env({"--no-mining"}, cfg);
    Address to;
    to[19] = 0x77;
    const uint64_t id = env.sender.submit(to, {}, uint256(12345), 21000);
    // The next blocks' base fee is far above the fee offered: the transaction cannot be included.
    env.rpc.request("anvil_setNextBlockBaseFeePerGas", json::array({"0x174876e800"}));  // 100 gwei
    env.rpc.request("evm_mine");
    env.sender.poll();
    EXPECT_EQ(env.sender.find(id)->state, InFlightTx::State::kPending);
    EXPECT_FALSE(env.rpc.get_receipt(env.sender.find(id)->sent_hashes[0]));
    env.rpc.request("evm_mine");
    env.sender.poll();  // two blocks without inclusion: replaced with higher fees, same nonce
    const InFlightTx* tx = env.sender.find(id);
    ASSERT_GE(tx->bumps, 1u);
    ASSERT_EQ(tx->sent_hashes.size(), tx->bumps + 1);
    EXPECT_EQ(tx->txn.nonce, 0u);
    EXPECT_GT(tx->txn.max_fee_per_gas, uint256(100'000'000'000ull));
    env.rpc.request("evm_mine");
    const auto receipt = env.sender.wait(id, 10s);
    EXPECT_TRUE(receipt.success);
    EXPECT_EQ(receipt.tx_hash, tx->sent_hashes.back());
    EXPECT_FALSE(env.rpc.get_receipt(tx->sent_hashes[0]));
    EXPECT_EQ(env.rpc.get_balance(to), uint256(12345));
    EXPECT_EQ(env.rpc.get_transaction_count(env.sender.address(), "latest"), 1u);
}

TEST(L1Anvil, ReorgedOutTransactionIsResent) {
    SenderConfig cfg;
    cfg.confirmations = 3;
    Env env({}, cfg);
    Address to;
    to[19] = 0x99;
    const json snapshot = env.rpc.request("evm_snapshot");
    const uint64_t id = env.sender.submit(to, {}, uint256(777), 21000);  // automine: in block 1
    poll_until(env.sender, id, InFlightTx::State::kIncluded);
    ASSERT_EQ(env.sender.find(id)->state, InFlightTx::State::kIncluded);
    const Hash32 first_block = env.sender.find(id)->receipt->block_hash;
    // Reorg: back to before the transaction, then other blocks. anvil may put the reverted
    // transaction back into its pool; drop it there so it is really gone (a node that lost it).
    ASSERT_TRUE(env.rpc.request("evm_revert", json::array({snapshot})).get<bool>());
    env.rpc.request("anvil_dropAllTransactions");
    env.rpc.request("anvil_mine", json::array({"0x2"}));
    EXPECT_EQ(env.rpc.get_balance(to), uint256(0));
    env.sender.poll();  // gone from the chain: re-sent (automine includes it again)
    EXPECT_EQ(env.sender.find(id)->resends, 1u);
    env.rpc.request("anvil_mine", json::array({"0x3"}));
    const auto receipt = env.sender.wait(id, 10s);
    EXPECT_TRUE(receipt.success);
    EXPECT_NE(receipt.block_hash, first_block);
    EXPECT_EQ(env.rpc.get_balance(to), uint256(777));
    bool logged = false;
    for (const auto& line : env.log)
        logged |= line.find("reorged out") != std::string::npos;
    EXPECT_TRUE(logged);
}

// A reorg deeper than the confirmations drops a confirmed (and forgotten) transaction: the next
// one has a nonce the chain cannot reach. Once it is stuck, the sender notices the gap and fills
// it with an empty self-transfer; the stuck one is then included once, with its own nonce.
TEST(L1Anvil, ConfirmedTransactionReorgedOutGapIsFilled) {
    Env env;
    Address to;
    to[19] = 0x77;
    const json snapshot = env.rpc.request("evm_snapshot");
    const auto first = env.sender.wait(env.sender.submit(to, {}, uint256(5), 21000), 10s);
    ASSERT_TRUE(first.success);
    env.sender.prune_confirmed();
    ASSERT_TRUE(env.rpc.request("evm_revert", json::array({snapshot})).get<bool>());
    env.rpc.request("anvil_dropAllTransactions");
    EXPECT_EQ(env.rpc.get_transaction_count(env.sender.address(), "latest"), 0u);
    const uint64_t id = env.sender.submit(to, {}, uint256(7), 21000);
    const Hash32 hash = env.sender.find(id)->sent_hashes.back();
    EXPECT_EQ(env.sender.find(id)->txn.nonce, 1u);
    env.rpc.request("anvil_mine", json::array({"0x4"}));
    EXPECT_EQ(env.rpc.get_balance(to), uint256(0));  // nonce 1 cannot be mined
    const auto receipt = env.sender.wait(id, 10s);
    EXPECT_TRUE(receipt.success);
    EXPECT_EQ(receipt.tx_hash, hash);
    EXPECT_EQ(env.sender.next_nonce(), 2u);
    EXPECT_EQ(env.rpc.get_transaction_count(env.sender.address(), "latest"), 2u);
    EXPECT_EQ(env.rpc.get_balance(to), uint256(7));
    bool logged = false;
    for (const auto& line : env.log)
        logged |= line.find("nonce gap") != std::string::npos;
    EXPECT_TRUE(logged);
    // The next transaction continues from there; nothing was executed twice.
    env.sender.poll();
    env.sender.prune_confirmed();
    EXPECT_TRUE(env.sender.wait(env.sender.submit(to, {}, uint256(1), 21000), 10s).success);
    EXPECT_EQ(env.rpc.get_balance(to), uint256(8));
    EXPECT_TRUE(env.sender.pending().empty());
}

// Another process used the key's next nonce: the submit fails clearly, the sender resynchronizes
// its nonce, and a retry goes through.
TEST(L1Anvil, NonceTakenElsewhereResynchronizes) {
    Env env;
    TxSender other(env.rpc, Signer::from_hex(kDevKey));
    Address to;
    to[19] = 0x33;
    const auto r = other.wait(other.submit(to, {}, uint256(1), 21000), 10s);
    ASSERT_TRUE(r.success);
    EXPECT_EQ(env.sender.next_nonce(), 0u);  // env's sender read the nonce before
    try {
        env.sender.submit(to, {}, uint256(2), 21000);
        ADD_FAILURE() << "nonce 0 is already used";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kJsonRpc) << e.what();
    }
    EXPECT_EQ(env.sender.next_nonce(), 1u);
    const auto r2 = env.sender.wait(env.sender.submit(to, {}, uint256(2), 21000), 10s);
    EXPECT_TRUE(r2.success);
    EXPECT_EQ(env.rpc.get_balance(to), uint256(3));
}

TEST(L1Anvil, KeepAliveRetriesAndL1Down) {
    testing::AnvilProcess anvil;
    RpcClient rpc(client_config(anvil.url(), 3));
    for (int i = 0; i < 5; ++i)
        rpc.block_number();
    EXPECT_EQ(rpc.connections_opened(), 1u);  // keep-alive
    const auto head = rpc.get_block("latest");
    ASSERT_TRUE(head);
    EXPECT_TRUE(head->base_fee);
    auto fees = rpc.fee_history(1, "latest", {50.0});
    EXPECT_EQ(fees.base_fee_per_gas.size(), 2u);
    EXPECT_FALSE(rpc.gas_price().is_zero());
    // A JSON-RPC error is final and says what the node said.
    try {
        rpc.request("no_such_method");
        ADD_FAILURE();
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kJsonRpc);
    }
    anvil.stop();
    try {
        rpc.block_number();
        ADD_FAILURE() << "a stopped L1 must fail";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kTransport);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("eth_blockNumber"), std::string::npos) << msg;
        EXPECT_NE(msg.find("after 3 attempts"), std::string::npos) << msg;
        EXPECT_NE(msg.find("check that the L1 node is running"), std::string::npos) << msg;
    }
}

/// Once every thread of `pid` is stopped (SIGSTOP reaches a running thread asynchronously).
bool all_threads_stopped(pid_t pid) {
    const auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "task";
    for (const auto& task : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(task.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), {});
        const size_t paren = stat.rfind(')');
        if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'T')
            return false;
    }
    return true;
}

// Shutdown while L1 hangs (accepts connections, never answers: anvil stopped with SIGSTOP) or
// refuses them: stop() ends the request in progress and every later one with "interrupted"
// instead of letting it wait out its timeouts and backoffs (15 s x 5 attempts by default).
TEST(L1Anvil, StopInterruptsRequestsWaitingOnAHungL1) {
    testing::AnvilProcess anvil;
    RpcClientConfig cfg = client_config(anvil.url(), 5);
    cfg.request_timeout = 15s;
    cfg.backoff_initial = 3s;
    cfg.backoff_max = 3s;
    RpcClient rpc(cfg);
    rpc.block_number();
    ASSERT_EQ(kill(anvil.pid(), SIGSTOP), 0);
    for (int i = 0; i < 200 && !all_threads_stopped(anvil.pid()); ++i)
        std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(all_threads_stopped(anvil.pid()));
    auto waiting = std::async(std::launch::async, [&] { rpc.block_number(); });
    EXPECT_EQ(waiting.wait_for(300ms), std::future_status::timeout);  // it is waiting on L1
    rpc.stop();
    EXPECT_TRUE(rpc.stopped());
    // Liveness guard, far above the ~50 ms it takes (without stop(): over a minute).
    ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
    try {
        waiting.get();
        ADD_FAILURE() << "an interrupted request must fail";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kTransport);
        EXPECT_EQ(std::string(e.what()), "L1 RPC eth_blockNumber to " + rpc.endpoint() +
                                             " interrupted: the node is stopping");
    }
    // Later requests fail at once, also against an L1 that answers again.
    ASSERT_EQ(kill(anvil.pid(), SIGCONT), 0);
    EXPECT_THROW(rpc.block_number(), L1Error);

    // Refused connections: the backoff between attempts is interrupted too.
    RpcClient refused(cfg);
    anvil.stop();
    auto backing_off = std::async(std::launch::async, [&] { refused.block_number(); });
    EXPECT_EQ(backing_off.wait_for(300ms), std::future_status::timeout);
    refused.stop();
    ASSERT_EQ(backing_off.wait_for(10s), std::future_status::ready);
    EXPECT_THROW(backing_off.get(), L1Error);
}

TEST(L1Signer, KeyNeverInErrors) {
    const Signer s = Signer::from_hex(kDevKey);
    EXPECT_EQ(to_hex(s.address()), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    std::string bad = std::string(kDevKeyRaw) + "zz";
    try {
        Signer::from_hex(bad);
        ADD_FAILURE();
    } catch (const L1Error& e) {
        EXPECT_EQ(std::string(e.what()).find(kDevKeyRaw), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("ac0974bec39a17e3"), std::string::npos) << e.what();
    }
    char path[] = "/tmp/fuse-l1-key-XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const std::string content = std::string(kDevKey) + "\n";
    ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
    EXPECT_EQ(Signer::from_file(path).address(), s.address());
    unlink(path);
    setenv("FUSE_L1_TEST_KEY", kDevKeyRaw, 1);
    EXPECT_EQ(Signer::from_env("FUSE_L1_TEST_KEY").address(), s.address());
    EXPECT_THROW(Signer::from_env("FUSE_L1_TEST_KEY_UNSET"), L1Error);
    EXPECT_THROW(Signer::from_hex("0x" + std::string(64, '0')), L1Error);  // zero key
}

}  // namespace
}  // namespace fuse::l1
