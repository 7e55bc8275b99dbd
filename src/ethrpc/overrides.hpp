#pragma once
/// eth_call state overrides (geth's internal/ethapi/override): a read-only view of a state with
/// some accounts' nonce, balance, code and storage replaced (`state`) or patched (`stateDiff`).

#include <unordered_map>

#include "ethrpc/params.hpp"
#include "state/state.hpp"

namespace fuse::ethrpc {

/// geth's BlockOverrides (eth_call's fourth parameter): `number`, `time`, `gasLimit`,
/// `feeRecipient` (or `coinbase`), `baseFeePerGas` (or `baseFee`), `prevRandao` (or `random`);
/// `difficulty` and `blobBaseFee` are accepted and have no effect (no PoW, no blobs);
/// `withdrawals` and `beaconRoot` are refused as geth refuses them in eth_call.
arbos::BlockOverrides decode_block_overrides(const Json& j);

class OverrideState final : public state::StateReader {
public:
    /// `base` must outlive this view.
    OverrideState(const state::StateReader& base, const StateOverrides& overrides);

    state::ReadResult<std::optional<state::Account>> read_account(
        const Address& addr) const noexcept override;
    state::ReadResult<uint256> read_storage(const Address& addr,
                                            const uint256& key) const noexcept override;
    state::ReadResult<bool> has_storage(const Address& addr) const noexcept override;
    state::ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override;

private:
    const state::StateReader& base_;
    const StateOverrides& overrides_;
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> code_;  // override code by hash
};

}  // namespace fuse::ethrpc
