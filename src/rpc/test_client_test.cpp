#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <stdexcept>

#include "rpc/test_client.hpp"

namespace fuse::rpc::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

/// Runs the context until `done` or `timeout`; on timeout closes `close_me` and drains.
template <typename Closer>
bool run_until(asio::io_context& ioc, const bool& done, std::chrono::milliseconds timeout,
               Closer&& close_me) {
    ioc.restart();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) {
        if (ioc.run_one_until(deadline) == 0 && ioc.stopped()) break;
    }
    if (done) return true;
    close_me();
    ioc.restart();
    while (!done) {
        if (ioc.run_one_for(std::chrono::seconds(2)) == 0) break;
    }
    return false;
}

HttpResult to_result(http::response<http::string_body>& res) {
    HttpResult r;
    r.status = static_cast<int>(res.result_int());
    r.body = std::move(res.body());
    r.keep_alive = res.keep_alive();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
    }
    return r;
}

tcp::endpoint local(uint16_t port) {
    return {asio::ip::make_address("127.0.0.1"), port};
}

}  // namespace

struct HttpClient::Impl {
    asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->stream.connect(local(port));
}

HttpClient::~HttpClient() {
    error_code ignored;
    impl_->stream.socket().close(ignored);
}

HttpResult HttpClient::request(const std::string& method, const std::string& target,
                               const std::string& body, const Headers& headers) {
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    bool has_ct = false;
    for (const auto& [k, v] : headers) {
        req.set(k, v);
        if (beast::iequals(k, "content-type")) has_ct = true;
    }
    if (!has_ct && !body.empty()) req.set(http::field::content_type, "application/json");
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    bool done = false;
    error_code wec;
    http::async_write(impl_->stream, req, [&](error_code e, size_t) {
        wec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, kIoTimeout, [&] { impl_->stream.close(); }) || wec)
        throw std::runtime_error("http write failed: " + wec.message());
    auto res = read_response();
    if (!res) throw std::runtime_error("http read failed or timed out");
    return *res;
}

HttpResult HttpClient::post(const std::string& body, const std::string& content_type,
                            const Headers& headers) {
    Headers h = headers;
    h.emplace_back("Content-Type", content_type);
    return request("POST", "/", body, h);
}

void HttpClient::send_raw(const std::string& bytes) {
    bool done = false;
    error_code wec;
    asio::async_write(impl_->stream.socket(), asio::buffer(bytes), [&](error_code e, size_t) {
        wec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, kIoTimeout, [&] { impl_->stream.close(); }) || wec)
        throw std::runtime_error("raw write failed: " + wec.message());
}

std::optional<HttpResult> HttpClient::read_response(std::chrono::milliseconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bool done = false;
    error_code rec;
    http::async_read(impl_->stream, impl_->buffer, parser, [&](error_code e, size_t) {
        rec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, timeout, [&] { impl_->stream.close(); }) || rec)
        return std::nullopt;
    auto res = parser.release();
    return to_result(res);
}

bool HttpClient::wait_closed(std::chrono::milliseconds timeout) {
    char byte;
    bool done = false;
    error_code rec;
    impl_->stream.socket().async_read_some(asio::buffer(&byte, 1), [&](error_code e, size_t) {
        rec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, timeout, [&] { impl_->stream.close(); })) return false;
    return rec == asio::error::eof || rec == asio::error::connection_reset;
}

struct WsClient::Impl {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    bool closed = false;
};

WsClient::WsClient(uint16_t port, const Headers& headers) : impl_(std::make_unique<Impl>()) {
    beast::get_lowest_layer(impl_->ws).connect(local(port));
    impl_->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& r) {
        for (const auto& [k, v] : headers)
            r.set(k, v);
    }));
    impl_->ws.read_message_max(64 * 1024 * 1024);
    impl_->ws.handshake("127.0.0.1", "/");
}

WsClient::~WsClient() {
    error_code ignored;
    beast::get_lowest_layer(impl_->ws).socket().close(ignored);
}

void WsClient::send(const std::string& text) {
    impl_->ws.text(true);
    impl_->ws.write(asio::buffer(text));
}

std::optional<std::string> WsClient::receive(std::chrono::milliseconds timeout) {
    if (impl_->closed) return std::nullopt;
    bool done = false;
    error_code rec;
    impl_->ws.async_read(impl_->buffer, [&](error_code e, size_t) {
        rec = e;
        done = true;
    });
    if (!run_until(impl_->ioc, done, timeout,
                   [&] { beast::get_lowest_layer(impl_->ws).close(); })) {
        impl_->closed = true;  // the stream cannot be reused after an aborted read
        return std::nullopt;
    }
    if (rec) {
        impl_->closed = true;
        return std::nullopt;
    }
    std::string msg = beast::buffers_to_string(impl_->buffer.data());
    impl_->buffer.consume(impl_->buffer.size());
    return msg;
}

bool WsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!impl_->closed && std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        bool done = false;
        error_code rec;
        impl_->ws.async_read(impl_->buffer, [&](error_code e, size_t) {
            rec = e;
            done = true;
        });
        if (!run_until(impl_->ioc, done, left, [&] { beast::get_lowest_layer(impl_->ws).close(); }))
            return false;
        impl_->buffer.consume(impl_->buffer.size());
        if (rec) impl_->closed = true;
    }
    return impl_->closed;
}

int WsClient::close_code() const {
    return static_cast<int>(impl_->ws.reason().code);
}

std::pair<std::string, bool> raw_exchange(uint16_t port, const std::string& bytes,
                                          std::chrono::milliseconds timeout) {
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(local(port));
    asio::write(sock, asio::buffer(bytes));
    std::string out;
    char chunk[4096];
    bool closed = false;
    bool done = false;
    std::function<void()> read_more = [&] {
        sock.async_read_some(asio::buffer(chunk), [&](error_code e, size_t n) {
            out.append(chunk, n);
            if (e) {
                closed = e == asio::error::eof || e == asio::error::connection_reset;
                done = true;
                return;
            }
            read_more();
        });
    };
    read_more();
    run_until(ioc, done, timeout, [&] {
        error_code ignored;
        sock.close(ignored);
    });
    return {out, closed};
}

}  // namespace fuse::rpc::testing
