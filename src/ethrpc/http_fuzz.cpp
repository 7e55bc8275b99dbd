// libFuzzer target over the JSON-RPC server: every input is written as raw bytes to a TCP
// connection of a real rpc::Server (its HTTP parser, WebSocket upgrade and sessions, the
// dispatcher) serving the real EthApi (eth_*, debug_*, fusel2_*) over a RocksDB database in a
// temporary folder, with a small chain: the genesis block and one block with a transfer, a
// contract creation and a call that logs. The client half-closes after writing and reads the
// answer to the end. Invariants: nothing crashes (ASan/UBSan, in the server's threads too);
// whatever the server answers starts as an HTTP/1.x response; and after a half-close the
// server finishes within 15 s (a session that hangs on a client's EOF is a bug). Seeds: the
// target writes requests for every method family (FUSE_FUZZ_SEEDS).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "core/fuzz_seeds.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "core/transaction.hpp"
#include "ethrpc/eth_api.hpp"
#include "rpc/server.hpp"
#include "storage/database.hpp"

namespace {

using namespace fuse;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

constexpr uint64_t kChainId = 4242;

/// The served chain: built once per process, removed at exit.
struct Chain {
    std::filesystem::path dir;
    std::unique_ptr<storage::Database> db;
    arbos::Genesis genesis;
    std::unique_ptr<ethrpc::EthApi> api;
    std::unique_ptr<rpc::Server> server;
    uint16_t port = 0;

    Chain() {
        dir = std::filesystem::temp_directory_path() /
              ("fuse-http-fuzz-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        storage::Options o;
        o.path = dir.string();
        o.sync = false;
        o.block_cache_mb = 8;
        auto opened = storage::Database::open(o);
        if (!opened) fail("cannot open the database");
        db = std::move(*opened);
        genesis = arbos::dev_genesis(kChainId);
        state::StateDiff diff0;
        arbos::Block b0 = arbos::make_genesis_block(db->world(), genesis, &diff0);
        arbos::Message m0{0, uint256{}, genesis.timestamp, {}};
        commit(b0, diff0, m0);

        const auto& dev = arbos::dev_accounts();
        // Runtime: LOG1(0, 32, topic = CALLDATALOAD(0)), return 32 bytes of memory.
        const Bytes runtime = {0x60, 0x00, 0x35, 0x60, 0x20, 0x60, 0x00,
                               0xa1, 0x60, 0x20, 0x60, 0x00, 0xf3};
        Bytes init = {0x60, static_cast<uint8_t>(runtime.size()), 0x60, 0x0c, 0x60, 0x00, 0x39,
                      0x60, static_cast<uint8_t>(runtime.size()), 0x60, 0x00, 0xf3};
        init.insert(init.end(), runtime.begin(), runtime.end());
        std::vector<Bytes> txs = {tx(dev[0].private_key, 0, dev[1].address, uint256{1000}, {}),
                                  tx(dev[0].private_key, 1, std::nullopt, uint256{}, init)};
        rlp::Encoder e;  // the CREATE address: keccak256(rlp([sender, nonce]))[12:]
        e.begin_list().add(dev[0].address).add(uint64_t{1}).end_list();
        const Address contract = Address::from_view_right(keccak256(e.bytes()));
        txs.push_back(tx(dev[1].private_key, 0, contract, uint256{}, Bytes(32, 0x5a)));
        arbos::Message m1{7, uint256{1'000'000}, b0.header.timestamp + 2, txs};
        arbos::BlockBuilder builder(db->world(), genesis, b0, m1);
        for (const Bytes& raw : txs)
            if (!builder.add(raw)) fail("a set-up transaction was refused");
        state::StateDiff diff1;
        auto b1 = builder.finish(&diff1);
        if (!b1) fail("the set-up block failed to build");
        commit(*b1, diff1, m1);

        api = std::make_unique<ethrpc::EthApi>(*db, genesis, std::nullopt, ethrpc::Config{});
        rpc::ServerConfig cfg;
        cfg.address = "127.0.0.1";
        cfg.port = 0;
        cfg.io_threads = 1;
        cfg.read_timeout = std::chrono::milliseconds(5000);
        cfg.write_timeout = std::chrono::milliseconds(5000);
        cfg.dispatch.handler_timeout = std::chrono::milliseconds(5000);
        server = std::make_unique<rpc::Server>(cfg);
        api->register_methods(*server);
        server->start();
        port = server->port();
    }
    ~Chain() {
        server->stop();
        server.reset();
        api.reset();
        db.reset();
        std::filesystem::remove_all(dir);
    }

    void commit(const arbos::Block& b, const state::StateDiff& d, const arbos::Message& m) {
        const storage::BlockCommit c{&b, &d, &m};
        if (!db->commit({&c, 1})) fail("commit failed");
    }

    Bytes tx(const Hash32& key, uint64_t nonce, std::optional<Address> to, uint256 value,
             Bytes data) const {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = kChainId;
        t.nonce = nonce;
        t.max_fee_per_gas = uint256{1'000'000'000};
        t.gas_limit = 300'000;
        t.to = to;
        t.value = value;
        t.data = std::move(data);
        if (!sign_transaction(t, key)) fail("cannot sign");
        return encode_transaction(t);
    }
};

Chain* chain = nullptr;

/// Sends `bytes`, half-closes, and returns everything the server sends until it closes.
std::string exchange(uint16_t port, const uint8_t* data, size_t size) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    timeval tv{15, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("connect");
    for (size_t sent = 0; sent < size;) {
        const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may close early (a bad request line): fine
        sent += static_cast<size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string answer;
    char buf[65536];
    while (true) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) fail("no end of the answer within 15 s");
            break;  // reset by the server: fine
        }
        answer.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return answer;
}

std::string post(const std::string& body) {
    return "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string call(const std::string& method, const std::string& params) {
    return R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
}

void write_seeds() {
    const std::string a0 = "\"" + to_hex(arbos::dev_accounts()[0].address) + "\"";
    const std::vector<std::string> calls = {
        call("eth_blockNumber", "[]"),
        call("eth_chainId", "[]"),
        call("eth_getBlockByNumber", R"(["0x1",true])"),
        call("eth_getBlockByNumber", R"(["latest",false])"),
        call("eth_getBalance", "[" + a0 + ",\"latest\"]"),
        call("eth_getTransactionCount", "[" + a0 + ",\"pending\"]"),
        call("eth_getLogs", R"([{"fromBlock":"0x0","toBlock":"latest"}])"),
        call("eth_call", R"([{"from":)" + a0 + R"(,"data":"0x600160005260206000f3"},"latest"])"),
        call("eth_estimateGas", R"([{"from":)" + a0 + R"(,"to":)" + a0 + R"(,"value":"0x1"}])"),
        call("eth_getProof", "[" + a0 + R"(,["0x0"],"latest"])"),
        call("eth_feeHistory", R"(["0x2","latest",[25,75]])"),
        call("eth_newFilter", R"([{"fromBlock":"0x0"}])"),
        call("eth_sendRawTransaction", R"(["0x02f8"])"),
        call("debug_traceBlockByNumber", R"(["0x1",{"tracer":"callTracer"}])"),
        call("eth_simulateV1", R"([{"blockStateCalls":[{"calls":[{"from":)" + a0 + R"(,"to":)" +
                                   a0 + R"(}]}]},"latest"])"),
        call("fusel2_getOutboxProof", R"(["0x1","0x0"])"),
        "[" + call("eth_blockNumber", "[]") + "," + call("net_version", "[]") + "]",
        call("no_such_method", "{}"),
    };
    for (const std::string& c : calls)
        fuzz::write_seed(post(c));
    fuzz::write_seed(post(calls[0]) + post(calls[2]));  // keep-alive, pipelined
    fuzz::write_seed(std::string_view("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
    fuzz::write_seed(
        std::string_view("OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://a\r\n"
                         "Access-Control-Request-Method: POST\r\n\r\n"));
    fuzz::write_seed(
        std::string_view("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                         "Content-Type: application/json\r\n\r\n5\r\n[{\"js\r\n0\r\n\r\n"));
    // A WebSocket upgrade followed by one masked text frame: eth_subscribe newHeads.
    std::string ws =
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const std::string msg = call("eth_subscribe", R"(["newHeads"])");
    ws += static_cast<char>(0x81);
    ws += static_cast<char>(0x80 | msg.size());
    ws += std::string(4, '\0');  // mask key 0: the payload is sent as is
    ws += msg;
    fuzz::write_seed(ws);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    chain = new Chain();
    std::atexit([] { delete chain; });
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string answer = exchange(chain->port, data, size);
    // HTTP/1.0 requests are answered in HTTP/1.0 (Beast keeps the request's version).
    if (!answer.empty() && answer.rfind("HTTP/1.1 ", 0) != 0 && answer.rfind("HTTP/1.0 ", 0) != 0)
        fail("an answer that is not an HTTP/1.x response");
    return 0;
}
