#pragma once
/// The debug_trace* methods (go-ethereum eth/tracers/api.go): debug_traceTransaction,
/// debug_traceCall, debug_traceBlockByNumber, debug_traceBlockByHash with geth's struct logger,
/// callTracer and prestateTracer (src/tracing). A block's transactions are traced by
/// re-executing the block through ArbOS on its parent's state (`Database::state_at`, so any
/// committed block can be traced), with the same message header the block was built from.
/// Registered by EthApi::register_methods; docs/eth-rpc.md "Tracing".

#include <optional>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "rpc/errors.hpp"
#include "storage/database.hpp"
#include "tracing/tracer.hpp"

namespace fuse::ethrpc {

/// One transaction's trace in a block (geth's txTraceResult): a result or an error.
struct TxTrace {
    Hash32 tx_hash;
    std::optional<rpc::Json> result;
    std::string error;  ///< e.g. "execution timeout" (when `result` is empty)
};

/// Traces the transactions of `block` (all, or only the one at `only_index`) by re-executing
/// the block on its parent's state. Throws rpc::RpcException (-32000) when the block cannot be
/// re-executed (genesis, state or message not available).
std::vector<TxTrace> trace_block(const storage::Database& db, const arbos::Genesis& genesis,
                                 const arbos::Block& block, const tracing::TraceOptions& opts,
                                 std::optional<uint32_t> only_index = std::nullopt);

/// Adds geth's `revertReason` (decoded Error(string) / Panic(uint256)) to the reverted frames
/// of a callTracer result, recursively.
void add_revert_reasons(rpc::Json& frame);

}  // namespace fuse::ethrpc
