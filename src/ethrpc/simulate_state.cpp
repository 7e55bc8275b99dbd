#include "ethrpc/simulate_state.hpp"

#include "core/hash.hpp"
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

std::optional<state::Account> SimState::read_account(const Address& addr) const {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.read_account(addr);
    return it->second.account;
}

uint256 SimState::read_storage(const Address& addr, const uint256& key) const {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.read_storage(addr, key);
    const Entry& e = it->second;
    if (const auto s = e.storage.find(key); s != e.storage.end()) return s->second;
    if (e.cleared || !e.account) return {};
    return base_.read_storage(addr, key);
}

bool SimState::has_storage(const Address& addr) const {
    const auto it = accounts_.find(addr);
    if (it == accounts_.end()) return base_.has_storage(addr);
    const Entry& e = it->second;
    for (const auto& [k, v] : e.storage)
        if (!v.is_zero()) return true;
    if (e.cleared || !e.account) return false;
    return base_.has_storage(addr);
}

Bytes SimState::read_code(const Hash32& code_hash) const {
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

void SimState::apply(const StateOverrides& overrides) {
    for (const auto& [addr, o] : overrides) {
        state::Account acc = read_account(addr).value_or(state::Account{});
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
}

std::optional<Hash32> SimState::state_root(const state::NodeStore* nodes,
                                           const Hash32& base_root) const {
    if (!nodes) return std::nullopt;
    state::Mpt trie(nodes, base_root);
    for (const auto& [addr, e] : accounts_) {
        const Hash32 key = keccak256(addr);
        if (!e.account) {
            if (!trie.erase(key)) return std::nullopt;
            continue;
        }
        Hash32 root = kEmptyTrieRoot;
        if (!e.cleared) {
            auto leaf = trie.get(key);
            if (!leaf) return std::nullopt;
            if (*leaf) {
                const auto r = storage_root_of(**leaf);
                if (!r) return std::nullopt;
                root = *r;
            }
        }
        if (!e.storage.empty()) {
            state::Mpt storage(nodes, root);
            for (const auto& [k, v] : e.storage) {
                const Hash32 hashed = keccak256(k.to_hash());
                const auto ok =
                    v.is_zero() ? storage.erase(hashed) : storage.put(hashed, rlp::encode(v));
                if (!ok) return std::nullopt;
            }
            root = storage.root_hash();
        }
        if (!trie.put(key, state::encode_account(*e.account, root))) return std::nullopt;
    }
    return trie.root_hash();
}

}  // namespace fuse::ethrpc
