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

}  // namespace fuse::ethrpc
