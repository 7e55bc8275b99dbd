#include "loadgen/driver.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <stdexcept>

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
    void schedule() {
        if (next_ >= run_.requests.size() || Clock::now() >= run_.deadline) return finish();
        if (run_.options.rate > 0) {
            const auto due =
                run_.start +
                std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(next_) / run_.options.rate));
            if (due > Clock::now()) {
                timer_.expires_at(due);
                timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
                    if (ec) return self->finish();
                    self->send();
                });
                return;
            }
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
        ++run_.result.sent;
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

    void answered() {
        const auto now = Clock::now();
        run_.last_answer = now;
        if (res_.result() == http::status::ok && is_success(res_.body())) {
            ++run_.result.ok;
            run_.result.latencies_us.push_back(static_cast<uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count()));
        } else {
            ++run_.result.errors;
            if (run_.result.first_errors.size() < 5)
                run_.result.first_errors.push_back(res_.body());
        }
        next_ += run_.options.connections;
        schedule();
    }

    void fail(beast::error_code ec) {
        ++run_.result.errors;
        if (run_.result.first_errors.size() < 5)
            run_.result.first_errors.push_back("connection: " + ec.message());
        finish();
    }

    void finish() {
        if (done_) return;
        done_ = true;
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
};

}  // namespace

RunResult run_load(const std::vector<Request>& requests, const RunOptions& options) {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port));
    Run run{requests, options, {}, {}, {}, {}, 0};
    run.result.latencies_us.reserve(requests.size());
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
