#pragma once
/// The JSON-RPC error of a refused transaction (eth_sendRawTransaction, eth_call,
/// eth_estimateGas). Transport codes live here only: below the RPC layer a refusal is a
/// `state::TxReason` and geth's text (state/validity.hpp).

#include <string>

#include "rpc/errors.hpp"
#include "state/validity.hpp"

namespace fuse::ethrpc {

/// The code geth answers `r` with: -32000 (rpc errcodeDefault) for every txpool and
/// state-transition error.
int refusal_code(state::TxReason r);

/// The error object: `refusal_code(r)` and the message unchanged.
rpc::RpcError refusal_error(state::TxReason r, std::string message);

}  // namespace fuse::ethrpc
