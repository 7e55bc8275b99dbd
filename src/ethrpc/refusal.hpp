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

/// The code eth_simulateV1 answers a call that is not a valid transaction with (geth's
/// internal/ethapi txValidationError: -38010 nonce too low, -38011 nonce too high, -38012 fee
/// cap below the base fee, -38013 intrinsic gas, -38014 funds, -38024 sender not an EOA,
/// -38025 init code too large, -32602 fee fields, -32603 anything else).
int simulate_refusal_code(state::TxReason r);
rpc::RpcError simulate_refusal_error(state::TxReason r, std::string message);

}  // namespace fuse::ethrpc
