#pragma once
/// JSON-RPC 2.0 error objects (https://www.jsonrpc.org/specification#error_object) with the codes
/// and messages geth answers with (go-ethereum rpc/errors.go), so clients see what they expect.

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fuse::rpc {

using Json = nlohmann::json;

/// Standard codes (JSON-RPC 2.0 §5.1) and geth's -32000 family of server errors.
namespace code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerError = -32000;               ///< geth errcodeDefault
inline constexpr int kNotificationsUnsupported = -32001;  ///< subscriptions over HTTP
inline constexpr int kTimeout = -32002;                   ///< handler exceeded its deadline
inline constexpr int kResponseTooLarge = -32003;          ///< response over the size limit
}  // namespace code

/// One JSON-RPC error object: `{"code":..,"message":..,"data":..}`.
struct RpcError {
    int code = code::kInternalError;
    std::string message;
    std::optional<Json> data;

    /// -32700; `detail` says what is wrong with the bytes received.
    static RpcError parse_error(std::string detail);
    /// -32600 "invalid request" (or a more precise message).
    static RpcError invalid_request(std::string message = "invalid request");
    /// -32601 "the method X does not exist/is not available" (geth's wording).
    static RpcError method_not_found(std::string_view method);
    /// -32602 with the reason, e.g. "missing value for required argument 0".
    static RpcError invalid_params(std::string message);
    /// -32603 with the reason.
    static RpcError internal(std::string message);
    /// -32000, geth's default code for errors a method returns.
    static RpcError server(std::string message);

    /// The error object as JSON.
    Json to_json() const;

    bool operator==(const RpcError& other) const = default;
};

/// Thrown by a handler as a shortcut for returning `error`; the dispatcher answers with it.
class RpcException : public std::exception {
public:
    explicit RpcException(RpcError error) : error_(std::move(error)) {}
    const RpcError& error() const noexcept { return error_; }
    const char* what() const noexcept override { return error_.message.c_str(); }

private:
    RpcError error_;
};

}  // namespace fuse::rpc
