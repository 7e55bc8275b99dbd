/// RPC server throughput: a trivial method over N keep-alive HTTP connections on 127.0.0.1
/// (closed loop: each connection sends its next request when the previous answer arrived), and
/// the dispatcher alone (no sockets). The load generator is plain Asio on one thread.

#include <benchmark/benchmark.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "rpc/server.hpp"

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using fuse::rpc::CallContext;
using fuse::rpc::Json;
using fuse::rpc::RpcError;

fuse::Result<Json, RpcError> chain_id(const Json&, const CallContext&) {
    return Json("0x7a");
}

const std::string kBody = R"({"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]})";
const std::string kRequest =
    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
    std::to_string(kBody.size()) + "\r\n\r\n" + kBody;

/// Closed-loop HTTP load over `n` keep-alive connections, driven by one thread.
class LoadGenerator {
public:
    LoadGenerator(uint16_t port, size_t n) {
        const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        for (size_t i = 0; i < n; ++i) {
            auto c = std::make_unique<Conn>(ioc_);
            c->sock.connect(ep);
            c->sock.set_option(tcp::no_delay(true));
            conns_.push_back(std::move(c));
        }
    }

    /// Sends `total` requests; returns when every answer arrived.
    void run(size_t total) {
        sent_ = 0;
        done_ = 0;
        total_ = total;
        for (auto& c : conns_)
            send(*c);
        ioc_.restart();
        ioc_.run();
        if (done_ != total_) throw std::runtime_error("load generator: lost responses");
    }

private:
    struct Conn {
        explicit Conn(asio::io_context& ioc) : sock(ioc) {}
        tcp::socket sock;
        std::string in;
        char buf[16384];
    };

    void send(Conn& c) {
        if (sent_ >= total_) return;
        ++sent_;
        asio::async_write(c.sock, asio::buffer(kRequest), [this, &c](auto ec, size_t) {
            if (ec) throw std::runtime_error("write: " + ec.message());
            read(c);
        });
    }

    void read(Conn& c) {
        c.sock.async_read_some(asio::buffer(c.buf), [this, &c](auto ec, size_t n) {
            if (ec) throw std::runtime_error("read: " + ec.message());
            c.in.append(c.buf, n);
            const auto head_end = c.in.find("\r\n\r\n");
            if (head_end == std::string::npos) return read(c);
            const auto cl = c.in.find("Content-Length: ");
            const size_t len = std::stoul(c.in.substr(cl + 16));
            if (c.in.size() < head_end + 4 + len) return read(c);
            c.in.erase(0, head_end + 4 + len);
            ++done_;
            send(c);
        });
    }

    asio::io_context ioc_;
    std::vector<std::unique_ptr<Conn>> conns_;
    size_t sent_ = 0, done_ = 0, total_ = 0;
};

void BM_HttpTrivialMethod(benchmark::State& state) {
    fuse::rpc::ServerConfig cfg;
    cfg.port = 0;
    cfg.io_threads = static_cast<unsigned>(state.range(1));
    fuse::rpc::Server server(cfg);
    server.methods().register_method("eth_chainId", chain_id);
    server.start();
    LoadGenerator load(server.port(), static_cast<size_t>(state.range(0)));
    constexpr size_t kPerIteration = 2000;
    const std::clock_t cpu_start = std::clock();  // whole process: server + load generator
    for (auto _ : state)
        load.run(kPerIteration);
    const double cpu_us = 1e6 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const auto requests = static_cast<double>(state.iterations() * kPerIteration);
    state.SetItemsProcessed(static_cast<int64_t>(requests));
    state.counters["process_cpu_us_per_req"] = cpu_us / requests;
    server.stop();
}
BENCHMARK(BM_HttpTrivialMethod)
    ->ArgNames({"conns", "io_threads"})
    ->Args({1, 1})
    ->Args({8, 1})
    ->Args({32, 1})
    ->Args({32, 2})
    ->Args({256, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_DispatcherTrivialMethod(benchmark::State& state) {
    fuse::rpc::RpcMetrics metrics;
    fuse::rpc::MethodRegistry methods(metrics);
    methods.register_method("eth_chainId", chain_id);
    methods.freeze();
    fuse::rpc::Dispatcher dispatcher(methods, metrics, {});
    CallContext ctx;
    size_t bytes = 0;
    for (auto _ : state)
        dispatcher.handle(kBody, ctx, [&](std::string r) { bytes += r.size(); });
    benchmark::DoNotOptimize(bytes);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DispatcherTrivialMethod);

}  // namespace

BENCHMARK_MAIN();
