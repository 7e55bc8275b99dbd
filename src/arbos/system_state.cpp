#include "arbos/system_state.hpp"

#include <algorithm>
#include <bit>
#include <optional>

#include "arbos/arbos.hpp"
#include "arbos/revision.hpp"
#include "core/hash.hpp"

namespace fuse::arbos {

namespace {

constexpr uint64_t kOneInBips = 10'000;

uint64_t saturating_mul(uint64_t a, uint64_t b) {
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

uint64_t low_u64(const uint256& v) {
    return (v.w[1] | v.w[2] | v.w[3]) ? UINT64_MAX : v.w[0];
}

Hash32 keccak_pair(const Hash32& a, const Hash32& b) {
    uint8_t buf[64];
    std::copy(a.bytes.begin(), a.bytes.end(), buf);
    std::copy(b.bytes.begin(), b.bytes.end(), buf + 32);
    return keccak256({buf, 64});
}

uint256 address_word(const Address& a) {
    return uint256::from_be(a.view());
}

}  // namespace

uint64_t approx_exp_bips(uint64_t x) {
    // nitro util/arbmath ApproxExpBasisPoints(value, accuracy = 4): Horner's scheme on
    // 1 + x/4 (1 + x/3 (1 + x/2 (1 + x))) in basis points.
    constexpr uint64_t kAccuracy = 4;
    uint64_t res = kOneInBips + x / kAccuracy;
    for (uint64_t i = 1; i < kAccuracy; ++i)
        res = kOneInBips + saturating_mul(res, x) / ((kAccuracy - i) * kOneInBips);
    return res;
}

uint256 l2_base_fee_for_backlog(const FeeParams& fees, uint64_t backlog) {
    const uint64_t tolerance =
        saturating_mul(fees.backlog_tolerance_seconds, fees.speed_limit_per_second);
    if (backlog <= tolerance) return fees.min_base_fee;
    const uint64_t excess = backlog - tolerance;
    const uint64_t divisor = saturating_mul(fees.pricing_inertia, fees.speed_limit_per_second);
    if (divisor == 0) return fees.min_base_fee;
    // nitro: NaturalToBips(excess) / Bips(inertia × speed limit), then MulByBips.
    const uint64_t exponent_bips = saturating_mul(excess, kOneInBips) / divisor;
    const uint256 factor = approx_exp_bips(exponent_bips);
    return fees.min_base_fee * factor / uint256(kOneInBips);
}

uint64_t drain_backlog(const FeeParams& fees, uint64_t backlog, uint64_t elapsed_seconds) {
    const uint64_t drained = saturating_mul(elapsed_seconds, fees.speed_limit_per_second);
    return backlog > drained ? backlog - drained : 0;
}

uint64_t drain_l1_backlog(const FeeParams& fees, uint64_t l1_backlog, uint64_t elapsed_seconds) {
    const uint64_t drained = saturating_mul(elapsed_seconds, fees.l1_target_bytes_per_second);
    return l1_backlog > drained ? l1_backlog - drained : 0;
}

uint64_t l1_backlog_factor_bips(const FeeParams& fees, uint64_t l1_backlog) {
    const uint64_t tolerance =
        saturating_mul(fees.l1_backlog_tolerance_seconds, fees.l1_target_bytes_per_second);
    if (l1_backlog <= tolerance) return kOneInBips;
    const uint64_t divisor =
        saturating_mul(fees.l1_pricing_inertia, fees.l1_target_bytes_per_second);
    if (divisor == 0) return kOneInBips;
    const uint64_t exponent_bips = saturating_mul(l1_backlog - tolerance, kOneInBips) / divisor;
    return approx_exp_bips(exponent_bips);
}

uint256 l1_price_per_byte(const FeeParams& fees, uint64_t arbos_version, const uint256& l1_base_fee,
                          uint64_t l1_backlog) {
    const uint256 per_byte = uint256(fees.l1_gas_per_byte);
    if (arbos_version < kArbosVersionL1Backlog) return per_byte * l1_base_fee;  // versions 1, 2
    if (l1_base_fee >= kMaxL1PricePerByte || fees.min_base_fee >= kMaxL1PricePerByte)
        return per_byte.is_zero() ? uint256{} : kMaxL1PricePerByte;
    // The surcharge's base is never below the L2 floor price, so that the backlog is priced even
    // when L1 gas is (nearly) free. Bounds: < 2^64 × 2^128 × 2^64, no product wraps.
    const uint64_t surcharge_bips = l1_backlog_factor_bips(fees, l1_backlog) - kOneInBips;
    const uint256 surcharge_base = std::max(l1_base_fee, fees.min_base_fee);
    const uint256 price =
        per_byte * (l1_base_fee + surcharge_base * uint256(surcharge_bips) / uint256(kOneInBips));
    return std::min(price, kMaxL1PricePerByte);
}

uint64_t add_l1_bytes(uint64_t backlog, uint64_t bytes) {
    return backlog > UINT64_MAX - bytes ? UINT64_MAX : backlog + bytes;
}

uint64_t merkle_num_partials(uint64_t size) {
    // nitro arbmath.Log2ceil: the bit length of `size` (0 for 0).
    return size == 0 ? 0 : 64 - static_cast<uint64_t>(std::countl_zero(size));
}

uint64_t SystemStorage::get_u64(Slot s) {
    return low_u64(get(s));
}

std::vector<MerkleNodeEvent> SystemStorage::append_send(const Hash32& item) {
    const uint64_t size = get_u64(Slot::kSendCount) + 1;
    set(Slot::kSendCount, uint256(size));
    std::vector<MerkleNodeEvent> events;
    Hash32 so_far = keccak256(item.view());  // leaves are hashed once more (nitro Append)
    for (uint64_t level = 0;; ++level) {
        const uint256 key = uint256(kSendPartialsBase + level);
        if (level == merkle_num_partials(size - 1)) {
            state_.set_storage(kArbosStateAddress, key, uint256::from_hash(so_far));
            break;
        }
        const uint256 partial = state_.get_storage(kArbosStateAddress, key);
        if (partial.is_zero()) {
            state_.set_storage(kArbosStateAddress, key, uint256::from_hash(so_far));
            break;
        }
        so_far = keccak_pair(partial.to_hash(), so_far);
        state_.set_storage(kArbosStateAddress, key, uint256{});
        events.push_back({level + 1, size - 1, so_far});
    }
    set(Slot::kSendRoot, uint256::from_hash(send_root()));
    return events;
}

Hash32 SystemStorage::send_root() {
    const uint64_t size = get_u64(Slot::kSendCount);
    if (size == 0) return {};
    bool have = false;
    Hash32 so_far;
    uint64_t capacity_in_hash = 0;
    uint64_t capacity = 1;
    const Hash32 zero{};
    for (uint64_t level = 0; level < merkle_num_partials(size); ++level) {
        const uint256 p =
            state_.get_storage(kArbosStateAddress, uint256(kSendPartialsBase + level));
        if (!p.is_zero()) {
            const Hash32 partial = p.to_hash();
            if (!have) {
                have = true;
                so_far = partial;
                capacity_in_hash = capacity;
            } else {
                while (capacity_in_hash < capacity) {
                    so_far = keccak_pair(so_far, zero);
                    capacity_in_hash *= 2;
                }
                so_far = keccak_pair(partial, so_far);
                capacity_in_hash = 2 * capacity;
            }
        }
        capacity *= 2;
    }
    return so_far;
}

void init_system_state(state::ExecState& st, const Genesis& g) {
    st.set_nonce(kArbosStateAddress, 1);
    SystemStorage s(st);
    const FeeParams& f = g.fees;
    s.set(Slot::kVersion, uint256(g.arbos_version));
    s.set(Slot::kChainId, uint256(g.chain_id));
    s.set(Slot::kL1BaseFee, f.initial_l1_base_fee);
    s.set(Slot::kL1PricePerByte,
          l1_price_per_byte(f, g.arbos_version, f.initial_l1_base_fee, /*l1_backlog=*/0));
    s.set(Slot::kL2BaseFee, f.min_base_fee);
    s.set(Slot::kLastTimestamp, uint256(g.timestamp));
    s.set(Slot::kMinBaseFee, f.min_base_fee);
    s.set(Slot::kSpeedLimit, uint256(f.speed_limit_per_second));
    s.set(Slot::kBacklogTolerance, uint256(f.backlog_tolerance_seconds));
    s.set(Slot::kPricingInertia, uint256(f.pricing_inertia));
    s.set(Slot::kBlockGasLimit, uint256(f.block_gas_limit));
    s.set(Slot::kMaxTxGasLimit, uint256(f.max_tx_gas_limit));
    s.set(Slot::kL1GasPerByte, uint256(f.l1_gas_per_byte));
    s.set(Slot::kNetworkFeeAccount, address_word(f.network_fee_account));
    s.set(Slot::kL1FeeAccount, address_word(f.l1_fee_account));
    if (g.arbos_version >= kArbosVersionL1Backlog) {
        s.set(Slot::kL1TargetBytesPerSecond, uint256(f.l1_target_bytes_per_second));
        s.set(Slot::kL1BacklogToleranceSeconds, uint256(f.l1_backlog_tolerance_seconds));
        s.set(Slot::kL1PricingInertia, uint256(f.l1_pricing_inertia));
    }
    // Arbitrum puts the code 0xfe (INVALID) at its precompile addresses so that EXTCODESIZE is
    // non-zero (Solidity's checks pass) and EIP-161 never deletes them.
    const Bytes invalid{0xfe};
    st.set_code(kArbSysAddress, invalid);
    st.set_code(kArbGasInfoAddress, invalid);
}

state::ReadResult<SystemState> read_system_state(const state::StateReader& st) {
    std::optional<state::StorageFault> fault;
    auto get = [&](Slot s) {
        if (fault) return uint256{};
        auto v = st.read_storage(kArbosStateAddress, slot_key(s));
        if (v) return *v;
        fault = v.error();
        return uint256{};
    };
    SystemState out;
    out.arbos_version = low_u64(get(Slot::kVersion));
    out.chain_id = low_u64(get(Slot::kChainId));
    out.l1_block_number = low_u64(get(Slot::kL1BlockNumber));
    out.l1_base_fee = get(Slot::kL1BaseFee);
    out.l1_price_per_byte = get(Slot::kL1PricePerByte);
    out.l2_base_fee = get(Slot::kL2BaseFee);
    out.gas_backlog = low_u64(get(Slot::kGasBacklog));
    out.last_timestamp = low_u64(get(Slot::kLastTimestamp));
    out.send_root = get(Slot::kSendRoot).to_hash();
    out.send_count = low_u64(get(Slot::kSendCount));
    out.next_deposit_index = low_u64(get(Slot::kNextDepositIndex));
    out.deposit_acc = get(Slot::kDepositAcc).to_hash();
    out.l1_backlog = low_u64(get(Slot::kL1Backlog));
    if (fault) return Unexpected{std::move(*fault)};
    return out;
}

state::ReadResult<uint256> next_base_fee(const state::StateReader& st, const Genesis& g,
                                         uint64_t timestamp) {
    auto r = read_system_state(st);
    if (!r) return Unexpected{r.error()};
    const SystemState& s = *r;
    const uint64_t elapsed = timestamp > s.last_timestamp ? timestamp - s.last_timestamp : 0;
    return l2_base_fee_for_backlog(g.fees, drain_backlog(g.fees, s.gas_backlog, elapsed));
}

uint256 next_l1_price_per_byte(const Genesis& g, const SystemState& s, const uint256& l1_base_fee,
                               uint64_t timestamp) {
    const uint64_t elapsed = timestamp > s.last_timestamp ? timestamp - s.last_timestamp : 0;
    return l1_price_per_byte(g.fees, s.arbos_version, l1_base_fee,
                             drain_l1_backlog(g.fees, s.l1_backlog, elapsed));
}

}  // namespace fuse::arbos
