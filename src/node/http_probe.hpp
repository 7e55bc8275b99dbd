#pragma once
/// A plain HTTP GET for the node's probes (`/ready`, `/health`; docs/node.md "Health and
/// readiness"): what `fusel2 devnet` and `fusel2 status` use to learn whether a node serves.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace fuse::node {

struct ProbeResult {
    unsigned status = 0;  ///< HTTP status
    std::string body;
};

/// GET `path` from `host:port`; nullopt when nothing answers within `timeout` (connection
/// refused, reset, timed out). Never throws.
std::optional<ProbeResult> http_get(const std::string& host, uint16_t port, const std::string& path,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace fuse::node
