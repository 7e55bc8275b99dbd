#include "loadgen/driver.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "core/hex.hpp"

namespace fuse::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

bool is_success(const std::string& body) {
    return body.find("\"result\"") != std::string::npos &&
           body.find("\"error\"") == std::string::npos;
}

/// Shared run state (single I/O thread: no locking).
struct Run {
    const std::vector<Request>& requests;
    RunOptions options;
    Clock::time_point start;
    Clock::time_point deadline;
    Clock::time_point last_answer;
    RunResult result;
    unsigned active = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(asio::io_context& io, Run& run, size_t first)
        : stream_(io), timer_(io), run_(run), next_(first) {}

    void start() {
        stream_.socket().set_option(tcp::no_delay(true));
        ++run_.active;
        schedule();
    }
    beast::tcp_stream& stream() { return stream_; }

private:
    /// When request `i` is due (the run's start as fast as possible: latency from the send).
    Clock::time_point due(size_t i) const {
        if (run_.options.rate <= 0) return Clock::time_point::min();
        return run_.start +
               std::chrono::duration_cast<Clock::duration>(
                   std::chrono::duration<double>(static_cast<double>(i) / run_.options.rate));
    }

    void schedule() {
        if (next_ >= run_.requests.size() || Clock::now() >= run_.deadline) return finish();
        due_at_ = due(next_);
        if (due_at_ > Clock::now()) {
            timer_.expires_at(due_at_);
            timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                if (ec) return self->finish();
                self->send();
            });
            return;
        }
        send();
    }

    void send() {
        if (Clock::now() >= run_.deadline) return finish();
        req_ = {};
        req_.method(http::verb::post);
        req_.target("/");
        req_.version(11);
        req_.set(http::field::host, run_.options.host);
        req_.set(http::field::content_type, "application/json");
        req_.keep_alive(true);
        req_.body() = run_.requests[next_].body;
        req_.prepare_payload();
        sent_at_ = Clock::now();
        if (due_at_ == Clock::time_point::min()) due_at_ = sent_at_;
        ++run_.result.sent;
        stream_.expires_after(run_.options.request_timeout);
        http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->fail(ec);
            self->read();
        });
    }

    void read() {
        res_ = {};
        http::async_read(stream_, buffer_, res_,
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (ec) return self->fail(ec);
                             self->answered();
                         });
    }

    /// Records the latency of the request in flight, from its due time.
    uint32_t record_latency() {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due_at_).count();
        const auto v = static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX));
        run_.result.latencies_us.push_back(v);
        return v;
    }

    void record_sample(uint32_t latency, Outcome outcome, const Hash32& hash = {}) {
        if (!run_.options.keep_samples) return;
        const auto due_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(due_at_ - run_.start).count();
        run_.result.samples.push_back({static_cast<uint32_t>(next_),
                                       static_cast<uint32_t>(std::max<int64_t>(due_ms, 0)), latency,
                                       outcome, hash});
    }

    /// The hash in a successful eth_sendRawTransaction answer (zero if it has none).
    static Hash32 answered_hash(const std::string& body) {
        constexpr std::string_view kKey = "\"result\":\"";
        const auto at = body.find(kKey);
        if (at == std::string::npos) return {};
        return hash_from_hex(std::string_view(body).substr(at + kKey.size(), 66))
            .value_or(Hash32{});
    }

    void answered() {
        run_.last_answer = Clock::now();
        const uint32_t latency = record_latency();
        if (res_.result() == http::status::ok && is_success(res_.body())) {
            ++run_.result.ok;
            run_.result.ok_latencies_us.push_back(latency);
            record_sample(latency, Outcome::kOk,
                          run_.options.keep_samples ? answered_hash(res_.body()) : Hash32{});
        } else {
            record_sample(latency, Outcome::kError);
            ++run_.result.errors;
            if (run_.result.first_errors.size() < 5)
                run_.result.first_errors.push_back(res_.body());
        }
        next_ += run_.options.connections;
        schedule();
    }

    /// The request in flight got no answer: timed out or the connection failed. It counts
    /// (latency: the time waited); the connection's remaining requests count as not sent.
    void fail(beast::error_code ec) {
        const uint32_t latency = record_latency();
        const bool timeout = ec == beast::error::timeout;
        record_sample(latency, timeout ? Outcome::kTimeout : Outcome::kFailed);
        ++(timeout ? run_.result.timeouts : run_.result.failed);
        if (run_.result.first_errors.size() < 5)
            run_.result.first_errors.push_back((timeout ? "timeout: " : "connection: ") +
                                               ec.message());
        next_ += run_.options.connections;
        finish();
    }

    /// Counts this connection's requests that were due before the end but never sent.
    void count_not_sent() {
        const auto end = run_.deadline;
        for (size_t i = next_; i < run_.requests.size(); i += run_.options.connections) {
            if (run_.options.rate > 0 && due(i) >= end) break;
            if (run_.options.rate <= 0 && Clock::now() >= end) break;
            ++run_.result.not_sent;
        }
    }

    void finish() {
        if (done_) return;
        done_ = true;
        count_not_sent();
        --run_.active;
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    beast::tcp_stream stream_;
    asio::steady_timer timer_;
    Run& run_;
    size_t next_;
    bool done_ = false;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    Clock::time_point sent_at_;
    Clock::time_point due_at_;
};

}  // namespace

RunResult run_load(const std::vector<Request>& requests, const RunOptions& options) {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port));
    Run run{requests, options, {}, {}, {}, {}, 0};
    run.result.latencies_us.reserve(requests.size());
    run.result.ok_latencies_us.reserve(requests.size());
    if (options.keep_samples) run.result.samples.reserve(requests.size());
    std::vector<std::shared_ptr<Connection>> conns;
    for (unsigned c = 0; c < options.connections; ++c) {
        auto conn = std::make_shared<Connection>(io, run, c);
        conn->stream().connect(endpoints);  // blocking: all connected before the clock starts
        conns.push_back(conn);
    }
    run.start = Clock::now();
    run.deadline = run.start + options.duration;
    run.last_answer = run.start;
    for (auto& conn : conns)
        conn->start();
    conns.clear();  // the handlers keep them alive
    io.run();
    run.result.elapsed_s = std::chrono::duration<double>(run.last_answer - run.start).count();
    return std::move(run.result);
}

std::string rpc_call(const std::string& host, uint16_t port, const std::string& body) {
    asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, host);
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    stream.expires_after(std::chrono::seconds(30));
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return res.body();
}

}  // namespace fuse::loadgen
