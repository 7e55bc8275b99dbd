// Read-only views of committed state (snapshot of the flat state; any root through the tries)
// and the log query.

#include <algorithm>
#include <mutex>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "storage/rocks_database.hpp"

namespace fuse::storage {

namespace {

/// The flat state at one RocksDB snapshot: a consistent latest state for other threads.
class SnapshotReader final : public state::StateReader {
public:
    explicit SnapshotReader(const RocksDatabase& db) : db_(db), snap_(db.db().GetSnapshot()) {}
    ~SnapshotReader() override { db_.db().ReleaseSnapshot(snap_); }

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override {
        auto r = record(addr);
        if (!r) return Unexpected{std::move(r.error())};
        if (!r->has_value()) return std::optional<state::Account>{};
        return std::optional<state::Account>{(*r)->account};
    }
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override {
        rocksdb::PinnableSlice v;
        auto found = db_.read_pinned(kStorage, make_slot_key(addr, key).view(), v, snap_);
        if (!found) return Unexpected{std::move(found.error())};
        if (!*found) return uint256{};
        if (v.size() != 32) return Unexpected{state::corrupt("storage slot of " + to_hex(addr))};
        return uint256::from_be32(view(v).data());
    }
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override {
        auto r = record(addr);
        if (!r) return Unexpected{std::move(r.error())};
        return r->has_value() && (*r)->storage_root != kEmptyTrieRoot;
    }
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override {
        auto v = db_.read(kCode, code_hash.view(), snap_);
        if (!v) return Unexpected{std::move(v.error())};
        return v->has_value() ? Bytes((*v)->begin(), (*v)->end()) : Bytes{};
    }

private:
    state::ReadResult<std::optional<AccountRecord>> record(const Address& addr) const noexcept {
        rocksdb::PinnableSlice v;
        auto found = db_.read_pinned(kAccounts, addr.view(), v, snap_);
        if (!found) return Unexpected{std::move(found.error())};
        if (!*found) return std::optional<AccountRecord>{};
        auto r = decode_account_record(view(v));
        if (!r) return Unexpected{state::corrupt("account record of " + to_hex(addr))};
        return r;
    }
    const RocksDatabase& db_;
    const rocksdb::Snapshot* snap_;
};

/// Committed trie nodes only.
class DbNodeStore final : public state::NodeStore {
public:
    explicit DbNodeStore(const RocksDatabase& db) : db_(db) {}
    state::ReadResult<std::optional<Bytes>> get_node(const Hash32& hash) const noexcept override {
        auto v = db_.read(kTrieNodes, hash.view());
        if (!v) return Unexpected{std::move(v.error())};
        if (!v->has_value()) return std::optional<Bytes>{};
        return std::optional<Bytes>{Bytes((*v)->begin(), (*v)->end())};
    }

private:
    const RocksDatabase& db_;
};

/// Any committed state, read through the account trie and the storage tries (archive reads).
/// A node the walk needs and the database does not have is geth's "missing trie node".
class TrieReader final : public state::StateReader {
public:
    TrieReader(const RocksDatabase& db, const Hash32& root, const state::NodeStore* nodes)
        : db_(db), store_(db), nodes_(nodes ? nodes : &store_), accounts_(nodes_, root) {}

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override {
        auto r = record(addr);
        if (!r) return Unexpected{std::move(r.error())};
        if (!r->has_value()) return std::optional<state::Account>{};
        return std::optional<state::Account>{(*r)->account};
    }
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override {
        auto r = record(addr);
        if (!r) return Unexpected{std::move(r.error())};
        if (!r->has_value() || (*r)->storage_root == kEmptyTrieRoot) return uint256{};
        state::Mpt st(nodes_, (*r)->storage_root);
        auto v = st.get(keccak256(key.to_hash()));
        if (!v) return Unexpected{st.fault(v.error(), keccak256(addr))};
        if (!v->has_value()) return uint256{};
        auto item = rlp::decode_single(**v);
        if (!item || item->is_list)
            return Unexpected{state::corrupt("storage trie value of " + to_hex(addr))};
        auto n = rlp::parse_uint256(item->payload);
        return n ? *n : uint256{};
    }
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override {
        auto r = record(addr);
        if (!r) return Unexpected{std::move(r.error())};
        return r->has_value() && (*r)->storage_root != kEmptyTrieRoot;
    }
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override {
        auto v = db_.read(kCode, code_hash.view());
        if (!v) return Unexpected{std::move(v.error())};
        return v->has_value() ? Bytes((*v)->begin(), (*v)->end()) : Bytes{};
    }

private:
    state::ReadResult<std::optional<AccountRecord>> record(const Address& addr) const noexcept {
        std::lock_guard lock(mu_);
        auto v = accounts_.get(keccak256(addr));
        if (!v) return Unexpected{accounts_.fault(v.error())};
        if (!v->has_value()) return std::optional<AccountRecord>{};
        auto r = decode_account_rlp(**v);
        if (!r) return Unexpected{state::corrupt("account trie leaf of " + to_hex(addr))};
        return r;
    }

    const RocksDatabase& db_;
    DbNodeStore store_;
    const state::NodeStore* nodes_;  ///< store_, or the writer's (staged nodes first)
    mutable std::mutex mu_;
    mutable state::Mpt accounts_;
};

bool bloom_may_match(const Bloom& bloom, const LogFilter& f) {
    if (!f.addresses.empty() &&
        std::none_of(f.addresses.begin(), f.addresses.end(),
                     [&](const Address& a) { return bloom.may_contain(a.view()); }))
        return false;
    for (const auto& set : f.topics) {
        if (set.empty()) continue;
        if (std::none_of(set.begin(), set.end(),
                         [&](const Hash32& t) { return bloom.may_contain(t.view()); }))
            return false;
    }
    return true;
}

bool log_matches(const Log& log, const LogFilter& f) {
    if (!f.addresses.empty() &&
        std::find(f.addresses.begin(), f.addresses.end(), log.address) == f.addresses.end())
        return false;
    for (size_t p = 0; p < f.topics.size(); ++p) {
        const auto& set = f.topics[p];
        if (set.empty()) continue;
        if (p >= log.topics.size()) return false;
        if (std::find(set.begin(), set.end(), log.topics[p]) == set.end()) return false;
    }
    return true;
}

}  // namespace

std::unique_ptr<state::StateReader> make_snapshot_reader(const RocksDatabase& db) {
    return std::make_unique<SnapshotReader>(db);
}

namespace {

/// A state below the recent tries of a pruned node: the state of a kept block above it (the
/// base) with the values before the blocks in between (their undo records, merged) on top.
/// An undo record names every account and slot its block changed (a storage wipe names every
/// slot the account had), so a key the overlay lacks is the same in both states.
class UndoOverlayReader final : public state::StateReader {
public:
    UndoOverlayReader(std::unique_ptr<state::StateReader> base,
                      std::shared_ptr<const UndoOverlay> overlay)
        : base_(std::move(base)), keep_(std::move(overlay)), o_(*keep_) {}

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override {
        auto f = o_.accounts.find(addr);
        if (f == o_.accounts.end()) return base_->read_account(addr);
        if (!f->second) return std::optional<state::Account>{};
        return std::optional<state::Account>{f->second->account};
    }
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override {
        auto f = o_.slots.find(make_slot_key(addr, key));
        if (f != o_.slots.end()) return f->second;
        return base_->read_storage(addr, key);
    }
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override {
        auto f = o_.accounts.find(addr);
        if (f == o_.accounts.end()) return base_->has_storage(addr);
        return f->second.has_value() && f->second->storage_root != kEmptyTrieRoot;
    }
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override {
        return base_->read_code(code_hash);
    }

private:
    std::unique_ptr<state::StateReader> base_;
    std::shared_ptr<const UndoOverlay> keep_;  ///< shared with the database's cache
    const UndoOverlay& o_;
};

}  // namespace

std::unique_ptr<state::StateReader> make_undo_overlay_reader(
    std::unique_ptr<state::StateReader> base, std::shared_ptr<const UndoOverlay> overlay) {
    return std::make_unique<UndoOverlayReader>(std::move(base), std::move(overlay));
}

std::unique_ptr<state::StateReader> make_trie_reader(const RocksDatabase& db, const Hash32& root,
                                                     const state::NodeStore* nodes) {
    return std::make_unique<TrieReader>(db, root, nodes);
}

Result<std::vector<LogEntry>, std::string> RocksDatabase::logs(const LogFilter& filter,
                                                               size_t max_results) const {
    std::vector<LogEntry> out;
    const auto latest = head(Head::kLatest);
    if (!latest) return out;
    const uint64_t to = std::min(filter.to_block, *latest);
    std::vector<Receipt> receipts;
    for (uint64_t n = filter.from_block; n <= to; ++n) {
        auto header = header_by_number(n);
        if (!header) continue;
        if (!bloom_may_match(header->logs_bloom, filter)) continue;
        auto block = block_by_number(n);
        if (!block) continue;
        uint32_t log_index = 0;
        for (size_t i = 0; i < block->txs.size(); ++i) {
            for (const Log& log : block->txs[i].receipt.logs) {
                if (log_matches(log, filter)) {
                    if (out.size() >= max_results)
                        return Unexpected{"query returned more than " +
                                          std::to_string(max_results) + " results"};
                    out.push_back(LogEntry{log, n, block->hash, block->txs[i].hash,
                                           static_cast<uint32_t>(i), log_index});
                }
                ++log_index;
            }
        }
        if (n == UINT64_MAX) break;
    }
    return out;
}

std::unique_ptr<state::NodeStore> make_node_store(const RocksDatabase& db) {
    return std::make_unique<DbNodeStore>(db);
}

}  // namespace fuse::storage
