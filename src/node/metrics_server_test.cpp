#include "node/metrics_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace fuse::node {
namespace {

namespace http = boost::beast::http;

http::response<http::string_body> get(uint16_t port, const std::string& target,
                                      http::verb verb = http::verb::get) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    boost::beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    return res;
}

TEST(MetricsServer, ServesTheRenderedDocument) {
    std::atomic<int> scrapes{0};
    // The probe answers the node's /health and /ready; other paths fall through to 404.
    auto probe = [](std::string_view path) -> std::optional<rpc::ProbeAnswer> {
        if (path == "/health") return rpc::ProbeAnswer{200, R"({"status":"ok"})"};
        if (path == "/ready") return rpc::ProbeAnswer{503, R"({"ready":false})"};
        return std::nullopt;
    };
    MetricsServer server(
        "127.0.0.1", 0, [&scrapes] { return "scrape_count " + std::to_string(++scrapes) + "\n"; },
        probe);
    server.start();
    ASSERT_NE(server.port(), 0);
    auto r1 = get(server.port(), "/metrics");
    EXPECT_EQ(r1.result(), http::status::ok);
    EXPECT_EQ(r1[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(r1.body(), "scrape_count 1\n");
    EXPECT_EQ(get(server.port(), "/metrics").body(), "scrape_count 2\n");
    EXPECT_EQ(get(server.port(), "/health").body(), R"({"status":"ok"})");
    EXPECT_EQ(get(server.port(), "/ready").result(), http::status::service_unavailable);
    EXPECT_EQ(get(server.port(), "/ready").body(), R"({"ready":false})");
    EXPECT_EQ(get(server.port(), "/nope").result(), http::status::not_found);
    EXPECT_EQ(get(server.port(), "/metrics", http::verb::post).result(),
              http::status::method_not_allowed);
    server.stop();
    server.stop();  // idempotent
}

TEST(MetricsServer, PortInUseIsAClearError) {
    MetricsServer a("127.0.0.1", 0, [] { return std::string(); });
    a.start();
    MetricsServer b("127.0.0.1", a.port(), [] { return std::string(); });
    try {
        b.start();
        FAIL() << "second bind succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot listen for metrics on 127.0.0.1:"),
                  std::string::npos);
    }
}

}  // namespace
}  // namespace fuse::node
