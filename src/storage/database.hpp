#pragma once
/// The node's database on RocksDB (DESIGN.md §6): blocks, receipts, the tx index,
/// logs, the world state (flat accounts/storage/code for fast reads plus the Merkle-Patricia
/// trie nodes by hash, so any past state root can be opened), the ordered message log and the
/// heads. One block = one atomic WriteBatch; a node killed at any point reopens at its last
/// committed block with the same state root.
/// (Interface agreed up front; owner: "storage". Extend freely, do not rename without saying so.)

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "state/mpt.hpp"
#include "state/state.hpp"

namespace rocksdb {
class Env;
}

namespace fuse::storage {

/// What the pruner did (docs/storage.md "Pruning"), for logs and /metrics.
struct PruneStatus {
    bool archive = false;
    uint64_t oldest_state = 0;        ///< the oldest block whose state (and undo) is kept
    uint64_t oldest_trie = 0;         ///< the oldest of the recent blocks whose whole trie is kept
    uint64_t checkpoint = 1;          ///< below oldest_trie, the trie of every this-many-th block
    uint64_t cycles = 0;              ///< cycles finished since open
    uint64_t last_marked = 0;         ///< trie nodes reachable from the window, last cycle
    uint64_t last_deleted = 0;        ///< trie nodes deleted, last cycle
    uint64_t last_kept_new = 0;       ///< unmarked nodes kept because a commit rewrote them
    uint64_t deleted_total = 0;       ///< trie nodes deleted since open
    double last_seconds = 0;          ///< the last cycle's duration (its compaction included)
    double last_compact_seconds = 0;  ///< of which compacting what it deleted
    /// Trie nodes deleted by cycles since the last compaction after one (0 right after it):
    /// a cycle compacts once these reach a quarter of the nodes it marked.
    uint64_t uncompacted_deleted = 0;
    uint64_t compactions = 0;  ///< cycles since open that ended with that compaction
    std::string last_error;    ///< the last cycle's failure, empty if none
};

struct Options {
    std::string path;
    /// fsync the WAL on every commit (what makes an acknowledged transaction survive power
    /// loss; kill -9 alone is survived without it).
    bool sync = true;
    /// RocksDB's block cache, shared by every column family; it also holds the SST files'
    /// index and filter blocks, so reads cost at most this much memory however large the
    /// database grows. 0 (refused by `validate`, for tests): none, every read reaches the files.
    size_t block_cache_mb = 256;
    /// Every column family's memtables together (a RocksDB WriteBufferManager): when they pass
    /// this, the largest is flushed. Without it each of the 14 column families could hold up to
    /// 2 × 64 MiB before flushing.
    size_t write_buffer_mb = 64;
    /// The RocksDB environment (file system) to run on; null: the default. Tests pass a
    /// fault-injecting one (storage/fault_injection.hpp); it must outlive the database.
    rocksdb::Env* env = nullptr;
    /// Keep every trie node and undo record forever (an explorer's node): every block's state
    /// stays readable. Off (the default): a pruned full node (docs/storage.md "Pruning").
    bool archive = false;
    /// Pruned node: the undo records of this many blocks below the finalized head (or the
    /// latest, if lower) are kept, with everything above it: every state from there up reads
    /// and every block from there up can be rewound to. The trie nodes of the `prune_keep`
    /// most recent blocks are kept (geth's 128 recent states), and below them those of every
    /// `prune_checkpoint`-th block down to the same bound; a state between two of them reads
    /// through the next one above and the undo records in between.
    uint64_t prune_keep = 128;
    /// Pruned node: the stride of the checkpoint states kept below the recent ones (above);
    /// a read there costs at most this many blocks' undo records. 1: every block's trie is
    /// kept down to the bound (the rule before checkpoints: more disk under load).
    uint64_t prune_checkpoint = 64;
    /// Pruned node: a background prune cycle starts after this many committed blocks, or
    /// sooner when the trie nodes written since the last cycle pass what that cycle kept
    /// (`prune_min_nodes` at least); 0: never on its own (tests and tools call `prune_now`).
    uint64_t prune_interval = 4096;
    uint64_t prune_min_nodes = 100'000;
    /// Pruned node: the share of its thread's time (percent) the background pruner may take.
    /// After a cycle that took d seconds the next starts no sooner than d × (100 / this − 1)
    /// later, however fast blocks arrive (a catch-up commits thousands of blocks a second,
    /// and cycles would otherwise run back to back on a core the commit and execution need;
    /// the space comes back a few cycles later instead). 100: no pause.
    uint64_t prune_max_busy = 25;
    /// Pruned node: after a cycle's deletes, compact the trie nodes and undo records at once
    /// (the space comes back now instead of when RocksDB's levels fill) — once the nodes
    /// deleted since the last such compaction reach a quarter of those the cycle marked
    /// (under load every cycle; with a large state and few deletes a cycle would otherwise
    /// rewrite the whole family to reclaim a few per cent).
    bool prune_compact = true;
    /// Called on the pruner's thread after each background cycle (the node logs it).
    std::function<void(const PruneStatus&)> on_prune;
    /// Tests: runs inside a prune cycle between its mark and its sweep (on the cycle's
    /// thread), so a test can commit blocks exactly then.
    std::function<void()> after_prune_mark;

    /// Empty if usable, else what is wrong (options.cpp).
    std::string validate() const;
};

/// A block, receipt, head or metadata read that RocksDB could not do (an I/O error, a checksum
/// mismatch): thrown by those reads, which run outside the EVM, and caught at the edge (the
/// JSON-RPC dispatcher answers the request with an error and keeps serving; docs/storage.md
/// "Errors"). State reads under the EVM never throw: they return a `state::StorageFault`.
class ReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What the database holds in memory (bytes), for /metrics: bounded by Options'
/// `block_cache_mb` (block cache, index and filter blocks) and `write_buffer_mb` (memtables).
struct MemoryUsage {
    uint64_t memtables = 0;      ///< every column family's memtables (active and unflushed)
    uint64_t block_cache = 0;    ///< the block cache's usage (data, index and filter blocks)
    uint64_t table_readers = 0;  ///< SST readers outside the cache (estimate)
};

/// The error a state read below the pruning window answers, with geth's "missing trie node"
/// wording, the block asked for and the oldest block whose state this node keeps.
std::string pruned_state_message(uint64_t block, uint64_t oldest_state);
/// The error a Merkle proof (eth_getProof) of a block whose trie is pruned answers: its state
/// reads, its trie is not stored whole.
std::string pruned_trie_message(uint64_t block, uint64_t oldest_trie, uint64_t checkpoint);

/// The named heads (DESIGN.md §4).
enum class Head { kLatest, kSafe, kFinalized };

/// Where a transaction is.
struct TxLocation {
    uint64_t block_number = 0;
    uint32_t index = 0;
};

/// One matching log for eth_getLogs, with its position.
struct LogEntry {
    Log log;
    uint64_t block_number = 0;
    Hash32 block_hash;
    Hash32 tx_hash;
    uint32_t tx_index = 0;
    uint32_t log_index = 0;  ///< index within the block
};

struct LogFilter {
    uint64_t from_block = 0;
    uint64_t to_block = 0;
    std::vector<Address> addresses;           ///< empty = any
    std::vector<std::vector<Hash32>> topics;  ///< per position: empty = any, else one of
};

/// A block ready to commit: the block, its state diff and the message it came from.
struct BlockCommit {
    const arbos::Block* block = nullptr;
    const state::StateDiff* diff = nullptr;
    const arbos::Message* message = nullptr;
    /// The contents of `message->deposit_ref` the block was built with (the L1 Bridge's
    /// deposits), stored durably by index in the same write so that the block can be
    /// re-executed or served after a restart (`deposits`).
    std::span<const Deposit> deposits = {};
};

class Database {
public:
    /// Opens (creating if absent). Fails with a message naming the path and RocksDB's reason.
    static Result<std::unique_ptr<Database>, std::string> open(const Options& options);
    virtual ~Database() = default;

    // ---- state (reads return a state::StorageFault, never throw: docs/storage.md "Errors")
    /// The world state at the latest committed block, also the writer's WorldState: the
    /// sequencer/validator builds the next block on it (apply_diff stages the trie in memory,
    /// `commit` makes it durable). Single writer.
    virtual arbos::WorldState& world() = 0;
    /// A consistent read-only view of the latest committed state (RocksDB snapshot), for
    /// eth_call and reads on other threads.
    virtual std::unique_ptr<state::StateReader> latest_state() const = 0;
    /// The state with root `state_root` (any committed block), read through the trie (a root
    /// that is not stored reads as a missing trie node).
    virtual std::unique_ptr<state::StateReader> state_at(const Hash32& state_root) const = 0;
    /// The state after block `number`: through its trie when the node keeps it, else (a pruned
    /// node, a block between two checkpoint states) through the next kept state above and the
    /// undo records in between. Null when there is no such block or it is below
    /// `oldest_state_block()`. Throws ReadError when RocksDB cannot read the undo records.
    virtual std::unique_ptr<state::StateReader> state_at_block(uint64_t number) const;
    /// Whether block `number`'s whole trie is stored (Merkle proofs need it; plain reads do
    /// not, `state_at_block`): always on an archive node.
    virtual bool trie_kept(uint64_t number) const { return number >= oldest_state_block(); }
    /// The committed trie nodes (keccak256 -> RLP) of every state root `state_at` can read, for
    /// Merkle proofs (EIP-1186 eth_getProof); null when this database keeps no trie.
    virtual const state::NodeStore* trie_nodes() const { return nullptr; }

    // ---- writes (single writer). They never throw; a failure is returned with RocksDB's
    // reason and leaves the database as it was (one WriteBatch each).
    /// Commits blocks in order (each must follow the latest), all in one WriteBatch and one
    /// fsync: the sequencer's group commit. Also sets the latest head. On failure nothing of
    /// `blocks` is written and their staged layers stay (`discard_staged` drops them).
    virtual Result<void, std::string> commit(std::span<const BlockCommit> blocks) = 0;
    virtual Result<void, std::string> set_head(Head head, uint64_t number) = 0;
    /// Drops every diff staged through `world().apply_diff` and not committed yet (a block the
    /// builder abandoned): `world()` is back at the latest committed state. (Not pure so that
    /// test doubles without staging need not implement it; the RocksDB database does.)
    virtual void discard_staged() {}
    /// Drops every block above `number` (validator reorg handling) and restores the state.
    /// A pruned node refuses a `number` below `oldest_state_block()` (its undo records and
    /// state are gone).
    virtual Result<void, std::string> rewind_to(uint64_t number) = 0;

    // ---- pruning (docs/storage.md "Pruning")
    /// The oldest block whose state `state_at_block` can read and `rewind_to` can reach; 0 on
    /// an archive node. Blocks, receipts, logs and transactions below it are still served.
    virtual uint64_t oldest_state_block() const { return 0; }
    /// Runs one prune cycle now, on the calling thread (tests, tools); a no-op on an archive
    /// node or when the window did not move. Commits may go on meanwhile.
    virtual Result<PruneStatus, std::string> prune_now() { return PruneStatus{}; }
    virtual PruneStatus prune_status() const { return {}; }
    /// Compacts every column family now (benchmarks and tools: the space deletes free is
    /// given back to the file system by compactions, which RocksDB otherwise runs as it goes).
    virtual Result<void, std::string> compact() { return {}; }

    // ---- reads (any thread); they throw ReadError when RocksDB cannot read
    virtual std::optional<uint64_t> head(Head head) const = 0;
    virtual std::optional<arbos::Block> block_by_number(uint64_t number) const = 0;
    virtual std::optional<arbos::Block> block_by_hash(const Hash32& hash) const = 0;
    virtual std::optional<BlockHeader> header_by_number(uint64_t number) const = 0;
    virtual std::optional<Hash32> block_hash(uint64_t number) const = 0;
    virtual std::optional<TxLocation> tx_location(const Hash32& tx_hash) const = 0;
    virtual std::optional<arbos::Message> message(uint64_t number) const = 0;
    /// The L1 deposit with Bridge index `index`, as committed with a block whose message
    /// referenced it; nullopt when no committed block did. (Not pure: test doubles without
    /// deposits need not implement it.)
    virtual std::optional<Deposit> deposit(uint64_t index) const {
        (void)index;
        return std::nullopt;
    }
    /// Deposits `first` .. `first + count - 1`, in order: what ArbOS needs to re-execute a
    /// message with `deposit_ref {first, count, ...}`; nullopt if any of them is missing.
    std::optional<std::vector<Deposit>> deposits(uint64_t first, uint64_t count) const;
    /// Logs matching `filter`, in order; stops with an error past `max_results`.
    virtual Result<std::vector<LogEntry>, std::string> logs(const LogFilter& filter,
                                                            size_t max_results) const = 0;

    /// The state root recomputed from scratch out of the flat accounts and storage (every slot
    /// hashed, nothing taken from the tries): a consistency check for tests and `fusel2` tools,
    /// O(state size).
    virtual Result<Hash32, std::string> recompute_state_root() const = 0;

    /// Generic metadata (batch poster / validator progress, config hash).
    /// What the database holds in memory now (zeros where an implementation cannot tell).
    virtual MemoryUsage memory_usage() const { return {}; }
    /// The bytes of table files (SSTs) of each column family, by name (benchmarks and tools:
    /// where the datadir's space goes); empty where an implementation cannot tell.
    virtual std::vector<std::pair<std::string, uint64_t>> table_bytes() const { return {}; }

    virtual std::optional<Bytes> get_meta(std::string_view key) const = 0;
    virtual Result<void, std::string> put_meta(std::string_view key, ByteView value) = 0;
};

}  // namespace fuse::storage
