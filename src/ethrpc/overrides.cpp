#include "ethrpc/overrides.hpp"

#include <climits>

#include "core/hash.hpp"

namespace fuse::ethrpc {

arbos::BlockOverrides decode_block_overrides(const Json& j) {
    if (!j.is_object())
        throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                         " into Go value of type override.BlockOverrides");
    const auto get = [&](std::initializer_list<const char*> names) -> const Json* {
        for (const char* n : names)
            if (const auto it = j.find(n); it != j.end() && !it->is_null()) return &*it;
        return nullptr;
    };
    arbos::BlockOverrides o;
    if (const Json* v = get({"number"})) {
        const uint256 n = decode_big(*v);
        if (n > uint256(uint64_t(INT64_MAX))) throw ParamError("block number override too large");
        o.number = n.w[0];
    }
    if (const Json* v = get({"time"})) o.time = decode_uint64(*v);
    if (const Json* v = get({"gasLimit"})) o.gas_limit = decode_uint64(*v);
    if (const Json* v = get({"feeRecipient", "coinbase"})) o.coinbase = decode_address(*v);
    if (const Json* v = get({"baseFeePerGas", "baseFee"})) o.base_fee = decode_big(*v);
    if (const Json* v = get({"prevRandao", "random"}))
        o.prev_randao = uint256::from_hash(decode_hash(*v));
    if (get({"withdrawals"})) throw ParamError("BlockOverrides.Withdrawals not supported");
    if (get({"beaconRoot"})) throw ParamError("BlockOverrides.BeaconRoot not supported");
    if (o.gas_limit && *o.gas_limit > uint64_t(INT64_MAX))
        throw ParamError("block gas limit override too large");
    return o;
}

OverrideState::OverrideState(const state::StateReader& base, const StateOverrides& overrides)
    : base_(base), overrides_(overrides) {
    for (const auto& [addr, o] : overrides_)
        if (o.code && !o.code->empty()) code_.emplace(keccak256(*o.code), *o.code);
}

state::ReadResult<std::optional<state::Account>> OverrideState::read_account(
    const Address& addr) const noexcept {
    auto read = base_.read_account(addr);
    const auto it = overrides_.find(addr);
    if (it == overrides_.end() || !read) return read;
    std::optional<state::Account> acc = std::move(*read);
    const AccountOverride& o = it->second;
    if (!acc) acc.emplace();
    if (o.nonce) acc->nonce = *o.nonce;
    if (o.balance) acc->balance = *o.balance;
    if (o.code) acc->code_hash = o.code->empty() ? kEmptyCodeHash : keccak256(*o.code);
    return acc;
}

state::ReadResult<uint256> OverrideState::read_storage(const Address& addr,
                                                       const uint256& key) const noexcept {
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

state::ReadResult<bool> OverrideState::has_storage(const Address& addr) const noexcept {
    const auto it = overrides_.find(addr);
    if (it == overrides_.end()) return base_.has_storage(addr);
    const AccountOverride& o = it->second;
    for (const auto& [k, v] : o.state ? *o.state : o.state_diff)
        if (!v.is_zero()) return true;
    // A full `state` replaces everything; a diff may only have zeroed some slots, which the
    // base cannot tell cheaply, so it answers for the rest (conservative for EIP-7610).
    if (o.state) return false;
    return base_.has_storage(addr);
}

state::ReadResult<Bytes> OverrideState::read_code(const Hash32& code_hash) const noexcept {
    const auto it = code_.find(code_hash);
    if (it != code_.end()) return it->second;
    return base_.read_code(code_hash);
}

}  // namespace fuse::ethrpc
