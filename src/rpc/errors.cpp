#include "rpc/errors.hpp"

namespace fuse::rpc {

RpcError RpcError::parse_error(std::string detail) {
    return {code::kParseError, std::move(detail), std::nullopt};
}

RpcError RpcError::invalid_request(std::string message) {
    return {code::kInvalidRequest, std::move(message), std::nullopt};
}

RpcError RpcError::method_not_found(std::string_view method) {
    std::string msg = "the method ";
    msg.append(method);
    msg.append(" does not exist/is not available");
    return {code::kMethodNotFound, std::move(msg), std::nullopt};
}

RpcError RpcError::invalid_params(std::string message) {
    return {code::kInvalidParams, std::move(message), std::nullopt};
}

RpcError RpcError::internal(std::string message) {
    return {code::kInternalError, std::move(message), std::nullopt};
}

RpcError RpcError::server(std::string message) {
    return {code::kServerError, std::move(message), std::nullopt};
}

Json RpcError::to_json() const {
    Json j = {{"code", code}, {"message", message}};
    if (data) j["data"] = *data;
    return j;
}

}  // namespace fuse::rpc
