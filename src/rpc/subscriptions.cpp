#include "rpc/subscriptions.hpp"

#include <algorithm>
#include <random>

#include "core/hex.hpp"

namespace fuse::rpc {

Subscription::Subscription(std::string id, std::string kind, std::weak_ptr<NotificationSink> sink)
    : id_(std::move(id)), kind_(std::move(kind)), sink_(std::move(sink)) {
    prefix_ = R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":")";
    prefix_ += id_;
    prefix_ += R"(","result":)";
}

bool Subscription::notify(const Json& result) {
    return notify_serialized(result.dump());
}

bool Subscription::notify_serialized(std::string_view result_json) {
    if (!active()) return false;
    auto sink = sink_.lock();
    if (!sink) {
        close();
        return false;
    }
    std::string msg;
    msg.reserve(prefix_.size() + result_json.size() + 2);
    msg += prefix_;
    msg += result_json;
    msg += "}}";
    return sink->push_notification(std::move(msg));
}

std::optional<RpcError> BroadcastKind::subscribe(const Json& params,
                                                 const std::shared_ptr<Subscription>& sub) {
    if (!params.empty()) return RpcError::invalid_params("too many arguments, want at most 1");
    std::lock_guard lock(mu_);
    subs_.push_back(sub);
    return std::nullopt;
}

void BroadcastKind::unsubscribed(const Subscription& sub) {
    std::lock_guard lock(mu_);
    std::erase_if(subs_, [&](const auto& s) { return s.get() == &sub; });
}

size_t BroadcastKind::publish(const Json& value) {
    const std::string text = value.dump();
    std::vector<std::shared_ptr<Subscription>> targets;
    {
        std::lock_guard lock(mu_);
        std::erase_if(subs_, [](const auto& s) { return !s->active(); });
        targets = subs_;
    }
    size_t queued = 0;
    for (const auto& s : targets)
        queued += s->notify_serialized(text) ? 1 : 0;
    return queued;
}

size_t BroadcastKind::subscriber_count() const {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(
        std::count_if(subs_.begin(), subs_.end(), [](const auto& s) { return s->active(); }));
}

void SubscriptionKinds::add(std::string name, std::shared_ptr<SubscriptionKind> kind) {
    kinds_[std::move(name)] = std::move(kind);
}

SubscriptionKind* SubscriptionKinds::find(std::string_view name) const {
    const auto it = kinds_.find(name);
    return it == kinds_.end() ? nullptr : it->second.get();
}

std::string make_subscription_id() {
    thread_local std::mt19937_64 rng{[] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }()};
    uint8_t bytes[16];
    for (int i = 0; i < 2; ++i) {
        const uint64_t v = rng();
        for (int b = 0; b < 8; ++b)
            bytes[i * 8 + b] = static_cast<uint8_t>(v >> (8 * b));
    }
    return to_hex(ByteView(bytes, sizeof(bytes)));
}

ConnectionSubscriptions::ConnectionSubscriptions(const SubscriptionKinds& kinds,
                                                 std::weak_ptr<NotificationSink> sink,
                                                 size_t max_subscriptions)
    : kinds_(kinds), sink_(std::move(sink)), max_subscriptions_(max_subscriptions) {}

ConnectionSubscriptions::~ConnectionSubscriptions() {
    close_all();
}

Result<std::string, RpcError> ConnectionSubscriptions::subscribe(const Json& params) {
    if (!params.is_array() || params.empty())
        return Unexpected{RpcError::invalid_params("missing value for required argument 0")};
    if (!params[0].is_string())
        return Unexpected{RpcError::invalid_params(
            "invalid argument 0: json: cannot unmarshal non-string into Go value of type string")};
    const auto& name = params[0].get_ref<const std::string&>();
    SubscriptionKind* kind = kinds_.find(name);
    if (kind == nullptr)
        return Unexpected{RpcError{
            code::kMethodNotFound, "no \"" + name + "\" subscription in eth namespace", {}}};
    // Drop subscriptions that ended on their own (slow consumer) before counting.
    std::erase_if(subs_, [](const auto& kv) {
        if (kv.second.sub->active()) return false;
        kv.second.kind->unsubscribed(*kv.second.sub);
        return true;
    });
    if (subs_.size() >= max_subscriptions_)
        return Unexpected{RpcError::server("too many subscriptions on this connection")};
    auto sub = std::make_shared<Subscription>(make_subscription_id(), name, sink_);
    Json rest = Json::array();
    for (size_t i = 1; i < params.size(); ++i)
        rest.push_back(params[i]);
    if (auto err = kind->subscribe(rest, sub)) return Unexpected{std::move(*err)};
    std::string id = sub->id();
    subs_.emplace(id, Entry{std::move(sub), kind});
    return id;
}

bool ConnectionSubscriptions::unsubscribe(std::string_view id) {
    const auto it = subs_.find(id);
    if (it == subs_.end()) return false;
    it->second.sub->close();
    it->second.kind->unsubscribed(*it->second.sub);
    subs_.erase(it);
    return true;
}

void ConnectionSubscriptions::close_all() {
    for (auto& [id, e] : subs_) {
        e.sub->close();
        e.kind->unsubscribed(*e.sub);
    }
    subs_.clear();
}

}  // namespace fuse::rpc
