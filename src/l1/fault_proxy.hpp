#pragma once
// Test helper (header only, not part of the library's API): an HTTP proxy in front of a real L1
// node (anvil) that forwards every JSON-RPC request unchanged, except the ones a test arms it to
// refuse with HTTP 503 (what a load balancer in front of a struggling node answers): an L1 that
// fails some requests, for a moment, while the rest of it works.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace fuse::l1::testing {

class FaultProxy {
public:
    /// Which requests to refuse: given the parsed JSON-RPC request.
    using Match = std::function<bool(const nlohmann::json&)>;

    /// `upstream_port`: the L1 node's port on 127.0.0.1.
    explicit FaultProxy(uint16_t upstream_port)
        : upstream_port_(upstream_port), acceptor_(ioc_, {boost::asio::ip::tcp::v4(), 0}) {
        acceptor_.set_option(boost::asio::socket_base::reuse_address(true));
        port_ = acceptor_.local_endpoint().port();
        accept_thread_ = std::thread([this] { accept_loop(); });
    }

    ~FaultProxy() {
        stopping_ = true;
        boost::system::error_code ignored;
        {
            // Wakes the blocking accept.
            boost::asio::io_context ioc;
            boost::asio::ip::tcp::socket wake(ioc);
            wake.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ignored);
        }
        {
            std::lock_guard lock(mu_);
            for (auto& s : sockets_)
                s->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        }
        if (accept_thread_.joinable()) accept_thread_.join();
        for (auto& t : workers_)
            if (t.joinable()) t.join();
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    /// Refuses the next `count` requests matching `match` (HTTP 503), then forwards again.
    void fail_next(Match match, int count) {
        std::lock_guard lock(mu_);
        match_ = std::move(match);
        to_fail_ = count;
    }
    /// Requests refused so far.
    int refused() const { return refused_.load(); }

private:
    void accept_loop() {
        while (!stopping_) {
            auto sock = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(*sock, ec);
            if (ec || stopping_) return;
            std::lock_guard lock(mu_);
            sockets_.push_back(sock);
            workers_.emplace_back([this, sock] { serve(*sock); });
        }
    }

    bool should_fail(const std::string& body) {
        const auto j = nlohmann::json::parse(body, nullptr, false);
        std::lock_guard lock(mu_);
        if (to_fail_ <= 0 || !match_ || !match_(j)) return false;
        --to_fail_;
        ++refused_;
        return true;
    }

    void serve(boost::asio::ip::tcp::socket& sock) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            boost::system::error_code ec;
            http::read(sock, buf, req, ec);
            if (ec) return;
            http::response<http::string_body> res;
            if (should_fail(req.body())) {
                res = http::response<http::string_body>(http::status::service_unavailable, 11);
                res.body() = "refused by the test's fault proxy";
            } else if (!forward(req, res)) {
                return;
            }
            res.keep_alive(true);
            res.prepare_payload();
            http::write(sock, res, ec);
            if (ec) return;
        }
    }

    bool forward(const boost::beast::http::request<boost::beast::http::string_body>& req,
                 boost::beast::http::response<boost::beast::http::string_body>& res) {
        namespace http = boost::beast::http;
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket up(ioc);
        boost::system::error_code ec;
        up.connect({boost::asio::ip::make_address("127.0.0.1"), upstream_port_}, ec);
        if (ec) return false;
        http::request<http::string_body> copy = req;
        copy.keep_alive(false);
        http::write(up, copy, ec);
        if (ec) return false;
        boost::beast::flat_buffer buf;
        http::read(up, buf, res, ec);
        return !ec;
    }

    uint16_t upstream_port_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread accept_thread_;
    std::mutex mu_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::vector<std::thread> workers_;
    Match match_;
    int to_fail_ = 0;
    std::atomic<int> refused_{0};
};

}  // namespace fuse::l1::testing
