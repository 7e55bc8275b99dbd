/// The server over real WebSocket connections: calls, batches, subscriptions pushed from other
/// threads, slow-subscriber policies, message size limit, origins, in-flight limit.

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>

#include "rpc/test_client.hpp"
#include "rpc/test_fixture.hpp"

namespace fuse::rpc {
namespace {

using testing::DelayedExecutor;
using testing::HttpClient;
using testing::WsClient;

class WsServerTest : public ::testing::Test {
protected:
    void start(ServerConfig cfg = testing::test_config()) {
        server_.emplace(std::move(cfg));
        testing::register_test_methods(*server_, executor_);
        server_->add_subscription_kind("testHeads", heads_);
        server_->start();
    }
    uint16_t port() const { return server_->port(); }
    static Json call(WsClient& ws, const std::string& request) {
        ws.send(request);
        const auto msg = ws.receive();
        EXPECT_TRUE(msg.has_value()) << request;
        return msg ? Json::parse(*msg) : Json();
    }
    /// Polls `pred` for up to 5 s (bounded wait for a condition, not a timing assertion).
    template <typename P>
    static bool eventually(P pred) {
        for (int i = 0; i < 1000; ++i) {
            if (pred()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return pred();
    }

    DelayedExecutor executor_;
    std::shared_ptr<BroadcastKind> heads_ = std::make_shared<BroadcastKind>();
    std::optional<Server> server_;
};

TEST_F(WsServerTest, CallsBatchesNotificationsAndErrors) {
    start();
    WsClient ws(port());
    EXPECT_EQ(call(ws, R"({"jsonrpc":"2.0","id":"a","method":"add","params":[1,2]})"),
              Json::parse(R"({"jsonrpc":"2.0","id":"a","result":3})"));
    EXPECT_EQ(call(ws, R"({"jsonrpc":"2.0","id":1,"method":"transport"})")["result"], "ws");
    // A notification gets nothing: the next message answers the next call.
    ws.send(R"({"jsonrpc":"2.0","method":"echo"})");
    EXPECT_EQ(call(ws, R"({"jsonrpc":"2.0","id":2,"method":"echo","params":[2]})")["id"], 2);
    const Json batch = call(ws, R"([{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]},
        {"jsonrpc":"2.0","id":2,"method":"async_echo","params":[2,20]}])");
    ASSERT_EQ(batch.size(), 2u);
    EXPECT_EQ(batch[1]["result"], 2);
    EXPECT_EQ(call(ws, "{oops")["error"]["code"], -32700);
    EXPECT_EQ(call(ws, "[]")["error"]["message"], "empty batch");
    EXPECT_EQ(call(ws, R"({"jsonrpc":"2.0","id":3,"method":"nope"})")["error"]["code"], -32601);
    EXPECT_EQ(call(ws, R"({"jsonrpc":"2.0","id":4,"method":"add","params":[2,2]})")["result"], 4);
}

TEST_F(WsServerTest, SubscribeReceiveFromAnotherThreadUnsubscribe) {
    start();
    WsClient ws(port());
    const Json sub =
        call(ws, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})");
    ASSERT_TRUE(sub["result"].is_string()) << sub;
    const std::string id = sub["result"];
    EXPECT_EQ(id.size(), 34u);
    EXPECT_TRUE(id.starts_with("0x"));
    ASSERT_EQ(heads_->subscriber_count(), 1u);

    constexpr int kCount = 50;
    std::thread producer([&] {
        for (int i = 0; i < kCount; ++i)
            heads_->publish(Json{{"number", i}});
    });
    producer.join();
    for (int i = 0; i < kCount; ++i) {
        const auto msg = ws.receive();
        ASSERT_TRUE(msg) << i;
        const Json n = Json::parse(*msg);
        EXPECT_EQ(n["jsonrpc"], "2.0");
        EXPECT_EQ(n["method"], "eth_subscription");
        EXPECT_FALSE(n.contains("id"));
        EXPECT_EQ(n["params"]["subscription"], id);
        EXPECT_EQ(n["params"]["result"]["number"], i);
    }
    const Json unsub = call(
        ws, R"({"jsonrpc":"2.0","id":2,"method":"eth_unsubscribe","params":[")" + id + R"("]})");
    EXPECT_EQ(unsub["result"], true);
    EXPECT_EQ(heads_->publish(Json(1)), 0u);
    const Json again = call(
        ws, R"({"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":[")" + id + R"("]})");
    EXPECT_EQ(again["error"], Json::parse(R"({"code":-32000,"message":"subscription not found"})"));
    EXPECT_EQ(server_->metrics().connections.notifications_sent.load(),
              static_cast<uint64_t>(kCount));
}

TEST_F(WsServerTest, SubscriptionErrors) {
    auto cfg = testing::test_config();
    cfg.max_subscriptions_per_connection = 2;
    start(cfg);
    WsClient ws(port());
    Json r = call(ws, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["nope"]})");
    EXPECT_EQ(
        r["error"],
        Json::parse(R"({"code":-32601,"message":"no \"nope\" subscription in eth namespace"})"));
    r = call(ws, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":[]})");
    EXPECT_EQ(r["error"]["code"], -32602);
    r = call(ws,
             R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads",{"x":1}]})");
    EXPECT_EQ(r["error"]["code"], -32602);  // the kind refuses extra params
    const std::string sub =
        R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})";
    EXPECT_TRUE(call(ws, sub)["result"].is_string());
    EXPECT_TRUE(call(ws, sub)["result"].is_string());
    EXPECT_EQ(call(ws, sub)["error"]["message"], "too many subscriptions on this connection");
}

TEST_F(WsServerTest, DisconnectEndsSubscriptions) {
    start();
    {
        WsClient ws(port());
        call(ws, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})");
        call(ws, R"({"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["testHeads"]})");
        EXPECT_EQ(heads_->subscriber_count(), 2u);
    }
    EXPECT_TRUE(eventually([&] { return heads_->subscriber_count() == 0; }));
    EXPECT_EQ(heads_->publish(Json(1)), 0u);
}

TEST_F(WsServerTest, SlowSubscriberIsClosed) {
    auto cfg = testing::test_config();
    cfg.max_ws_queued_notifications = 16;
    cfg.slow_subscriber = SlowSubscriberPolicy::kClose;
    start(cfg);
    WsClient slow(port());
    call(slow, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})");
    // The client reads nothing; socket buffers fill, then the bounded queue.
    const Json payload(std::string(4096, 'p'));
    std::thread producer([&] {
        for (int i = 0; i < 20'000 && heads_->subscriber_count() > 0; ++i)
            heads_->publish(payload);
    });
    producer.join();
    EXPECT_EQ(server_->metrics().connections.slow_subscribers_closed.load(), 1u);
    EXPECT_TRUE(slow.wait_closed(std::chrono::milliseconds(5000)));
    EXPECT_EQ(heads_->subscriber_count(), 0u);
    WsClient fresh(port());
    EXPECT_EQ(call(fresh, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]})")["result"],
              2);
}

TEST_F(WsServerTest, SlowSubscriberDropPolicyKeepsConnection) {
    auto cfg = testing::test_config();
    cfg.max_ws_queued_notifications = 16;
    cfg.slow_subscriber = SlowSubscriberPolicy::kDrop;
    start(cfg);
    WsClient slow(port());
    call(slow, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})");
    const Json payload(std::string(4096, 'p'));
    for (int i = 0; i < 5'000; ++i)
        heads_->publish(payload);
    EXPECT_GT(server_->metrics().connections.notifications_dropped.load(), 0u);
    // Drain what was delivered, then the connection still answers.
    slow.send(R"({"jsonrpc":"2.0","id":99,"method":"add","params":[40,2]})");
    std::optional<Json> answer;
    while (auto msg = slow.receive()) {
        const Json j = Json::parse(*msg);
        if (j.contains("id")) {
            answer = j;
            break;
        }
    }
    ASSERT_TRUE(answer);
    EXPECT_EQ((*answer)["result"], 42);
    EXPECT_EQ(heads_->subscriber_count(), 1u);
}

TEST_F(WsServerTest, MessageSizeLimitClosesWith1009) {
    auto cfg = testing::test_config();
    cfg.max_request_bytes = 1024;
    start(cfg);
    WsClient ws(port());
    ws.send(R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" + std::string(4000, 'a') +
            R"("]})");
    EXPECT_TRUE(ws.wait_closed(std::chrono::milliseconds(3000)));
    EXPECT_EQ(ws.close_code(), 1009);
    WsClient ok(port());
    EXPECT_EQ(call(ok, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})")["result"], 3);
}

TEST_F(WsServerTest, OriginCheckOnUpgrade) {
    auto cfg = testing::test_config();
    cfg.ws_allowed_origins = {"https://good.example"};
    start(cfg);
    EXPECT_THROW(WsClient(port(), {{"Origin", "https://evil.example"}}), std::exception);
    WsClient good(port(), {{"Origin", "https://good.example"}});
    EXPECT_EQ(call(good, R"({"jsonrpc":"2.0","id":1,"method":"echo"})")["id"], 1);
}

TEST_F(WsServerTest, InflightLimitPausesAndResumesReading) {
    auto cfg = testing::test_config();
    cfg.max_ws_inflight = 2;
    start(cfg);
    WsClient ws(port());
    constexpr int kCount = 40;
    for (int i = 0; i < kCount; ++i)
        ws.send(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                R"(,"method":"async_echo","params":[)" + std::to_string(i) + ",5]}");
    std::vector<bool> seen(kCount, false);
    for (int i = 0; i < kCount; ++i) {
        const auto msg = ws.receive();
        ASSERT_TRUE(msg) << i;
        const Json j = Json::parse(*msg);
        EXPECT_EQ(j["id"], j["result"]);
        seen.at(j["id"].get<size_t>()) = true;
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), true), kCount);
}

TEST_F(WsServerTest, ManyConcurrentWebSocketClients) {
    start();
    constexpr int kClients = 8;
    constexpr int kCalls = 100;
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kClients; ++t) {
        threads.emplace_back([&, t] {
            WsClient ws(port());
            for (int i = 0; i < kCalls; ++i) {
                ws.send(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                        R"(,"method":"add","params":[)" + std::to_string(t) + "," +
                        std::to_string(i) + "]}");
                const auto msg = ws.receive();
                if (!msg) return;
                const Json j = Json::parse(*msg);
                if (j["id"] == i && j["result"] == t + i) ++good;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(good.load(), kClients * kCalls);
}

TEST_F(WsServerTest, StopClosesWebSocketsAndSubscriptions) {
    start();
    WsClient ws(port());
    call(ws, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["testHeads"]})");
    server_->stop();
    EXPECT_TRUE(ws.wait_closed(std::chrono::milliseconds(3000)));
    EXPECT_EQ(heads_->subscriber_count(), 0u);
    EXPECT_EQ(heads_->publish(Json(1)), 0u);
}

}  // namespace
}  // namespace fuse::rpc
