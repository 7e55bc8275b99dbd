#pragma once
/// A tiny HTTP server for Prometheus scrapes on its own port: `GET /metrics` answers the
/// document from a callback (text format 0.0.4), the node's probes (`GET /health`, `GET /ready`:
/// the same answers as on the JSON-RPC port) from another, anything else 404.
/// One I/O thread, one request per connection, 5 s to send the request. Asio behind a pimpl.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "rpc/server.hpp"

namespace fuse::node {

class MetricsServer {
public:
    /// `render` is called on the server's thread for every scrape, `probe` for other GETs.
    MetricsServer(std::string address, uint16_t port, std::function<std::string()> render,
                  rpc::ProbeFn probe = {});
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    /// Binds and starts the thread; throws std::runtime_error naming the address on failure.
    void start();
    /// The bound port (after start; useful with port 0).
    uint16_t port() const;
    /// Stops and joins. Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fuse::node
