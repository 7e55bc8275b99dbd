#pragma once
/// The RocksDB implementation of `storage::Database` (docs/storage.md). Internal to the storage
/// library: everything else goes through `Database`.

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "state/mpt.hpp"
#include "storage/codec.hpp"
#include "storage/database.hpp"
#include "storage/node_set.hpp"

namespace fuse::storage {

/// Column families, in the order they are opened (index = handle index).
enum Cf : size_t {
    kDefault,
    kHeaders,      ///< be64(num) -> hash ‖ header RLP
    kBodies,       ///< be64(num) -> body (txs, senders, ArbOS fields)
    kReceipts,     ///< be64(num) -> receipts
    kBlockHashes,  ///< hash -> be64(num)
    kTxIndex,      ///< tx hash -> be64(num) ‖ be32(index)
    kAccounts,     ///< address -> AccountRecord
    kStorage,      ///< address ‖ be256(key) -> be256(value)
    kCode,         ///< code hash -> code
    kTrieNodes,    ///< keccak256(rlp) -> rlp (pruned below the window unless archive)
    kMessages,     ///< be64(num) -> the message block `num` was built from
    kUndo,         ///< be64(num) -> UndoRecord of block num (pruned below the window)
    kMeta,         ///< "head:*" -> be64, "meta:<key>" -> value
    kDeposits,     ///< be64(deposit index) -> the L1 deposit a committed message referenced
    kCfCount
};

/// kMeta key of the oldest block whose state a pruned database keeps (be64); absent on a
/// database never pruned.
inline constexpr const char* kPruneMarkKey = "prune:oldest-state";
/// kMeta key of the oldest of the recent blocks whose whole trie is kept (be64); absent: the
/// same as kPruneMarkKey (a datadir pruned before checkpoints kept every trie above it).
inline constexpr const char* kPruneTrieMarkKey = "prune:oldest-trie";

/// The values a run of blocks changed, as they were before the first of them (their undo
/// records merged, the oldest value of each key).
struct UndoOverlay {
    std::unordered_map<Address, std::optional<AccountRecord>, FixedBytesHasher> accounts;
    std::unordered_map<SlotKey, uint256, SlotKeyHasher> slots;
};

/// One apply_diff's effect, staged in memory until `commit` writes it.
struct Layer {
    std::unordered_map<Address, std::optional<AccountRecord>, FixedBytesHasher> accounts;
    std::unordered_set<Address, FixedBytesHasher> cleared;      ///< storage wiped first
    std::unordered_map<SlotKey, uint256, SlotKeyHasher> slots;  ///< zero = deleted
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> code;
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> nodes;
    /// Previous values (first write wins), for the block's undo record.
    std::unordered_map<Address, std::optional<AccountRecord>, FixedBytesHasher> prev_accounts;
    std::unordered_map<SlotKey, uint256, SlotKeyHasher> prev_slots;
    Hash32 root;
};

class RocksDatabase;

/// The writer's WorldState: staged layers over the flat state, the account trie in memory.
class World final : public arbos::WorldState, public state::NodeStore {
public:
    explicit World(RocksDatabase& db) : db_(db) {}

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override;
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override;
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override;
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override;
    /// On a fault nothing is staged and the tries are back at the last staged (or committed)
    /// root: the world is as before the call.
    state::ReadResult<Hash32> apply_diff(const state::StateDiff& diff) override;
    state::ReadResult<std::optional<Bytes>> get_node(const Hash32& hash) const noexcept override;

    state::ReadResult<std::optional<AccountRecord>> read_record(const Address& addr) const noexcept;
    /// Reopens the tries at `root`, the committed state's (after open or rewind); drops staged
    /// layers.
    void reset(const Hash32& root);
    /// Drops the staged layers: the tries back at the committed root.
    void discard();
    /// The layers that make up the first `count` ... until one whose root is `root`.
    std::vector<std::shared_ptr<const Layer>> staged() const;
    /// The first `count` layers are durable: the committed root becomes the last one's.
    void drop_front(size_t count);
    size_t staged_count() const;

private:
    state::ReadResult<uint256> slot_with(const Layer* cur, const Address& addr,
                                         const uint256& key) const noexcept;
    /// Every non-zero slot of `addr` before `cur` is applied (for clears/deletes).
    Result<void, state::StorageFault> collect_slots(
        const Layer* cur, const Address& addr,
        std::unordered_map<SlotKey, uint256, SlotKeyHasher>& out) const;
    state::Mpt& storage_trie(const Address& addr, const Hash32& root);
    /// apply_diff's work; on a fault the caller puts the tries back.
    state::ReadResult<Hash32> apply_layer(const state::StateDiff& diff, Layer& cur);

    /// The staged layer with sequence number `seq` (under mu_).
    const Layer& layer_at(uint64_t seq) const { return *layers_[seq - front_seq_]; }
    /// Adds / removes the keys of `l`, staged as `seq`, to / from `index_` (under mu_).
    void index_layer(const Layer& l, uint64_t seq);
    void unindex_layer(const Layer& l, uint64_t seq);

    RocksDatabase& db_;
    mutable std::shared_mutex mu_;  ///< guards layers_, front_seq_ and index_
    std::deque<std::shared_ptr<const Layer>> layers_;
    uint64_t front_seq_ = 0;  ///< the sequence number of layers_.front() (one per apply_diff)
    /// Which staged layer wrote each key last (its sequence number), so that a read looks in one
    /// layer instead of probing every staged layer newest first; a key no staged layer wrote is
    /// absent. Entries leave with their layer (drop_front) unless a newer layer wrote the key.
    struct LayerIndex {
        std::unordered_map<Address, uint64_t, FixedBytesHasher> accounts;
        std::unordered_map<Address, uint64_t, FixedBytesHasher> cleared;
        std::unordered_map<SlotKey, uint64_t, SlotKeyHasher> slots;
        std::unordered_map<Hash32, uint64_t, FixedBytesHasher> code;
        std::unordered_map<Hash32, uint64_t, FixedBytesHasher> nodes;
    } index_;
    Hash32 committed_root_ = kEmptyTrieRoot;  ///< the root of the state in RocksDB
    state::Mpt account_trie_;
    struct CachedTrie {
        Hash32 root;
        state::Mpt trie;
    };
    std::unordered_map<Address, CachedTrie, FixedBytesHasher> storage_tries_;
    size_t applied_ = 0;
    size_t updates_since_trim_ = 0;
    std::vector<state::TrieNode> scratch_nodes_;
};

class RocksDatabase final : public Database {
public:
    RocksDatabase(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> cfs,
                  const Options& options, std::shared_ptr<rocksdb::Cache> block_cache = nullptr);
    ~RocksDatabase() override;

    arbos::WorldState& world() override { return world_; }
    std::unique_ptr<state::StateReader> latest_state() const override;
    std::unique_ptr<state::StateReader> state_at(const Hash32& state_root) const override;
    std::unique_ptr<state::StateReader> state_at_block(uint64_t number) const override;
    bool trie_kept(uint64_t number) const override;
    const state::NodeStore* trie_nodes() const override { return nodes_.get(); }

    Result<void, std::string> commit(std::span<const BlockCommit> blocks) override;
    Result<void, std::string> set_head(Head head, uint64_t number) override;
    Result<void, std::string> rewind_to(uint64_t number) override;
    void discard_staged() override;

    std::optional<uint64_t> head(Head head) const override;
    std::optional<arbos::Block> block_by_number(uint64_t number) const override;
    std::optional<arbos::Block> block_by_hash(const Hash32& hash) const override;
    std::optional<BlockHeader> header_by_number(uint64_t number) const override;
    std::optional<Hash32> block_hash(uint64_t number) const override;
    std::optional<TxLocation> tx_location(const Hash32& tx_hash) const override;
    std::optional<arbos::Message> message(uint64_t number) const override;
    std::optional<Deposit> deposit(uint64_t index) const override;
    Result<std::vector<LogEntry>, std::string> logs(const LogFilter& filter,
                                                    size_t max_results) const override;
    Result<Hash32, std::string> recompute_state_root() const override;
    MemoryUsage memory_usage() const override;
    std::vector<std::pair<std::string, uint64_t>> table_bytes() const override;
    std::optional<Bytes> get_meta(std::string_view key) const override;
    Result<void, std::string> put_meta(std::string_view key, ByteView value) override;
    uint64_t oldest_state_block() const override {
        return oldest_state_.load(std::memory_order_acquire);
    }
    Result<PruneStatus, std::string> prune_now() override;
    PruneStatus prune_status() const override;
    Result<void, std::string> compact() override;

    /// Raw point read; nullopt when absent, or RocksDB's failure (never throws): the state
    /// readers' and the writes' reads.
    state::ReadResult<std::optional<std::string>> read(
        Cf cf, ByteView key, const rocksdb::Snapshot* snap = nullptr) const noexcept;
    /// Point read into a pinned slice (no copy); false when absent, or RocksDB's failure.
    state::ReadResult<bool> read_pinned(Cf cf, ByteView key, rocksdb::PinnableSlice& out,
                                        const rocksdb::Snapshot* snap = nullptr) const noexcept;
    /// `read` for the block/receipt/meta reads: throws ReadError on a failure.
    std::optional<std::string> get(Cf cf, ByteView key,
                                   const rocksdb::Snapshot* snap = nullptr) const;
    rocksdb::DB& db() const { return *db_; }
    rocksdb::ColumnFamilyHandle* cf(Cf c) const { return cfs_[c]; }

private:
    Result<void, std::string> write(rocksdb::WriteBatch& batch);
    /// The constructor's reads: the head's root, the pruned-below mark (throws when unusable).
    void init();
    std::optional<Hash32> state_root_of(uint64_t number) const;
    Result<void, std::string> commit_locked(std::span<const BlockCommit> blocks);
    /// The undo records of blocks (from, to] merged: the values as they were after `from`.
    /// Throws ReadError when one is missing or corrupt.
    UndoOverlay undo_between(uint64_t from, uint64_t to) const;
    /// Stages (world_) block `number`'s state rebuilt from the next kept trie above it and
    /// the undo records in between; an error when its root is not `expected_root`. Either way
    /// world_ is left at that trie: the caller resets it.
    Result<void, std::string> rebuild_state(uint64_t number, uint64_t latest,
                                            const Hash32& expected_root);
    Result<void, std::string> rewind_locked(uint64_t number);
    /// Every how many blocks a trie is kept below the recent ones (1: every block's).
    uint64_t checkpoint_stride() const { return std::max<uint64_t>(options_.prune_checkpoint, 1); }
    /// A block below the recent tries whose trie the last cycle kept (a checkpoint).
    bool is_checkpoint(uint64_t number) const { return number % checkpoint_stride() == 0; }
    /// The next block above `number` whose trie is kept whole (the next checkpoint, or the
    /// oldest recent one if lower): what reads and rebuilds between checkpoints start from.
    uint64_t next_kept_trie(uint64_t number) const {
        const uint64_t stride = checkpoint_stride();
        return std::min((number / stride + 1) * stride,
                        oldest_trie_.load(std::memory_order_acquire));
    }
    /// One mark-and-sweep cycle (prune.cpp); `prune_mu_` held.
    Result<PruneStatus, std::string> prune_cycle();
    void pruner_loop();
    void stop_pruner();

    std::unique_ptr<rocksdb::DB> db_;
    std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
    Options options_;
    std::shared_ptr<rocksdb::Cache> block_cache_;
    World world_;
    std::unique_ptr<state::NodeStore> nodes_;  ///< committed trie nodes (trie_nodes)
    std::mutex write_mu_;  ///< one writer at a time (commit, rewind, heads, meta)

    // ---- pruning (prune.cpp, docs/storage.md "Pruning")
    std::atomic<uint64_t> oldest_state_{0};  ///< written under write_mu_
    /// The oldest block of the recent ones whose whole trie is kept (every block from it up
    /// is whole); below it down to oldest_state_ only checkpoints are. Written under write_mu_.
    std::atomic<uint64_t> oldest_trie_{0};
    // Under write_mu_: whether a cycle is between its snapshot and its last delete, the node
    // hashes committed meanwhile (never deleted by that cycle), and what was written since the
    // last cycle (the trigger).
    bool cycle_active_ = false;
    NodeSet written_;
    uint64_t blocks_since_prune_ = 0;
    uint64_t nodes_since_prune_ = 0;
    uint64_t prune_node_trigger_ = 0;  ///< set by each cycle: max(min_nodes, marked)
    std::mutex prune_mu_;              ///< one cycle at a time
    mutable std::mutex status_mu_;
    PruneStatus status_;  ///< under status_mu_
    std::mutex wake_mu_;
    std::condition_variable wake_cv_;
    bool wake_ = false, stop_ = false;   ///< under wake_mu_
    bool overdue_ = false;               ///< under wake_mu_: twice the trigger written, no pause
    std::atomic<bool> stopping_{false};  ///< a running cycle gives up (the destructor)
    std::thread pruner_;                 ///< started last, stopped first

    // ---- reads between checkpoints (state_at_block): the last few merged undo records,
    // keyed by the block read and the hash of the kept block above it (which names every
    // block in between, so a rewind and other blocks never hit a stale entry).
    struct CachedOverlay {
        uint64_t number;
        Hash32 anchor_hash;
        std::shared_ptr<const UndoOverlay> overlay;
    };
    static constexpr size_t kOverlayCache = 4;
    mutable std::mutex overlay_mu_;
    mutable std::deque<CachedOverlay> overlays_;  ///< most recently used first
};

/// A reader of the flat state at a RocksDB snapshot (latest_state).
std::unique_ptr<state::StateReader> make_snapshot_reader(const RocksDatabase& db);
/// A reader through the tries at `root` (state_at), their nodes read from `nodes` (the
/// writer's world: staged nodes first) or, when null, the committed ones.
std::unique_ptr<state::StateReader> make_trie_reader(const RocksDatabase& db, const Hash32& root,
                                                     const state::NodeStore* nodes = nullptr);
/// `base` with `overlay` on top (state_at_block below the recent tries).
std::unique_ptr<state::StateReader> make_undo_overlay_reader(
    std::unique_ptr<state::StateReader> base, std::shared_ptr<const UndoOverlay> overlay);
/// The committed trie nodes of `db` (trie_nodes).
std::unique_ptr<state::NodeStore> make_node_store(const RocksDatabase& db);

inline rocksdb::Slice slice(ByteView v) {
    return {reinterpret_cast<const char*>(v.data()), v.size()};
}
inline ByteView view(const rocksdb::Slice& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline ByteView view(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace fuse::storage
