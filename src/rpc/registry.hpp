#pragma once
/// The method registry: what a JSON-RPC method handler looks like and where it is registered.
/// Handlers are synchronous (return a result or an error at once) or asynchronous (complete a
/// `Reply` later, from any thread, so a request that waits, e.g. eth_sendRawTransaction until its
/// block is sealed, never blocks an I/O thread).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "rpc/errors.hpp"
#include "rpc/metrics.hpp"

namespace fuse::rpc {

class ConnectionSubscriptions;

/// How the request arrived.
enum class Transport { kHttp, kWebSocket };

/// Arms per-request deadlines for asynchronous handlers (the connection implements it with an
/// Asio timer; the dispatcher knows nothing of Asio).
class TimeoutScheduler {
public:
    virtual ~TimeoutScheduler() = default;
    /// Calls `on_expiry` once after `after` unless disarmed first; called on the I/O thread that
    /// runs the request. Returns a token for `disarm`.
    virtual uint64_t arm(std::chrono::milliseconds after, std::function<void()> on_expiry) = 0;
    /// Cancels a deadline; callable from any thread, a no-op if it already fired.
    virtual void disarm(uint64_t token) = 0;
};

/// What a handler knows about the call besides its params. Valid only during the handler call
/// (an asynchronous handler copies what it needs).
struct CallContext {
    Transport transport = Transport::kHttp;
    std::string remote;  ///< peer "ip:port"
    /// The connection's subscriptions (WebSocket only; null over HTTP).
    ConnectionSubscriptions* subscriptions = nullptr;
    std::weak_ptr<TimeoutScheduler> timeouts;
};

namespace detail {
struct ReplyState;
}

/// The completion of one asynchronous call. Copyable (copies share one state), thread-safe and
/// one-shot: the first `resolve`/`reject` wins (the request may also have timed out meanwhile,
/// then both are ignored). If every copy is destroyed unsettled, the client gets -32603.
class Reply {
public:
    explicit Reply(std::shared_ptr<detail::ReplyState> state) : state_(std::move(state)) {}
    /// Answers with `result`. Returns false if the call was already settled (e.g. timed out).
    bool resolve(const Json& result) const;
    /// Answers with `error`. Returns false if the call was already settled.
    bool reject(const RpcError& error) const;
    /// True once answered (by this reply, a timeout, or a copy).
    bool settled() const noexcept;

private:
    std::shared_ptr<detail::ReplyState> state_;
};

/// A synchronous handler. `params` is the request's array or object (an empty array when the
/// request has none). It may also throw `RpcException`; a `Json::exception` thrown while reading
/// params becomes -32602, any other exception -32603.
using SyncHandler = std::function<Result<Json, RpcError>(const Json& params, const CallContext&)>;
/// An asynchronous handler: returns at once and settles `reply` later from any thread.
using AsyncHandler = std::function<void(Json params, const CallContext&, Reply reply)>;

/// Methods by name. Filled before the server starts (it then freezes the registry), read
/// concurrently without locks afterwards.
class MethodRegistry {
public:
    struct Method {
        SyncHandler sync;
        AsyncHandler async;
        MethodStats* stats = nullptr;
    };

    explicit MethodRegistry(RpcMetrics& metrics) : metrics_(metrics) {}

    /// Adds a synchronous method; throws std::logic_error on a duplicate name, an empty name or
    /// after `freeze()`.
    void register_method(std::string name, SyncHandler handler);
    /// Adds an asynchronous method (same rules).
    void register_async_method(std::string name, AsyncHandler handler);
    /// The method called `name`, or null.
    const Method* find(std::string_view name) const;
    /// No registration after this (the server calls it in start()).
    void freeze() noexcept { frozen_ = true; }
    size_t size() const noexcept { return methods_.size(); }
    /// Every registered name, sorted (docs checks compare it with the documented list).
    std::vector<std::string> names() const;

private:
    void add(std::string name, Method m);

    RpcMetrics& metrics_;
    std::map<std::string, Method, std::less<>> methods_;
    bool frozen_ = false;
};

}  // namespace fuse::rpc
