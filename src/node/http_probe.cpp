#include "node/http_probe.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace fuse::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::optional<ProbeResult> http_get(const std::string& host, uint16_t port, const std::string& path,
                                    std::chrono::milliseconds timeout) {
    try {
        asio::io_context io;
        asio::ip::tcp::resolver resolver(io);
        beast::tcp_stream stream(io);
        stream.expires_after(timeout);
        stream.connect(resolver.resolve(host, std::to_string(port)));
        http::request<http::empty_body> req{http::verb::get, path, 11};
        req.set(http::field::host, host);
        req.keep_alive(false);
        http::write(stream, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(stream, buf, res);
        beast::error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        return ProbeResult{res.result_int(), std::move(res.body())};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace fuse::node
