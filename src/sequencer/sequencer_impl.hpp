#pragma once
/// The sequencer's inside, shared by sequencer.cpp (submit, sealing, group commit) and
/// rewind.cpp (rewinds, re-sequencing, halt). Not part of the library's interface.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "sequencer/checks.hpp"
#include "sequencer/pool.hpp"
#include "sequencer/sequencer.hpp"

namespace fuse::sequencer {

/// A sealed block waiting for (or in) its commit, with whom to tell once it is durable.
struct SealedBlock {
    arbos::Block block;
    state::StateDiff diff;
    arbos::Message message;
    std::vector<Deposit> deposits;          ///< the contents of message.deposit_ref
    std::vector<SubmitCallback> callbacks;  ///< one per user tx, in block order (after deposits)
};

/// Meta key of the transactions a rewind took out of dropped blocks and has not sealed again
/// yet (each as a 4-byte big-endian length and the raw bytes), so a crash loses none of them.
inline constexpr std::string_view kResequenceKey = "sequencer.resequence";

struct Sequencer::Impl {
    using Clock = std::chrono::steady_clock;

    storage::Database& db;
    arbos::Genesis genesis;
    Config config;
    L1InfoSource l1_info;
    DepositSource deposit_source;
    ChainRules rules;
    std::vector<std::function<void(const arbos::Block&)>> block_callbacks;
    std::vector<std::function<void(const Rejection&)>> rejection_callbacks;
    std::vector<std::function<void(const RewindReport&, const std::vector<arbos::Block>&)>>
        rewind_callbacks;

    // ---- pool (guarded by mu)
    mutable std::mutex mu;
    std::condition_variable seal_cv;  ///< ready txs, room in the pipeline, unpaused, or stop
    std::condition_variable idle_cv;  ///< the sealer left a block, or a commit finished
    TxPool pool;
    bool stopping = false;
    bool paused = false;     ///< a rewind runs (or halted): the sealer builds nothing
    bool rewinding = false;  ///< a rewind runs: new submissions wait in `deferred`
    std::vector<std::pair<CheckedTx, SubmitCallback>> deferred;
    bool in_seal = false;    ///< the sealer is between taking the go and finishing a block
    size_t uncommitted = 0;  ///< sealed blocks not yet durable
    size_t unannounced = 0;  ///< sealed blocks whose commit callbacks have not all run
    std::optional<std::string> halt_reason;
    /// A write failed: sealed blocks still waiting for their commit build on what was not
    /// written, the commit thread refuses them.
    bool write_failed = false;
    /// The staged layers of blocks that will never be committed are dropped by the sealer
    /// once it leaves the block it is building (it owns the world while building).
    bool discard_pending = false;

    /// deposits_arrived() calls, and the count the sealer last looked at: while they differ
    /// the sealer looks for deposits to include.
    uint64_t deposits_gen = 1;
    uint64_t deposits_seen = 0;  ///< set to deposits_gen at construction without a source
    /// Commits whose transactions the pool has forgotten (changed under `mu`, after the
    /// committed-state reader was replaced).
    std::atomic<uint64_t> commit_gen{0};

    // ---- prices and the committed state for the pool checks (guarded by view_mu)
    mutable std::mutex view_mu;
    uint256 base_fee;
    /// ArbOS's state after the latest sealed block: the L1 price per byte follows its L1
    /// backlog, drained by the time since that block (arbos::next_l1_price_per_byte).
    arbos::SystemState prices_state;
    std::shared_ptr<const state::StateReader> committed;

    // ---- commit queue (guarded by commit_mu)
    std::mutex commit_mu;
    std::condition_variable commit_cv;
    std::deque<std::unique_ptr<SealedBlock>> to_commit;
    bool sealer_done = false;
    Stats stats;  ///< guarded by commit_mu

    // ---- sealing thread state (also written by a rewind, while the sealer is idle)
    std::shared_ptr<arbos::Block> parent;
    uint256 parent_l1_base_fee;        ///< the L1 base fee the parent's message carried
    std::deque<Hash32> recent_hashes;  ///< hashes of blocks [parent - size + 1, parent]
    /// ArbOS's deposit position after the parent: the next index and the accumulator.
    std::atomic<uint64_t> next_deposit{0};
    Hash32 deposit_acc;
    Clock::time_point last_block_start{};

    // ---- rewinds (rewind_mu: one at a time; reseq_mu: the set and its meta record)
    std::mutex rewind_mu;
    mutable std::mutex reseq_mu;
    std::unordered_set<Hash32, FixedBytesHasher> resequencing;  ///< requeued, not yet sealed
    std::deque<DroppedTx> recent_dropped;                       ///< at most kRecentDropped
    std::optional<RewindReport> last_rewind;
    static constexpr size_t kRecentDropped = 64;

    std::thread sealer;
    std::thread committer;

    Impl(storage::Database& d, const arbos::Genesis& g, Config c, L1InfoSource l1,
         DepositSource deposits);

    [[noreturn]] static void fatal(const std::string& what);
    /// Loads the parent, its L1 base fee and the last 256 hashes from the durable head.
    Result<void, std::string> load_head();
    /// Reads the next block's prices from the world; the fault when it cannot be read.
    Result<void, state::StorageFault> refresh_prices();
    FeeView fee_view() const;
    std::shared_ptr<const state::StateReader> committed_state() const;
    void refuse(const SubmitCallback& done, Rejection r);
    void run_all(std::vector<Completion>& completions);
    void submit(Bytes raw, SubmitCallback done);
    /// The pool checks and admission of a transaction that passed the stateless checks.
    void admit(CheckedTx checked, SubmitCallback done);

    // sequencer.cpp: sealing and group commit
    void seal_loop();
    void seal_one();
    /// The deposits the next block on L1 block `l1_block` includes (sealing thread).
    std::vector<Deposit> take_deposits(uint64_t l1_block);
    /// Whether the sealer has something to do: ready transactions or unseen deposits (mu held).
    bool has_work() const { return pool.has_ready() || deposits_gen != deposits_seen; }
    void commit_loop();
    void commit_group(std::vector<std::unique_ptr<SealedBlock>>& group);

    // rewind.cpp
    Result<RewindReport, std::string> rewind(const RewindPlan& plan);
    /// The rewind itself, sealing paused; `clients` receives the pooled transactions that were
    /// never acknowledged (admitted again by `rewind` after the re-sequenced ones).
    Result<RewindReport, std::string> rewind_paused(const RewindPlan& plan,
                                                    std::vector<std::unique_ptr<PoolTx>>& clients);
    /// Executes `msgs` after the durable head and commits them; the blocks, in order.
    /// `contents[i]`: the deposits of msgs[i].deposit_ref (empty without one).
    Result<std::vector<arbos::Block>, std::string> adopt(
        const std::vector<arbos::Message>& msgs, const std::vector<std::vector<Deposit>>& contents);
    /// The deposits of `ref` for re-execution: from the database (this chain included them) or
    /// else from the deposit source; fewer when neither has them all.
    std::vector<Deposit> deposits_for(const batch::DepositRef& ref) const;
    /// Admits a dropped block's transaction again; its outcome is tracked in `resequencing`.
    bool requeue(Bytes raw, const Hash32& hash);
    void requeue_done(const Hash32& hash, const SubmitResult& r);
    /// Writes (or clears, when empty) the record of the transactions being re-sequenced; the
    /// halt reason when the write failed (the caller halts, outside reseq_mu).
    Result<void, std::string> save_resequence(const std::vector<Bytes>& raws);
    /// Start-up: re-sequences what a rewind recorded and a crash left unsealed.
    void resume_resequence();
    void record_dropped(const Hash32& hash, const std::string& reason);
    void halt(const std::string& reason);
    /// Halts because of the database (docs/storage.md "Errors"): counts the error, logs and
    /// reports `reason` as the halt reason. After a failed write (`write`), blocks waiting for
    /// their commit are refused and the staged state is dropped.
    void storage_halt(const std::string& reason, bool write);
    /// A sealed group that will not be committed: its transactions are refused with `reason`.
    void refuse_group(std::vector<std::unique_ptr<SealedBlock>>& group, const std::string& reason);
    void warn(const std::string& line) const;
};

}  // namespace fuse::sequencer
