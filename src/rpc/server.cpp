#include <boost/asio/dispatch.hpp>
#include <condition_variable>
#include <stdexcept>
#include <thread>

#include "rpc/server_internal.hpp"

namespace fuse::rpc {

using namespace detail;

std::string ServerConfig::validate() const {
    if (io_threads == 0 || io_threads > 256) return "io_threads must be between 1 and 256";
    if (max_request_bytes == 0) return "max_request_bytes must be positive";
    if (max_header_bytes < 512) return "max_header_bytes must be at least 512";
    if (dispatch.max_batch_items == 0) return "max_batch_items must be positive";
    if (dispatch.max_response_bytes < 256) return "max_response_bytes must be at least 256";
    if (dispatch.max_json_depth == 0) return "max_json_depth must be positive";
    if (max_connections == 0) return "max_connections must be positive";
    if (max_ws_inflight == 0) return "max_ws_inflight must be positive";
    if (max_ws_queued_notifications == 0) return "max_ws_queued_notifications must be positive";
    if (read_timeout.count() <= 0 || write_timeout.count() <= 0 || ws_idle_timeout.count() <= 0 ||
        ws_handshake_timeout.count() <= 0)
        return "timeouts must be positive";
    boost::system::error_code ec;
    asio::ip::make_address(address, ec);
    if (ec) return "address '" + address + "' is not an IP address";
    return {};
}

namespace detail {

void ServerShared::add_session(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(sessions_mu);
    sessions.emplace(s.get(), s);
}

void ServerShared::remove_session(Session* s) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(s);
}

bool ServerShared::origin_allowed(const std::vector<std::string>& allowed,
                                  std::string_view origin) {
    if (origin.empty()) return true;
    for (const auto& a : allowed)
        if (a == "*" || a == origin) return true;
    return false;
}

Session::Session(std::shared_ptr<ServerShared> shared, Strand strand)
    : strand_(std::move(strand)), shared_(std::move(shared)) {
    shared_->metrics.connections.open.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() {
    shared_->metrics.connections.open.fetch_sub(1, std::memory_order_relaxed);
    shared_->remove_session(this);
}

namespace {
/// The session whose dispatcher call is running on this thread (inline completion detection).
thread_local const Session* tl_dispatching = nullptr;
}  // namespace

void Session::dispatch(std::string_view body, const CallContext& ctx) {
    const Session* outer = tl_dispatching;
    tl_dispatching = this;
    shared_->dispatcher->handle(
        body, ctx, [raw = this, handle = handle_](std::string response) mutable {
            if (tl_dispatching == raw) {
                raw->on_response(std::move(response));
                return;
            }
            handle->post(
                [r = std::move(response)](Session& s) mutable { s.on_response(std::move(r)); });
        });
    tl_dispatching = outer;
}

uint64_t Session::arm_timer(std::chrono::milliseconds after, std::function<void()> fn) {
    const uint64_t token = next_timer_++;
    auto timer = std::make_unique<asio::steady_timer>(strand_, after);
    timer->async_wait([self = shared_from_this(), token,
                       fn = std::move(fn)](const boost::system::error_code& ec) {
        if (ec) return;
        self->timers_.erase(token);
        fn();
    });
    timers_.emplace(token, std::move(timer));
    return token;
}

void Session::cancel_timer(uint64_t token) {
    const auto it = timers_.find(token);
    if (it == timers_.end()) return;
    it->second->cancel();
    timers_.erase(it);
}

void Session::cancel_all_timers() {
    for (auto& [token, timer] : timers_)
        timer->cancel();
    timers_.clear();
}

bool SessionHandle::dispatching_here() const noexcept {
    return tl_dispatching == raw_;
}

uint64_t SessionHandle::arm(std::chrono::milliseconds after, std::function<void()> on_expiry) {
    // Only from the dispatcher, while the handler runs on the session's strand.
    if (!dispatching_here()) return 0;
    return raw_->arm_timer(after, std::move(on_expiry));
}

void SessionHandle::disarm(uint64_t token) {
    if (token == 0) return;
    if (dispatching_here()) return raw_->cancel_timer(token);
    post([token](Session& s) { s.cancel_timer(token); });
}

bool SessionHandle::push_notification(std::string message) {
    if (closing.load(std::memory_order_acquire)) return false;
    auto& counters = shared_->metrics.connections;
    const size_t max = shared_->config.max_ws_queued_notifications;
    if (queued_notifications.fetch_add(1, std::memory_order_acq_rel) >= max) {
        queued_notifications.fetch_sub(1, std::memory_order_acq_rel);
        if (shared_->config.slow_subscriber == SlowSubscriberPolicy::kDrop) {
            counters.notifications_dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        if (!closing.exchange(true, std::memory_order_acq_rel)) {
            counters.slow_subscribers_closed.fetch_add(1, std::memory_order_relaxed);
            post([](Session& s) { s.shutdown(); });
        }
        return false;
    }
    const bool posted =
        post([m = std::move(message)](Session& s) mutable { s.on_notification(std::move(m)); });
    if (!posted) queued_notifications.fetch_sub(1, std::memory_order_acq_rel);
    return posted;
}

}  // namespace detail

struct Server::Impl {
    explicit Impl(ServerConfig cfg) : shared(std::make_shared<ServerShared>(std::move(cfg))) {}

    std::shared_ptr<ServerShared> shared;
    std::unique_ptr<asio::io_context> ioc;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    std::vector<std::thread> threads;
    std::mutex run_mu;
    std::condition_variable run_cv;
    size_t running = 0;
    uint16_t port = 0;
    bool started = false;
    bool stopped = false;

    // Accept loop state (on the acceptor's strand).
    std::optional<Strand> next_strand;
    std::optional<tcp::socket> next_socket;

    void do_accept() {
        next_strand.emplace(asio::make_strand(*ioc));
        next_socket.emplace(*next_strand);
        acceptor->async_accept(*next_socket, [this](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
            if (!ec) on_accept();
            do_accept();
        });
    }

    void on_accept() {
        auto& counters = shared->metrics.connections;
        if (static_cast<size_t>(counters.open.load(std::memory_order_relaxed)) >=
            shared->config.max_connections) {
            counters.rejected_over_limit.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            next_socket->close(ignored);
            return;
        }
        boost::system::error_code ignored;
        next_socket->set_option(tcp::no_delay(true), ignored);
        counters.http_accepted.fetch_add(1, std::memory_order_relaxed);
        // Under the lifeline so stop() either sees this session or it is never started.
        shared->lifeline->run_if_alive(
            [&] { start_http_session(shared, *next_strand, std::move(*next_socket)); });
    }
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() {
    stop();
}

MethodRegistry& Server::methods() {
    return impl_->shared->methods;
}

void Server::add_subscription_kind(std::string name, std::shared_ptr<SubscriptionKind> kind) {
    if (impl_->started) throw std::logic_error("rpc: subscription kind added after start");
    impl_->shared->kinds.add(std::move(name), std::move(kind));
}

void Server::set_probe(ProbeFn probe) {
    if (impl_->started) throw std::logic_error("rpc: probe set after start");
    impl_->shared->probe = std::move(probe);
}

RpcMetrics& Server::metrics() {
    return impl_->shared->metrics;
}

const ServerConfig& Server::config() const {
    return impl_->shared->config;
}

uint16_t Server::port() const {
    return impl_->port;
}

namespace {

void register_builtin_methods(MethodRegistry& methods) {
    if (!methods.find("eth_subscribe")) {
        methods.register_method(
            "eth_subscribe",
            [](const Json& params, const CallContext& ctx) -> Result<Json, RpcError> {
                if (ctx.subscriptions == nullptr)
                    return Unexpected{RpcError{
                        code::kNotificationsUnsupported, "notifications not supported", {}}};
                auto id = ctx.subscriptions->subscribe(params);
                if (!id) return Unexpected{id.error()};
                return Json(std::move(*id));
            });
    }
    if (!methods.find("eth_unsubscribe")) {
        methods.register_method(
            "eth_unsubscribe",
            [](const Json& params, const CallContext& ctx) -> Result<Json, RpcError> {
                if (ctx.subscriptions == nullptr)
                    return Unexpected{RpcError{
                        code::kNotificationsUnsupported, "notifications not supported", {}}};
                if (!params.is_array() || params.empty())
                    return Unexpected{
                        RpcError::invalid_params("missing value for required argument 0")};
                if (!params[0].is_string())
                    return Unexpected{RpcError::invalid_params(
                        "invalid argument 0: subscription id must be a string")};
                if (!ctx.subscriptions->unsubscribe(params[0].get_ref<const std::string&>()))
                    return Unexpected{RpcError::server("subscription not found")};
                return Json(true);
            });
    }
}

}  // namespace

void Server::start() {
    auto& im = *impl_;
    if (im.started) throw std::logic_error("rpc: server started twice");
    const auto& cfg = im.shared->config;
    if (auto err = cfg.validate(); !err.empty())
        throw std::runtime_error("rpc: invalid config: " + err);
    register_builtin_methods(im.shared->methods);
    im.shared->methods.freeze();
    im.shared->dispatcher =
        std::make_unique<Dispatcher>(im.shared->methods, im.shared->metrics, cfg.dispatch);

    im.ioc = std::make_unique<asio::io_context>(static_cast<int>(cfg.io_threads));
    im.acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(*im.ioc));
    const tcp::endpoint ep(asio::ip::make_address(cfg.address), cfg.port);
    boost::system::error_code ec;
    im.acceptor->open(ep.protocol(), ec);
    if (!ec) im.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) im.acceptor->bind(ep, ec);
    if (!ec) im.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("rpc: cannot listen on " + cfg.address + ":" +
                                 std::to_string(cfg.port) + ": " + ec.message());
    im.port = im.acceptor->local_endpoint().port();
    im.started = true;

    asio::dispatch(im.acceptor->get_executor(), [&im] { im.do_accept(); });
    im.work.emplace(im.ioc->get_executor());
    im.running = cfg.io_threads;
    for (unsigned i = 0; i < cfg.io_threads; ++i) {
        im.threads.emplace_back([&im] {
            im.ioc->run();
            std::lock_guard lock(im.run_mu);
            --im.running;
            im.run_cv.notify_all();
        });
    }
}

void Server::stop() {
    auto& im = *impl_;
    if (!im.started || im.stopped) return;
    im.stopped = true;
    // 1. No foreign thread may post or take a session reference any more.
    {
        std::lock_guard lock(im.shared->lifeline->mu);
        im.shared->lifeline->alive = false;
    }
    // 2. Stop accepting and close every connection (each on its own strand).
    asio::post(im.acceptor->get_executor(), [&im] {
        boost::system::error_code ignored;
        im.acceptor->close(ignored);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(im.shared->sessions_mu);
        for (auto& [ptr, weak] : im.shared->sessions)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live)
        asio::post(s->strand_, [s] { s->shutdown(); });
    live.clear();
    // 3. Let the I/O threads drain; force them after a grace period.
    im.work.reset();
    {
        std::unique_lock lock(im.run_mu);
        if (!im.run_cv.wait_for(lock, std::chrono::seconds(5), [&im] { return im.running == 0; }))
            im.ioc->stop();
    }
    for (auto& t : im.threads)
        t.join();
    im.threads.clear();
    // Every Asio object (the strand too) must go before the io_context.
    im.next_socket.reset();
    im.next_strand.reset();
    im.acceptor.reset();
    im.ioc.reset();
}

}  // namespace fuse::rpc
