#pragma once
/// Internals shared by server.cpp, http_session.cpp and ws_session.cpp (Beast included here
/// only). Not part of the library's interface.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rpc/dispatcher.hpp"
#include "rpc/server.hpp"
#include "rpc/subscriptions.hpp"

namespace fuse::rpc::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;

/// Guards posting from foreign threads (async replies, notifications): once the server stops,
/// nothing is posted any more and no foreign thread can take a session reference.
struct Lifeline {
    std::mutex mu;
    bool alive = true;

    /// Runs `fn()` under the lock if the server is alive; returns whether it ran.
    template <typename F>
    bool run_if_alive(F&& fn) {
        std::lock_guard lock(mu);
        if (!alive) return false;
        fn();
        return true;
    }
};

class Session;

/// State shared by the server and all its sessions.
struct ServerShared {
    explicit ServerShared(ServerConfig cfg) : config(std::move(cfg)), methods(metrics) {}

    ServerConfig config;
    RpcMetrics metrics;
    MethodRegistry methods;
    SubscriptionKinds kinds;
    ProbeFn probe;  ///< GET /<path> answers (set before start)
    std::unique_ptr<Dispatcher> dispatcher;
    std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();

    std::mutex sessions_mu;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

    void add_session(const std::shared_ptr<Session>& s);
    void remove_session(Session* s);
    /// True if `origin` (empty = no Origin header) is in `allowed` or `allowed` has "*".
    static bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin);
};

/// Base of HTTP and WebSocket sessions: strand, deadline timers for async handlers, shutdown.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(std::shared_ptr<ServerShared> shared, Strand strand);
    virtual ~Session();

    /// Closes the connection; runs on the strand.
    virtual void shutdown() = 0;
    /// Receives one response text from the dispatcher; runs on the strand.
    virtual void on_response(std::string response) = 0;
    /// Receives one subscription notification; runs on the strand (WebSocket only).
    virtual void on_notification(std::string message) { (void)message; }

    /// Runs the dispatcher on `body`; a reply completed inline is delivered inline.
    void dispatch(std::string_view body, const CallContext& ctx);

    /// Arms/disarms handler deadlines; on the strand.
    uint64_t arm_timer(std::chrono::milliseconds after, std::function<void()> fn);
    void cancel_timer(uint64_t token);
    void cancel_all_timers();

    Strand strand_;
    std::shared_ptr<ServerShared> shared_;
    /// Thread-safe proxy handed out to dispatcher and subscriptions (holds only a weak ref).
    std::shared_ptr<class SessionHandle> handle_;
    /// Keeps the session alive while it waits for replies with no I/O outstanding.
    std::shared_ptr<Session> pending_self_;
    std::string remote_;

private:
    std::map<uint64_t, std::unique_ptr<asio::steady_timer>> timers_;
    uint64_t next_timer_ = 1;
};

/// The thread-safe face of a session for code running on other threads. Holds no Asio object
/// (it may be destroyed on any thread after the server is gone).
class SessionHandle : public TimeoutScheduler, public NotificationSink {
public:
    SessionHandle(std::weak_ptr<Session> session, std::shared_ptr<ServerShared> shared)
        : session_(std::move(session)),
          raw_(session_.lock().get()),
          lifeline_(shared->lifeline),
          shared_(std::move(shared)) {}

    uint64_t arm(std::chrono::milliseconds after, std::function<void()> on_expiry) override;
    void disarm(uint64_t token) override;
    bool push_notification(std::string message) override;

    /// Posts `fn(session)` to the session's strand if both server and session are alive.
    template <typename F>
    bool post(F&& fn) {
        bool posted = false;
        lifeline_->run_if_alive([&] {
            if (auto s = session_.lock()) {
                asio::post(s->strand_, [s, fn = std::forward<F>(fn)]() mutable { fn(*s); });
                posted = true;
            }
        });
        return posted;
    }
    /// True while this session's dispatcher call runs on the current thread.
    bool dispatching_here() const noexcept;

    /// Notifications queued and not yet written (bounded by max_ws_queued_notifications).
    std::atomic<size_t> queued_notifications{0};
    std::atomic<bool> closing{false};

private:
    std::weak_ptr<Session> session_;
    Session* raw_;  // compared, dereferenced only while dispatching_here()  // no Asio object here:
                    // this may outlive the server
    std::shared_ptr<Lifeline> lifeline_;
    std::shared_ptr<ServerShared> shared_;
};

/// Starts an HTTP session on an accepted socket (http_session.cpp).
void start_http_session(std::shared_ptr<ServerShared> shared, Strand strand, tcp::socket socket);
/// Takes over a connection whose HTTP request was a WebSocket upgrade (ws_session.cpp).
void start_ws_session(std::shared_ptr<ServerShared> shared, Strand strand, beast::tcp_stream stream,
                      http::request<http::string_body> upgrade, std::string remote);

}  // namespace fuse::rpc::detail
