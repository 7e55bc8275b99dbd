#include "storage/rocks_database.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/table_properties_collectors.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "core/hex.hpp"

namespace fuse::storage {

namespace {

constexpr const char* kCfNames[kCfCount] = {
    "default", "headers", "bodies",     "receipts", "block_hashes", "tx_index", "accounts",
    "storage", "code",    "trie_nodes", "messages", "undo",         "meta",     "deposits",
};

const char* head_key(Head h) {
    switch (h) {
        case Head::kLatest:
            return "head:latest";
        case Head::kSafe:
            return "head:safe";
        case Head::kFinalized:
            return "head:finalized";
    }
    return "head:?";
}

std::string meta_key(std::string_view key) {
    return "meta:" + std::string(key);
}

rocksdb::Slice str_slice(const std::string& s) {
    return {s.data(), s.size()};
}

/// RocksDB counts every key comparison, memtable insert and read into its thread-local
/// PerfContext unless the thread's perf level says not to (its default is kEnableCount).
/// Nothing here reads those counters; in the shared library each count is a call through
/// __tls_get_addr (~3% of a validator's catch-up). Off once per thread that writes or reads.
void no_perf_counters() {
    thread_local bool off = false;
    if (off) return;
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
    off = true;
}

}  // namespace

Result<std::unique_ptr<Database>, std::string> Database::open(const Options& options) {
    rocksdb::Options o;
    if (options.env != nullptr) o.env = options.env;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    o.max_background_jobs = 2;
    // Memory stays bounded under a steady load however large the database grows
    // (docs/storage.md "Memory"): all memtables together under one budget, and the SST files'
    // index and filter blocks in the block cache (L0's pinned there) instead of beside it.
    o.write_buffer_manager =
        std::make_shared<rocksdb::WriteBufferManager>(options.write_buffer_mb << 20);
    rocksdb::BlockBasedTableOptions t;
    if (options.block_cache_mb == 0) {
        t.no_block_cache = true;  // tests: every read reaches the files (fault injection)
    } else {
        t.block_cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
        t.cache_index_and_filter_blocks = true;
        t.cache_index_and_filter_blocks_with_high_priority = true;
        t.pin_l0_filter_and_index_blocks_in_cache = true;
    }
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    rocksdb::ColumnFamilyOptions cfo(o);
    cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    // Each column family's active memtable holds at least one arena block whatever the budget
    // above; 256 KiB (instead of 1 MiB) keeps the 14 families' floor near 4 MiB.
    cfo.arena_block_size = 256 << 10;
    // Compression (docs/storage.md "Compression"): zstd for the families that hold blocks,
    // receipts, messages and undo records (RLP with long runs of zeros, repeated addresses
    // and topics; in 16 KiB blocks so that neighbouring records share a dictionary), none for
    // the families keyed and filled with hashes, which do not compress.
    rocksdb::ColumnFamilyOptions zstd_cfo = cfo;
    zstd_cfo.compression = rocksdb::kZSTD;
    zstd_cfo.bottommost_compression = rocksdb::kZSTD;
    rocksdb::BlockBasedTableOptions zt = t;
    zt.block_size = 16 << 10;
    zstd_cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(zt));
    rocksdb::ColumnFamilyOptions plain_cfo = cfo;
    plain_cfo.compression = rocksdb::kNoCompression;
    // The pruner deletes trie nodes in bulk: a table file whose entries are mostly deletes is
    // compacted soon, so the space comes back without waiting for the level to fill.
    rocksdb::ColumnFamilyOptions trie_cfo = plain_cfo;
    trie_cfo.table_properties_collector_factories.push_back(
        rocksdb::NewCompactOnDeletionCollectorFactory(16384, 8192, 0.3));
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (size_t c = 0; c < kCfCount; ++c) {
        switch (c) {
            case kHeaders:
            case kBodies:
            case kReceipts:
            case kMessages:
            case kUndo:
            case kDeposits:
                descs.emplace_back(kCfNames[c], zstd_cfo);
                break;
            case kTrieNodes:
                descs.emplace_back(kCfNames[c], trie_cfo);
                break;
            case kBlockHashes:
            case kTxIndex:
                descs.emplace_back(kCfNames[c], plain_cfo);
                break;
            default:
                descs.emplace_back(kCfNames[c], cfo);
        }
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        rocksdb::DB::Open(rocksdb::DBOptions(o), options.path, descs, &handles, &raw);
    if (!s.ok())
        return Unexpected{"cannot open the database at " + options.path + ": " + s.ToString()};
    try {
        return std::unique_ptr<Database>(new RocksDatabase(
            std::unique_ptr<rocksdb::DB>(raw), std::move(handles), options, t.block_cache));
    } catch (const std::exception& e) {
        return Unexpected{"cannot open the database at " + options.path + ": " + e.what()};
    }
}

RocksDatabase::RocksDatabase(std::unique_ptr<rocksdb::DB> db,
                             std::vector<rocksdb::ColumnFamilyHandle*> cfs, const Options& options,
                             std::shared_ptr<rocksdb::Cache> block_cache)
    : db_(std::move(db)),
      cfs_(std::move(cfs)),
      options_(options),
      block_cache_(std::move(block_cache)),
      world_(*this),
      nodes_(make_node_store(*this)) {
    try {
        init();
    } catch (...) {
        for (auto* h : cfs_)
            db_->DestroyColumnFamilyHandle(h);
        cfs_.clear();
        throw;
    }
    if (!options_.archive && options_.prune_interval > 0)
        pruner_ = std::thread([this] { pruner_loop(); });
}

void RocksDatabase::init() {
    Hash32 root = kEmptyTrieRoot;
    if (auto latest = head(Head::kLatest)) {
        auto r = state_root_of(*latest);
        if (!r) throw std::runtime_error("head block " + std::to_string(*latest) + " is missing");
        root = *r;
    }
    world_.reset(root);
    // The pruned-below mark (prune.cpp): an archive node needs every state, which a pruned
    // datadir no longer has.
    if (auto mark = get(kMeta, view(std::string(kPruneMarkKey)))) {
        if (mark->size() != 8) throw std::runtime_error("malformed " + std::string(kPruneMarkKey));
        const uint64_t oldest = read_be64(view(*mark).data());
        if (options_.archive)
            throw std::runtime_error(
                "this datadir was pruned (it keeps the state of blocks " + std::to_string(oldest) +
                " and later only), so it cannot serve as an archive node (db.archive = true / "
                "--db-archive): start the archive node on an empty datadir and let it sync, or "
                "run this one without db.archive");
        oldest_state_.store(oldest, std::memory_order_release);
        uint64_t trie = oldest;
        if (auto t = get(kMeta, view(std::string(kPruneTrieMarkKey)))) {
            if (t->size() != 8)
                throw std::runtime_error("malformed " + std::string(kPruneTrieMarkKey));
            trie = std::max(oldest, read_be64(view(*t).data()));
        }
        oldest_trie_.store(trie, std::memory_order_release);
    }
    status_.archive = options_.archive;
    status_.oldest_state = oldest_state_.load();
    status_.oldest_trie = oldest_trie_.load();
    status_.checkpoint = checkpoint_stride();
    prune_node_trigger_ = options_.prune_min_nodes;
}

RocksDatabase::~RocksDatabase() {
    stop_pruner();
    for (auto* h : cfs_)
        db_->DestroyColumnFamilyHandle(h);
    cfs_.clear();
    db_.reset();
}

state::ReadResult<std::optional<std::string>> RocksDatabase::read(
    Cf c, ByteView key, const rocksdb::Snapshot* snap) const noexcept {
    no_perf_counters();
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    std::string v;
    rocksdb::Status s = db_->Get(ro, cfs_[c], slice(key), &v);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return Unexpected{state::read_failed(s.ToString())};
    return std::optional<std::string>{std::move(v)};
}

state::ReadResult<bool> RocksDatabase::read_pinned(Cf c, ByteView key, rocksdb::PinnableSlice& out,
                                                   const rocksdb::Snapshot* snap) const noexcept {
    no_perf_counters();
    rocksdb::ReadOptions ro;
    ro.snapshot = snap;
    out.Reset();
    rocksdb::Status s = db_->Get(ro, cfs_[c], slice(key), &out);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return Unexpected{state::read_failed(s.ToString())};
    return true;
}

std::optional<std::string> RocksDatabase::get(Cf c, ByteView key,
                                              const rocksdb::Snapshot* snap) const {
    auto v = read(c, key, snap);
    if (!v) throw ReadError(state::to_string(v.error()));
    return std::move(*v);
}

Result<void, std::string> RocksDatabase::write(rocksdb::WriteBatch& batch) {
    no_perf_counters();
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    rocksdb::Status s = db_->Write(wo, &batch);
    if (!s.ok()) return Unexpected{"database write failed: " + s.ToString()};
    return {};
}

std::optional<Hash32> RocksDatabase::state_root_of(uint64_t number) const {
    auto h = header_by_number(number);
    if (!h) return std::nullopt;
    return h->state_root;
}

std::unique_ptr<state::StateReader> RocksDatabase::latest_state() const {
    return make_snapshot_reader(*this);
}

std::unique_ptr<state::StateReader> RocksDatabase::state_at(const Hash32& state_root) const {
    return make_trie_reader(*this, state_root);
}

std::unique_ptr<state::StateReader> Database::state_at_block(uint64_t number) const {
    if (number < oldest_state_block()) return nullptr;
    auto header = header_by_number(number);
    return header ? state_at(header->state_root) : nullptr;
}

bool RocksDatabase::trie_kept(uint64_t number) const {
    if (options_.archive) return true;
    const uint64_t oldest = oldest_state_.load(std::memory_order_acquire);
    return number >= oldest_trie_.load(std::memory_order_acquire) ||
           (number >= oldest && is_checkpoint(number));
}

std::unique_ptr<state::StateReader> RocksDatabase::state_at_block(uint64_t number) const {
    const uint64_t oldest = oldest_state_.load(std::memory_order_acquire);
    if (number < oldest) return nullptr;
    auto header = header_by_number(number);
    if (!header) return nullptr;
    if (trie_kept(number)) return state_at(header->state_root);
    // Between two kept tries: the next one above, and the undo records in between.
    const uint64_t anchor = next_kept_trie(number);
    auto anchor_header = header_by_number(anchor);
    const auto anchor_hash = block_hash(anchor);
    if (!anchor_header || !anchor_hash) return nullptr;  // rewound meanwhile
    std::shared_ptr<const UndoOverlay> overlay;
    {
        std::lock_guard lock(overlay_mu_);
        for (auto it = overlays_.begin(); it != overlays_.end(); ++it) {
            if (it->number != number || it->anchor_hash != *anchor_hash) continue;
            overlay = it->overlay;
            if (it != overlays_.begin()) {
                CachedOverlay hit = std::move(*it);
                overlays_.erase(it);
                overlays_.push_front(std::move(hit));
            }
            break;
        }
    }
    if (!overlay) {
        // Merged outside the lock (tens of ms under burst load); when two readers of one
        // block both merge it, the first to finish is cached.
        overlay = std::make_shared<const UndoOverlay>(undo_between(number, anchor));
        std::lock_guard lock(overlay_mu_);
        const bool cached = std::any_of(overlays_.begin(), overlays_.end(), [&](const auto& e) {
            return e.number == number && e.anchor_hash == *anchor_hash;
        });
        if (!cached) {
            overlays_.push_front({number, *anchor_hash, overlay});
            if (overlays_.size() > kOverlayCache) overlays_.pop_back();
        }
    }
    return make_undo_overlay_reader(state_at(anchor_header->state_root), std::move(overlay));
}

UndoOverlay RocksDatabase::undo_between(uint64_t from, uint64_t to) const {
    UndoOverlay o;
    for (uint64_t n = to; n > from; --n) {  // the oldest value of a key wins: it goes last
        const auto nk = number_key(n);
        auto raw = get(kUndo, ByteView(nk.data(), nk.size()));
        auto undo = raw ? decode_undo(view(*raw)) : std::nullopt;
        if (!undo)
            throw ReadError("undo record of block " + std::to_string(n) +
                            (raw ? " does not decode" : " is missing"));
        for (auto& [addr, rec] : undo->accounts)
            o.accounts.insert_or_assign(addr, std::move(rec));
        for (const auto& [k, v] : undo->slots)
            o.slots.insert_or_assign(k, v);
    }
    return o;
}

namespace {

/// The flat-state writes of the staged layers one commit takes, coalesced (docs/storage.md
/// "Staging and commit protocol"): the flat state holds only the current state, so a key that
/// several blocks of the commit wrote needs only its last value (the undo records keep every
/// block's previous values). Written as one WriteBatch, the result is the same as writing each
/// layer in order: the storage of every address some layer wiped is range-deleted first, then
/// only the slots written at or after the address's last wipe are put (a layer's own slots of
/// an address it wipes are written after the wipe, apply_layer drops the earlier ones).
class FlatWrites {
public:
    void add(const Layer& l) {
        const auto n = static_cast<uint32_t>(count_++);
        for (const Address& a : l.cleared)
            cleared_[a] = n;
        for (const auto& [addr, rec] : l.accounts)
            accounts_[addr] = &rec;
        for (const auto& [k, v] : l.slots)
            slots_[k] = {&v, n};
        for (const auto& [h, c] : l.code)
            code_[h] = &c;
    }

    /// Appends the writes to `batch`, each family's keys in ascending order (the memtable's
    /// skiplist inserts then reuse the previous insert's position).
    void write(const RocksDatabase& db, rocksdb::WriteBatch& batch) const {
        for (const auto& [a, _] : sorted(cleared_)) {
            Bytes end(a->view().begin(), a->view().end());
            end.resize(20 + 33, 0xff);
            end.back() = 0x00;  // sorts after every address ‖ key of 52 bytes
            batch.DeleteRange(db.cf(kStorage), slice(a->view()), slice(end));
        }
        for (const auto& [addr, rec] : sorted(accounts_)) {
            if (**rec)
                batch.Put(db.cf(kAccounts), slice(addr->view()),
                          slice(encode_account_record(***rec)));
            else
                batch.Delete(db.cf(kAccounts), slice(addr->view()));
        }
        uint8_t buf[32];
        for (const auto& [k, w] : sorted(slots_)) {
            Address a;
            std::memcpy(a.data(), k->data(), 20);
            if (auto c = cleared_.find(a); c != cleared_.end() && c->second > w->layer) continue;
            if (w->value->is_zero()) {
                batch.Delete(db.cf(kStorage), slice(k->view()));
            } else {
                w->value->to_be(buf);
                batch.Put(db.cf(kStorage), slice(k->view()), slice(ByteView(buf, 32)));
            }
        }
        for (const auto& [h, code] : sorted(code_))
            batch.Put(db.cf(kCode), slice(h->view()), slice(**code));
    }

private:
    struct SlotWrite {
        const uint256* value;
        uint32_t layer;  ///< the index (in add order) of the layer that wrote it last
    };
    template <class Map>
    static std::vector<std::pair<const typename Map::key_type*, const typename Map::mapped_type*>>
    sorted(const Map& m) {
        std::vector<std::pair<const typename Map::key_type*, const typename Map::mapped_type*>> v;
        v.reserve(m.size());
        for (const auto& [k, x] : m)
            v.emplace_back(&k, &x);
        std::sort(v.begin(), v.end(),
                  [](const auto& a, const auto& b) { return *a.first < *b.first; });
        return v;
    }

    size_t count_ = 0;
    std::unordered_map<Address, uint32_t, FixedBytesHasher> cleared_;  ///< -> last wipe's layer
    std::unordered_map<Address, const std::optional<AccountRecord>*, FixedBytesHasher> accounts_;
    std::unordered_map<SlotKey, SlotWrite, SlotKeyHasher> slots_;
    std::unordered_map<Hash32, const Bytes*, FixedBytesHasher> code_;
};

using NodeRef = std::pair<const Hash32*, const Bytes*>;

/// Trie nodes are content-addressed, so their order does not matter: written sorted, the
/// memtable's skiplist inserts reuse the previous insert's position (perf: skiplist search
/// 18% -> 12% of the 100-transfer commit bench).
void write_nodes(const RocksDatabase& db, std::vector<NodeRef>& nodes, rocksdb::WriteBatch& batch) {
    std::sort(nodes.begin(), nodes.end(),
              [](const NodeRef& a, const NodeRef& b) { return *a.first < *b.first; });
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (i > 0 && *nodes[i].first == *nodes[i - 1].first) continue;
        batch.Put(db.cf(kTrieNodes), slice(nodes[i].first->view()), slice(*nodes[i].second));
    }
}

}  // namespace

Result<void, std::string> RocksDatabase::commit(std::span<const BlockCommit> blocks) {
    std::lock_guard guard(write_mu_);
    // The checks read the latest block: a read failure fails the commit, nothing written.
    try {
        return commit_locked(blocks);
    } catch (const ReadError& e) {
        return Unexpected{std::string("commit: ") + e.what()};
    }
}

Result<void, std::string> RocksDatabase::commit_locked(std::span<const BlockCommit> blocks) {
    const auto latest = head(Head::kLatest);
    uint64_t expect = latest ? *latest + 1 : 0;
    Hash32 parent;
    if (latest) parent = block_hash(*latest).value_or(Hash32{});
    auto staged = world_.staged();
    size_t used = 0;
    rocksdb::WriteBatch batch;
    std::vector<NodeRef> nodes;
    FlatWrites flat;
    // Content-addressed or keyed by hash, so written sorted after the loop (see write_nodes).
    std::vector<std::pair<const Hash32*, Bytes>> tx_index;
    for (const BlockCommit& bc : blocks) {
        if (bc.block == nullptr) return Unexpected{std::string("commit: null block")};
        const arbos::Block& b = *bc.block;
        const uint64_t num = b.header.number;
        if (num != expect)
            return Unexpected{"block " + std::to_string(num) +
                              " does not follow the latest block (" +
                              (latest || expect > 0 ? std::to_string(expect - 1) : "none") + ")"};
        if (num > 0 && b.header.parent_hash != parent)
            return Unexpected{"block " + std::to_string(num) + ": parent hash " +
                              to_hex(b.header.parent_hash) + " is not block " +
                              std::to_string(num - 1) + "'s hash " + to_hex(parent)};
        auto hh = header_hash(b.header);
        if (!hh || *hh != b.hash)
            return Unexpected{"block " + std::to_string(num) + ": hash does not match its header"};
        if (used == staged.size() && bc.diff != nullptr) {  // not staged through world() yet
            if (auto r = world_.apply_diff(*bc.diff); !r)
                return Unexpected{"block " + std::to_string(num) + ": " +
                                  state::to_string(r.error())};
            staged = world_.staged();
        }
        // The staged layers up to the one that produced this block's state root.
        std::unordered_map<Address, std::optional<AccountRecord>, FixedBytesHasher> prev_acc;
        std::unordered_map<SlotKey, uint256, SlotKeyHasher> prev_slots;
        bool found = false;
        while (used < staged.size() && !found) {
            const Layer& l = *staged[used++];
            for (const auto& [a, r] : l.prev_accounts)
                prev_acc.try_emplace(a, r);
            for (const auto& [k, v] : l.prev_slots)
                prev_slots.try_emplace(k, v);
            flat.add(l);
            for (const auto& [h, rlp_bytes] : l.nodes)
                nodes.emplace_back(&h, &rlp_bytes);
            found = l.root == b.header.state_root;
        }
        if (!found)
            return Unexpected{"block " + std::to_string(num) + ": state root " +
                              to_hex(b.header.state_root) +
                              " was not produced by world().apply_diff (nothing staged matches)"};
        UndoRecord undo;
        undo.accounts.assign(prev_acc.begin(), prev_acc.end());
        undo.slots.assign(prev_slots.begin(), prev_slots.end());
        const auto nk = number_key(num);
        const ByteView nkv(nk.data(), nk.size());
        auto header_rlp = encode_header(b.header);
        Bytes hv(b.hash.view().begin(), b.hash.view().end());
        hv.insert(hv.end(), header_rlp->begin(), header_rlp->end());
        batch.Put(cf(kHeaders), slice(nkv), slice(hv));
        batch.Put(cf(kBodies), slice(nkv), slice(encode_body(b)));
        batch.Put(cf(kReceipts), slice(nkv), slice(encode_receipts(b)));
        batch.Put(cf(kBlockHashes), slice(b.hash.view()), slice(nkv));
        for (size_t i = 0; i < b.txs.size(); ++i)
            tx_index.emplace_back(&b.txs[i].hash,
                                  encode_tx_location(num, static_cast<uint32_t>(i)));
        if (bc.message != nullptr)
            batch.Put(cf(kMessages), slice(nkv), slice(encode_message(*bc.message, &b)));
        for (const Deposit& d : bc.deposits) {
            const auto ik = number_key(d.index);
            batch.Put(cf(kDeposits), slice(ByteView(ik.data(), ik.size())),
                      slice(encode_deposit(d)));
        }
        batch.Put(cf(kUndo), slice(nkv), slice(encode_undo(undo)));
        parent = b.hash;
        ++expect;
    }
    if (blocks.empty()) return {};
    flat.write(*this, batch);
    write_nodes(*this, nodes, batch);
    std::stable_sort(tx_index.begin(), tx_index.end(),
                     [](const auto& a, const auto& b) { return *a.first < *b.first; });
    for (const auto& [h, loc] : tx_index)
        batch.Put(cf(kTxIndex), slice(h->view()), slice(loc));
    const auto last_key = number_key(expect - 1);
    batch.Put(cf(kMeta), head_key(Head::kLatest),
              slice(ByteView(last_key.data(), last_key.size())));
    if (auto w = write(batch); !w) return w;
    world_.drop_front(used);
    if (options_.archive) return {};
    // A cycle running now must not delete what this commit wrote (prune.cpp).
    if (cycle_active_)
        for (const NodeRef& n : nodes)
            written_.insert(*n.first);
    blocks_since_prune_ += blocks.size();
    nodes_since_prune_ += nodes.size();
    if (options_.prune_interval > 0 && (blocks_since_prune_ >= options_.prune_interval ||
                                        nodes_since_prune_ >= prune_node_trigger_)) {
        std::lock_guard lock(wake_mu_);
        wake_ = true;
        // Garbage piling up faster than paced cycles delete it: the pause ends now.
        if (nodes_since_prune_ >= 2 * prune_node_trigger_) overdue_ = true;
        wake_cv_.notify_one();
    }
    return {};
}

Result<void, std::string> RocksDatabase::set_head(Head h, uint64_t number) {
    std::lock_guard guard(write_mu_);
    const auto nk_check = number_key(number);
    auto exists = read(kHeaders, ByteView(nk_check.data(), nk_check.size()));
    if (!exists)
        return Unexpected{"cannot set a head to block " + std::to_string(number) + ": " +
                          state::to_string(exists.error())};
    if (!exists->has_value())
        return Unexpected{"cannot set a head to block " + std::to_string(number) +
                          ": no such block"};
    const auto nk = number_key(number);
    rocksdb::WriteBatch batch;
    batch.Put(cf(kMeta), head_key(h), slice(ByteView(nk.data(), nk.size())));
    return write(batch);
}

void RocksDatabase::discard_staged() {
    std::lock_guard guard(write_mu_);
    world_.discard();  // no read: the world knows the committed root
}

Result<void, std::string> RocksDatabase::rewind_to(uint64_t number) {
    std::lock_guard guard(write_mu_);
    try {
        return rewind_locked(number);
    } catch (const ReadError& e) {
        return Unexpected{"cannot rewind: " + std::string(e.what())};
    }
}

Result<void, std::string> RocksDatabase::rewind_locked(uint64_t number) {
    const auto latest = head(Head::kLatest);
    if (!latest || number > *latest)
        return Unexpected{"cannot rewind to block " + std::to_string(number) +
                          ": it is above the latest block"};
    if (world_.staged_count() != 0)
        return Unexpected{std::string("cannot rewind while blocks are staged but not committed")};
    if (const uint64_t oldest = oldest_state_.load(); number < oldest)
        return Unexpected{"cannot rewind to block " + std::to_string(number) +
                          ": its state and the undo records above it are pruned (this node keeps "
                          "state from block " +
                          std::to_string(oldest) + "; an archive node keeps all)"};
    auto root = state_root_of(number);
    if (!root) return Unexpected{"cannot rewind: block " + std::to_string(number) + " is missing"};
    const auto latest_root = state_root_of(*latest);
    if (!latest_root)
        return Unexpected{"cannot rewind: block " + std::to_string(*latest) + " is missing"};
    // From here the writer's trie may be moved (a rebuild): unless the rewind completes, it
    // goes back to the latest state, whatever returns or throws.
    struct BackToLatest {
        World& world;
        const Hash32& root;
        bool done = false;
        ~BackToLatest() {
            if (!done) world.reset(root);
        }
    } back{world_, *latest_root};
    rocksdb::WriteBatch batch;
    // Below the recent tries (and not a checkpoint) the state's trie is not stored whole: the
    // undo records, applied to the next kept trie above it, rebuild it (and its root must be
    // the block's).
    const bool rebuild = !trie_kept(number);
    std::vector<NodeRef> rebuilt;
    if (rebuild) {
        if (auto r = rebuild_state(number, *latest, *root); !r) return r;
        for (const auto& layer : world_.staged())
            for (const auto& [h, rlp_bytes] : layer->nodes)
                rebuilt.emplace_back(&h, &rlp_bytes);
        write_nodes(*this, rebuilt, batch);
    }
    // Every block from `number` up has its whole trie now (rebuilt, or a kept checkpoint, and
    // the blocks above it are dropped).
    const bool lower_trie = !options_.archive && number < oldest_trie_.load();
    if (lower_trie) {
        const auto tk = number_key(number);
        batch.Put(cf(kMeta), rocksdb::Slice(kPruneTrieMarkKey),
                  slice(ByteView(tk.data(), tk.size())));
    }
    for (uint64_t n = *latest; n > number; --n) {
        const auto nk = number_key(n);
        const ByteView nkv(nk.data(), nk.size());
        auto undo_raw = get(kUndo, nkv);
        auto undo = undo_raw ? decode_undo(view(*undo_raw)) : std::nullopt;
        if (!undo) {
            return Unexpected{"cannot rewind: undo record of block " + std::to_string(n) +
                              " is missing or corrupt"};
        }
        for (const auto& [addr, rec] : undo->accounts) {
            if (rec)
                batch.Put(cf(kAccounts), slice(addr.view()), slice(encode_account_record(*rec)));
            else
                batch.Delete(cf(kAccounts), slice(addr.view()));
        }
        uint8_t buf[32];
        for (const auto& [k, v] : undo->slots) {
            if (v.is_zero()) {
                batch.Delete(cf(kStorage), slice(k.view()));
            } else {
                v.to_be(buf);
                batch.Put(cf(kStorage), slice(k.view()), slice(ByteView(buf, 32)));
            }
        }
        if (auto blk = block_by_number(n)) {
            for (const auto& tx : blk->txs)
                batch.Delete(cf(kTxIndex), slice(tx.hash.view()));
            batch.Delete(cf(kBlockHashes), slice(blk->hash.view()));
        }
        for (Cf c : {kHeaders, kBodies, kReceipts, kMessages, kUndo})
            batch.Delete(cf(c), slice(nkv));
    }
    const auto nk = number_key(number);
    const ByteView nkv(nk.data(), nk.size());
    batch.Put(cf(kMeta), head_key(Head::kLatest), slice(nkv));
    for (Head h : {Head::kSafe, Head::kFinalized}) {
        auto cur = head(h);
        if (cur && *cur > number) batch.Put(cf(kMeta), head_key(h), slice(nkv));
    }
    // Deposits at or above block `number`'s next deposit index belong to dropped blocks; a
    // re-sequenced chain may bring other contents for them (after an L1 reorg).
    // (A rebuilt state's nodes are staged, not written yet: read through the writer's.)
    const auto sys = arbos::read_system_state(*make_trie_reader(
        *this, *root, rebuild ? static_cast<const state::NodeStore*>(&world_) : nullptr));
    if (!sys) {
        return Unexpected{"cannot rewind: the state of block " + std::to_string(number) + ": " +
                          state::to_string(sys.error())};
    }
    const uint64_t next = sys->next_deposit_index;
    const auto nk_first = number_key(next), nk_max = number_key(UINT64_MAX);
    batch.DeleteRange(cf(kDeposits), slice(ByteView(nk_first.data(), nk_first.size())),
                      slice(ByteView(nk_max.data(), nk_max.size())));
    batch.Delete(cf(kDeposits), slice(ByteView(nk_max.data(), nk_max.size())));
    if (auto w = write(batch); !w) return w;
    if (lower_trie) oldest_trie_.store(number, std::memory_order_release);
    if (cycle_active_)  // a running cycle keeps what a rebuild wrote
        for (const NodeRef& n : rebuilt)
            written_.insert(*n.first);
    world_.reset(*root);  // drops the rebuilt layer (`rebuilt` points into it)
    back.done = true;
    return {};
}

Result<void, std::string> RocksDatabase::rebuild_state(uint64_t number, uint64_t latest,
                                                       const Hash32& expected_root) {
    // The next kept trie above `number`: a checkpoint or the oldest recent one, at most
    // `prune_checkpoint` blocks up, so a rebuild costs that many blocks' undo records whatever
    // the depth of the rewind.
    const uint64_t anchor = std::min(next_kept_trie(number), latest);
    const auto anchor_root = state_root_of(anchor);
    if (!anchor_root)
        return Unexpected{"cannot rewind: block " + std::to_string(anchor) + " is missing"};
    UndoOverlay o;
    try {
        o = undo_between(number, anchor);
    } catch (const ReadError& e) {
        return Unexpected{"cannot rewind: " + std::string(e.what())};
    }
    world_.reset(*anchor_root);
    // One diff: block `anchor`'s state back to block `number`'s, every account with its slots.
    std::unordered_map<Address, size_t, FixedBytesHasher> index;
    state::StateDiff diff;
    auto update_of = [&](const Address& a) -> state::AccountUpdate& {
        auto [it, added] = index.try_emplace(a, diff.accounts.size());
        if (added) diff.accounts.push_back(state::AccountUpdate{a, std::nullopt, false, {}, {}});
        return diff.accounts[it->second];
    };
    for (const auto& [addr, rec] : o.accounts)
        update_of(addr).account = rec ? std::optional<state::Account>(rec->account) : std::nullopt;
    std::unique_ptr<state::StateReader> at_anchor;
    for (const auto& [k, v] : o.slots) {
        Address a;
        std::memcpy(a.data(), k.data(), 20);
        if (!o.accounts.contains(a)) {  // not expected (a slot change changes its account)
            if (!at_anchor) at_anchor = state_at(*anchor_root);
            auto cur = at_anchor->read_account(a);
            if (!cur) return Unexpected{"cannot rewind: " + state::to_string(cur.error())};
            update_of(a).account = *cur;
        }
        update_of(a).storage.push_back({uint256::from_be32(k.data() + 20), v});
    }
    auto got = world_.apply_diff(diff);
    if (!got)
        return Unexpected{"cannot rewind: rebuilding the state of block " + std::to_string(number) +
                          ": " + state::to_string(got.error())};
    if (*got != expected_root)
        return Unexpected{"cannot rewind: the undo records rebuild state root " + to_hex(*got) +
                          " for block " + std::to_string(number) + ", not its " +
                          to_hex(expected_root)};
    return {};
}

std::optional<uint64_t> RocksDatabase::head(Head h) const {
    auto v = get(kMeta,
                 ByteView(reinterpret_cast<const uint8_t*>(head_key(h)), std::strlen(head_key(h))));
    if (!v || v->size() != 8) return std::nullopt;
    return read_be64(view(*v).data());
}

std::optional<BlockHeader> RocksDatabase::header_by_number(uint64_t number) const {
    const auto nk = number_key(number);
    auto v = get(kHeaders, ByteView(nk.data(), nk.size()));
    if (!v || v->size() < 32) return std::nullopt;
    auto h = decode_header(view(*v).subspan(32));
    if (!h) return std::nullopt;
    return *h;
}

std::optional<Hash32> RocksDatabase::block_hash(uint64_t number) const {
    const auto nk = number_key(number);
    auto v = get(kHeaders, ByteView(nk.data(), nk.size()));
    if (!v || v->size() < 32) return std::nullopt;
    Hash32 h;
    std::memcpy(h.data(), v->data(), 32);
    return h;
}

std::optional<arbos::Block> RocksDatabase::block_by_number(uint64_t number) const {
    const auto nk = number_key(number);
    const ByteView nkv(nk.data(), nk.size());
    auto hv = get(kHeaders, nkv);
    auto bv = get(kBodies, nkv);
    auto rv = get(kReceipts, nkv);
    if (!hv || !bv || !rv || hv->size() < 32) return std::nullopt;
    arbos::Block b;
    std::memcpy(b.hash.data(), hv->data(), 32);
    auto h = decode_header(view(*hv).subspan(32));
    if (!h) return std::nullopt;
    b.header = std::move(*h);
    if (!decode_body(view(*bv), b) || !decode_receipts(view(*rv), b)) return std::nullopt;
    return b;
}

std::optional<arbos::Block> RocksDatabase::block_by_hash(const Hash32& hash) const {
    auto v = get(kBlockHashes, hash.view());
    if (!v || v->size() != 8) return std::nullopt;
    return block_by_number(read_be64(view(*v).data()));
}

std::optional<TxLocation> RocksDatabase::tx_location(const Hash32& tx_hash) const {
    auto v = get(kTxIndex, tx_hash.view());
    if (!v || v->size() != 12) return std::nullopt;
    const uint8_t* p = view(*v).data();
    return TxLocation{read_be64(p), static_cast<uint32_t>(read_be64(p + 4) & 0xffffffffu)};
}

std::optional<arbos::Message> RocksDatabase::message(uint64_t number) const {
    const auto nk = number_key(number);
    auto v = get(kMessages, ByteView(nk.data(), nk.size()));
    if (!v) return std::nullopt;
    if (!message_refers_to_body(view(*v))) return decode_message(view(*v));
    auto body = get(kBodies, ByteView(nk.data(), nk.size()));
    arbos::Block b;
    if (!body || !decode_body(view(*body), b)) return std::nullopt;
    return decode_message(view(*v), &b);
}

std::optional<std::vector<Deposit>> Database::deposits(uint64_t first, uint64_t count) const {
    std::vector<Deposit> out;
    out.reserve(static_cast<size_t>(std::min<uint64_t>(count, 4096)));
    for (uint64_t k = 0; k < count; ++k) {
        auto d = deposit(first + k);
        if (!d) return std::nullopt;
        out.push_back(std::move(*d));
    }
    return out;
}

std::optional<Deposit> RocksDatabase::deposit(uint64_t index) const {
    const auto ik = number_key(index);
    auto v = get(kDeposits, ByteView(ik.data(), ik.size()));
    if (!v) return std::nullopt;
    return decode_deposit(index, view(*v));
}

std::optional<Bytes> RocksDatabase::get_meta(std::string_view key) const {
    const std::string k = meta_key(key);
    auto v = get(kMeta, ByteView(reinterpret_cast<const uint8_t*>(k.data()), k.size()));
    if (!v) return std::nullopt;
    return Bytes(v->begin(), v->end());
}

MemoryUsage RocksDatabase::memory_usage() const {
    MemoryUsage m;
    uint64_t v = 0;
    if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kCurSizeAllMemTables, &v))
        m.memtables = v;
    if (db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem, &v))
        m.table_readers = v;
    if (block_cache_) m.block_cache = block_cache_->GetUsage();
    return m;
}

std::vector<std::pair<std::string, uint64_t>> RocksDatabase::table_bytes() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (size_t c = 0; c < kCfCount; ++c) {
        uint64_t v = 0;
        db_->GetIntProperty(cfs_[c], rocksdb::DB::Properties::kTotalSstFilesSize, &v);
        out.emplace_back(kCfNames[c], v);
    }
    return out;
}

Result<void, std::string> RocksDatabase::put_meta(std::string_view key, ByteView value) {
    std::lock_guard guard(write_mu_);
    rocksdb::WriteBatch batch;
    batch.Put(cf(kMeta), str_slice(meta_key(key)), slice(value));
    return write(batch);
}

}  // namespace fuse::storage
