#pragma once
/// The node's reader of L1 Bridge deposits (docs/inbox.md "Deposits", DESIGN.md §3a): follows
/// `DepositQueued` on the Bridge up to an L1 block its caller names (the sequencer: the lagged L1
/// block it builds on; a validator: the block its inbox reader reads batches up to), checks every
/// deposit (its hash from its fields, the accumulator chained off-chain from the previous one, the
/// Bridge's `depositCount()` / `depositAccs(i)` read at that block, never older state), and answers
/// "deposits with index >= n whose L1 block <= b". Survives L1 reorgs: a block it read that is
/// no longer canonical drops the deposits from there and reads them again. Thread-safe: one thread
/// polls, any thread reads. An I/O edge (STYLE.md point 4): L1 failures are thrown as
/// `l1::L1Error`, failures of the Bridge's data as `DepositError`.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "batch/batch.hpp"
#include "core/deposit.hpp"
#include "l1/rpc_client.hpp"

namespace fuse::inbox {

struct DepositReaderConfig {
    Address bridge;
    /// First L1 block to scan when nothing tells where deposit `next_index - 1` is
    /// (deployment.json `bridgeDeployBlock`).
    uint64_t deploy_block = 0;
    /// Most blocks per eth_getLogs request (halved automatically when the node refuses a range).
    uint64_t max_log_range = 1000;
    /// A poll stops after this many ranges, so that a long catch-up returns in steps.
    size_t max_ranges_per_poll = 64;
    /// The L1 block of deposit `index` when the caller knows it (from its database), so that a
    /// reader starting at `index + 1` scans from there instead of from `deploy_block`.
    std::function<std::optional<uint64_t>(uint64_t index)> block_of;
    /// One line per notable event (reorg, start, range lowered).
    std::function<void(const std::string&)> log;
};

/// One deposit as read from L1.
struct L1Deposit {
    Deposit deposit;
    Hash32 acc;  ///< the Bridge's accumulator after it (`depositAccs(index)`)
    Hash32 l1_block_hash;
    Hash32 tx_hash;
};

/// The Bridge's data contradicts itself or the node's logs are incomplete.
class DepositError : public std::runtime_error {
public:
    enum class Kind {
        kBadEvent,             ///< a DepositQueued log that does not decode, or a bad kind/block
        kHashMismatch,         ///< the event's depositHash is not the hash of its fields
        kAccumulatorMismatch,  ///< acc != keccak(previous acc ‖ depositHash), or != depositAccs(i)
        kGap,                  ///< an index skipped, or fewer logs than depositCount() (retried)
        kL1Inconsistent,       ///< L1 answers changed during a poll (reorg under way): retry
    };
    DepositError(Kind kind, std::string message)
        : std::runtime_error(std::move(message)), kind(kind) {}
    bool retryable() const { return kind == Kind::kGap || kind == Kind::kL1Inconsistent; }
    Kind kind;
};

class DepositReader {
public:
    /// Starts at deposit `next_index` (0: the first deposit ever); the deposits before it are
    /// not kept. Nothing is read until `poll`.
    DepositReader(l1::RpcClient& rpc, DepositReaderConfig config, uint64_t next_index = 0);

    /// Reads deposits up to L1 block `target` (inclusive): first the reorg check of what was read,
    /// then new logs range by range, then the Bridge's counter and accumulator at `target`.
    /// All or nothing: on a throw (l1::L1Error, DepositError) nothing changed. Returns the
    /// number of new deposits. A `target` below what was read only re-checks reorgs.
    size_t poll(uint64_t target);
    /// Reads up to `target` unless already there, and makes sure deposit `from_index` is kept
    /// (restarting from it, read again from L1, if it was dropped or never read).
    void ensure(uint64_t from_index, uint64_t target);
    /// Drops the deposits below `index` (the callers have consumed them for good).
    void prune_below(uint64_t index);

    /// Every deposit (from `first_index()` on) up to this L1 block is known; before the first
    /// read, the block before the one scanning starts at (none of them is earlier).
    uint64_t scanned_block() const;
    /// The index after the last deposit read.
    uint64_t next_index() const;
    /// The first deposit kept.
    uint64_t first_index() const;

    /// Deposits `first`, `first + 1`, … in order while they are known and from an L1 block
    /// <= `max_l1_block`, at most `max`: what the sequencer includes next.
    std::vector<Deposit> pending(uint64_t first, uint64_t max_l1_block, size_t max) const;
    /// Deposits `first` .. `first + count - 1` if all are kept, else nullopt.
    std::optional<std::vector<Deposit>> range(uint64_t first, uint64_t count) const;
    std::optional<L1Deposit> get(uint64_t index) const;

private:
    struct Cursor {
        uint64_t scanned_block = 0;
        Hash32 scanned_hash;  ///< zero: start at `start_block`
        uint64_t start_block = 0;
        uint64_t first_index = 0;  ///< index of deposits_.front()
        uint64_t next_index = 0;
        std::optional<Hash32> prev_acc;  ///< accumulator of deposit next_index - 1 (0 for none)
    };
    struct Poll;
    size_t poll_locked(uint64_t target);
    void restart_locked(uint64_t next_index);
    void note(const std::string& line) const;

    l1::RpcClient& rpc_;
    DepositReaderConfig cfg_;
    uint64_t log_range_;
    std::mutex poll_mu_;  ///< one poll at a time
    mutable std::mutex mu_;
    Cursor cursor_;
    std::deque<L1Deposit> deposits_;  ///< first_index .. next_index - 1
};

/// docs/batch-format.md rule 2, "Deposit checks", for one batch: every deposit ref of `msgs`
/// (in order) starts at the next deposit index (`next_index` after the previous batches), its
/// deposits exist on L1 up to the batch's inclusion block, each from an L1 block <= its
/// message's, and its `acc` is the Bridge's accumulator after the last of them. `reader` is
/// brought up to `inclusion_block` first (throws l1::L1Error / DepositError when L1 cannot be
/// read: never a reason to call the batch invalid). Returns nullopt when the batch passes, else
/// what is wrong, naming the deposit; `next_index` moves past the refs when it passes.
/// With no reader (a chain without a Bridge), any deposit ref fails. `contents` (if given) gets,
/// when the batch passes, the deposits each message references as they were checked (one list
/// per message, empty without a ref): what the messages execute, read in the same step as the
/// check so that nothing read later (a prune, a reorg dropping them) can differ or fail.
std::optional<std::string> check_deposit_refs(
    DepositReader* reader, const std::vector<batch::L2Message>& msgs, uint64_t first_message_number,
    uint64_t inclusion_block, uint64_t& next_index,
    std::vector<std::vector<Deposit>>* contents = nullptr);

}  // namespace fuse::inbox
