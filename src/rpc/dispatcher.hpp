#pragma once
/// JSON-RPC 2.0 request processing (https://www.jsonrpc.org/specification), transport-independent:
/// parses one HTTP body or WebSocket message, validates it, runs single calls and batches through
/// the registry and produces the response text with geth's error codes and messages.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "rpc/errors.hpp"
#include "rpc/metrics.hpp"
#include "rpc/registry.hpp"

namespace fuse::rpc {

/// Limits enforced on the JSON-RPC level.
struct DispatchLimits {
    size_t max_batch_items = 1000;                      ///< geth's BatchRequestLimit default
    size_t max_response_bytes = 25 * 1024 * 1024;       ///< geth's BatchResponseMaxSize default
    size_t max_json_depth = 64;                         ///< deeper nesting is refused unparsed
    std::chrono::milliseconds handler_timeout{30'000};  ///< async calls; 0 = none
};

/// Receives the response text, exactly once; empty when nothing must be sent (notifications).
/// May run on the calling thread (synchronous handlers) or on any other thread.
using ResponseFn = std::function<void(std::string response)>;

/// Serialized `{"jsonrpc":"2.0","id":id,"error":{...}}`.
std::string make_error_response(const Json& id, const RpcError& error);
/// Serialized `{"jsonrpc":"2.0","id":id,"result":result}`.
std::string make_result_response(const Json& id, const Json& result);

/// True if `body` nests arrays/objects deeper than `max_depth` (strings are skipped).
bool json_nesting_exceeds(std::string_view body, size_t max_depth) noexcept;

class Dispatcher {
public:
    Dispatcher(const MethodRegistry& methods, RpcMetrics& metrics, DispatchLimits limits)
        : methods_(methods), metrics_(metrics), limits_(limits) {}

    /// Handles one message (a request object or a batch array) and calls `done` with the reply.
    void handle(std::string_view body, const CallContext& ctx, ResponseFn done) const;

    const DispatchLimits& limits() const noexcept { return limits_; }

private:
    void run_item(Json& request, const CallContext& ctx, ResponseFn done) const;
    void handle_batch(Json& batch, const CallContext& ctx, ResponseFn done) const;

    const MethodRegistry& methods_;
    RpcMetrics& metrics_;
    DispatchLimits limits_;
};

}  // namespace fuse::rpc
