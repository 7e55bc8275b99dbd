#pragma once
/// The validator's inbox reader (docs/inbox.md): follows `SequencerBatchDelivered` on the
/// SequencerInbox from its deployment block up to `head - confirmations`, fetches each batch's
/// calldata, checks it against the event (dataHash, accumulator chain, contiguous sequence
/// numbers), resolves it into L2 messages with the L1 checks of docs/batch-format.md (rule 2),
/// and reports L1 reorgs as "roll back to batch K". This is an I/O edge (STYLE.md point 4): L1
/// failures are thrown as `l1::L1Error`, integrity failures as `InboxError`.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "batch/address_registry.hpp"
#include "batch/resolve.hpp"
#include "core/bytes.hpp"
#include "inbox/deposit_reader.hpp"
#include "l1/contracts.hpp"
#include "l1/presets.hpp"
#include "l1/rpc_client.hpp"

namespace fuse::inbox {

/// Default L1 confirmations before a batch is read: 20 Fuse blocks = 100 s at 5 s per block
/// (docs/inbox.md, "Confirmations": above the 19-block reorg period bridges use for Fuse).
inline constexpr uint64_t kDefaultConfirmations = l1::kFuseConfirmations;

struct InboxReaderConfig {
    Address inbox;
    /// First L1 block to scan (the inbox's deployment block, deployment.json `deployBlock`).
    uint64_t deploy_block = 0;
    uint64_t confirmations = kDefaultConfirmations;
    /// Most blocks per eth_getLogs request (halved automatically when the node refuses a range).
    uint64_t max_log_range = 1000;
    /// A poll delivers at most this many batches (more only when one L1 block holds them: its
    /// range then ends at that block), and reads at most this many ranges, so that a long
    /// catch-up returns (and can be persisted, and executed while the next poll reads) in steps.
    size_t max_batches_per_poll = 256;
    size_t max_ranges_per_poll = 64;
    /// Delivered batches remembered for reorg detection (also restored from the caller).
    size_t history_size = 1024;
    batch::BatchLimits limits;
    /// Header of the message before batch 0 (the genesis header: the L2 block 0's L1 fields).
    batch::L2Message genesis_header;
    /// The L1 Bridge's deposits, for the deposit checks of every batch (docs/batch-format.md
    /// rule 2): null when the chain has no Bridge (then any deposit ref makes a batch invalid).
    /// Not owned; brought up to each batch's inclusion block as needed.
    DepositReader* deposits = nullptr;
    /// Format 0x02's address registry (docs/batch-format.md, "Format 0x02"), as of the batches
    /// before the cursor; not owned. Each batch read is decoded against it and its literals
    /// applied; a reorg or a failed range is undone by rolling it back to the batch read next.
    /// Persist it (batch::save_registry) before the cursor that covers its batches. Null: 0x02
    /// batches decode against an empty registry (a batch naming registered addresses is invalid).
    batch::AddressRegistry* registry = nullptr;
    /// Backoff of poll_retrying() between failed polls.
    std::chrono::milliseconds retry_initial{500};
    std::chrono::milliseconds retry_max{30000};
    /// One line per notable event (reorg, retry, invalid batch).
    std::function<void(const std::string&)> log;
};

/// What reorg detection and resolution need to remember of one delivered batch.
struct BatchRef {
    uint64_t sequence_number = 0;
    uint64_t l1_block_number = 0;
    Hash32 l1_block_hash;
    Hash32 after_acc;
    uint64_t message_count = 0;    ///< total L2 messages after this batch
    batch::L2Message last_header;  ///< header of its last message (txs empty)
    /// The next deposit index after this batch (its valid deposit refs counted): where the next
    /// batch's first deposit ref must start.
    uint64_t next_deposit_index = 0;
    friend bool operator==(const BatchRef&, const BatchRef&) = default;
};

/// Where the reader stands; persist it (to_json) after consuming each poll's output.
struct InboxCursor {
    std::optional<BatchRef> last;  ///< the last delivered batch; nullopt before batch 0
    /// Logs were read up to this L1 block (inclusive) whose hash was `scanned_hash`.
    uint64_t scanned_block = 0;
    Hash32 scanned_hash;
    friend bool operator==(const InboxCursor&, const InboxCursor&) = default;
};

/// The cursor as a JSON text, and back (throws InboxError(kBadCursor) on bad input).
std::string to_json(const InboxCursor& cursor);
InboxCursor cursor_from_json(const std::string& text);
/// The newest `max_refs` of `history` as a JSON text, and back (throws InboxError(kBadCursor)):
/// what a reader needs after a restart to roll back further than its last batch.
std::string history_to_json(const std::deque<BatchRef>& history, size_t max_refs);
std::vector<BatchRef> history_from_json(const std::string& text);

/// One batch as read from L1 and resolved.
struct DeliveredBatch {
    uint64_t sequence_number = 0;
    uint64_t l1_block_number = 0;
    Hash32 l1_block_hash;
    Hash32 tx_hash;
    l1::TimeBounds time_bounds;
    uint64_t prev_message_count = 0, new_message_count = 0;
    Hash32 before_acc, after_acc, data_hash;
    /// The messages the batch contributes (filler when invalid) and why it was invalid.
    batch::ResolvedBatch resolved;
    /// resolved.invalid == kDepositRef: which deposit and why, e.g. "L2 block 7 (L1 block 90)
    /// references deposit 3, which does not exist on L1 (...)".
    std::string deposit_problem;
    /// Per message of `resolved.messages`: the deposits its ref names, as read from the Bridge
    /// when the batch was checked (empty lists for messages without a ref and for an invalid
    /// batch). Part of the poll's all-or-nothing range: a caller never reads them again.
    std::vector<std::vector<Deposit>> deposits;
    uint64_t next_deposit_index = 0;  ///< after this batch (BatchRef::next_deposit_index)
    BatchRef ref() const;
};

/// An L1 reorg replaced delivered batches: undo every batch after `last_common_batch`
/// (nullopt: every batch, start from genesis) before applying the batches that follow.
struct Rollback {
    std::optional<uint64_t> last_common_batch;
    uint64_t first_removed_batch = 0;
};

struct PollResult {
    std::optional<Rollback> rollback;     ///< applies before `batches`
    std::vector<DeliveredBatch> batches;  ///< new batches, in sequence order
    uint64_t safe_block = 0;              ///< head - confirmations at this poll
    bool caught_up = false;               ///< scanned up to safe_block
};

/// A failure of the inbox's data itself (not of the connection): the reader cannot continue
/// without an operator. `retryable()` kinds are transient (an L1 reorg under way).
class InboxError : public std::runtime_error {
public:
    enum class Kind {
        kBadEvent,             ///< a SequencerBatchDelivered log that does not decode
        kBadCalldata,          ///< the batch transaction is not a decodable addSequencerL2Batch
        kDataHashMismatch,     ///< keccak(header ‖ data) differs from the event's dataHash
        kAccumulatorMismatch,  ///< afterAcc != keccak(beforeAcc ‖ dataHash), or a broken chain
        kSequenceGap,          ///< sequence numbers or message counts not contiguous (retried)
        kReorgTooDeep,         ///< the common batch is older than the remembered history
        kHalt,                 ///< resolve_batch halted the chain (claimed count too large)
        kL1Inconsistent,       ///< L1 answers changed during a poll (reorg under way): retry
        kBadCursor,            ///< a saved cursor that does not parse
        kBadDeposits,          ///< the Bridge's deposit data contradicts itself (DepositError)
    };
    InboxError(Kind kind, std::string message)
        : std::runtime_error(std::move(message)), kind(kind) {}
    /// Transient: an L1 reorg under way or a lagging/load-balanced node (retried with backoff).
    bool retryable() const { return kind == Kind::kL1Inconsistent || kind == Kind::kSequenceGap; }
    Kind kind;
};

class InboxReader {
public:
    /// `history`: refs of delivered batches ending with `cursor.last` (oldest first), so that a
    /// reorg after a restart can be rolled back further than the last batch.
    InboxReader(l1::RpcClient& rpc, InboxReaderConfig config, InboxCursor cursor = {},
                std::vector<BatchRef> history = {});

    /// One round: detects reorgs of what was read, then reads new batches up to the safe block,
    /// range by range. Each range is all or nothing: a failure in the first range throws
    /// (l1::L1Error for L1 failures, InboxError) with the cursor unchanged; a failure after
    /// some ranges returns what those ranges read. The next poll retries from the cursor:
    /// nothing is ever skipped or delivered twice.
    PollResult poll();

    /// poll() until it succeeds, retrying L1 failures and retryable InboxErrors with exponential
    /// backoff (each logged); returns nullopt when `keep_going()` turns false. Fatal InboxErrors
    /// propagate.
    std::optional<PollResult> poll_retrying(const std::function<bool()>& keep_going);

    const InboxCursor& cursor() const { return cursor_; }
    const std::deque<BatchRef>& history() const { return history_; }
    /// Failed polls since the last successful one.
    unsigned consecutive_failures() const { return failures_; }

private:
    struct State {
        InboxCursor cursor;
        std::deque<BatchRef> history;
    };
    std::optional<Rollback> check_reorg(State& st);
    /// L1 delivered batch `seq` (built on `before_acc`) after the scanned block although the
    /// cursor is past it: roll back to the newest remembered batch below it that L1 has.
    Rollback rollback_before(State& st, uint64_t seq, const Hash32& before_acc,
                             const std::string& why);
    void read_range(State& st, uint64_t from, uint64_t to, PollResult& out);
    DeliveredBatch read_batch(State& st, const l1::Log& log, const l1::BlockHeader& block);
    const l1::BlockHeader& header(uint64_t number);
    std::optional<Hash32> canonical_hash(uint64_t number);
    void note(const std::string& line) const;

    l1::RpcClient& rpc_;
    InboxReaderConfig cfg_;
    InboxCursor cursor_;
    std::deque<BatchRef> history_;
    std::map<uint64_t, l1::BlockHeader> headers_;  // per-poll cache, cleared after each poll
    uint64_t log_range_;
    unsigned failures_ = 0;
};

}  // namespace fuse::inbox
