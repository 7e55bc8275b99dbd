/// Transport-independent pieces: nesting scan, response text, registry rules, Reply semantics,
/// subscription ids and the per-connection subscription table.

#include "rpc/dispatcher.hpp"

#include <gtest/gtest.h>

#include "rpc/subscriptions.hpp"

namespace fuse::rpc {
namespace {

Result<Json, RpcError> ok_handler(const Json& p, const CallContext&) {
    return Json(p);
}

TEST(Dispatcher, NestingScan) {
    EXPECT_FALSE(json_nesting_exceeds("[[1]]", 2));
    EXPECT_TRUE(json_nesting_exceeds("[[[1]]]", 2));
    EXPECT_FALSE(json_nesting_exceeds(R"(["[[[[\"[[["])", 1));
    EXPECT_TRUE(json_nesting_exceeds(R"({"a":{"b":{}}})", 2));
    EXPECT_FALSE(json_nesting_exceeds("[][][][]", 1));
}

TEST(Dispatcher, ResponseText) {
    EXPECT_EQ(make_result_response(Json(1), Json("0x1")),
              R"({"jsonrpc":"2.0","id":1,"result":"0x1"})");
    EXPECT_EQ(
        make_error_response(Json(), RpcError::method_not_found("x")),
        R"({"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"the method x does not exist/is not available"}})");
    // Invalid UTF-8 in a result does not throw.
    EXPECT_NO_THROW(make_result_response(Json("id"), Json(std::string("\xff\xfe"))));
}

TEST(Dispatcher, RegistryRules) {
    RpcMetrics metrics;
    MethodRegistry reg(metrics);
    reg.register_method("a", ok_handler);
    EXPECT_THROW(reg.register_method("a", ok_handler), std::logic_error);
    EXPECT_THROW(reg.register_method("", ok_handler), std::logic_error);
    EXPECT_NE(reg.find("a"), nullptr);
    EXPECT_EQ(reg.find("b"), nullptr);
    reg.freeze();
    EXPECT_THROW(reg.register_method("c", ok_handler), std::logic_error);
}

TEST(Dispatcher, SynchronousAndAsynchronousCalls) {
    RpcMetrics metrics;
    MethodRegistry reg(metrics);
    reg.register_method("sum", [](const Json& p, const CallContext&) -> Result<Json, RpcError> {
        return Json(p.at(0).get<int>() + p.at(1).get<int>());
    });
    std::optional<Reply> held;
    reg.register_async_method("later", [&](Json, const CallContext&, Reply r) { held = r; });
    Dispatcher d(reg, metrics, DispatchLimits{});
    CallContext ctx;
    std::string out;
    int calls = 0;
    d.handle(R"({"jsonrpc":"2.0","id":1,"method":"sum","params":[2,3]})", ctx, [&](std::string s) {
        out = std::move(s);
        ++calls;
    });
    EXPECT_EQ(out, R"({"jsonrpc":"2.0","id":1,"result":5})");
    d.handle(
        R"([{"jsonrpc":"2.0","id":1,"method":"later"},{"jsonrpc":"2.0","id":2,"method":"sum","params":[1,1]}])",
        ctx, [&](std::string s) {
            out = std::move(s);
            ++calls;
        });
    EXPECT_EQ(calls, 1);  // the batch waits for its asynchronous item
    ASSERT_TRUE(held);
    EXPECT_TRUE(held->reject(RpcError::server("nonce too low")));
    EXPECT_FALSE(held->resolve(Json(1)));
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(
        Json::parse(out),
        Json::parse(
            R"([{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"nonce too low"}},{"jsonrpc":"2.0","id":2,"result":2}])"));
    const auto snap = metrics.snapshot();
    const auto it =
        std::find_if(snap.begin(), snap.end(), [](const auto& s) { return s.method == "sum"; });
    ASSERT_NE(it, snap.end());
    EXPECT_EQ(it->calls, 2u);
    EXPECT_EQ(it->errors, 0u);
    uint64_t in_buckets = 0;
    for (auto b : it->buckets)
        in_buckets += b;
    EXPECT_EQ(in_buckets, 2u);
}

TEST(Subscriptions, IdsAndConnectionTable) {
    const std::string id = make_subscription_id();
    EXPECT_EQ(id.size(), 34u);
    EXPECT_NE(id, make_subscription_id());

    struct Sink : NotificationSink {
        std::vector<std::string> got;
        bool push_notification(std::string m) override {
            got.push_back(std::move(m));
            return true;
        }
    };
    auto sink = std::make_shared<Sink>();
    auto kind = std::make_shared<BroadcastKind>();
    SubscriptionKinds kinds;
    kinds.add("heads", kind);
    ConnectionSubscriptions subs(kinds, sink, 4);
    auto sid = subs.subscribe(Json::parse(R"(["heads"])"));
    ASSERT_TRUE(sid);
    EXPECT_EQ(kind->publish(Json{{"n", 1}}), 1u);
    ASSERT_EQ(sink->got.size(), 1u);
    EXPECT_EQ(
        Json::parse(sink->got[0]),
        Json::parse(R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":")" +
                    *sid + R"(","result":{"n":1}}})"));
    EXPECT_FALSE(subs.unsubscribe("0x00"));
    EXPECT_TRUE(subs.unsubscribe(*sid));
    EXPECT_EQ(kind->publish(Json(2)), 0u);
    EXPECT_EQ(subs.subscribe(Json::parse(R"(["other"])")).error().code, code::kMethodNotFound);
    // A sink that is gone ends the subscription.
    auto sid2 = subs.subscribe(Json::parse(R"(["heads"])"));
    ASSERT_TRUE(sid2);
    sink.reset();
    EXPECT_EQ(kind->publish(Json(3)), 0u);
    EXPECT_EQ(kind->subscriber_count(), 0u);
}

}  // namespace
}  // namespace fuse::rpc
