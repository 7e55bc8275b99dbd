#pragma once
/// Execution errors as geth answers them: a revert is code 3, "execution reverted[: reason]"
/// with the revert data as `data` (ethers and viem decode the reason from it); Solidity's
/// Error(string) and Panic(uint256) are decoded for the message (go-ethereum
/// accounts/abi.UnpackRevert).

#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "rpc/errors.hpp"

namespace fuse::ethrpc {

/// The reason in ABI-encoded Error(string) or Panic(uint256) revert data, if it is one.
std::optional<std::string> unpack_revert_reason(ByteView data);

/// The JSON-RPC error of a reverted call: code 3, message, data = hex of `revert_data`.
rpc::RpcError revert_error(ByteView revert_data);

}  // namespace fuse::ethrpc
