/// WebSocket side of the server: one read loop per connection with a bounded number of requests
/// in flight, one write queue shared by responses and subscription notifications, and the
/// connection's subscriptions.

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <deque>

#include "rpc/server_internal.hpp"

namespace fuse::rpc::detail {

namespace {

namespace websocket = beast::websocket;

class WsSession final : public Session {
public:
    WsSession(std::shared_ptr<ServerShared> shared, Strand strand, beast::tcp_stream stream,
              std::string remote)
        : Session(std::move(shared), std::move(strand)), ws_(std::move(stream)) {
        remote_ = std::move(remote);
    }

    ~WsSession() override {
        if (subs_) subs_->close_all();
    }

    void run(http::request<http::string_body> upgrade) {
        shared_->metrics.connections.ws_upgraded.fetch_add(1, std::memory_order_relaxed);
        const auto& cfg = shared_->config;
        websocket::stream_base::timeout t{};
        t.handshake_timeout = cfg.ws_handshake_timeout;
        t.idle_timeout = cfg.ws_idle_timeout;
        t.keep_alive_pings = true;
        ws_.set_option(t);
        ws_.read_message_max(cfg.max_request_bytes);
        ws_.async_accept(upgrade, [self = self_ptr()](const boost::system::error_code& ec) {
            self->on_accept(ec);
        });
    }

    void shutdown() override {
        if (closed_) return;
        closed_ = true;
        handle_->closing.store(true, std::memory_order_release);
        cancel_all_timers();
        pending_self_.reset();
        if (subs_) subs_->close_all();
        beast::get_lowest_layer(ws_).close();
    }

    void on_response(std::string response) override {
        --inflight_;
        if (inflight_ == 0) pending_self_.reset();
        if (closed_) return;
        if (!response.empty()) enqueue(std::move(response), false);
        if (read_paused_ && inflight_ < shared_->config.max_ws_inflight) {
            read_paused_ = false;
            do_read();
        }
    }

    void on_notification(std::string message) override {
        if (closed_) {
            handle_->queued_notifications.fetch_sub(1, std::memory_order_acq_rel);
            return;
        }
        enqueue(std::move(message), true);
    }

private:
    std::shared_ptr<WsSession> self_ptr() {
        return std::static_pointer_cast<WsSession>(shared_from_this());
    }

    void on_accept(const boost::system::error_code& ec) {
        if (ec || closed_) return shutdown();
        subs_ = std::make_unique<ConnectionSubscriptions>(
            shared_->kinds, handle_, shared_->config.max_subscriptions_per_connection);
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, [self = self_ptr()](const boost::system::error_code& ec, size_t) {
            self->on_read(ec);
        });
    }

    void on_read(const boost::system::error_code& ec) {
        if (closed_) return;
        if (ec) {
            if (ec == beast::error::timeout)
                shared_->metrics.connections.timed_out.fetch_add(1, std::memory_order_relaxed);
            // message_too_big: Beast has already sent close code 1009 (RFC 6455 §7.4.1).
            return shutdown();
        }
        const std::string message = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        ++inflight_;
        pending_self_ = shared_from_this();
        CallContext ctx;
        ctx.transport = Transport::kWebSocket;
        ctx.remote = remote_;
        ctx.subscriptions = subs_.get();
        ctx.timeouts = handle_;
        dispatch(message, ctx);
        if (closed_) return;
        if (inflight_ < shared_->config.max_ws_inflight) {
            do_read();
        } else {
            read_paused_ = true;  // resumed by on_response
        }
    }

    void enqueue(std::string message, bool notification) {
        queue_.push_back({std::move(message), notification});
        if (!writing_) do_write();
    }

    void do_write() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(queue_.front().text),
                        [self = self_ptr()](const boost::system::error_code& ec, size_t) {
                            self->on_write(ec);
                        });
    }

    void on_write(const boost::system::error_code& ec) {
        writing_ = false;
        if (queue_.front().notification) {
            handle_->queued_notifications.fetch_sub(1, std::memory_order_acq_rel);
            shared_->metrics.connections.notifications_sent.fetch_add(1, std::memory_order_relaxed);
        }
        queue_.pop_front();
        if (ec || closed_) return shutdown();
        if (!queue_.empty()) do_write();
    }

    struct Outgoing {
        std::string text;
        bool notification;
    };

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::deque<Outgoing> queue_;
    std::unique_ptr<ConnectionSubscriptions> subs_;
    size_t inflight_ = 0;
    bool read_paused_ = false;
    bool writing_ = false;
    bool closed_ = false;
};

}  // namespace

void start_ws_session(std::shared_ptr<ServerShared> shared, Strand strand, beast::tcp_stream stream,
                      http::request<http::string_body> upgrade, std::string remote) {
    auto s = std::make_shared<WsSession>(shared, strand, std::move(stream), std::move(remote));
    s->handle_ = std::make_shared<SessionHandle>(s, shared);
    // Under the lifeline so stop() either sees this session or it is never started.
    shared->lifeline->run_if_alive([&] { shared->add_session(s); });
    if (!shared->lifeline->run_if_alive([] {})) return s->shutdown();
    s->run(std::move(upgrade));
}

}  // namespace fuse::rpc::detail
