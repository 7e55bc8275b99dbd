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

rpc::RpcError storage_error(const state::StorageFault& fault) {
    // geth answers a call on a state it cannot read with the error's text and errcodeDefault.
    return refusal_error(state::TxReason::kStorageFault, state::to_string(fault));
}

}  // namespace fuse::ethrpc
