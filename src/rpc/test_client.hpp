#pragma once
/// Blocking HTTP and WebSocket clients for the server tests (Beast, implemented in
/// test_client_test.cpp so the test files themselves stay cheap to compile). Every operation has
/// a timeout so a broken server fails a test instead of hanging it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fuse::rpc::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;
inline constexpr std::chrono::milliseconds kIoTimeout{5000};

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  ///< lower-case names
    bool keep_alive = false;

    std::string header(const std::string& lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One keep-alive HTTP/1.1 connection.
class HttpClient {
public:
    explicit HttpClient(uint16_t port);
    ~HttpClient();

    /// POST / with `body`; throws on I/O failure or timeout.
    HttpResult post(const std::string& body, const std::string& content_type = "application/json",
                    const Headers& headers = {});
    /// Any request.
    HttpResult request(const std::string& method, const std::string& target,
                       const std::string& body, const Headers& headers = {});
    /// Writes raw bytes (throws on failure).
    void send_raw(const std::string& bytes);
    /// Reads one HTTP response, nullopt on timeout or connection closed.
    std::optional<HttpResult> read_response(std::chrono::milliseconds timeout = kIoTimeout);
    /// True if the server closes the connection within `timeout` (a read returns EOF/reset).
    bool wait_closed(std::chrono::milliseconds timeout);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One WebSocket connection (handshake in the constructor; throws if refused).
class WsClient {
public:
    explicit WsClient(uint16_t port, const Headers& headers = {});
    ~WsClient();

    void send(const std::string& text);
    /// The next message, nullopt on timeout or close.
    std::optional<std::string> receive(std::chrono::milliseconds timeout = kIoTimeout);
    /// True once the server has closed the connection (within `timeout`, discarding messages).
    bool wait_closed(std::chrono::milliseconds timeout);
    /// WebSocket close code received, if any.
    int close_code() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Opens a TCP connection, writes `bytes`, and reads until the server closes or `timeout`.
/// Returns what was read and whether the server closed.
std::pair<std::string, bool> raw_exchange(uint16_t port, const std::string& bytes,
                                          std::chrono::milliseconds timeout = kIoTimeout);

}  // namespace fuse::rpc::testing
