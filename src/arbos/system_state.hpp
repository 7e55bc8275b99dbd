#pragma once
/// ArbOS's own state, kept in the storage of a reserved account inside the state trie so that
/// the state root commits to it (docs/arbos.md, "State layout"). Also the pure pieces of ArbOS's
/// arithmetic: Arbitrum's L2 base-fee model (speed limit + backlog, integer exp approximation)
/// and the send-root Merkle accumulator.

#include <cstdint>
#include <vector>

#include "arbos/genesis.hpp"
#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "state/exec_state.hpp"
#include "state/state.hpp"

namespace fuse::arbos {

/// The reserved account (Arbitrum's ArbOS state address), nonce 1 so EIP-161 never deletes it.
inline constexpr Address kArbosStateAddress = {
    {{0xA4, 0xB0, 0x5F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}}};

/// ArbSys (Arbitrum's address 0x64) and ArbGasInfo (0x6c).
inline constexpr Address kArbSysAddress = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x64}}};
inline constexpr Address kArbGasInfoAddress = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x6c}}};

/// Storage slots of the ArbOS account (one value each, big-endian uint256).
enum class Slot : uint64_t {
    kVersion = 0,
    kChainId = 1,
    kL1BlockNumber = 2,
    kL1BaseFee = 3,
    kL1PricePerByte = 4,
    kL2BaseFee = 5,
    kGasBacklog = 6,
    kLastTimestamp = 7,
    kMinBaseFee = 8,
    kSpeedLimit = 9,
    kBacklogTolerance = 10,
    kPricingInertia = 11,
    kBlockGasLimit = 12,
    kMaxTxGasLimit = 13,
    kL1GasPerByte = 14,
    kNetworkFeeAccount = 15,
    kL1FeeAccount = 16,
    kSendCount = 17,         ///< leaves in the send Merkle accumulator
    kSendRoot = 18,          ///< its root, cached after every append
    kNextDepositIndex = 19,  ///< index of the next L1 deposit to execute
    kDepositAcc = 20,        ///< the Bridge's accumulator after the last executed deposit
    // From ArbOS version 3 (kArbosVersionL1Backlog) on; absent (zero) in older chains' state.
    kL1Backlog = 21,                  ///< L1 data backlog, compressed bytes
    kL1TargetBytesPerSecond = 22,     ///< fee parameters of the L1 backlog, as in genesis
    kL1BacklogToleranceSeconds = 23,  ///<
    kL1PricingInertia = 24,           ///<
};
/// Partial `level` of the send accumulator lives at slot kSendPartialsBase + level.
inline constexpr uint64_t kSendPartialsBase = 64;

inline uint256 slot_key(Slot s) {
    return uint256(static_cast<uint64_t>(s));
}

/// Arbitrum's ApproxExpBasisPoints(x, accuracy 4): e^(x/10000) in basis points by a 4-term
/// Horner evaluation of the Taylor series, in integers (saturating). x >= 0.
uint64_t approx_exp_bips(uint64_t x_bips);

/// Arbitrum's speed-limit model: the base fee for `backlog` (min_base_fee when the backlog is at
/// most tolerance × speed limit, else min_base_fee × e^(excess / (inertia × speed limit))).
uint256 l2_base_fee_for_backlog(const FeeParams& fees, uint64_t backlog);

/// The backlog after `elapsed_seconds` at the speed limit (floor 0).
uint64_t drain_backlog(const FeeParams& fees, uint64_t backlog, uint64_t elapsed_seconds);

/// The highest L1 price per byte ArbOS charges (2^128 wei): bounds every product of the L1 fee
/// so that no integer wraps, whatever the message's L1 base fee or the backlog.
inline const uint256 kMaxL1PricePerByte = uint256(1) << 128;

/// The L1 data backlog after `elapsed_seconds` at l1TargetBytesPerSecond (floor 0).
uint64_t drain_l1_backlog(const FeeParams& fees, uint64_t l1_backlog, uint64_t elapsed_seconds);

/// The L1 backlog's price factor in basis points: 10000 while `l1_backlog` is at most
/// l1BacklogToleranceSeconds × target, else approx_exp_bips(excess × 10000 / (inertia × target))
/// (the L2 base fee's shape, docs/arbos.md "L1 price per byte"). Non-decreasing in the backlog.
uint64_t l1_backlog_factor_bips(const FeeParams& fees, uint64_t l1_backlog);

/// The L1 price per byte a block charges (docs/arbos.md "L1 price per byte"): before ArbOS
/// version 3, l1GasPerByte × `l1_base_fee`; from 3 on, l1GasPerByte × (`l1_base_fee` +
/// max(`l1_base_fee`, minBaseFee) × (factor − 10000) / 10000) with factor =
/// l1_backlog_factor_bips(`l1_backlog`), at most kMaxL1PricePerByte. Without a backlog above
/// the tolerance both give the same price.
uint256 l1_price_per_byte(const FeeParams& fees, uint64_t arbos_version, const uint256& l1_base_fee,
                          uint64_t l1_backlog);

/// `backlog` + `bytes`, saturating.
uint64_t add_l1_bytes(uint64_t backlog, uint64_t bytes);

/// Arbitrum's send Merkle accumulator (nitro merkleAccumulator): `size` leaves, partials by level.
struct MerkleNodeEvent {
    uint64_t level = 0;
    uint64_t num_leaves = 0;  ///< leaf index (size - 1) of the append that produced it
    Hash32 hash;
};
/// Number of partials a tree of `size` leaves uses (bit length of size).
uint64_t merkle_num_partials(uint64_t size);

/// Reads/writes ArbOS's account through an execution overlay (system step, precompiles).
class SystemStorage {
public:
    explicit SystemStorage(state::ExecState& state) : state_(state) {}

    uint256 get(Slot s) { return state_.get_storage(kArbosStateAddress, slot_key(s)); }
    uint64_t get_u64(Slot s);
    void set(Slot s, const uint256& v) { state_.set_storage(kArbosStateAddress, slot_key(s), v); }

    /// Appends `item` to the send accumulator, updates count and root; returns the interior
    /// nodes completed (Arbitrum emits a SendMerkleUpdate event for each).
    std::vector<MerkleNodeEvent> append_send(const Hash32& item);
    /// The root of the accumulator (zero when empty), computed as Arbitrum's Root().
    Hash32 send_root();

private:
    state::ExecState& state_;
};

/// Writes ArbOS's initial state for `genesis` into `state` (account with nonce 1, every slot,
/// and the 0xfe code Arbitrum puts at its precompile addresses).
void init_system_state(state::ExecState& state, const Genesis& genesis);

}  // namespace fuse::arbos
