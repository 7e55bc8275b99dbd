#pragma once
/// The sequencer (DESIGN.md §4): a transaction pool that checks every transaction
/// before accepting it, and a sealing loop that turns waiting transactions into L2 blocks through
/// ArbOS and commits them durably (group commit) before any of their hashes is acknowledged.
/// (Interface agreed up front; owner: "sequencer". Extend freely, do not rename without saying so.)

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "sequencer/outcome.hpp"
#include "sequencer/pool.hpp"
#include "storage/database.hpp"

namespace fuse::sequencer {

/// The longest `Config::nonce_gap_wait`: a waiting transaction holds a pool slot and its
/// submitter's request that long.
inline constexpr std::chrono::milliseconds kMaxNonceGapWait{600'000};

struct Config {
    /// At most one block per interval (default measured: docs/sequencer.md).
    std::chrono::microseconds min_block_interval{2'000};
    size_t max_pool_txs = 50'000;       ///< pending + queued, all senders
    size_t max_queued_per_sender = 64;  ///< future nonces kept per sender
    /// How long a transaction behind a nonce gap waits for the gap to fill; then it is refused
    /// ("nonce too high: next nonce N, tx nonce M"). Nitro waits about a second. Between 1 ms
    /// and kMaxNonceGapWait; the node also keeps it below the RPC handler timeout.
    std::chrono::milliseconds nonce_gap_wait{1'000};
    size_t max_tx_size = 131'072;  ///< bytes of the raw transaction (geth's txMaxSize)
    size_t max_block_txs = 10'000;
    /// L1 deposits (docs/sequencer.md "Deposits") one block includes at most; the rest wait for
    /// the next block. A block also stops taking deposits once their L2 gas limits add up to
    /// the block gas limit (the first one always fits).
    size_t max_block_deposits = 64;
    /// Accept legacy transactions without an EIP-155 chain id (geth's
    /// --rpc.allow-unprotected-txs; off by default): for replaying keyless deployments.
    bool allow_unprotected_txs = false;
    /// Blocks built ahead of the durable head while a commit (fsync) is in flight; they are
    /// committed together next (group commit). 0 = commit each block before building the next.
    size_t max_uncommitted_blocks = 64;
    /// One line per rewind, dropped transaction and halt (the node logs them at warning level).
    std::function<void(const std::string&)> warn;

    /// Empty if usable, else what is wrong (config.cpp).
    std::string validate() const;
};

/// Counters for metrics and benchmarks (monotonic since start).
struct Stats {
    uint64_t blocks = 0;   ///< blocks sealed and durable
    uint64_t txs = 0;      ///< transactions included and acknowledged
    uint64_t commits = 0;  ///< db.commit calls (blocks / commits = group size)
    uint64_t execution_rejected = 0;
    uint64_t last_block_number = 0;
    uint64_t rewinds = 0;          ///< rewinds done (docs/sequencer.md "When L1 goes back in time")
    uint64_t rewound_blocks = 0;   ///< blocks dropped by rewinds
    uint64_t adopted_blocks = 0;   ///< blocks executed from L1's derivation of posted batches
    uint64_t resequenced_txs = 0;  ///< dropped blocks' transactions sealed again
    uint64_t dropped_txs = 0;      ///< dropped blocks' transactions no longer valid
    /// Storage failures: state reads that failed (admission, sealing) and writes that failed
    /// (a commit, a rewind's records); a failed write or a read while sealing halts the
    /// sequencer (docs/storage.md "Errors").
    uint64_t storage_errors = 0;

    uint64_t deposits = 0;         ///< L1 deposits included in durable blocks
};

/// A rewind: what L1 supports of the soft chain and what it says comes after.
struct RewindPlan {
    uint64_t keep_through = 0;  ///< the last block kept (the last one L1 supports)
    /// L1's derivation of the posted messages after it (filler included), executed as they are;
    /// empty when only unposted blocks are dropped.
    std::vector<arbos::Message> adopt;
    std::string reason;  ///< why: names the message and the L1 block (logged, in status)
};

/// What a rewind did.
struct RewindReport {
    uint64_t from_head = 0;  ///< latest block before
    uint64_t kept_through = 0;
    uint64_t adopted_blocks = 0;
    uint64_t dropped_blocks = 0;
    uint64_t new_head = 0;      ///< latest block right after (kept + adopted)
    size_t dropped_txs = 0;     ///< transactions in the dropped blocks
    size_t included_again = 0;  ///< of those, found in an adopted block
    size_t requeued = 0;        ///< of those, back in the pool to be sealed in their order
    std::string reason;
    uint64_t unix_time = 0;
};

/// A transaction of a dropped block that the chain L1 supports no longer lets in.
struct DroppedTx {
    Hash32 hash;
    std::string reason;  ///< the pool's or ArbOS's refusal, geth's text
};

/// The L1 block the sequencer builds on (the batch poster's L1 reader keeps it current; a
/// fixed value when there is no L1).
struct L1Info {
    uint64_t block_number = 0;
    uint256 base_fee;
};
using L1InfoSource = std::function<L1Info()>;

/// The L1 Bridge's deposits the sequencer includes (docs/sequencer.md "Deposits"): deposits
/// `first`, `first + 1`, … in index order, from L1 blocks <= `max_l1_block`, at most `max`
/// (the node's `inbox::DepositReader::pending`). Called on the sealing thread and by rewinds.
using DepositSource =
    std::function<std::vector<Deposit>(uint64_t first, uint64_t max_l1_block, size_t max)>;

class Sequencer {
public:
    /// `db` must hold at least the genesis block. Nothing runs until `start()`. Without
    /// `deposits` (a chain without a Bridge) no block references deposits. Throws
    /// std::invalid_argument naming the problem when `config.validate()` finds one.
    Sequencer(storage::Database& db, const arbos::Genesis& genesis, Config config,
              L1InfoSource l1_info, DepositSource deposits = {});
    ~Sequencer();

    void start();
    /// Seals what is already accepted, then stops; pending callbacks get kShuttingDown.
    void stop();

    /// Checks `raw` and queues it. `done` is called exactly once, from any thread: with the
    /// inclusion once its block is durable, or with the rejection (at once for pool checks).
    void submit(Bytes raw, SubmitCallback done);

    /// The next nonce of `addr` counting pool transactions ("pending" tag); the storage fault
    /// when the committed account cannot be read.
    state::ReadResult<uint64_t> pending_nonce(const Address& addr) const;
    size_t pool_size() const;
    /// What the pool holds, pending and queued (txpool_content). Transactions taken into a
    /// block whose commit is under way are in neither list.
    PoolContent pool_content() const;
    /// The L1 block (number, base fee) the next block will be built on.
    L1Info current_l1() const;
    /// The deposit source may have deposits the sequencer has not included yet (new ones, or
    /// the L1 view moved): the sealer looks, and builds a block for them even without
    /// transactions. Any thread.
    void deposits_arrived();
    /// The index of the next deposit to include (ArbOS's, after the last sealed block).
    uint64_t next_deposit_index() const;
    Stats stats() const;

    /// Called (on the sequencer's commit thread, after the commit and after the block's submit
    /// callbacks) for every new durable block, in order:
    /// newHeads/logs subscriptions and the batch poster hang here. Register before start().
    void on_block(std::function<void(const arbos::Block&)> callback);

    /// Called for every refusal, on the thread that answers it (a submitter's for pool checks,
    /// the sealing thread for refusals at execution), just before the submit callback: metrics
    /// count refusals by `to_label(rejection)` here. Register before start().
    void on_rejection(std::function<void(const Rejection&)> callback);

    /// Rewinds the chain to `plan.keep_through`, executes `plan.adopt` after it, and
    /// re-sequences the transactions of the dropped blocks in their order, before anything
    /// submitted later (docs/sequencer.md "When L1 goes back in time"). Sealing pauses while
    /// it runs. The dropped transactions are recorded durably before the rewind, so a crash at
    /// any point loses none: a restarted sequencer re-sequences what is not in a block yet.
    /// Those no longer valid are reported (log, `dropped()`, `on_dropped`). Fails (nothing
    /// changed) when the plan is impossible or the sequencer is halted.
    Result<RewindReport, std::string> rewind(const RewindPlan& plan);
    /// Stops sealing for good: every submission from now on is refused with `reason`
    /// (kHalted), transactions waiting in the pool too. For operators who decide themselves.
    /// The sequencer halts itself the same way when a write to its database fails or its state
    /// cannot be read while sealing (docs/storage.md "Errors"): nothing more is acknowledged,
    /// reads keep being served, and a restart resumes at the last durable block.
    void halt(const std::string& reason);
    /// The halt reason, if halted.
    std::optional<std::string> halted() const;
    /// The last rewind, if any since start.
    std::optional<RewindReport> last_rewind() const;
    /// The most recent dropped transactions (at most 64, oldest first).
    std::vector<DroppedTx> dropped() const;
    /// Called after every rewind with the report and the dropped blocks (before any block built
    /// on the new chain is announced): subscriptions send removed logs here. Register before
    /// start().
    void on_rewind(std::function<void(const RewindReport&, const std::vector<arbos::Block>&)> cb);

    /// The implementation (sequencer_impl.hpp), opaque to users.
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace fuse::sequencer
