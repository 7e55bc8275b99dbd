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

int simulate_refusal_code(state::TxReason r) {
    using R = state::TxReason;
    switch (r) {
        case R::kNonceTooHigh:
            return -38011;
        case R::kNonceTooLow:
            return -38010;
        case R::kSenderNotEoa:
            return -38024;
        case R::kTipAboveFeeCap:
            return rpc::code::kInvalidParams;
        case R::kFeeCapTooLow:
            return -38012;
        case R::kInsufficientFunds:
            return -38014;
        case R::kIntrinsicGas:
        case R::kFloorDataGas:
            return -38013;
        case R::kInitcodeSizeExceeded:
            return -38025;
        case R::kStorageFault:
            return rpc::code::kServerError;  // the node cannot read the state: as eth_call
        default:
            return rpc::code::kInternalError;
    }
}

rpc::RpcError simulate_refusal_error(state::TxReason r, std::string message) {
    return rpc::RpcError{simulate_refusal_code(r), std::move(message), std::nullopt};
}

}  // namespace fuse::ethrpc
