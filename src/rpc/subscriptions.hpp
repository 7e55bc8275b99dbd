#pragma once
/// Plumbing of `eth_subscribe` / `eth_unsubscribe` (geth's pub/sub over WebSocket): subscription
/// ids, a per-connection registry, thread-safe delivery of `eth_subscription` notifications, and
/// pluggable subscription kinds (newHeads, logs, ... are added later by the chain code).

#include <atomic>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "rpc/errors.hpp"

namespace fuse::rpc {

/// Where notifications of one connection go (the WebSocket session implements it).
class NotificationSink {
public:
    virtual ~NotificationSink() = default;
    /// Queues one complete serialized notification. Callable from any thread. Returns false when
    /// the message was not queued: connection closed, or its bounded queue is full (slow consumer).
    virtual bool push_notification(std::string message) = 0;
};

/// One live subscription. The chain code keeps a `shared_ptr` and calls `notify` from any thread.
class Subscription {
public:
    Subscription(std::string id, std::string kind, std::weak_ptr<NotificationSink> sink);

    /// "0x" + 32 hex digits, as geth makes them.
    const std::string& id() const noexcept { return id_; }
    const std::string& kind() const noexcept { return kind_; }

    /// Sends `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,
    /// "result":result}}`. Returns false if the subscription is closed or the message was dropped.
    bool notify(const Json& result);
    /// Same with `result` already serialized as JSON text (serialize once, send to many).
    bool notify_serialized(std::string_view result_json);

    /// False after unsubscribe, connection close or a slow-consumer drop.
    bool active() const noexcept { return active_.load(std::memory_order_acquire); }
    /// Ends the subscription; further `notify` calls return false.
    void close() noexcept { active_.store(false, std::memory_order_release); }

private:
    std::string id_;
    std::string kind_;
    std::string prefix_;  // serialized notification up to the result
    std::weak_ptr<NotificationSink> sink_;
    std::atomic<bool> active_{true};
};

/// A kind of subscription (the first `eth_subscribe` parameter). Implemented by the chain code.
class SubscriptionKind {
public:
    virtual ~SubscriptionKind() = default;
    /// Called on the connection's I/O thread when a client subscribes; `params` is an array with
    /// the eth_subscribe parameters after the kind name. Return an error to refuse (e.g. a bad
    /// filter); otherwise keep `sub` and call `sub->notify` from any thread. Must not block.
    virtual std::optional<RpcError> subscribe(const Json& params,
                                              const std::shared_ptr<Subscription>& sub) = 0;
    /// Called once when `sub` ends (eth_unsubscribe, disconnect, slow consumer dropped).
    virtual void unsubscribed(const Subscription& sub) { (void)sub; }
};

/// A ready-made kind that sends every published value to all its subscribers (newHeads-like).
/// Refuses extra parameters.
class BroadcastKind : public SubscriptionKind {
public:
    std::optional<RpcError> subscribe(const Json& params,
                                      const std::shared_ptr<Subscription>& sub) override;
    void unsubscribed(const Subscription& sub) override;
    /// Sends `value` to every active subscriber (serialized once); returns how many queued it.
    /// Thread-safe.
    size_t publish(const Json& value);
    size_t subscriber_count() const;

private:
    mutable std::mutex mu_;
    std::vector<std::shared_ptr<Subscription>> subs_;
};

/// Subscription kinds by name; filled before the server starts, read-only afterwards.
class SubscriptionKinds {
public:
    void add(std::string name, std::shared_ptr<SubscriptionKind> kind);
    SubscriptionKind* find(std::string_view name) const;

private:
    std::map<std::string, std::shared_ptr<SubscriptionKind>, std::less<>> kinds_;
};

/// A fresh random subscription id: "0x" + 32 lower-case hex digits.
std::string make_subscription_id();

/// The subscriptions of one connection. Used only from that connection's I/O strand.
class ConnectionSubscriptions {
public:
    ConnectionSubscriptions(const SubscriptionKinds& kinds, std::weak_ptr<NotificationSink> sink,
                            size_t max_subscriptions);
    ~ConnectionSubscriptions();

    /// eth_subscribe: `params` is the full params array (kind name first). Returns the new id.
    Result<std::string, RpcError> subscribe(const Json& params);
    /// eth_unsubscribe: true if `id` was a subscription of this connection.
    bool unsubscribe(std::string_view id);
    /// Ends every subscription (connection closing).
    void close_all();
    size_t size() const noexcept { return subs_.size(); }

private:
    struct Entry {
        std::shared_ptr<Subscription> sub;
        SubscriptionKind* kind;
    };
    const SubscriptionKinds& kinds_;
    std::weak_ptr<NotificationSink> sink_;
    size_t max_subscriptions_;
    std::map<std::string, Entry, std::less<>> subs_;
};

}  // namespace fuse::rpc
