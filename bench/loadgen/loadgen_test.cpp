// Unit checks of the load generator: the transactions it signs, its ABI encodings, the
// percentile, and the driver's request order against a small in-test HTTP server.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/transaction.hpp"
#include "loadgen/driver.hpp"
#include "loadgen/workload.hpp"

namespace fuse::loadgen {
namespace {

TEST(Loadgen, AddressesAndCreateAddress) {
    // Anvil/Hardhat dev account 0.
    const Hash32 key =
        hash_from_hex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").value();
    EXPECT_EQ(to_hex(address_of(key)), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    // The classic CREATE example (Ethereum StackExchange "How is the address of an Ethereum
    // contract computed?").
    const Address sender = address_from_hex("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0").value();
    EXPECT_EQ(to_hex(create_address(sender, 0)), "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    EXPECT_EQ(to_hex(create_address(sender, 1)), "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    EXPECT_NE(sender_key(0), sender_key(1));
}

TEST(Loadgen, Erc20TransferCalldata) {
    const Address to = address_from_hex("0x00000000000000000000000000000000000000ff").value();
    const Bytes data = erc20_transfer_calldata(to, uint256{258});
    EXPECT_EQ(to_hex(data),
              "0xa9059cbb00000000000000000000000000000000000000000000000000000000000000ff"
              "0000000000000000000000000000000000000000000000000000000000000102");
}

TEST(Loadgen, DripCalldata) {
    const Address a = address_from_hex("0x1111111111111111111111111111111111111111").value();
    const Address b = address_from_hex("0x2222222222222222222222222222222222222222").value();
    const Bytes data = drip_calldata({a, b}, uint256{7});
    const std::string_view text = "drip(address[],uint256)";
    const Hash32 sig =
        keccak256(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    ASSERT_EQ(data.size(), 4u + 32 * 5);
    EXPECT_TRUE(std::equal(data.begin(), data.begin() + 4, sig.bytes.begin()));
    EXPECT_EQ(data[4 + 31], 0x40);       // offset of the array
    EXPECT_EQ(data[4 + 63], 7);          // amount
    EXPECT_EQ(data[4 + 95], 2);          // array length
    EXPECT_EQ(data[4 + 96 + 12], 0x11);  // first address, left-padded
    EXPECT_EQ(data[4 + 128 + 31], 0x22);
}

/// The raw transaction inside an eth_sendRawTransaction body.
Transaction tx_of(const Request& r) {
    const auto start = r.body.find("[\"") + 2;
    const auto end = r.body.find("\"]", start);
    auto raw = from_hex(r.body.substr(start, end - start));
    EXPECT_TRUE(raw.has_value());
    auto tx = decode_transaction(*raw);
    EXPECT_TRUE(tx.has_value());
    return *tx;
}

TEST(Loadgen, WorkloadIsInterleavedNonceOrderedAndSigned) {
    Fees fees{.chain_id = 412346, .max_fee = 5'000, .tip = 0};
    const Address token = address_from_hex("0x5555555555555555555555555555555555555555").value();
    const std::vector<uint64_t> first{3, 0, 9, 1};
    const auto reqs = make_workload(Mode::kErc20, 4, 5, first, 90'000, fees, token, 2);
    ASSERT_EQ(reqs.size(), 20u);
    for (size_t i = 0; i < reqs.size(); ++i) {
        const Transaction t = tx_of(reqs[i]);
        const uint64_t s = i % 4;
        EXPECT_EQ(recover_sender(t).value(), address_of(sender_key(s))) << i;
        EXPECT_EQ(t.nonce, first[s] + i / 4) << i;
        EXPECT_EQ(t.chain_id, 412346u);
        EXPECT_EQ(t.gas_limit, 90'000u);
        EXPECT_EQ(t.max_fee_per_gas, uint256{5'000});
        EXPECT_EQ(t.to, token);
        EXPECT_EQ(t.data, erc20_transfer_calldata(address_of(sender_key((s + 1) % 4)), uint256{1}));
        EXPECT_NE(reqs[i].body.find("\"id\":" + std::to_string(i + 1) + ","), std::string::npos);
    }
    const auto eth = make_workload(Mode::kEth, 2, 1, {0, 0}, 21'000, fees, token, 1);
    const Transaction t = tx_of(eth[0]);
    EXPECT_EQ(t.to, address_of(sender_key(1)));
    EXPECT_EQ(t.value, uint256{1});
    EXPECT_TRUE(t.data.empty());
}

TEST(Loadgen, MixedWorkloadAlternatesEthAndTokenTransfersPerSender) {
    Fees fees{.chain_id = 412346, .max_fee = 5'000, .tip = 0};
    const Address token = address_from_hex("0x5555555555555555555555555555555555555555").value();
    const auto reqs = make_workload(Mode::kMixed, 3, 4, {0, 0, 0}, 90'000, fees, token, 2);
    ASSERT_EQ(reqs.size(), 12u);
    for (size_t i = 0; i < reqs.size(); ++i) {
        const Transaction t = tx_of(reqs[i]);
        const uint64_t s = i % 3, k = i / 3;
        const Address next = address_of(sender_key((s + 1) % 3));
        EXPECT_EQ(t.nonce, k) << i;
        if (k % 2 == 0) {
            EXPECT_EQ(t.to, next) << i;
            EXPECT_EQ(t.value, uint256{1}) << i;
            EXPECT_TRUE(t.data.empty()) << i;
        } else {
            EXPECT_EQ(t.to, token) << i;
            EXPECT_EQ(t.data, erc20_transfer_calldata(next, uint256{1})) << i;
        }
    }
}

TEST(Loadgen, Percentile) {
    std::vector<uint32_t> v;
    for (uint32_t i = 100; i >= 1; --i)
        v.push_back(i);
    EXPECT_EQ(percentile(v, 50), 50u);
    EXPECT_EQ(percentile(v, 99), 99u);
    EXPECT_EQ(percentile(v, 100), 100u);
    EXPECT_EQ(percentile(v, 0), 1u);
    std::vector<uint32_t> none;
    EXPECT_EQ(percentile(none, 50), 0u);
}

/// The hash EchoServer answers for request id `id`: 0x000…0<id>.
std::string hash_for(uint64_t id) {
    char buf[67];
    std::snprintf(buf, sizeof buf, "0x%064llx", static_cast<unsigned long long>(id));
    return buf;
}

/// A keep-alive HTTP server answering every request with a result (hash_for(id)), recording which
/// request ids arrived on which connection, in order; request id 7 gets a JSON-RPC error.
class EchoServer {
public:
    explicit EchoServer(unsigned connections) : acceptor_(io_, {boost::asio::ip::tcp::v4(), 0}) {
        port_ = acceptor_.local_endpoint().port();
        for (unsigned c = 0; c < connections; ++c)
            threads_.emplace_back([this, c] { serve(c); });
    }
    ~EchoServer() { join(); }
    uint16_t port() const { return port_; }
    /// Waits for every connection to close; then `ids` is complete.
    void join() {
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    std::map<unsigned, std::vector<uint64_t>> ids;

private:
    void serve(unsigned c) {
        namespace http = boost::beast::http;
        boost::asio::ip::tcp::socket sock(io_);
        {
            std::lock_guard lock(accept_mu_);
            acceptor_.accept(sock);
        }
        boost::beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            boost::beast::error_code ec;
            http::read(sock, buf, req, ec);
            if (ec) return;
            const auto pos = req.body().find("\"id\":") + 5;
            const uint64_t id = std::stoull(req.body().substr(pos));
            {
                std::lock_guard lock(mu_);
                ids[c].push_back(id);
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.body() =
                id == 7
                    ? R"({"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"nonce too low"}})"
                    : R"({"jsonrpc":"2.0","id":1,"result":")" + hash_for(id) + R"("})";
            res.keep_alive(true);
            res.prepare_payload();
            http::write(sock, res, ec);
            if (ec) return;
        }
    }
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    uint16_t port_ = 0;
    std::mutex mu_, accept_mu_;
    std::vector<std::thread> threads_;
};

TEST(Loadgen, DriverSendsEveryRequestInOrderPerConnection) {
    std::vector<Request> reqs;
    for (uint64_t i = 1; i <= 40; ++i)
        reqs.push_back({rpc_body(i, "eth_sendRawTransaction", "[\"0x00\"]")});
    EchoServer server(4);
    RunOptions opts;
    opts.port = server.port();
    opts.connections = 4;
    opts.rate = 0;
    opts.duration = std::chrono::milliseconds(10'000);
    opts.keep_samples = true;
    RunResult r = run_load(reqs, opts);
    server.join();  // run_load closed its connections
    // One sample per request, each index once; the answered hash of every acknowledged one.
    ASSERT_EQ(r.samples.size(), 40u);
    std::vector<int> seen(40, 0);
    for (const Sample& smp : r.samples) {
        ASSERT_LT(smp.index, 40u);
        ++seen[smp.index];
        if (smp.index == 6) {
            EXPECT_EQ(smp.outcome, Outcome::kError);
        } else {
            EXPECT_EQ(smp.outcome, Outcome::kOk) << smp.index;
            EXPECT_EQ(smp.tx_hash, hash_from_hex(hash_for(smp.index + 1)).value()) << smp.index;
        }
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), 40);
    ASSERT_EQ(server.ids.size(), 4u);
    size_t total = 0;
    for (const auto& [conn, ids] : server.ids) {
        ASSERT_EQ(ids.size(), 10u);
        for (size_t k = 1; k < ids.size(); ++k)
            EXPECT_EQ(ids[k], ids[k - 1] + 4) << conn;
        total += ids.size();
    }
    EXPECT_EQ(total, 40u);
    EXPECT_EQ(r.sent, 40u);
    EXPECT_EQ(r.ok, 39u);
    EXPECT_EQ(r.errors, 1u);
    ASSERT_EQ(r.first_errors.size(), 1u);
    EXPECT_NE(r.first_errors[0].find("nonce too low"), std::string::npos);
    EXPECT_EQ(r.latencies_us.size(), 40u);  // every request, the error too
    EXPECT_EQ(r.ok_latencies_us.size(), 39u);
    EXPECT_EQ(r.timeouts + r.failed + r.not_sent, 0u);
}

/// One connection; request `stall` gets no answer until the client gives up (then the server
/// sees the connection close), request `slow` is answered after `delay`.
class StallServer {
public:
    StallServer(uint64_t slow, std::chrono::milliseconds delay, uint64_t stall)
        : acceptor_(io_, {boost::asio::ip::tcp::v4(), 0}),
          thread_([this, slow, delay, stall] { serve(slow, delay, stall); }) {}
    ~StallServer() { thread_.join(); }
    uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    void serve(uint64_t slow, std::chrono::milliseconds delay, uint64_t stall) {
        namespace http = boost::beast::http;
        boost::asio::ip::tcp::socket sock(io_);
        acceptor_.accept(sock);
        boost::beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            boost::beast::error_code ec;
            http::read(sock, buf, req, ec);
            if (ec) return;
            const uint64_t id = std::stoull(req.body().substr(req.body().find("\"id\":") + 5));
            if (id == stall) {
                http::read(sock, buf, req, ec);  // until the client closes
                return;
            }
            if (id == slow) std::this_thread::sleep_for(delay);
            http::response<http::string_body> res{http::status::ok, 11};
            res.body() = R"({"jsonrpc":"2.0","id":1,"result":"0x01"})";
            res.keep_alive(true);
            res.prepare_payload();
            http::write(sock, res, ec);
            if (ec) return;
        }
    }
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

TEST(Loadgen, EveryRequestCountsFromItsDueTimeTimeoutsIncluded) {
    // 20 requests at 100/s on one connection: request 3 waits 300 ms for its answer, so requests
    // 4, 5, ... were due while it waited and their latency (from their due time) includes the
    // wait — the lower bounds below hold however fast the machine. Request 12 gets no answer:
    // a timeout, counted with its latency; requests 13.. were due but never sent.
    std::vector<Request> reqs;
    for (uint64_t i = 1; i <= 20; ++i)
        reqs.push_back({rpc_body(i, "eth_sendRawTransaction", "[\"0x00\"]")});
    StallServer server(3, std::chrono::milliseconds(300), 12);
    RunOptions opts;
    opts.port = server.port();
    opts.connections = 1;
    opts.rate = 100;
    opts.duration = std::chrono::milliseconds(5'000);
    opts.request_timeout = std::chrono::milliseconds(500);
    opts.keep_samples = true;
    RunResult r = run_load(reqs, opts);
    EXPECT_EQ(r.sent, 12u);
    ASSERT_EQ(r.samples.size(), 12u);
    EXPECT_EQ(r.samples.back().index, 11u);
    EXPECT_EQ(r.samples.back().outcome, Outcome::kTimeout);
    EXPECT_GE(r.samples.back().latency_us, 500'000u);
    EXPECT_NEAR(r.samples[3].due_ms, 30, 1);  // request 4 was due 30 ms after the start
    EXPECT_EQ(r.ok, 11u);
    EXPECT_EQ(r.timeouts, 1u);
    EXPECT_EQ(r.not_sent, 8u);
    ASSERT_EQ(r.latencies_us.size(), 12u);
    ASSERT_EQ(r.ok_latencies_us.size(), 11u);
    // Request 4 (index 3) was due 10 ms after request 3 but sent after its 300 ms answer.
    EXPECT_GE(r.latencies_us[3], 280'000u);
    EXPECT_GE(r.latencies_us[2], 300'000u);   // request 3 itself
    EXPECT_GE(r.latencies_us[11], 500'000u);  // the timeout: at least the time waited
    EXPECT_GE(percentile(r.latencies_us, 100), 500'000u);
    ASSERT_FALSE(r.first_errors.empty());
    EXPECT_EQ(r.first_errors[0].rfind("timeout: ", 0), 0u) << r.first_errors[0];
}

}  // namespace
}  // namespace fuse::loadgen
