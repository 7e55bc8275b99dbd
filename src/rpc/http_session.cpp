/// HTTP/1.1 side of the server: keep-alive request loop, limits and timeouts, CORS, Content-Type
/// checks, GET /health, and hand-over of WebSocket upgrades.

#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <optional>

#include "rpc/server_internal.hpp"

namespace fuse::rpc::detail {

namespace {

/// Lower-cased media type without parameters ("application/json; charset=utf-8" -> ...).
std::string media_type(std::string_view content_type) {
    std::string_view s = content_type.substr(0, content_type.find(';'));
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// The media types geth accepts for JSON-RPC over HTTP.
bool acceptable_content_type(std::string_view content_type) {
    const std::string mt = media_type(content_type);
    return mt == "application/json" || mt == "application/json-rpc" ||
           mt == "application/jsonrequest";
}

class HttpSession final : public Session {
public:
    HttpSession(std::shared_ptr<ServerShared> shared, Strand strand, tcp::socket socket)
        : Session(std::move(shared), std::move(strand)), stream_(std::move(socket)) {
        boost::system::error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
    }

    void run() {
        asio::dispatch(strand_, [self = std::static_pointer_cast<HttpSession>(shared_from_this())] {
            self->do_read();
        });
    }

    void shutdown() override {
        if (upgraded_) return;  // the stream belongs to a WebSocket session now
        closed_ = true;
        cancel_all_timers();
        pending_self_.reset();
        stream_.close();
    }

    void on_response(std::string response) override {
        pending_self_.reset();
        if (closed_) return;
        auto res = make_response(http::status::ok, std::move(response), "application/json");
        write(std::move(res));
    }

private:
    using Response = http::response<http::string_body>;

    void do_read() {
        if (closed_) return;
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(shared_->config.max_header_bytes));
        parser_->body_limit(shared_->config.max_request_bytes);
        stream_.expires_after(shared_->config.read_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = std::static_pointer_cast<HttpSession>(shared_from_this())](
                const boost::system::error_code& ec, size_t) { self->on_header(ec); });
    }

    /// Answers `Expect: 100-continue` (curl sends it for bodies over 1 KiB and would otherwise
    /// wait a second) before reading the body (RFC 9110 §10.1.1).
    void on_header(const boost::system::error_code& ec) {
        if (ec || closed_) return on_read(ec);
        const auto& req = parser_->get();
        const auto expect = req[http::field::expect];
        if (!beast::iequals(expect, "100-continue") || parser_->is_done()) return read_body();
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        asio::async_write(stream_, asio::buffer(kContinue),
                          [self = std::static_pointer_cast<HttpSession>(shared_from_this())](
                              const boost::system::error_code& wec, size_t) {
                              if (wec) return self->close();
                              self->read_body();
                          });
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_,
                         [self = std::static_pointer_cast<HttpSession>(shared_from_this())](
                             const boost::system::error_code& ec, size_t) { self->on_read(ec); });
    }

    void on_read(const boost::system::error_code& ec) {
        if (closed_) return;
        if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted)
            return close();
        if (ec == beast::error::timeout) {
            shared_->metrics.connections.timed_out.fetch_add(1, std::memory_order_relaxed);
            return close();
        }
        keep_alive_ = false;
        version_ = 11;
        origin_.clear();
        if (ec == http::error::body_limit)
            return reply_error(http::status::payload_too_large, "content length too large");
        if (ec == http::error::header_limit)
            return reply_error(http::status::request_header_fields_too_large,
                               "request header too large");
        if (ec) {
            // Garbage, bad framing, or a peer reset: answer if the socket still works.
            if (ec == asio::error::connection_reset || ec == asio::error::eof) return close();
            return reply_error(http::status::bad_request,
                               "malformed HTTP request: " + ec.message());
        }
        auto& req = parser_->get();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        origin_ = std::string(req[http::field::origin]);

        if (beast::websocket::is_upgrade(req)) return upgrade();

        const bool origin_ok =
            ServerShared::origin_allowed(shared_->config.cors_allowed_origins, origin_);
        if (!origin_ok) return reply_error(http::status::forbidden, "origin not allowed");

        std::string_view target(req.target().data(), req.target().size());
        target = target.substr(0, target.find('?'));

        switch (req.method()) {
            case http::verb::options:
                return preflight();
            case http::verb::get:
                if (target == "/" || target.empty())
                    return write(make_response(http::status::ok, "", "text/plain"));
                if (shared_->probe) {
                    if (auto a = shared_->probe(target))
                        return write(make_response(static_cast<http::status>(a->status),
                                                   std::move(a->body), "application/json"));
                } else if (target == "/health") {
                    return write(
                        make_response(http::status::ok, R"({"status":"ok"})", "application/json"));
                }
                return reply_error(http::status::not_found, "not found");
            case http::verb::post:
                break;
            default:
                return reply_error(http::status::method_not_allowed, "method not allowed");
        }
        if (target != "/" && !target.empty())
            return reply_error(http::status::not_found, "not found");
        if (!acceptable_content_type(std::string_view(req[http::field::content_type].data(),
                                                      req[http::field::content_type].size())))
            return reply_error(http::status::unsupported_media_type,
                               "invalid content type, only application/json is supported");

        CallContext ctx;
        ctx.transport = Transport::kHttp;
        ctx.remote = remote_;
        ctx.timeouts = handle_;
        pending_self_ = shared_from_this();
        const std::string body = std::move(req.body());
        dispatch(body, ctx);
    }

    void upgrade() {
        if (!shared_->config.websocket)
            return reply_error(http::status::bad_request, "websocket is not enabled");
        if (!ServerShared::origin_allowed(shared_->config.ws_allowed_origins, origin_))
            return reply_error(http::status::forbidden, "origin not allowed");
        closed_ = true;
        upgraded_ = true;
        stream_.expires_never();
        // Pipelined bytes after an upgrade request are not allowed by RFC 6455 §4.1.
        start_ws_session(shared_, strand_, std::move(stream_), parser_->release(), remote_);
    }

    void preflight() {
        Response res{http::status::no_content, version_};
        add_cors(res);
        res.set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
        const auto& req = parser_->get();
        const auto requested = req[http::field::access_control_request_headers];
        res.set(http::field::access_control_allow_headers,
                requested.empty() ? beast::string_view("Content-Type") : requested);
        res.set(http::field::access_control_max_age, "600");
        res.keep_alive(keep_alive_);
        res.prepare_payload();
        write(std::move(res));
    }

    void add_cors(Response& res) const {
        if (origin_.empty()) return;
        const auto& allowed = shared_->config.cors_allowed_origins;
        const bool any = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
        res.set(http::field::access_control_allow_origin, any ? "*" : origin_);
        if (!any) res.set(http::field::vary, "Origin");
    }

    Response make_response(http::status status, std::string body, const char* content_type) {
        Response res{status, version_};
        res.set(http::field::content_type, content_type);
        add_cors(res);
        res.keep_alive(keep_alive_);
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    }

    /// Answers an HTTP-level error and closes the connection afterwards (the request stream may
    /// be out of sync, e.g. after an oversized body that was not read).
    void reply_error(http::status status, std::string message) {
        keep_alive_ = false;
        write(make_response(status, std::move(message) + "\n", "text/plain"));
    }

    void write(Response res) {
        res_ = std::move(res);
        stream_.expires_after(shared_->config.write_timeout);
        http::async_write(stream_, res_,
                          [self = std::static_pointer_cast<HttpSession>(shared_from_this())](
                              const boost::system::error_code& ec, size_t) { self->on_write(ec); });
    }

    void on_write(const boost::system::error_code& ec) {
        if (ec == beast::error::timeout)
            shared_->metrics.connections.timed_out.fetch_add(1, std::memory_order_relaxed);
        if (ec || !keep_alive_ || closed_) return close();
        do_read();
    }

    void close() {
        if (upgraded_) return;
        closed_ = true;
        cancel_all_timers();
        boost::system::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    Response res_;
    bool keep_alive_ = false;
    unsigned version_ = 11;
    std::string origin_;
    bool closed_ = false;
    bool upgraded_ = false;
};

}  // namespace

void start_http_session(std::shared_ptr<ServerShared> shared, Strand strand, tcp::socket socket) {
    auto s = std::make_shared<HttpSession>(shared, strand, std::move(socket));
    s->handle_ = std::make_shared<SessionHandle>(s, shared);
    shared->add_session(s);
    s->run();
}

}  // namespace fuse::rpc::detail
