#pragma once
/// A WorldState over state::InMemoryState for tests (any library's): applies a block's diff in
/// memory and recomputes the whole state root (fine for small test states, not for a node).

#include "arbos/arbos.hpp"
#include "state/state.hpp"

namespace fuse::arbos {

class MemoryWorld final : public WorldState {
public:
    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override {
        return state_.read_account(addr);
    }
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override {
        return state_.read_storage(addr, key);
    }
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override {
        return state_.has_storage(addr);
    }
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override {
        return state_.read_code(code_hash);
    }

    state::ReadResult<Hash32> apply_diff(const state::StateDiff& diff) override {
        state_.apply(diff);
        return state_.state_root();
    }

    /// The underlying state (e.g. to copy it: a snapshot for a second replay).
    const state::InMemoryState& mem() const { return state_; }
    state::InMemoryState& mem() { return state_; }
    Hash32 state_root() const { return state_.state_root(); }

private:
    state::InMemoryState state_;
};

}  // namespace fuse::arbos
