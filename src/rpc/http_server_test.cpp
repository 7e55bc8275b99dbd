/// The server over real HTTP connections on 127.0.0.1: JSON-RPC 2.0 semantics, geth's error
/// codes, limits, CORS, timeouts, concurrency, asynchronous handlers.

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
using testing::raw_exchange;

/// One HTTP/1.1 POST as bytes on the wire.
std::string raw_post(const std::string& body) {
    return "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

class HttpServerTest : public ::testing::Test {
protected:
    void start(ServerConfig cfg = testing::test_config(),
               const std::function<void(Server&)>& extra = {}) {
        server_.emplace(std::move(cfg));
        testing::register_test_methods(*server_, executor_);
        if (extra) extra(*server_);
        server_->start();
        ASSERT_NE(server_->port(), 0);
    }
    uint16_t port() const { return server_->port(); }
    Json call(HttpClient& c, const std::string& body, int expect_status = 200) {
        const auto r = c.post(body);
        EXPECT_EQ(r.status, expect_status) << r.body;
        return Json::parse(r.body);
    }
    Json call(const std::string& body) {
        HttpClient c(port());
        return call(c, body);
    }

    DelayedExecutor executor_;  // destroyed after the server: settles replies late
    std::optional<Server> server_;
};

TEST_F(HttpServerTest, EchoesNumberStringAndNullIds) {
    start();
    HttpClient c(port());
    auto r = call(c, R"({"jsonrpc":"2.0","id":7,"method":"echo","params":[1,"a"]})");
    EXPECT_EQ(r, Json::parse(R"({"jsonrpc":"2.0","id":7,"result":[1,"a"]})"));
    r = call(c, R"({"jsonrpc":"2.0","id":"abc","method":"add","params":[2,3]})");
    EXPECT_EQ(r, Json::parse(R"({"jsonrpc":"2.0","id":"abc","result":5})"));
    r = call(c, R"({"jsonrpc":"2.0","id":null,"method":"echo"})");
    EXPECT_EQ(r, Json::parse(R"({"jsonrpc":"2.0","id":null,"result":[]})"));
    r = call(c, R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"echo","params":{"k":1}})");
    EXPECT_EQ(r["id"].get<uint64_t>(), 18446744073709551615ULL);
    EXPECT_EQ(r["result"], Json::parse(R"({"k":1})"));
    EXPECT_EQ(call(c, R"({"jsonrpc":"2.0","id":1,"method":"transport"})")["result"], "http");
}

TEST_F(HttpServerTest, NotificationGetsNoResponse) {
    start();
    HttpClient c(port());
    const auto r = c.post(R"({"jsonrpc":"2.0","method":"echo","params":[1]})");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
    // An unknown method as a notification is not answered either.
    EXPECT_EQ(c.post(R"({"jsonrpc":"2.0","method":"nope"})").body, "");
    const auto snap = server_->metrics().snapshot();
    const auto it =
        std::find_if(snap.begin(), snap.end(), [](const auto& s) { return s.method == "echo"; });
    ASSERT_NE(it, snap.end());
    EXPECT_EQ(it->calls, 1u);
}

TEST_F(HttpServerTest, BatchAnswersEachItemInOrder) {
    start();
    const Json r = call(R"([
        {"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]},
        {"jsonrpc":"2.0","method":"echo","params":[9]},
        1,
        {"jsonrpc":"2.0","id":"x","method":"nope"},
        {"jsonrpc":"2.0","id":3,"method":"fail"},
        {"jsonrpc":"2.0","id":4,"method":"async_echo","params":["later",30]},
        {"jsonrpc":"2.0","id":5,"method":"echo","params":[5]}
    ])");
    ASSERT_TRUE(r.is_array());
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[0], Json::parse(R"({"jsonrpc":"2.0","id":1,"result":3})"));
    EXPECT_EQ(
        r[1],
        Json::parse(
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request"}})"));
    EXPECT_EQ(r[2]["id"], "x");
    EXPECT_EQ(r[2]["error"]["code"], -32601);
    EXPECT_EQ(r[2]["error"]["message"], "the method nope does not exist/is not available");
    EXPECT_EQ(r[3]["error"],
              Json::parse(R"({"code":-32000,"message":"execution reverted","data":"0x08c379a0"})"));
    EXPECT_EQ(r[4], Json::parse(R"({"jsonrpc":"2.0","id":4,"result":"later"})"));
    EXPECT_EQ(r[5], Json::parse(R"({"jsonrpc":"2.0","id":5,"result":[5]})"));
}

TEST_F(HttpServerTest, EmptyBatchAndNotificationOnlyBatch) {
    start();
    EXPECT_EQ(
        call("[]"),
        Json::parse(
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"empty batch"}})"));
    HttpClient c(port());
    const auto r =
        c.post(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"echo"}])");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");
}

TEST_F(HttpServerTest, BatchTooLarge) {
    auto cfg = testing::test_config();
    cfg.dispatch.max_batch_items = 3;
    start(cfg);
    const Json r =
        call(R"([{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","id":42,"method":"echo"},
        {"jsonrpc":"2.0","id":2,"method":"echo"},{"jsonrpc":"2.0","id":3,"method":"echo"}])");
    EXPECT_EQ(
        r,
        Json::parse(
            R"([{"jsonrpc":"2.0","id":42,"error":{"code":-32600,"message":"batch too large"}}])"));
    // At the limit it is served.
    EXPECT_EQ(
        call(R"([{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"echo"},
        {"jsonrpc":"2.0","id":3,"method":"echo"}])")
            .size(),
        3u);
}

TEST_F(HttpServerTest, ParseErrorsAndTheConnectionStaysUsable) {
    start();
    HttpClient c(port());
    auto r = call(c, R"({"jsonrpc":"2.0","id":1,"method":)");
    EXPECT_EQ(r["error"]["code"], -32700);
    EXPECT_TRUE(r["id"].is_null());
    r = call(c, "\x01\x02garbage\xff");
    EXPECT_EQ(r["error"]["code"], -32700);
    // Invalid UTF-8 inside a JSON string.
    r = call(c, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\",\"params\":[\"\xc3\x28\"]}");
    EXPECT_EQ(r["error"]["code"], -32700);
    r = call(c, "   ");
    EXPECT_EQ(r["error"]["code"], -32700);
    // Deep nesting is refused before parsing.
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    r = call(c, deep);
    EXPECT_EQ(r["error"]["code"], -32700);
    EXPECT_EQ(r["error"]["message"], "exceeded max depth of 64");
    // Brackets inside strings do not count.
    r = call(c, R"({"jsonrpc":"2.0","id":2,"method":"echo","params":[")" + std::string(1000, '[') +
                    R"("]})");
    EXPECT_EQ(r["result"][0].get<std::string>().size(), 1000u);
    EXPECT_EQ(call(c, R"({"jsonrpc":"2.0","id":3,"method":"add","params":[1,1]})")["result"], 2);
}

TEST_F(HttpServerTest, InvalidRequests) {
    start();
    const auto code_of = [&](const std::string& body) {
        const Json r = call(body);
        return std::make_pair(r["error"]["code"].get<int>(), r["id"]);
    };
    EXPECT_EQ(code_of(R"({"id":1,"method":"echo"})"), std::make_pair(-32600, Json(1)));
    EXPECT_EQ(code_of(R"({"jsonrpc":"1.0","id":1,"method":"echo"})"),
              std::make_pair(-32600, Json(1)));
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":1,"method":5})"), std::make_pair(-32600, Json(1)));
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":1,"method":""})"), std::make_pair(-32600, Json(1)));
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":{"a":1},"method":"echo"})"),
              std::make_pair(-32600, Json()));
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":2,"method":"echo","params":"x"})"),
              std::make_pair(-32600, Json(2)));
    EXPECT_EQ(code_of("1"), std::make_pair(-32600, Json()));
    EXPECT_EQ(code_of(R"("str")"), std::make_pair(-32600, Json()));
}

TEST_F(HttpServerTest, MethodErrors) {
    start();
    HttpClient c(port());
    Json r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"eth_nope"})");
    EXPECT_EQ(
        r["error"],
        Json::parse(
            R"({"code":-32601,"message":"the method eth_nope does not exist/is not available"})"));
    r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1]})");
    EXPECT_EQ(r["error"], Json::parse(R"({"code":-32602,"message":"expected 2 arguments"})"));
    // A type error while reading params becomes invalid params.
    r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"add","params":["a","b"]})");
    EXPECT_EQ(r["error"]["code"], -32602);
    r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"throw"})");
    EXPECT_EQ(r["error"]["code"], -32603);
    EXPECT_EQ(r["error"]["message"], "method handler crashed: boom");
    r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]})");
    EXPECT_EQ(r["error"],
              Json::parse(R"({"code":-32001,"message":"notifications not supported"})"));
    EXPECT_EQ(call(c, R"({"jsonrpc":"2.0","id":9,"method":"add","params":[4,5]})")["result"], 9);
}

TEST_F(HttpServerTest, ResponseSizeLimit) {
    auto cfg = testing::test_config();
    cfg.dispatch.max_response_bytes = 1000;
    start(cfg);
    Json r = call(R"({"jsonrpc":"2.0","id":1,"method":"big","params":[2000]})");
    EXPECT_EQ(
        r,
        Json::parse(
            R"({"jsonrpc":"2.0","id":1,"error":{"code":-32003,"message":"response too large"}})"));
    r = call(R"([{"jsonrpc":"2.0","id":1,"method":"big","params":[400]},
                 {"jsonrpc":"2.0","id":2,"method":"big","params":[400]},
                 {"jsonrpc":"2.0","id":3,"method":"big","params":[400]}])");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0]["result"].get<std::string>().size(), 400u);
    EXPECT_EQ(r[1]["result"].get<std::string>().size(), 400u);
    EXPECT_EQ(r[2]["id"], 3);
    EXPECT_EQ(r[2]["error"]["code"], -32003);
}

TEST_F(HttpServerTest, RequestSizeLimitAnswers413AndCloses) {
    auto cfg = testing::test_config();
    cfg.max_request_bytes = 1024;
    start(cfg);
    HttpClient c(port());
    const std::string body = R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" +
                             std::string(2000, 'a') + R"("]})";
    const auto r = c.post(body);
    EXPECT_EQ(r.status, 413);
    EXPECT_FALSE(r.keep_alive);
    EXPECT_TRUE(c.wait_closed(std::chrono::milliseconds(2000)));
    // Just under the limit is fine.
    HttpClient c2(port());
    EXPECT_EQ(call(c2, R"({"jsonrpc":"2.0","id":1,"method":"echo","params":[")" +
                           std::string(900, 'a') + R"("]})")["result"][0]
                  .get<std::string>()
                  .size(),
              900u);
}

TEST_F(HttpServerTest, HeaderLimitAndGarbageBytes) {
    auto cfg = testing::test_config();
    cfg.max_header_bytes = 1024;
    start(cfg);
    HttpClient c(port());
    const auto r = c.request("POST", "/", R"({"jsonrpc":"2.0","id":1,"method":"echo"})",
                             {{"X-Big", std::string(4000, 'h')}});
    EXPECT_EQ(r.status, 431);
    // Bytes that are not HTTP at all: 400 and the connection is closed.
    const auto [out, closed] =
        raw_exchange(port(), std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16));
    EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
    EXPECT_TRUE(closed);
    HttpClient ok(port());
    EXPECT_EQ(call(ok, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})")["result"], 3);
}

TEST_F(HttpServerTest, ContentTypeAndHttpMethods) {
    start();
    HttpClient c(port());
    const std::string req = R"({"jsonrpc":"2.0","id":1,"method":"echo"})";
    auto r = c.post(req, "text/plain");
    EXPECT_EQ(r.status, 415);
    EXPECT_EQ(r.body, "invalid content type, only application/json is supported\n");
    HttpClient c2(port());
    EXPECT_EQ(c2.post(req, "application/json; charset=UTF-8").status, 200);
    EXPECT_EQ(c2.request("GET", "/health", "").body, R"({"status":"ok"})");
    EXPECT_EQ(c2.request("GET", "/", "").status, 200);
    EXPECT_EQ(c2.request("GET", "/nope", "").status, 404);
    HttpClient c3(port());
    EXPECT_EQ(c3.request("PUT", "/", req).status, 405);
    HttpClient c4(port());
    EXPECT_EQ(c4.request("POST", "/x", req).status, 404);
}

TEST_F(HttpServerTest, ProbeAnswersGetPathsWithItsStatusAndBody) {
    start(testing::test_config(), [](Server& s) {
        s.set_probe([](std::string_view path) -> std::optional<ProbeAnswer> {
            if (path == "/ready") return ProbeAnswer{503, R"({"ready":false,"reason":"starting"})"};
            if (path == "/health") return ProbeAnswer{200, R"({"status":"ok","probe":true})"};
            return std::nullopt;
        });
    });
    HttpClient c(port());
    const auto ready = c.request("GET", "/ready?verbose=1", "");
    EXPECT_EQ(ready.status, 503);
    EXPECT_EQ(ready.body, R"({"ready":false,"reason":"starting"})");
    EXPECT_EQ(c.request("GET", "/health", "").body, R"({"status":"ok","probe":true})");
    EXPECT_EQ(c.request("GET", "/", "").status, 200);        // not the probe's: the root stays 200
    EXPECT_EQ(c.request("GET", "/nope", "").status, 404);    // (and the connection closes)
    EXPECT_THROW(server_->set_probe({}), std::logic_error);  // after start
}

TEST_F(HttpServerTest, CorsWildcardAndPreflight) {
    start();
    HttpClient c(port());
    auto r = c.post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})", "application/json",
                    {{"Origin", "https://dapp.example"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("access-control-allow-origin"), "*");
    r = c.request("OPTIONS", "/", "",
                  {{"Origin", "https://dapp.example"},
                   {"Access-Control-Request-Method", "POST"},
                   {"Access-Control-Request-Headers", "content-type"}});
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(r.header("access-control-allow-origin"), "*");
    EXPECT_EQ(r.header("access-control-allow-methods"), "POST, GET, OPTIONS");
    EXPECT_EQ(r.header("access-control-allow-headers"), "content-type");
    // Without an Origin header there are no CORS headers.
    r = c.post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})");
    EXPECT_EQ(r.header("access-control-allow-origin"), "");
}

TEST_F(HttpServerTest, CorsRestrictedOrigins) {
    auto cfg = testing::test_config();
    cfg.cors_allowed_origins = {"https://good.example"};
    start(cfg);
    HttpClient c(port());
    const std::string req = R"({"jsonrpc":"2.0","id":1,"method":"echo"})";
    auto r = c.post(req, "application/json", {{"Origin", "https://good.example"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("access-control-allow-origin"), "https://good.example");
    EXPECT_EQ(r.header("vary"), "Origin");
    r = c.post(req, "application/json", {{"Origin", "https://evil.example"}});
    EXPECT_EQ(r.status, 403);
    HttpClient c2(port());
    EXPECT_EQ(c2.post(req).status, 200);  // non-browser client
}

TEST_F(HttpServerTest, SlowClientsAreCutOff) {
    auto cfg = testing::test_config();
    cfg.read_timeout = std::chrono::milliseconds(300);
    start(cfg);
    // Slowloris: an incomplete header, never finished.
    HttpClient slow(port());
    slow.send_raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    EXPECT_TRUE(slow.wait_closed(std::chrono::milliseconds(3000)));
    // A body promised but not sent.
    HttpClient partial(port());
    partial.send_raw(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    EXPECT_TRUE(partial.wait_closed(std::chrono::milliseconds(3000)));
    // An idle keep-alive connection.
    HttpClient idle(port());
    EXPECT_EQ(idle.post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})").status, 200);
    EXPECT_TRUE(idle.wait_closed(std::chrono::milliseconds(3000)));
    // The server closes the socket (what the client sees) just before it counts the timeout.
    for (int i = 0; i < 400 && server_->metrics().connections.timed_out.load() < 3; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(server_->metrics().connections.timed_out.load(), 3u);
    HttpClient fresh(port());
    EXPECT_EQ(call(fresh, R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})")["result"],
              3);
}

TEST_F(HttpServerTest, ExpectContinue) {
    start();
    HttpClient c(port());
    const std::string body = R"({"jsonrpc":"2.0","id":5,"method":"add","params":[2,3]})";
    c.send_raw(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n");
    const auto interim = c.read_response();
    ASSERT_TRUE(interim);
    EXPECT_EQ(interim->status, 100);
    c.send_raw(body);
    const auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(Json::parse(r->body), Json::parse(R"({"jsonrpc":"2.0","id":5,"result":5})"));
}

TEST_F(HttpServerTest, PipelinedKeepAliveRequests) {
    start();
    HttpClient c(port());
    std::string wire;
    constexpr int kCount = 100;
    for (int i = 0; i < kCount; ++i) {
        wire += raw_post(R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                         R"(,"method":"add","params":[)" + std::to_string(i) + ",1]}");
    }
    c.send_raw(wire);
    for (int i = 0; i < kCount; ++i) {
        const auto r = c.read_response();
        ASSERT_TRUE(r) << i;
        const Json j = Json::parse(r->body);
        EXPECT_EQ(j["id"], i);
        EXPECT_EQ(j["result"], i + 1);
    }
}

TEST_F(HttpServerTest, ManyConcurrentConnections) {
    start();
    constexpr int kThreads = 16;
    constexpr int kPerThread = 100;
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            HttpClient c(port());
            for (int i = 0; i < kPerThread; ++i) {
                const int a = t * 1000 + i;
                const bool async = i % 10 == 0;
                const std::string body = async ? R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                                                     R"(,"method":"async_echo","params":[)" +
                                                     std::to_string(a + 1) + ",1]}"
                                               : R"({"jsonrpc":"2.0","id":)" + std::to_string(i) +
                                                     R"(,"method":"add","params":[)" +
                                                     std::to_string(a) + ",1]}";
                const Json j = Json::parse(c.post(body).body);
                if (j["id"] == i && j["result"] == a + 1) ++good;
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(good.load(), kThreads * kPerThread);
    uint64_t calls = 0;
    for (const auto& s : server_->metrics().snapshot())
        if (s.method == "add" || s.method == "async_echo") calls += s.calls;
    EXPECT_EQ(calls, static_cast<uint64_t>(kThreads * kPerThread));
}

TEST_F(HttpServerTest, PendingAsyncCallDoesNotBlockOtherRequests) {
    auto cfg = testing::test_config();
    cfg.io_threads = 1;
    std::mutex mu;
    std::optional<Reply> held;
    start(cfg, [&](Server& s) {
        s.methods().register_async_method("hold", [&](Json, const CallContext&, Reply r) {
            std::lock_guard lock(mu);
            held = r;
        });
    });
    HttpClient a(port());
    a.send_raw(raw_post(R"({"jsonrpc":"2.0","id":1,"method":"hold"})"));
    // Wait until the handler has the reply (bounded loop, not a timing assertion).
    for (int i = 0; i < 500; ++i) {
        {
            std::lock_guard lock(mu);
            if (held) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    {
        std::lock_guard lock(mu);
        ASSERT_TRUE(held);
    }
    // The only I/O thread still serves other connections.
    HttpClient b(port());
    EXPECT_EQ(call(b, R"({"jsonrpc":"2.0","id":2,"method":"add","params":[2,2]})")["result"], 4);
    {
        std::lock_guard lock(mu);
        EXPECT_FALSE(held->settled());
        EXPECT_TRUE(held->resolve(Json("released")));
        EXPECT_FALSE(held->resolve(Json("twice")));
    }
    const auto r = a.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(Json::parse(r->body), Json::parse(R"({"jsonrpc":"2.0","id":1,"result":"released"})"));
}

TEST_F(HttpServerTest, AsyncTimeoutAndDroppedReply) {
    auto cfg = testing::test_config();
    cfg.dispatch.handler_timeout = std::chrono::milliseconds(200);
    start(cfg);
    HttpClient c(port());
    Json r = call(c, R"({"jsonrpc":"2.0","id":1,"method":"async_never"})");
    EXPECT_EQ(r["error"], Json::parse(R"({"code":-32002,"message":"request timed out"})"));
    r = call(c, R"({"jsonrpc":"2.0","id":2,"method":"async_drop"})");
    EXPECT_EQ(r["error"],
              Json::parse(R"({"code":-32603,"message":"method handler dropped its reply"})"));
    EXPECT_EQ(call(c, R"({"jsonrpc":"2.0","id":3,"method":"async_echo","params":[5,0]})")["result"],
              5);
}

TEST_F(HttpServerTest, ConnectionLimit) {
    auto cfg = testing::test_config();
    cfg.max_connections = 2;
    start(cfg);
    HttpClient a(port());
    HttpClient b(port());
    EXPECT_EQ(a.post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})").status, 200);
    EXPECT_EQ(b.post(R"({"jsonrpc":"2.0","id":1,"method":"echo"})").status, 200);
    const auto [out, closed] = raw_exchange(port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(closed);
    EXPECT_EQ(server_->metrics().connections.rejected_over_limit.load(), 1u);
}

TEST_F(HttpServerTest, StopWithPendingAsyncCallsIsClean) {
    std::optional<Reply> held;
    std::mutex mu;
    start(testing::test_config(), [&](Server& s) {
        s.methods().register_async_method("hold", [&](Json, const CallContext&, Reply r) {
            std::lock_guard lock(mu);
            held = r;
        });
    });
    HttpClient a(port());
    a.send_raw(raw_post(R"({"jsonrpc":"2.0","id":1,"method":"hold"})"));
    for (int i = 0; i < 500; ++i) {
        {
            std::lock_guard lock(mu);
            if (held) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server_->stop();
    std::lock_guard lock(mu);
    ASSERT_TRUE(held);
    EXPECT_TRUE(held->resolve(Json(1)));  // settles, the answer is discarded
    server_.reset();
}

TEST_F(HttpServerTest, ConfigAndRegistrationErrors) {
    auto bad = testing::test_config();
    bad.io_threads = 0;
    Server s(bad);
    EXPECT_THROW(s.start(), std::runtime_error);
    start();
    EXPECT_THROW(
        server_->methods().register_method(
            "late",
            [](const Json&, const CallContext&) -> Result<Json, RpcError> { return Json(); }),
        std::logic_error);
    auto clash = testing::test_config();
    clash.port = port();
    clash.address = "127.0.0.1";
    Server other(clash);
    EXPECT_THROW(other.start(), std::runtime_error);
}

}  // namespace
}  // namespace fuse::rpc
