#include "ethrpc/simulate_state.hpp"

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "state/account.hpp"

namespace fuse::ethrpc {
namespace {

/// The storage root of an account leaf of the state trie (RLP [nonce, balance, root, code]).
std::optional<Hash32> storage_root_of(ByteView leaf) {
    auto top = rlp::decode_single(leaf);
    if (!top || !top->is_list) return std::nullopt;
    rlp::Decoder d(top->payload);
    if (!d.read_u64() || !d.read_uint256()) return std::nullopt;
    auto root = d.read_hash();
    if (!root) return std::nullopt;
    return *root;
}

}  // namespace

SimState::Entry& SimState::entry(const Address& addr) {
    return accounts_[addr];
}

state::ReadResult<std::optional<state::Account>> SimState::read_account(
    const Address& addr) const noexcept {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.read_account(addr);
    return it->second.account;
}

state::ReadResult<uint256> SimState::read_storage(const Address& addr,
                                                  const uint256& key) const noexcept {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.read_storage(addr, key);
    const Entry& e = it->second;
    if (const auto s = e.storage.find(key); s != e.storage.end()) return s->second;
    if (e.cleared || !e.account) return uint256{};
    return base_.read_storage(addr, key);
}

state::ReadResult<bool> SimState::has_storage(const Address& addr) const noexcept {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.has_storage(addr);
    const Entry& e = it->second;
    for (const auto& [k, v] : e.storage)
        if (!v.is_zero()) return true;
    if (e.cleared || !e.account) return false;
    return base_.has_storage(addr);
}

state::ReadResult<Bytes> SimState::read_code(const Hash32& code_hash) const noexcept {
    if (const auto it = code_.find(code_hash); it != code_.end()) return it->second;
    return base_.read_code(code_hash);
}

void SimState::apply(const state::StateDiff& diff) {
    for (const state::AccountUpdate& u : diff.accounts) {
        Entry& e = entry(u.address);
        if (!u.account) {
            e.account.reset();
            e.cleared = true;
            e.storage.clear();
            continue;
        }
        if (!e.account && e.cleared) e.storage.clear();  // recreated after a deletion
        e.account = u.account;
        if (u.storage_cleared) {
            e.cleared = true;
            e.storage.clear();
        }
        for (const state::StorageChange& c : u.storage)
            e.storage[c.key] = c.value;
        if (u.code) code_.insert_or_assign(u.account->code_hash, *u.code);
    }
}

state::ReadResult<void> SimState::apply(const StateOverrides& overrides) {
    // Every account first, so that a fault leaves the layer as it was.
    std::map<Address, state::Account> accounts;
    for (const auto& [addr, o] : overrides) {
        auto read = read_account(addr);
        if (!read) return Unexpected{std::move(read.error())};
        accounts.emplace(addr, read->value_or(state::Account{}));
    }
    for (const auto& [addr, o] : overrides) {
        state::Account acc = accounts.at(addr);
        if (o.nonce) acc.nonce = *o.nonce;
        if (o.balance) acc.balance = *o.balance;
        if (o.code) {
            acc.code_hash = o.code->empty() ? kEmptyCodeHash : keccak256(*o.code);
            if (!o.code->empty()) code_.insert_or_assign(acc.code_hash, *o.code);
        }
        Entry& e = entry(addr);
        e.account = acc;
        if (o.state) {
            e.cleared = true;
            e.storage.clear();
            for (const auto& [k, v] : *o.state)
                e.storage[uint256::from_hash(k)] = uint256::from_hash(v);
        }
        for (const auto& [k, v] : o.state_diff)
            e.storage[uint256::from_hash(k)] = uint256::from_hash(v);
    }
    return {};
}

state::ReadResult<std::optional<Hash32>> SimState::state_root(const state::NodeStore* nodes,
                                                              const Hash32& base_root) const {
    if (!nodes) return std::optional<Hash32>{};
    state::Mpt trie(nodes, base_root);
    for (const auto& [addr, e] : accounts_) {
        const Hash32 key = keccak256(addr);
        if (!e.account) {
            if (auto r = trie.erase(key); !r) return Unexpected{trie.fault(r.error())};
            continue;
        }
        Hash32 root = kEmptyTrieRoot;
        if (!e.cleared) {
            auto leaf = trie.get(key);
            if (!leaf) return Unexpected{trie.fault(leaf.error())};
            if (*leaf) {
                const auto r = storage_root_of(**leaf);
                if (!r)
                    return Unexpected{state::corrupt("the account leaf of " + to_hex(addr.view()) +
                                                     " does not decode")};
                root = *r;
            }
        }
        if (!e.storage.empty()) {
            state::Mpt storage(nodes, root);
            for (const auto& [k, v] : e.storage) {
                const Hash32 hashed = keccak256(k.to_hash());
                const auto ok =
                    v.is_zero() ? storage.erase(hashed) : storage.put(hashed, rlp::encode(v));
                if (!ok) return Unexpected{storage.fault(ok.error(), key)};
            }
            root = storage.root_hash();
        }
        if (auto r = trie.put(key, state::encode_account(*e.account, root)); !r)
            return Unexpected{trie.fault(r.error())};
    }
    return std::optional<Hash32>{trie.root_hash()};
}

}  // namespace fuse::ethrpc
