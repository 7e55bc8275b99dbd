// The writer's WorldState: diffs staged as in-memory layers over the flat state, the account
// trie and the storage tries updated incrementally (docs/storage.md, "Staging").

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "storage/rocks_database.hpp"

namespace fuse::storage {

namespace {

bool has_prefix(const SlotKey& k, const Address& a) {
    return std::memcmp(k.data(), a.data(), 20) == 0;
}

/// How many account-trie levels stay in memory when the trie is trimmed.
constexpr size_t kKeepTrieDepth = 4;
/// Trim the in-memory tries every this many applied diffs, or sooner after this many account
/// updates (a genesis or a bulk load), so memory stays bounded by the kept levels.
constexpr size_t kTrimInterval = 256;
constexpr size_t kTrimUpdates = 50'000;
constexpr size_t kMaxCachedStorageTries = 4096;

}  // namespace

state::ReadResult<std::optional<AccountRecord>> World::read_record(
    const Address& addr) const noexcept {
    {
        std::shared_lock lock(mu_);
        if (auto f = index_.accounts.find(addr); f != index_.accounts.end())
            return layer_at(f->second).accounts.at(addr);
    }
    rocksdb::PinnableSlice v;
    auto found = db_.read_pinned(kAccounts, addr.view(), v);
    if (!found) return Unexpected{std::move(found.error())};
    if (!*found) return std::optional<AccountRecord>{};
    auto r = decode_account_record(view(v));
    if (!r) return Unexpected{state::corrupt("account record of " + to_hex(addr))};
    return r;
}

state::ReadResult<std::optional<state::Account>> World::read_account(
    const Address& addr) const noexcept {
    auto r = read_record(addr);
    if (!r) return Unexpected{std::move(r.error())};
    if (!r->has_value()) return std::optional<state::Account>{};
    return std::optional<state::Account>{(*r)->account};
}

state::ReadResult<bool> World::has_storage(const Address& addr) const noexcept {
    auto r = read_record(addr);
    if (!r) return Unexpected{std::move(r.error())};
    return r->has_value() && (*r)->storage_root != kEmptyTrieRoot;
}

state::ReadResult<uint256> World::slot_with(const Layer* cur, const Address& addr,
                                            const uint256& key) const noexcept {
    const SlotKey sk = make_slot_key(addr, key);
    if (cur != nullptr) {
        auto f = cur->slots.find(sk);
        if (f != cur->slots.end()) return f->second;
        if (cur->cleared.contains(addr)) return uint256{};
    }
    {
        // Newest first, a layer's own slot before its wipe: the newer of the last layer that
        // wrote the slot and the last that wiped the address decides.
        std::shared_lock lock(mu_);
        const auto f = index_.slots.find(sk);
        const auto c = index_.cleared.find(addr);
        if (f != index_.slots.end() && (c == index_.cleared.end() || f->second >= c->second))
            return layer_at(f->second).slots.at(sk);
        if (c != index_.cleared.end()) return uint256{};
    }
    rocksdb::PinnableSlice v;
    auto found = db_.read_pinned(kStorage, sk.view(), v);
    if (!found) return Unexpected{std::move(found.error())};
    if (!*found) return uint256{};
    if (v.size() != 32) return Unexpected{state::corrupt("storage slot of " + to_hex(addr))};
    return uint256::from_be32(view(v).data());
}

state::ReadResult<uint256> World::read_storage(const Address& addr,
                                               const uint256& key) const noexcept {
    return slot_with(nullptr, addr, key);
}

state::ReadResult<Bytes> World::read_code(const Hash32& code_hash) const noexcept {
    {
        std::shared_lock lock(mu_);
        if (auto f = index_.code.find(code_hash); f != index_.code.end())
            return layer_at(f->second).code.at(code_hash);
    }
    auto v = db_.read(kCode, code_hash.view());
    if (!v) return Unexpected{std::move(v.error())};
    return v->has_value() ? Bytes((*v)->begin(), (*v)->end()) : Bytes{};
}

state::ReadResult<std::optional<Bytes>> World::get_node(const Hash32& hash) const noexcept {
    {
        std::shared_lock lock(mu_);
        if (auto f = index_.nodes.find(hash); f != index_.nodes.end())
            return std::optional<Bytes>{layer_at(f->second).nodes.at(hash)};
    }
    auto v = db_.read(kTrieNodes, hash.view());
    if (!v) return Unexpected{std::move(v.error())};
    if (!v->has_value()) return std::optional<Bytes>{};
    return std::optional<Bytes>{Bytes((*v)->begin(), (*v)->end())};
}

Result<void, state::StorageFault> World::collect_slots(
    const Layer* cur, const Address& addr,
    std::unordered_map<SlotKey, uint256, SlotKeyHasher>& out) const {
    auto apply = [&](const Layer& l) {
        if (l.cleared.contains(addr)) out.clear();
        for (const auto& [k, v] : l.slots)
            if (has_prefix(k, addr)) out[k] = v;
    };
    std::shared_lock lock(mu_);
    size_t start = 0;
    bool from_db = true;
    for (size_t i = layers_.size(); i-- > 0;) {
        if (layers_[i]->cleared.contains(addr)) {
            start = i;
            from_db = false;
            break;
        }
    }
    if (from_db) {
        std::unique_ptr<rocksdb::Iterator> it(
            db_.db().NewIterator(rocksdb::ReadOptions(), db_.cf(kStorage)));
        for (it->Seek(slice(addr.view())); it->Valid(); it->Next()) {
            rocksdb::Slice k = it->key();
            if (k.size() != 52 || std::memcmp(k.data(), addr.data(), 20) != 0) break;
            SlotKey sk;
            std::memcpy(sk.data(), k.data(), 52);
            if (it->value().size() == 32)
                out[sk] = uint256::from_be32(reinterpret_cast<const uint8_t*>(it->value().data()));
        }
        if (!it->status().ok())
            return Unexpected{
                state::read_failed("storage of " + to_hex(addr) + ": " + it->status().ToString())};
    }
    for (size_t i = start; i < layers_.size(); ++i)
        apply(*layers_[i]);
    if (cur != nullptr) apply(*cur);
    std::erase_if(out, [](const auto& kv) { return kv.second.is_zero(); });
    return {};
}

state::Mpt& World::storage_trie(const Address& addr, const Hash32& root) {
    auto it = storage_tries_.find(addr);
    if (it != storage_tries_.end() && it->second.root == root) return it->second.trie;
    if (it == storage_tries_.end() && storage_tries_.size() >= kMaxCachedStorageTries)
        storage_tries_.clear();
    auto [pos, _] = storage_tries_.insert_or_assign(addr, CachedTrie{root, state::Mpt(this, root)});
    return pos->second.trie;
}

state::ReadResult<Hash32> World::apply_diff(const state::StateDiff& diff) {
    auto layer = std::make_shared<Layer>();
    auto root = apply_layer(diff, *layer);
    if (!root) {
        // The tries hold part of the diff: back to the last staged root (or the committed
        // one); the storage tries reload from it. Nothing was staged.
        std::shared_lock lock(mu_);
        account_trie_ = state::Mpt(this, layers_.empty() ? committed_root_ : layers_.back()->root);
        storage_tries_.clear();
        return root;
    }
    {
        std::unique_lock lock(mu_);
        index_layer(*layer, front_seq_ + layers_.size());
        layers_.push_back(std::move(layer));
    }
    updates_since_trim_ += diff.accounts.size();
    if (++applied_ % kTrimInterval == 0 || updates_since_trim_ >= kTrimUpdates) {
        updates_since_trim_ = 0;
        account_trie_.unload(kKeepTrieDepth);
        for (auto& [_, t] : storage_tries_)
            t.trie.unload(2);
    }
    return root;
}

state::ReadResult<Hash32> World::apply_layer(const state::StateDiff& diff, Layer& layer) {
    Layer* cur = &layer;
    Bytes value_rlp;
    const auto account_fault = [this](state::MptError e) {
        return Unexpected{account_trie_.fault(e)};
    };
    for (const state::AccountUpdate& u : diff.accounts) {
        const Address& addr = u.address;
        // The account trie holds every staged layer and this diff so far: its leaf is the
        // previous record, and reading it loads the path the update below needs anyway.
        const Hash32 hashed_addr = keccak256(addr);
        std::optional<AccountRecord> prev;
        {
            auto leaf = account_trie_.get(hashed_addr);
            if (!leaf) return account_fault(leaf.error());
            if (leaf->has_value()) {
                prev = decode_account_rlp(**leaf);
                if (!prev)
                    return Unexpected{state::corrupt("account trie leaf of " + to_hex(addr))};
            }
        }
        cur->prev_accounts.try_emplace(addr, prev);
        const bool wipe = !u.account || u.storage_cleared;
        if (wipe) {
            if (prev && prev->storage_root != kEmptyTrieRoot) {
                std::unordered_map<SlotKey, uint256, SlotKeyHasher> prior;
                if (auto c = collect_slots(cur, addr, prior); !c) return Unexpected{c.error()};
                for (const auto& [k, v] : prior)
                    cur->prev_slots.try_emplace(k, v);
            }
            std::erase_if(cur->slots, [&](const auto& kv) { return has_prefix(kv.first, addr); });
            cur->cleared.insert(addr);
        }
        if (!u.account) {
            cur->accounts[addr] = std::nullopt;
            storage_tries_.erase(addr);
            if (auto r = account_trie_.erase(hashed_addr); !r) return account_fault(r.error());
            continue;
        }
        const Hash32 base_root = (wipe || !prev) ? kEmptyTrieRoot : prev->storage_root;
        Hash32 storage_root = base_root;
        if (!u.storage.empty()) {
            state::Mpt& st = storage_trie(addr, base_root);
            for (const state::StorageChange& c : u.storage) {
                const SlotKey sk = make_slot_key(addr, c.key);
                if (!cur->prev_slots.contains(sk)) {
                    auto before = slot_with(cur, addr, c.key);
                    if (!before) return Unexpected{std::move(before.error())};
                    cur->prev_slots.emplace(sk, *before);
                }
                cur->slots[sk] = c.value;
                const Hash32 hashed_key = keccak256(c.key.to_hash());
                Result<void, state::MptError> r;
                if (c.value.is_zero()) {
                    r = st.erase(hashed_key);
                } else {
                    value_rlp = rlp::encode(c.value);
                    r = st.put(hashed_key, value_rlp);
                }
                if (!r) return Unexpected{st.fault(r.error(), hashed_addr)};
            }
            storage_root = st.root_hash();
            scratch_nodes_.clear();
            st.take_new_nodes(scratch_nodes_);
            for (auto& [h, rlp_bytes] : scratch_nodes_)
                cur->nodes.insert_or_assign(h, std::move(rlp_bytes));
            storage_tries_.at(addr).root = storage_root;
        }
        AccountRecord rec{*u.account, storage_root};
        if (auto r =
                account_trie_.put(hashed_addr, state::encode_account(rec.account, storage_root));
            !r)
            return account_fault(r.error());
        cur->accounts[addr] = rec;
        if (u.code) cur->code.insert_or_assign(u.account->code_hash, *u.code);
    }
    cur->root = account_trie_.root_hash();
    scratch_nodes_.clear();
    account_trie_.take_new_nodes(scratch_nodes_);
    for (auto& [h, rlp_bytes] : scratch_nodes_)
        cur->nodes.insert_or_assign(h, std::move(rlp_bytes));
    return cur->root;
}

void World::index_layer(const Layer& l, uint64_t seq) {
    for (const auto& [k, _] : l.accounts)
        index_.accounts[k] = seq;
    for (const Address& a : l.cleared)
        index_.cleared[a] = seq;
    for (const auto& [k, _] : l.slots)
        index_.slots[k] = seq;
    for (const auto& [k, _] : l.code)
        index_.code[k] = seq;
    for (const auto& [k, _] : l.nodes)
        index_.nodes[k] = seq;
}

void World::unindex_layer(const Layer& l, uint64_t seq) {
    const auto drop = [seq](auto& index, const auto& key) {
        if (auto f = index.find(key); f != index.end() && f->second == seq) index.erase(f);
    };
    for (const auto& [k, _] : l.accounts)
        drop(index_.accounts, k);
    for (const Address& a : l.cleared)
        drop(index_.cleared, a);
    for (const auto& [k, _] : l.slots)
        drop(index_.slots, k);
    for (const auto& [k, _] : l.code)
        drop(index_.code, k);
    for (const auto& [k, _] : l.nodes)
        drop(index_.nodes, k);
}

void World::reset(const Hash32& root) {
    std::unique_lock lock(mu_);
    layers_.clear();
    index_ = LayerIndex{};
    committed_root_ = root;
    account_trie_ = state::Mpt(this, root);
    storage_tries_.clear();
}

void World::discard() {
    reset(committed_root_);
}

std::vector<std::shared_ptr<const Layer>> World::staged() const {
    std::shared_lock lock(mu_);
    return {layers_.begin(), layers_.end()};
}

void World::drop_front(size_t count) {
    std::unique_lock lock(mu_);
    for (size_t i = 0; i < count && !layers_.empty(); ++i) {
        committed_root_ = layers_.front()->root;
        unindex_layer(*layers_.front(), front_seq_);
        layers_.pop_front();
        ++front_seq_;
    }
}

size_t World::staged_count() const {
    std::shared_lock lock(mu_);
    return layers_.size();
}

}  // namespace fuse::storage
