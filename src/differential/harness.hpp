#pragma once
/// The differential run (docs/differential.md): the generator's stream goes through the
/// sequencer's path (Sequencer sealing blocks into RocksDB, deposits from a Bridge list on a moving
/// L1 view), the sealed messages through the batch builder (formats 0x00 and 0x01, random batch
/// sizes and brotli qualities) and the strict decoder and batch rule (`resolve_batch`), and the
/// resolved messages through the validator's path (`arbos::execute_message` with the deposits
/// read back from the Bridge list by each message's ref, committed per batch into a second
/// RocksDB). Every block's hash, state root, receipts root and transactions are compared.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/result.hpp"
#include "differential/generator.hpp"

namespace fuse::differential {

struct RunOptions {
    uint64_t txs = 3'000;  ///< transactions to generate (deposits come on top)
    uint64_t seed = 1;
    size_t round_txs = 64;
    /// An empty directory for the two databases (sequencer/, validator/).
    std::string dir;
    Bytes probe_initcode;  ///< load_probe_initcode
    /// Changes the sealed messages before they are batched (a test's way to make the
    /// validator's chain differ; empty in real runs).
    std::function<void(std::vector<arbos::Message>&)> tamper;
    /// Progress lines (empty: silent).
    std::function<void(const std::string&)> progress;
};

struct Report {
    uint64_t txs_generated = 0;
    uint64_t txs_included = 0;  ///< acknowledged by the sequencer
    uint64_t txs_refused = 0;   ///< refused by the pool or at execution (see `refusals`)
    uint64_t txs_reverted = 0;  ///< included with status 0
    uint64_t deposits = 0;      ///< deposit transactions in blocks
    uint64_t blocks = 0;        ///< L2 blocks after genesis
    uint64_t batches = 0;
    std::array<uint64_t, 2> batches_by_format{};
    uint64_t batch_bytes = 0;
    uint64_t gas = 0;  ///< gas used by all blocks (L1 part included)
    uint256 min_base_fee, max_base_fee;
    std::array<uint64_t, kKindCount> kinds{};
    /// Per kind, of the included transactions: how many ended with status 0, and how many
    /// failed anywhere (status 0, or a DiffProbe.forward whose call failed).
    std::array<uint64_t, kKindCount> included_by_kind{};
    std::array<uint64_t, kKindCount> status0_by_kind{};
    std::array<uint64_t, kKindCount> failed_by_kind{};
    uint64_t creations = 0;         ///< DiffProbe Created events
    uint64_t failed_creations = 0;  ///< of those, address zero (collision or failing init)
    std::map<std::string, uint64_t> refusals;  ///< refusal text (numbers cut) -> count
    uint64_t blocks_compared = 0;
    uint64_t mismatches = 0;  ///< blocks whose hash differs
    std::string first_mismatch;
    double sequencer_seconds = 0;
    double validator_seconds = 0;
};

/// Runs the stream and compares; an error is a failure of the run itself (a database that does
/// not open, a batch that does not build), not a mismatch.
Result<Report, std::string> run(const RunOptions& options);

/// The report as text (the bench prints it; docs/differential.md shows one).
std::string format_report(const Report& r);

}  // namespace fuse::differential
