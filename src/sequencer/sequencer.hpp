#pragma once
/// The sequencer (DESIGN.md §4): a transaction pool that checks every transaction
/// before accepting it, and a sealing loop that turns waiting transactions into L2 blocks through
/// ArbOS and commits them durably (group commit) before any of their hashes is acknowledged.
/// (Interface agreed up front; owner: "sequencer". Extend freely, do not rename without saying so.)

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "sequencer/outcome.hpp"
#include "storage/database.hpp"

namespace fuse::sequencer {

struct Config {
    /// At most one block per interval (default measured: docs/sequencer.md).
    std::chrono::microseconds min_block_interval{2'000};
    size_t max_pool_txs = 50'000;       ///< pending + queued, all senders
    size_t max_queued_per_sender = 64;  ///< future nonces kept per sender
    size_t max_tx_size = 131'072;       ///< bytes of the raw transaction (geth's txMaxSize)
    size_t max_block_txs = 10'000;
    /// Blocks built ahead of the durable head while a commit (fsync) is in flight; they are
    /// committed together next (group commit). 0 = commit each block before building the next.
    size_t max_uncommitted_blocks = 64;
};

/// Counters for metrics and benchmarks (monotonic since start).
struct Stats {
    uint64_t blocks = 0;   ///< blocks sealed and durable
    uint64_t txs = 0;      ///< transactions included and acknowledged
    uint64_t commits = 0;  ///< db.commit calls (blocks / commits = group size)
    uint64_t execution_rejected = 0;
    uint64_t last_block_number = 0;
};

/// The L1 block the sequencer builds on (the batch poster's L1 reader keeps it current; a
/// fixed value when there is no L1).
struct L1Info {
    uint64_t block_number = 0;
    uint256 base_fee;
};
using L1InfoSource = std::function<L1Info()>;

class Sequencer {
public:
    /// `db` must hold at least the genesis block. Nothing runs until `start()`.
    Sequencer(storage::Database& db, const arbos::Genesis& genesis, Config config,
              L1InfoSource l1_info);
    ~Sequencer();

    void start();
    /// Seals what is already accepted, then stops; pending callbacks get kShuttingDown.
    void stop();

    /// Checks `raw` and queues it. `done` is called exactly once, from any thread: with the
    /// inclusion once its block is durable, or with the rejection (at once for pool checks).
    void submit(Bytes raw, SubmitCallback done);

    /// The next nonce of `addr` counting pool transactions ("pending" tag).
    uint64_t pending_nonce(const Address& addr) const;
    size_t pool_size() const;
    /// The L1 block (number, base fee) the next block will be built on.
    L1Info current_l1() const;
    Stats stats() const;

    /// Called (on the sequencer's commit thread, after the commit and after the block's submit
    /// callbacks) for every new durable block, in order:
    /// newHeads/logs subscriptions and the batch poster hang here. Register before start().
    void on_block(std::function<void(const arbos::Block&)> callback);

    /// Called for every refusal, on the thread that answers it (a submitter's for pool checks,
    /// the sealing thread for refusals at execution), just before the submit callback: metrics
    /// count refusals by `to_label(rejection)` here. Register before start().
    void on_rejection(std::function<void(const Rejection&)> callback);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fuse::sequencer
