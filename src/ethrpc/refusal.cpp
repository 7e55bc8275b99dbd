#include "ethrpc/refusal.hpp"

#include <utility>

namespace fuse::ethrpc {

int refusal_code(state::TxReason) {
    // geth's txpool and core errors carry no ErrorCode(): the server answers errcodeDefault.
    return rpc::code::kServerError;
}

rpc::RpcError refusal_error(state::TxReason r, std::string message) {
    return rpc::RpcError{refusal_code(r), std::move(message), std::nullopt};
}

}  // namespace fuse::ethrpc
