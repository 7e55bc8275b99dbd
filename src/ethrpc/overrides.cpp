#include "ethrpc/overrides.hpp"

#include "core/hash.hpp"

namespace fuse::ethrpc {

OverrideState::OverrideState(const state::StateReader& base, const StateOverrides& overrides)
    : base_(base), overrides_(overrides) {
    for (const auto& [addr, o] : overrides_)
        if (o.code && !o.code->empty()) code_.emplace(keccak256(*o.code), *o.code);
}

std::optional<state::Account> OverrideState::read_account(const Address& addr) const {
    auto acc = base_.read_account(addr);
    const auto it = overrides_.find(addr);
    if (it == overrides_.end()) return acc;
    const AccountOverride& o = it->second;
    if (!acc) acc.emplace();
    if (o.nonce) acc->nonce = *o.nonce;
    if (o.balance) acc->balance = *o.balance;
    if (o.code) acc->code_hash = o.code->empty() ? kEmptyCodeHash : keccak256(*o.code);
    return acc;
}

uint256 OverrideState::read_storage(const Address& addr, const uint256& key) const {
    const auto it = overrides_.find(addr);
    if (it == overrides_.end()) return base_.read_storage(addr, key);
    const AccountOverride& o = it->second;
    const Hash32 slot = key.to_hash();
    if (o.state) {
        const auto s = o.state->find(slot);
        return s == o.state->end() ? uint256{} : uint256::from_hash(s->second);
    }
    const auto d = o.state_diff.find(slot);
    if (d != o.state_diff.end()) return uint256::from_hash(d->second);
    return base_.read_storage(addr, key);
}

bool OverrideState::has_storage(const Address& addr) const {
    const auto it = overrides_.find(addr);
    if (it == overrides_.end()) return base_.has_storage(addr);
    const AccountOverride& o = it->second;
    for (const auto& [k, v] : o.state ? *o.state : o.state_diff)
        if (!v.is_zero()) return true;
    // A full `state` replaces everything; a diff may only have zeroed some slots, which the
    // base cannot tell cheaply, so it answers for the rest (conservative for EIP-7610).
    return o.state ? false : base_.has_storage(addr);
}

Bytes OverrideState::read_code(const Hash32& code_hash) const {
    const auto it = code_.find(code_hash);
    if (it != code_.end()) return it->second;
    return base_.read_code(code_hash);
}

}  // namespace fuse::ethrpc
