#include "state/state.hpp"

#include <algorithm>

#include "core/hash.hpp"
#include "core/rlp.hpp"
#include "state/trie.hpp"

namespace fuse::state {

std::optional<Account> InMemoryState::account(const Address& addr) const {
    auto it = accounts_.find(addr);
    if (it == accounts_.end()) return std::nullopt;
    return it->second.account;
}

uint256 InMemoryState::storage(const Address& addr, const uint256& key) const {
    auto it = accounts_.find(addr);
    if (it == accounts_.end()) return {};
    auto s = it->second.storage.find(key);
    return s == it->second.storage.end() ? uint256{} : s->second;
}

ReadResult<std::optional<Account>> InMemoryState::read_account(const Address& addr) const noexcept {
    return account(addr);
}

ReadResult<uint256> InMemoryState::read_storage(const Address& addr,
                                                const uint256& key) const noexcept {
    return storage(addr, key);
}

ReadResult<bool> InMemoryState::has_storage(const Address& addr) const noexcept {
    auto it = accounts_.find(addr);
    return it != accounts_.end() && !it->second.storage.empty();
}

ReadResult<Bytes> InMemoryState::read_code(const Hash32& code_hash) const noexcept {
    auto it = code_.find(code_hash);
    return it == code_.end() ? Bytes{} : it->second;
}

void InMemoryState::put_account(const Address& addr, const Account& account, ByteView code) {
    Entry& e = accounts_[addr];
    e.account = account;
    if (!code.empty()) {
        e.account.code_hash = keccak256(code);
        code_[e.account.code_hash] = to_bytes(code);
    }
}

void InMemoryState::put_storage(const Address& addr, const uint256& key, const uint256& value) {
    auto& storage = accounts_[addr].storage;
    if (value.is_zero())
        storage.erase(key);
    else
        storage[key] = value;
}

void InMemoryState::apply(const StateDiff& diff) {
    for (const AccountUpdate& u : diff.accounts) {
        if (!u.account) {
            accounts_.erase(u.address);
            continue;
        }
        Entry& e = accounts_[u.address];
        e.account = *u.account;
        if (u.storage_cleared) e.storage.clear();
        for (const StorageChange& c : u.storage) {
            if (c.value.is_zero())
                e.storage.erase(c.key);
            else
                e.storage[c.key] = c.value;
        }
        if (u.code) code_[u.account->code_hash] = *u.code;
    }
}

Hash32 InMemoryState::storage_root(const Address& addr) const {
    auto it = accounts_.find(addr);
    if (it == accounts_.end() || it->second.storage.empty()) return kEmptyTrieRoot;
    std::vector<std::pair<Hash32, Bytes>> leaves;
    leaves.reserve(it->second.storage.size());
    for (const auto& [key, value] : it->second.storage) {
        if (value.is_zero()) continue;
        leaves.emplace_back(keccak256(key.to_hash()), rlp::encode(value));
    }
    std::sort(leaves.begin(), leaves.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    HashBuilder hb;
    for (const auto& [k, v] : leaves)
        hb.add(k, v);
    return hb.root();
}

Hash32 InMemoryState::state_root() const {
    std::vector<std::pair<Hash32, const Address*>> keys;
    keys.reserve(accounts_.size());
    for (const auto& [addr, e] : accounts_)
        keys.emplace_back(keccak256(addr), &addr);
    std::sort(keys.begin(), keys.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    HashBuilder hb;
    for (const auto& [hashed, addr] : keys) {
        const Entry& e = accounts_.at(*addr);
        hb.add(hashed, encode_account(e.account, storage_root(*addr)));
    }
    return hb.root();
}

}  // namespace fuse::state
