#pragma once
/// The JSON-RPC error of a refused transaction (eth_sendRawTransaction, eth_call,
/// eth_estimateGas). Transport codes live here only: below the RPC layer a refusal is a
/// `state::TxReason` and geth's text (state/validity.hpp).

#include <string>

#include "rpc/errors.hpp"
#include "state/storage_fault.hpp"
#include "state/validity.hpp"

namespace fuse::ethrpc {

/// The code geth answers `r` with: -32000 (rpc errcodeDefault) for every txpool and
/// state-transition error.
int refusal_code(state::TxReason r);

/// The error object: `refusal_code(r)` and the message unchanged.
rpc::RpcError refusal_error(state::TxReason r, std::string message);

/// A state the node cannot read (docs/storage.md "Errors"): -32000 and the fault's text, e.g.
/// geth's "missing trie node <hash> (path <nibbles>)". The request fails, the node serves on.
rpc::RpcError storage_error(const state::StorageFault& fault);

/// The value of a state read, or throws the request's `storage_error`.
template <typename T>
T or_storage_error(state::ReadResult<T>&& r) {
    if (!r) throw rpc::RpcException(storage_error(r.error()));
    return std::move(*r);
}
inline void or_storage_error(state::ReadResult<void>&& r) {
    if (!r) throw rpc::RpcException(storage_error(r.error()));
}

/// The code eth_simulateV1 answers a call that is not a valid transaction with (geth's
/// internal/ethapi txValidationError: -38010 nonce too low, -38011 nonce too high, -38012 fee
/// cap below the base fee, -38013 intrinsic gas, -38014 funds, -38024 sender not an EOA,
/// -38025 init code too large, -32602 fee fields, -32000 a state the node cannot read, -32603
/// anything else).
int simulate_refusal_code(state::TxReason r);
rpc::RpcError simulate_refusal_error(state::TxReason r, std::string message);

}  // namespace fuse::ethrpc
