#pragma once
/// The state of an eth_simulateV1 chain: a committed state with every simulated block's changes
/// and state overrides layered on top, readable as a `state::StateReader` (the next block
/// runs on it), and its state root computed from the base root's trie nodes.

#include <map>
#include <optional>
#include <unordered_map>

#include "ethrpc/params.hpp"
#include "state/mpt.hpp"
#include "state/state.hpp"

namespace fuse::ethrpc {

class SimState final : public state::StateReader {
public:
    /// `base` must outlive this layer.
    explicit SimState(const state::StateReader& base) : base_(base) {}

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override;
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override;
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override;
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override;

    /// A block's (or a call's) changes, as ExecState::diff() gives them against this layer.
    void apply(const state::StateDiff& diff);
    /// geth's state overrides, applied to the state as it now is (they stay for later blocks);
    /// the storage fault, applying nothing, when an overridden account cannot be read.
    state::ReadResult<void> apply(const StateOverrides& overrides);

    /// The root of the base state (root `base_root`, nodes in `nodes`) with every change of
    /// this layer; nullopt when there is no trie; the storage fault when a node of the base
    /// trie cannot be read (docs/storage.md "Errors").
    state::ReadResult<std::optional<Hash32>> state_root(const state::NodeStore* nodes,
                                                        const Hash32& base_root) const;

private:
    struct Entry {
        std::optional<state::Account> account;  ///< nullopt with `deleted`: gone
        bool deleted = false;
        bool cleared = false;  ///< the base storage no longer applies
        std::map<uint256, uint256> storage;
    };
    Entry& entry(const Address& addr);

    const state::StateReader& base_;
    std::map<Address, Entry> accounts_;
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> code_;
};

}  // namespace fuse::ethrpc
