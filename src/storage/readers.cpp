// Read-only views of committed state (snapshot of the flat state; any root through the tries)
// and the log query.

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "core/hash.hpp"
#include "core/rlp.hpp"
#include "storage/rocks_database.hpp"

namespace fuse::storage {

namespace {

/// The flat state at one RocksDB snapshot: a consistent latest state for other threads.
class SnapshotReader final : public state::StateReader {
public:
    explicit SnapshotReader(const RocksDatabase& db) : db_(db), snap_(db.db().GetSnapshot()) {}
    ~SnapshotReader() override { db_.db().ReleaseSnapshot(snap_); }

    std::optional<state::Account> read_account(const Address& addr) const override {
        auto r = record(addr);
        if (!r) return std::nullopt;
        return r->account;
    }
    uint256 read_storage(const Address& addr, const uint256& key) const override {
        rocksdb::PinnableSlice v;
        if (!db_.get_pinned(kStorage, make_slot_key(addr, key).view(), v, snap_) || v.size() != 32)
            return {};
        return uint256::from_be32(view(v).data());
    }
    bool has_storage(const Address& addr) const override {
        auto r = record(addr);
        return r && r->storage_root != kEmptyTrieRoot;
    }
    Bytes read_code(const Hash32& code_hash) const override {
        auto v = db_.get(kCode, code_hash.view(), snap_);
        return v ? Bytes(v->begin(), v->end()) : Bytes{};
    }

private:
    std::optional<AccountRecord> record(const Address& addr) const {
        rocksdb::PinnableSlice v;
        if (!db_.get_pinned(kAccounts, addr.view(), v, snap_)) return std::nullopt;
        return decode_account_record(view(v));
    }
    const RocksDatabase& db_;
    const rocksdb::Snapshot* snap_;
};

/// Committed trie nodes only.
class DbNodeStore final : public state::NodeStore {
public:
    explicit DbNodeStore(const RocksDatabase& db) : db_(db) {}
    std::optional<Bytes> get_node(const Hash32& hash) const override {
        auto v = db_.get(kTrieNodes, hash.view());
        if (!v) return std::nullopt;
        return Bytes(v->begin(), v->end());
    }

private:
    const RocksDatabase& db_;
};

/// Any committed state, read through the account trie and the storage tries (archive reads).
class TrieReader final : public state::StateReader {
public:
    TrieReader(const RocksDatabase& db, const Hash32& root)
        : db_(db), store_(db), accounts_(&store_, root) {}

    std::optional<state::Account> read_account(const Address& addr) const override {
        auto r = record(addr);
        if (!r) return std::nullopt;
        return r->account;
    }
    uint256 read_storage(const Address& addr, const uint256& key) const override {
        auto r = record(addr);
        if (!r || r->storage_root == kEmptyTrieRoot) return {};
        state::Mpt st(&store_, r->storage_root);
        auto v = st.get(keccak256(key.to_hash()));
        if (!v) throw std::runtime_error(std::string("state trie: ") + to_string(v.error()));
        if (!v->has_value()) return {};
        auto item = rlp::decode_single(**v);
        if (!item || item->is_list) throw std::runtime_error("state trie: malformed slot value");
        auto n = rlp::parse_uint256(item->payload);
        return n ? *n : uint256{};
    }
    bool has_storage(const Address& addr) const override {
        auto r = record(addr);
        return r && r->storage_root != kEmptyTrieRoot;
    }
    Bytes read_code(const Hash32& code_hash) const override {
        auto v = db_.get(kCode, code_hash.view());
        return v ? Bytes(v->begin(), v->end()) : Bytes{};
    }

private:
    std::optional<AccountRecord> record(const Address& addr) const {
        std::lock_guard lock(mu_);
        auto v = accounts_.get(keccak256(addr));
        if (!v) throw std::runtime_error(std::string("state trie: ") + to_string(v.error()));
        if (!v->has_value()) return std::nullopt;
        auto r = decode_account_rlp(**v);
        if (!r) throw std::runtime_error("state trie: malformed account");
        return r;
    }

    const RocksDatabase& db_;
    DbNodeStore store_;
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

std::unique_ptr<state::StateReader> make_trie_reader(const RocksDatabase& db, const Hash32& root) {
    return std::make_unique<TrieReader>(db, root);
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
