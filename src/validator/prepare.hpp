#pragma once
/// Sender recovery for whole batches ahead of execution (docs/validator.md "Catch-up"): every
/// transaction of every message decoded, hashed and its signature recovered
/// (`arbos::prepare_tx`) on worker threads, so that the thread executing blocks only executes.
/// Recovery reads no state, so it may run any distance ahead; what `BlockBuilder::add(prepared,
/// raw)` does with the result is what `add(raw)` would do (the same skips for invalid bytes and
/// signatures).

#include <span>
#include <vector>

#include "arbos/arbos.hpp"
#include "inbox/inbox_reader.hpp"

namespace fuse::validator {

/// One batch's prepared transactions: [message][transaction], as `resolved.messages`.
using PreparedBatch = std::vector<std::vector<arbos::PreparedTx>>;

/// `arbos::prepare_tx` of every transaction of `batches`, on `threads` threads (this one
/// included; 0 or 1: this thread only). The result does not depend on `threads`.
/// `extra_cpu_seconds` (if given) receives the CPU time of the threads other than this one.
std::vector<PreparedBatch> prepare_batches(std::span<const inbox::DeliveredBatch> batches,
                                           unsigned threads, double* extra_cpu_seconds = nullptr);

}  // namespace fuse::validator
