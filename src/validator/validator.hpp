#pragma once
/// The validator (DESIGN.md §4, docs/validator.md): trusts nothing but L1. It reads batches with
/// the inbox reader, executes every message through the same `arbos::execute_message` the
/// sequencer's blocks came from, and stores the chain. Then, per role:
/// - proposer: posts `RollupCore.postStateRoot(batch, l2BlockNumber, l2BlockHash, stateRoot,
///   sendRoot)` for each derived batch, in order;
/// - watch: compares the roots posted on L1 (and the sequencer's blocks, given its URL) with its
///   own and raises an alarm on the first mismatch, naming the batch and the block.
/// Heads: `safe` = derived from L1 (confirmed batches), `finalized` = root posted and confirmed.
/// An L1 reorg rolls the chain back to the last common batch and re-derives.
/// Storage (docs/storage.md "Errors"): a database write that fails, or a read that fails while
/// deriving, halts the validator before anything built on it is posted or compared: `step` does
/// nothing more, Status::halted says why; a restart resumes from what is durable.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "arbos/arbos.hpp"
#include "batch/address_registry.hpp"
#include "inbox/inbox_reader.hpp"
#include "l1/posting_pipeline.hpp"
#include "l1/rpc_client.hpp"
#include "l1/tx_sender.hpp"
#include "storage/database.hpp"

namespace fuse::validator {

enum class Mode { kFollow, kPropose, kWatch };

struct Config {
    Mode mode = Mode::kPropose;
    inbox::InboxReaderConfig reader;
    Address rollup;
    /// Watch mode: also compare with this sequencer's blocks (its JSON-RPC URL); empty: not.
    std::string sequencer_url;
    std::chrono::milliseconds poll_interval{1'000};
    /// Proposer: state-root transactions sent but not yet confirmed, at most (RollupCore takes
    /// roots in batch order; with 1 the proposer posts at most one root per L1 block and falls
    /// behind a pipelining batch poster).
    size_t max_roots_in_flight = 4;
    std::function<void(const std::string&)> log;
    /// Called once with the alarm text on the first mismatch (watch mode).
    std::function<void(const std::string&)> on_mismatch;
    /// Watch mode: alarm when the next L1 deposit no derived block includes is more than this
    /// many L1 blocks older than the L1 block batches are read up to (nothing forces the
    /// sequencer to include deposits: DESIGN.md §3a). 720 = one hour of Fuse's 5 s blocks.
    /// Needs `reader.deposits` (the chain's Bridge).
    uint64_t max_deposit_wait = 720;
    /// Catch-up (docs/validator.md "Catch-up"): read the next few batches from L1, their
    /// deposits and their senders (prepared on worker threads) while the current ones execute.
    /// false: one poll at a time on the executing thread (the same blocks, slower).
    bool prefetch = true;
    /// Batches per poll while prefetching (the reader's max_batches_per_poll, at most): small
    /// enough that execution starts early, large enough to amortize a poll's L1 round trips.
    size_t prefetch_batches = 4;
    /// Threads recovering senders (0: one per core); while blocks execute, one fewer.
    unsigned recovery_threads = 0;

    /// Empty if usable, else what is wrong (config.cpp).
    std::string validate() const;
};

struct Status {
    uint64_t batches_derived = 0;  ///< next batch sequence number to derive
    uint64_t derived_block = 0;    ///< L2 block number after the last derived batch
    uint64_t roots_posted = 0;     ///< RollupCore.postedBatchCount at the last check
    uint64_t roots_in_flight = 0;  ///< proposer: root transactions not yet confirmed
    uint64_t finalized_block = 0;
    uint64_t invalid_batches = 0;
    uint64_t reorgs = 0;
    uint64_t l1_errors = 0;
    uint64_t next_deposit = 0;    ///< the next L1 deposit index after the derived blocks
    uint64_t storage_errors = 0;  ///< database reads and writes that failed
    /// Where derivation spent its time (seconds, cumulative; docs/validator.md "Catch-up"):
    /// reading L1 (polls, deposits), recovering senders, waiting for a prefetched poll on the
    /// executing thread, executing blocks (roots included), committing them.
    /// `commit` runs on its own thread while the next batch executes; `commit_wait` is the
    /// executing thread waiting for it.
    double seconds_polling = 0, seconds_recovering = 0, seconds_waiting = 0, seconds_executing = 0,
           seconds_committing = 0, seconds_commit_waiting = 0;
    /// CPU seconds of the same stages (the threads' own clocks: what they cost on a machine
    /// whose cores are shared); recovery summed over its threads.
    double cpu_recovering = 0, cpu_executing = 0, cpu_committing = 0;
    bool mismatch = false;
    std::string alarm;  ///< the first mismatch, if any
    std::string last_error;
    /// Why the validator halted (docs/validator.md "Halts"): a storage failure ("storage: ..."),
    /// the database disagreeing with its cursor or the Bridge, or an internal error ("internal
    /// error: ..."); nullopt while running.
    std::optional<std::string> halted;
};

class Validator {
public:
    /// `db` holds at least the genesis block (the node commits it). `proposer` is required in
    /// propose mode (the key allowed by RollupCore), ignored otherwise.
    Validator(storage::Database& db, const arbos::Genesis& genesis, l1::RpcClient& l1,
              l1::TxSender* proposer, Config config);
    ~Validator();

    /// One round: derive new batches (or roll back on a reorg), then propose or watch.
    /// Never throws for L1 trouble (counted, logged, retried next round) nor for a database
    /// read failing while proposing or watching (counted, logged, retried); a failed write, or
    /// a read failing while deriving, halts the validator (Status::halted): no later round
    /// does anything.
    void step();
    /// Runs rounds until `stop` is set.
    void run(const std::atomic<bool>& stop);
    /// For shutdown, from any thread: ends the requests to the sequencer (watch mode) in
    /// progress, as the node's RpcClient::stop() ends the L1 ones; the round ends with an error.
    void interrupt();

    Status status() const;
    /// Called after every block this validator commits (subscriptions of its RPC).
    void on_block(std::function<void(const arbos::Block&)> callback);

private:
    /// One poll's output made ready for execution: each batch's deposits read from L1 and its
    /// transactions prepared, and the reader's position after the poll (saved once the batches
    /// are durable: with prefetching the reader itself is already further).
    struct Fetched {
        inbox::PollResult poll;
        std::vector<std::vector<std::vector<arbos::PreparedTx>>> prepared;  ///< [batch][msg][tx]
        inbox::InboxCursor cursor;
        std::string history_json;
        double seconds_polling = 0, seconds_recovering = 0, cpu_recovering = 0;
    };
    /// (Re)creates reader_ at the saved cursor and history, dropping blocks committed after
    /// the saved cursor (a crash, or a failure, between the two writes).
    void open_reader();
    /// Polls the reader and prepares the result (on the prefetch thread when `ahead`).
    Fetched fetch(bool ahead);
    void derive();
    /// After a failure while deriving: waits for the batch committing and the poll reading
    /// ahead, then re-creates the reader at the saved cursor (the reader may be past batches
    /// that were never applied). Throws the commit's failure, if it failed.
    void restart_reader();
    void apply_batch(const inbox::DeliveredBatch& b,
                     const std::vector<std::vector<Deposit>>& contents,
                     const std::vector<std::vector<arbos::PreparedTx>>& prepared);
    /// Waits for the batch committing on its own thread (if any), then does what follows a
    /// durable batch on this thread: the cursor of a poll it ends, the on_block callbacks, the
    /// status. Throws its failure (after dropping the staged blocks).
    void finish_in_flight();
    void rollback(const inbox::Rollback& rb);
    void save_cursor(const inbox::InboxCursor& cursor, const std::string& history_json);
    void propose();
    /// Handles the root transactions that settled; false when one reverted.
    bool settle_roots();
    void root_confirmed(uint64_t batch);
    /// Sends the root of derived batch `batch`; false when its block is not there.
    bool post_root(uint64_t batch);
    void set_roots_in_flight();
    void watch();
    /// Compares RollupCore's records with the derived blocks; false after an alarm.
    bool watch_roots();
    void watch_sequencer();
    /// After a poll that caught up to L1 block `safe`: a deposit waiting longer than
    /// max_deposit_wait raises the alarm (watch mode).
    void check_deposit_wait(uint64_t safe);
    void alarm(const std::string& text);
    /// Why `halt`: the disk failed (counted in Status::storage_errors), the database disagrees
    /// with its cursor or the Bridge, or something unexpected was thrown.
    enum class HaltCause { kStorage, kInconsistent, kInternal };
    /// Stops the validator for good (this process): "<cause>: <reason>" in the log and in Status.
    void halt(HaltCause cause, const std::string& reason);
    void note(const std::string& line) const;
    uint64_t batches_derived() const;
    /// L2 block number after batch `seq` (meta record), if derived.
    std::optional<uint64_t> batch_last_block(uint64_t seq) const;
    /// The sequence number of the derived batch holding L2 block `block` ("?" if none).
    std::string batch_of_block(uint64_t block) const;

    storage::Database& db_;
    const arbos::Genesis& genesis_;
    l1::RpcClient& l1_;
    Config cfg_;
    std::unique_ptr<inbox::InboxReader> reader_;
    /// Format 0x02's address registry as of the batches the reader read (docs/batch-format.md),
    /// kept under "validator.registry". Used by the reader (on the prefetch thread while one
    /// runs) and saved by `fetch` after each poll, i.e. before the cursor of that poll: a saved
    /// registry is never behind the saved cursor (the reader rolls one that is ahead back).
    batch::AddressRegistry registry_;
    bool registry_saved_nonempty_ = false;
    /// The poll reading ahead while batches execute (docs/validator.md "Catch-up"); it alone
    /// uses reader_ and the deposit reader while it runs.
    std::future<Fetched> next_;
    /// The last executed batch while it commits on another thread, overlapping the next
    /// batch's execution (docs/validator.md "Catch-up"): at most one. Owns what its
    /// BlockCommits point to.
    struct InFlight {
        uint64_t sequence_number = 0, first = 0, last = 0, next_deposit_index = 0;
        std::deque<arbos::Block> blocks;
        std::deque<state::StateDiff> diffs;
        std::vector<arbos::Message> messages;
        std::vector<std::vector<Deposit>> deposits;
        /// Set when the batch ends a poll: that poll's cursor, saved once the batch is durable.
        std::optional<std::pair<inbox::InboxCursor, std::string>> cursor;
        /// The commit (then validator.batch.<seq> and the safe head): its wall and CPU seconds.
        std::future<std::pair<double, double>> done;
    };
    std::unique_ptr<InFlight> in_flight_;
    size_t batches_per_step_ = 256;     ///< the reader's max_batches_per_poll as configured
    uint64_t saved_scanned_block_ = 0;  ///< the scanned block of the cursor last saved
    std::unique_ptr<l1::RpcClient> sequencer_;
    /// Proposer: root transactions in flight, each with its batch number (docs/l1-client.md
    /// "Posting pipeline"); a root sent behind an unconfirmed one reuses the last estimated gas
    /// limit (its own estimate would revert with OutOfOrderBatch).
    std::optional<l1::PostingPipeline<uint64_t>> roots_;
    uint64_t watched_batches_ = 0;
    uint64_t watched_block_ = 0;
    std::optional<uint64_t> late_deposit_;  ///< the waiting deposit already reported
    std::vector<std::function<void(const arbos::Block&)>> on_block_;
    mutable std::mutex mu_;
    Status status_;
};

/// Meta key: the L2 block number after batch `seq` (8 bytes BE).
std::string batch_block_key(uint64_t seq);

}  // namespace fuse::validator
