#include "node/metrics_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "node/prometheus.hpp"

namespace fuse::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

/// One scrape: read a request, answer, close.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, const std::function<std::string()>& render,
            const rpc::ProbeFn& probe)
        : stream_(std::move(socket)), render_(render), probe_(probe) {}

    void run() {
        stream_.expires_after(std::chrono::seconds(5));
        http::async_read(stream_, buffer_, request_,
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (!ec) self->respond();
                         });
    }

private:
    void respond() {
        response_.version(request_.version());
        response_.keep_alive(false);
        response_.set(http::field::server, "fusel2");
        const auto target = request_.target();
        const bool get = request_.method() == http::verb::get;
        if (get && (target == "/metrics" || target.starts_with("/metrics?"))) {
            response_.result(http::status::ok);
            response_.set(http::field::content_type, std::string(kPrometheusContentType));
            response_.body() = render_();
        } else if (auto a = get && probe_ ? probe_(std::string_view(target.data(), target.size()))
                                          : std::nullopt) {
            response_.result(static_cast<http::status>(a->status));
            response_.set(http::field::content_type, "application/json");
            response_.body() = std::move(a->body);
        } else {
            response_.result(get ? http::status::not_found : http::status::method_not_allowed);
            response_.set(http::field::content_type, "text/plain");
            response_.body() = "try GET /metrics\n";
        }
        response_.prepare_payload();
        stream_.expires_after(std::chrono::seconds(5));
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code, size_t) {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    beast::tcp_stream stream_;
    const std::function<std::string()>& render_;
    const rpc::ProbeFn& probe_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
};

}  // namespace

struct MetricsServer::Impl {
    std::string address;
    uint16_t port;
    std::function<std::string()> render;
    rpc::ProbeFn probe;
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::thread thread;
    bool running = false;

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket s) {
            if (ec) {
                if (ec == asio::error::operation_aborted) return;
            } else {
                std::make_shared<Session>(std::move(s), render, probe)->run();
            }
            accept();
        });
    }
};

MetricsServer::MetricsServer(std::string address, uint16_t port,
                             std::function<std::string()> render, rpc::ProbeFn probe)
    : impl_(std::make_unique<Impl>()) {
    impl_->address = std::move(address);
    impl_->port = port;
    impl_->render = std::move(render);
    impl_->probe = std::move(probe);
}

MetricsServer::~MetricsServer() {
    stop();
}

void MetricsServer::start() {
    beast::error_code ec;
    const auto addr = asio::ip::make_address(impl_->address, ec);
    if (ec)
        throw std::runtime_error("metrics address '" + impl_->address + "' is not an IP address");
    const tcp::endpoint ep(addr, impl_->port);
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen for metrics on " + impl_->address + ":" +
                                 std::to_string(impl_->port) + ": " + ec.message());
    }
    impl_->accept();
    impl_->running = true;
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

uint16_t MetricsServer::port() const {
    beast::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? impl_->port : ep.port();
}

void MetricsServer::stop() {
    if (!impl_->running) return;
    impl_->running = false;
    asio::post(impl_->io, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->io.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace fuse::node
