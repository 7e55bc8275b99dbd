#pragma once
/// The JSON-RPC server: HTTP/1.1 (keep-alive, POST JSON, CORS preflight, GET /health) and
/// WebSocket (upgrade on the same port, eth_subscribe) on Boost.Asio/Beast with a pool of I/O
/// threads. Methods are registered before `start()`; requests are handled by the `Dispatcher`.
/// All Asio/Beast code is behind the pimpl, so including this header stays cheap.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/dispatcher.hpp"
#include "rpc/metrics.hpp"
#include "rpc/registry.hpp"
#include "rpc/subscriptions.hpp"

namespace fuse::rpc {

/// What happens when a subscriber does not read its notifications fast enough and its bounded
/// queue is full.
enum class SlowSubscriberPolicy {
    kClose,  ///< close the connection (the client reconnects and resubscribes)
    kDrop,   ///< drop the notifications that do not fit, keep the connection
};

/// Server settings. Defaults follow geth where geth has one.
struct ServerConfig {
    std::string address = "127.0.0.1";
    uint16_t port = 8545;  ///< 0 picks a free port; `Server::port()` reports it
    unsigned io_threads = 2;
    bool websocket = true;  ///< accept WebSocket upgrades on the same port

    size_t max_request_bytes = 5 * 1024 * 1024;  ///< HTTP body / WS message (geth: 5 MiB)
    size_t max_header_bytes = 16 * 1024;         ///< HTTP request header block
    DispatchLimits dispatch;                     ///< batch/response/depth limits, handler timeout
    size_t max_connections = 10'000;             ///< open TCP connections; more are refused
    size_t max_ws_inflight = 256;  ///< unanswered requests per WS connection before reads pause
    size_t max_ws_queued_notifications = 4096;  ///< per connection, then `slow_subscriber` applies
    SlowSubscriberPolicy slow_subscriber = SlowSubscriberPolicy::kClose;
    size_t max_subscriptions_per_connection = 1024;

    /// Time to receive one complete HTTP request, counted from the end of the previous response
    /// (so it also bounds keep-alive idleness and slow-drip clients).
    std::chrono::milliseconds read_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};    ///< to send one response
    std::chrono::milliseconds ws_idle_timeout{60'000};  ///< WS pings, closed when unanswered
    std::chrono::milliseconds ws_handshake_timeout{10'000};

    /// Origins allowed by CORS (HTTP) and for WebSocket upgrades; "*" allows any. Requests
    /// without an Origin header (non-browser clients) are always allowed.
    std::vector<std::string> cors_allowed_origins{"*"};
    std::vector<std::string> ws_allowed_origins{"*"};

    /// Empty if the settings are usable, else what is wrong.
    std::string validate() const;
};

/// The answer to a plain `GET <path>` (health and readiness probes, docs/node.md "Health and
/// readiness"): HTTP status and a JSON body.
struct ProbeAnswer {
    unsigned status = 200;
    std::string body;
};
/// Answers `GET path`, or nullopt for a path it does not serve (404).
using ProbeFn = std::function<std::optional<ProbeAnswer>(std::string_view path)>;

class Server {
public:
    explicit Server(ServerConfig config);
    /// Stops the server if it is running.
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The method registry; register everything before `start()`.
    MethodRegistry& methods();
    /// Adds an eth_subscribe kind (e.g. "newHeads"); before `start()`.
    void add_subscription_kind(std::string name, std::shared_ptr<SubscriptionKind> kind);
    /// Answers `GET /<path>` other than `/` (e.g. /health, /ready) from `probe`; before
    /// `start()`. Without one, `GET /health` answers {"status":"ok"}.
    void set_probe(ProbeFn probe);

    /// Validates the config, binds, listens and starts the I/O threads. Throws
    /// std::runtime_error (bad config, address in use, ...). Registers eth_subscribe and
    /// eth_unsubscribe unless already registered.
    void start();
    /// The bound port (after `start()`).
    uint16_t port() const;
    /// Stops accepting, closes every connection, waits for the I/O threads. Idempotent. Replies
    /// settled after this are discarded.
    void stop();

    RpcMetrics& metrics();
    const ServerConfig& config() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace fuse::rpc
