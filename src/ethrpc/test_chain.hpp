#pragma once
/// Test fixture of the ethrpc tests: a real chain built by ArbOS's BlockBuilder from signed
/// transactions of the dev accounts, committed to a real RocksDB `storage::Database`, served by
/// a real rpc::Server with the EthApi methods, and blocking HTTP/WebSocket clients.

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <string>

#include <unistd.h>

#include "arbos/abi_test_util.hpp"
#include "arbos/arbos.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "ethrpc/eth_api.hpp"
#include "rpc/server.hpp"
#include "rpc/test_client.hpp"
#include "rpc/test_fixture.hpp"
#include "storage/database.hpp"

namespace fuse::ethrpc::testing {

using arbos::test::cat;
using arbos::test::sel;
using arbos::test::word;
using arbos::test::word_at;

using Json = rpc::Json;
inline constexpr uint64_t kChainId = 4242;
inline const uint256 kGwei{1'000'000'000};
inline const uint256 kEth{1'000'000'000'000'000'000ull};

/// A tiny EVM contract, assembled by hand (no compiler in unit tests):
///  - with calldata word w: SSTORE(1, w); LOG2(data = w, topic0 = kTopic, topic1 = caller);
///    returns SLOAD(0);
///  - without calldata: reverts with Error("nope").
/// The init code stores 0x2a in slot 0.
inline void append(Bytes& out, ByteView more) {
    for (uint8_t b : more)
        out.push_back(b);
}

struct TestContract {
    static Hash32 topic() { return keccak256(Bytes{'T', 'e', 's', 't'}); }
    static Bytes revert_data() {
        Bytes out(4 + 64 + 32, 0);
        const uint8_t sel[4] = {0x08, 0xc3, 0x79, 0xa0};
        std::copy(sel, sel + 4, out.begin());
        out[4 + 31] = 0x20;
        out[36 + 31] = 4;
        const char* nope = "nope";
        std::copy(nope, nope + 4, out.begin() + 68);
        return out;
    }
    static Bytes runtime() {
        Bytes c = {0x36, 0x15, 0x60, 0x00 /*patched*/,
                   0x57,  // CALLDATASIZE ISZERO PUSH1 L JUMPI
                   0x60, 0x00, 0x35, 0x80,
                   0x60, 0x01, 0x55,  // w=CALLDATALOAD(0); SSTORE(1,w)
                   0x60, 0x00, 0x52,  // MSTORE(0, w)
                   0x33, 0x7f};       // CALLER PUSH32 topic
        const Hash32 t = topic();
        append(c, t);
        const Bytes tail = {0x60, 0x20, 0x60, 0x00, 0xa2,        // LOG2(0, 32, topic, caller)
                            0x60, 0x00, 0x54, 0x60, 0x00, 0x52,  // MSTORE(0, SLOAD(0))
                            0x60, 0x20, 0x60, 0x00, 0xf3};       // RETURN(0, 32)
        append(c, tail);
        c[3] = uint8_t(c.size());  // the revert branch starts here
        const Bytes data = revert_data();
        const uint8_t data_at = uint8_t(c.size() + 13);
        const Bytes revert = {0x5b,
                              0x60,
                              uint8_t(data.size()),
                              0x60,
                              data_at,
                              0x60,
                              0x00,
                              0x39,  // JUMPDEST CODECOPY(0, data_at, len)
                              0x60,
                              uint8_t(data.size()),
                              0x60,
                              0x00,
                              0xfd};  // REVERT(0, len)
        append(c, revert);
        append(c, data);
        return c;
    }
    static Bytes init_code() {
        const Bytes rt = runtime();
        Bytes c = {0x60, 0x2a,
                   0x60, 0x00,
                   0x55,  // SSTORE(0, 0x2a)
                   0x60, uint8_t(rt.size()),
                   0x60, 0x00 /*patched*/,
                   0x60, 0x00,
                   0x39,  // CODECOPY(0, off, len)
                   0x60, uint8_t(rt.size()),
                   0x60, 0x00,
                   0xf3};  // RETURN(0, len)
        c[8] = uint8_t(c.size());
        append(c, rt);
        return c;
    }
};

/// The CREATE address: keccak256(rlp([sender, nonce]))[12:].
inline Address create_address(const Address& sender, uint64_t nonce) {
    rlp::Encoder e;
    e.begin_list().add(sender).add(nonce).end_list();
    return Address::from_view_right(keccak256(e.bytes()));
}

struct TestChain {
    std::filesystem::path dir;
    std::unique_ptr<storage::Database> db;
    arbos::Genesis genesis;
    std::deque<arbos::Block> blocks;
    std::deque<state::StateDiff> diffs;
    std::deque<arbos::Message> messages;

    storage::Options options;

    /// `env` and `block_cache_mb` for the fault-injection tests (storage/fault_injection.hpp).
    explicit TestChain(const std::string& name, rocksdb::Env* env = nullptr,
                       size_t block_cache_mb = 256) {
        dir = std::filesystem::temp_directory_path() /
              ("fuse-ethrpc-" + name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        options.path = dir.string();
        options.sync = false;
        options.env = env;
        options.block_cache_mb = block_cache_mb;
        reopen();
        genesis = arbos::dev_genesis(kChainId);
        diffs.emplace_back();
        blocks.push_back(arbos::make_genesis_block(db->world(), genesis, &diffs.back()));
        messages.push_back(arbos::Message{0, uint256{}, genesis.timestamp, {}});
        commit_last();
    }
    ~TestChain() {
        db.reset();
        std::filesystem::remove_all(dir);
    }

    /// Closes and opens the database (what was committed is then in RocksDB's table files).
    void reopen() {
        db.reset();
        auto opened = storage::Database::open(options);
        if (!opened) throw std::runtime_error(opened.error());
        db = std::move(*opened);
    }

    void commit_last() {
        const storage::BlockCommit c{&blocks.back(), &diffs.back(), &messages.back()};
        auto r = db->commit({&c, 1});
        if (!r) throw std::runtime_error(r.error());
    }

    /// Builds and commits one block that first executes `deposits` (the next ones, stored with
    /// the block as the sequencer does), then `txs`.
    const arbos::Block& add_deposit_block(const std::vector<Deposit>& deposits,
                                          std::vector<Bytes> txs, uint64_t l1_block = 7,
                                          uint256 l1_base_fee = uint256{1'000'000}) {
        messages.push_back(
            arbos::Message{l1_block, l1_base_fee, blocks.back().header.timestamp + 2, txs});
        const auto sys = arbos::read_system_state(db->world());
        messages.back().deposit_ref = batch::make_deposit_ref(sys.value().deposit_acc, deposits);
        arbos::BlockBuilder b(db->world(), genesis, blocks.back(), messages.back(), {}, deposits);
        if (b.deposit_error()) throw std::runtime_error("deposits refused");
        for (const Bytes& raw : txs) {
            auto r = b.add(raw);
            if (!r) throw std::runtime_error("tx refused: " + r.error().message);
        }
        diffs.emplace_back();
        blocks.push_back(b.finish(&diffs.back()).value());
        const storage::BlockCommit c{&blocks.back(), &diffs.back(), &messages.back(), deposits};
        auto r = db->commit({&c, 1});
        if (!r) throw std::runtime_error(r.error());
        return blocks.back();
    }

    /// Builds and commits one block of `txs` (each must be accepted).
    const arbos::Block& add_block(std::vector<Bytes> txs, uint64_t l1_block = 7,
                                  uint256 l1_base_fee = uint256{1'000'000}) {
        messages.push_back(
            arbos::Message{l1_block, l1_base_fee, blocks.back().header.timestamp + 2, txs});
        arbos::BlockBuilder b(db->world(), genesis, blocks.back(), messages.back());
        for (const Bytes& raw : txs) {
            auto r = b.add(raw);
            if (!r) throw std::runtime_error("tx refused: " + r.error().message);
        }
        diffs.emplace_back();
        blocks.push_back(b.finish(&diffs.back()).value());
        commit_last();
        return blocks.back();
    }

    static const arbos::DevAccount& dev(size_t i) { return arbos::dev_accounts().at(i); }

    /// A signed EIP-1559 transaction of dev account `from`.
    Bytes tx1559(size_t from, uint64_t nonce, std::optional<Address> to, uint256 value,
                 Bytes data = {}, uint64_t gas = 200'000) const {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = genesis.chain_id;
        t.nonce = nonce;
        t.max_fee_per_gas = kGwei;
        t.gas_limit = gas;
        t.to = to;
        t.value = value;
        t.data = std::move(data);
        t.access_list = {{dev(9).address, {Hash32{}}}};
        EXPECT_TRUE(sign_transaction(t, dev(from).private_key));
        return encode_transaction(t);
    }
    /// A signed legacy EIP-155 transaction.
    Bytes legacy(size_t from, uint64_t nonce, std::optional<Address> to, uint256 value,
                 Bytes data = {}, uint64_t gas = 500'000) const {
        Transaction t;
        t.chain_id = genesis.chain_id;
        t.nonce = nonce;
        t.gas_price = kGwei;
        t.gas_limit = gas;
        t.to = to;
        t.value = value;
        t.data = std::move(data);
        EXPECT_TRUE(sign_transaction(t, dev(from).private_key));
        return encode_transaction(t);
    }
};

/// A server on a free port with the EthApi of `chain` (read-only unless a sink is given).
struct TestNode {
    std::unique_ptr<EthApi> api;
    std::unique_ptr<rpc::Server> server;
    std::unique_ptr<rpc::testing::HttpClient> http;

    explicit TestNode(TestChain& chain, Config config = {},
                      std::optional<TxSink> sink = std::nullopt) {
        api =
            std::make_unique<EthApi>(*chain.db, chain.genesis, std::move(sink), std::move(config));
        server = std::make_unique<rpc::Server>(rpc::testing::test_config());
        api->register_methods(*server);
        server->start();
        http = std::make_unique<rpc::testing::HttpClient>(server->port());
    }
    ~TestNode() {
        http.reset();
        server->stop();
    }

    /// The whole response object of one call.
    Json call(const std::string& method, Json params = Json::array()) {
        const Json req = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
        const auto res = http->post(req.dump());
        EXPECT_EQ(res.status, 200) << res.body;
        return Json::parse(res.body);
    }
    /// The result; fails the test on an error.
    Json result(const std::string& method, Json params = Json::array()) {
        const Json r = call(method, std::move(params));
        EXPECT_FALSE(r.contains("error")) << method << ": " << r.dump();
        return r.contains("result") ? r["result"] : Json();
    }
    /// The error object; fails the test on a result.
    Json error(const std::string& method, Json params = Json::array()) {
        const Json r = call(method, std::move(params));
        EXPECT_TRUE(r.contains("error")) << method << ": " << r.dump();
        return r.contains("error") ? r["error"] : Json();
    }
};

inline std::string hex(ByteView b) {
    return to_hex(b);
}

}  // namespace fuse::ethrpc::testing
