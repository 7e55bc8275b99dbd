// Opcodes that reach the host, allocate or are long: kept out of the dispatch loop.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "core/hash.hpp"
#include "evm/frame.hpp"

namespace fuse::evm {
namespace {

/// Charges the EIP-2929 cold surcharge for `addr` (the warm part is the static gas).
bool charge_account_access(Frame& f, int64_t& gas, const Address& addr) noexcept {
    if (f.host.access_account(addr) == AccessStatus::kCold)
        gas -= kColdAccountAccessCost - kWarmStorageReadCost;
    return gas >= 0;
}

struct SstoreCost {
    int64_t gas;
    int64_t refund;
};

/// EIP-2200 as amended by EIP-2929 and EIP-3529, indexed by StorageStatus.
constexpr std::array<SstoreCost, 9> kSstoreCosts = {{
    {kWarmStorageReadCost, 0},      // kAssigned
    {20000, 0},                     // kAdded
    {5000 - kColdSloadCost, 4800},  // kDeleted
    {5000 - kColdSloadCost, 0},     // kModified
    {kWarmStorageReadCost, -4800},  // kDeletedAdded
    {kWarmStorageReadCost, 4800},   // kModifiedDeleted
    {kWarmStorageReadCost,
     -4800 + 5000 - kColdSloadCost - kWarmStorageReadCost},                // kDeletedRestored
    {kWarmStorageReadCost, 20000 - kWarmStorageReadCost},                  // kAddedDeleted
    {kWarmStorageReadCost, 5000 - kColdSloadCost - kWarmStorageReadCost},  // kModifiedRestored
}};

/// EIP-7702: the delegate named by a delegation designator (0xef0100 ‖ address), if any.
std::optional<Address> delegation_target(const Host& host, const Address& addr) noexcept {
    if (host.get_code_size(addr) != 23) return std::nullopt;
    uint8_t buf[23];
    if (host.copy_code(addr, 0, buf, 23) != 23) return std::nullopt;
    if (buf[0] != 0xef || buf[1] != 0x01 || buf[2] != 0x00) return std::nullopt;
    Address d;
    std::memcpy(d.data(), buf + 3, 20);
    return d;
}

}  // namespace

int64_t grow_memory(Memory& mem, int64_t gas, uint64_t new_end) noexcept {
    const int64_t new_words = num_words(new_end);
    const int64_t old_words = static_cast<int64_t>(mem.size / 32);
    gas -= memory_cost(new_words) - memory_cost(old_words);
    if (gas < 0) return gas;
    const uint64_t new_size = static_cast<uint64_t>(new_words) * 32;
    if (new_size > mem.capacity) {
        const uint64_t cap = std::max<uint64_t>({new_size, mem.capacity * 2, 4096});
        auto* p = static_cast<uint8_t*>(std::realloc(mem.data, cap));
        if (p == nullptr) return -1;  // cannot happen for payable sizes; report as out of gas
        std::memset(p + mem.capacity, 0, cap - mem.capacity);
        mem.data = p;
        mem.capacity = cap;
    }
    mem.size = new_size;
    return gas;
}

Next op_exp(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const uint256& exponent = sp[-2];
    if ((gas -= 50 * static_cast<int64_t>(exponent.byte_width())) < 0)
        return stop(f, Status::kOutOfGas, gas);
    sp[-2] = exp(sp[-1], exponent);
    return {pc + 1, gas};
}

Next op_keccak256(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const uint256& off = sp[-1];
    const uint256& size = sp[-2];
    if (!check_memory(f, gas, off, size)) return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if ((gas -= 6 * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    const ByteView data = n ? ByteView(f.mem.data + off.low64(), n) : ByteView();
    sp[-2] = uint256::from_hash(keccak256(data));
    return {pc + 1, gas};
}

Next op_balance(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const Address addr = to_address(sp[-1]);
    if (!charge_account_access(f, gas, addr)) return stop(f, Status::kOutOfGas, gas);
    sp[-1] = f.host.get_balance(addr);
    return {pc + 1, gas};
}

Next op_extcodesize(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const Address addr = to_address(sp[-1]);
    if (!charge_account_access(f, gas, addr)) return stop(f, Status::kOutOfGas, gas);
    sp[-1] = uint256(f.host.get_code_size(addr));
    return {pc + 1, gas};
}

Next op_extcodehash(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const Address addr = to_address(sp[-1]);
    if (!charge_account_access(f, gas, addr)) return stop(f, Status::kOutOfGas, gas);
    sp[-1] = uint256::from_hash(f.host.get_code_hash(addr));
    return {pc + 1, gas};
}

Next op_extcodecopy(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const Address addr = to_address(sp[-1]);
    const uint256& mem_off = sp[-2];
    const uint256& code_off = sp[-3];
    const uint256& size = sp[-4];
    if (!check_memory(f, gas, mem_off, size)) return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if ((gas -= 3 * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    if (!charge_account_access(f, gas, addr)) return stop(f, Status::kOutOfGas, gas);
    if (n) {
        uint8_t* dst = f.mem.data + mem_off.low64();
        size_t copied = 0;
        if (code_off.fits_u64())
            copied = f.host.copy_code(addr, static_cast<size_t>(code_off.low64()), dst, n);
        if (copied < n) std::memset(dst + copied, 0, n - copied);
    }
    return {pc + 1, gas};
}

Next op_returndatacopy(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const uint256& mem_off = sp[-1];
    const uint256& data_off = sp[-2];
    const uint256& size = sp[-3];
    if (!check_memory(f, gas, mem_off, size)) return stop(f, Status::kOutOfGas, gas);
    // EIP-211: reading past the return data is an exceptional halt (even for size 0).
    const uint64_t avail = f.return_data.size();
    if (!data_off.fits_u64() || data_off.low64() > avail || size.low64() > avail - data_off.low64())
        return stop(f, Status::kInvalidMemoryAccess, gas);
    const uint64_t n = size.low64();
    if ((gas -= 3 * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    if (n) std::memcpy(f.mem.data + mem_off.low64(), f.return_data.data() + data_off.low64(), n);
    return {pc + 1, gas};
}

Next op_blockhash(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const uint256& n = sp[-1];
    const int64_t current = f.host.get_tx_context().number;
    const int64_t lowest = current > 256 ? current - 256 : 0;
    const bool in_window = n.fits_u64() && n.low64() < static_cast<uint64_t>(current) &&
                           n.low64() >= static_cast<uint64_t>(lowest);
    sp[-1] = in_window ? uint256::from_hash(f.host.get_block_hash(static_cast<int64_t>(n.low64())))
                       : uint256();
    return {pc + 1, gas};
}

Next op_tx_context(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, uint8_t opcode) noexcept {
    const TxContext& tx = f.host.get_tx_context();
    switch (opcode) {
        case 0x32:
            sp[0] = to_u256(tx.origin);
            break;
        case 0x3a:
            sp[0] = tx.gas_price;
            break;
        case 0x41:
            sp[0] = to_u256(tx.coinbase);
            break;
        case 0x42:
            sp[0] = uint256(static_cast<uint64_t>(tx.timestamp));
            break;
        case 0x43:
            sp[0] = uint256(static_cast<uint64_t>(tx.number));
            break;
        case 0x44:
            sp[0] = tx.prev_randao;
            break;
        case 0x45:
            sp[0] = uint256(static_cast<uint64_t>(tx.gas_limit));
            break;
        case 0x46:
            sp[0] = tx.chain_id;
            break;
        case 0x47:
            sp[0] = f.host.get_balance(f.msg.recipient);
            break;
        case 0x48:
            sp[0] = tx.base_fee;
            break;
        case 0x49: {  // BLOBHASH (EIP-4844): pops an index
            const uint256& i = sp[-1];
            sp[-1] = i.fits_u64() && i.low64() < tx.blob_hashes.size()
                         ? uint256::from_hash(tx.blob_hashes[i.low64()])
                         : uint256();
            break;
        }
        case 0x4a:
            sp[0] = tx.blob_base_fee;
            break;
        default:
            return stop(f, Status::kInternalError, gas);
    }
    return {pc + 1, gas};
}

Next op_sload(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    uint256& key = sp[-1];
    if (f.host.access_storage(f.msg.recipient, key) == AccessStatus::kCold &&
        (gas -= kColdSloadCost - kWarmStorageReadCost) < 0)
        return stop(f, Status::kOutOfGas, gas);
    key = f.host.get_storage(f.msg.recipient, key);
    return {pc + 1, gas};
}

Next op_sstore(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    if (f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
    // EIP-2200 sentry: SSTORE needs more than the call stipend left.
    if (gas <= kCallStipend) return stop(f, Status::kOutOfGas, gas);
    const uint256& key = sp[-1];
    const uint256& value = sp[-2];
    int64_t cost = 0;
    if (f.host.access_storage(f.msg.recipient, key) == AccessStatus::kCold) cost = kColdSloadCost;
    const StorageStatus st = f.host.set_storage(f.msg.recipient, key, value);
    const SstoreCost& c = kSstoreCosts[static_cast<size_t>(st)];
    if ((gas -= cost + c.gas) < 0) return stop(f, Status::kOutOfGas, gas);
    f.gas_refund += c.refund;
    return {pc + 1, gas};
}

Next op_log(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, int num_topics) noexcept {
    if (f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
    const uint256& off = sp[-1];
    const uint256& size = sp[-2];
    if (!check_memory(f, gas, off, size)) return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if ((gas -= 8 * static_cast<int64_t>(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    uint256 topics[4];
    for (int i = 0; i < num_topics; ++i)
        topics[i] = sp[-3 - i];
    const ByteView data = n ? ByteView(f.mem.data + off.low64(), n) : ByteView();
    f.host.emit_log(f.msg.recipient, data,
                    std::span<const uint256>(topics, static_cast<size_t>(num_topics)));
    return {pc + 1, gas};
}

Next op_call(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, CallKind kind,
             bool is_static) noexcept {
    // CALL and CALLCODE take a value operand; DELEGATECALL and STATICCALL do not.
    const bool value_operand = *pc == 0xf1 || *pc == 0xf2;
    const uint256 gas_arg = sp[-1];
    const Address dst = to_address(sp[-2]);
    const uint256 value = value_operand ? sp[-3] : uint256();
    const int a = value_operand ? 4 : 3;
    const uint256 in_off = sp[-a];
    const uint256 in_size = sp[-a - 1];
    const uint256 out_off = sp[-a - 2];
    const uint256 out_size = sp[-a - 3];
    uint256& result = sp[-a - 3];  // the slot the caller's adjusted stack reads as the top

    result = uint256();
    f.return_data.clear();

    if (!charge_account_access(f, gas, dst)) return stop(f, Status::kOutOfGas, gas);
    if (f.rev >= Revision::kPrague) {  // EIP-7702: also pay to access the delegate
        if (const auto target = delegation_target(f.host, dst)) {
            gas -= f.host.access_account(*target) == AccessStatus::kCold ? kColdAccountAccessCost
                                                                         : kWarmStorageReadCost;
            if (gas < 0) return stop(f, Status::kOutOfGas, gas);
        }
    }
    if (!check_memory(f, gas, in_off, in_size) || !check_memory(f, gas, out_off, out_size))
        return stop(f, Status::kOutOfGas, gas);

    const bool has_value = !value.is_zero();
    int64_t cost = has_value ? kCallValueCost : 0;
    if (kind == CallKind::kCall && *pc == 0xf1) {
        if (has_value && f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
        if (has_value && !f.host.account_exists(dst)) cost += kNewAccountCost;
    }
    if ((gas -= cost) < 0) return stop(f, Status::kOutOfGas, gas);

    Message msg;
    msg.kind = kind;
    msg.is_static = is_static;
    msg.depth = f.msg.depth + 1;
    msg.code_address = dst;
    msg.input =
        in_size.is_zero() ? ByteView() : ByteView(f.mem.data + in_off.low64(), in_size.low64());
    if (kind == CallKind::kDelegateCall) {
        msg.recipient = f.msg.recipient;
        msg.sender = f.msg.sender;
        msg.value = f.msg.value;
    } else {
        msg.recipient = kind == CallKind::kCallCode ? f.msg.recipient : dst;
        msg.sender = f.msg.recipient;
        msg.value = value;
    }
    // EIP-150: at most all but one 64th of what is left.
    const int64_t cap = gas - gas / 64;
    msg.gas = gas_arg.fits_u64() && gas_arg.low64() < static_cast<uint64_t>(cap)
                  ? static_cast<int64_t>(gas_arg.low64())
                  : cap;
    if (has_value) {
        msg.gas += kCallStipend;
        gas += kCallStipend;  // the stipend is free: the callee's leftover comes back below
    }

    if (f.msg.depth >= kCallDepthLimit) return {pc + 1, gas};
    if (has_value && f.host.get_balance(f.msg.recipient) < value) return {pc + 1, gas};

    ExecResult r = f.host.call(msg);
    result = uint256(r.status == Status::kSuccess);
    if (const uint64_t n = std::min<uint64_t>(out_size.low64(), r.output.size()); n > 0)
        std::memcpy(f.mem.data + out_off.low64(), r.output.data(), n);
    f.return_data = std::move(r.output);
    gas -= msg.gas - r.gas_left;
    f.gas_refund += r.gas_refund;
    return {pc + 1, gas};
}

Next op_create(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, CallKind kind) noexcept {
    if (f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
    const uint256 value = sp[-1];
    const uint256 off = sp[-2];
    const uint256 size = sp[-3];
    const bool is_create2 = kind == CallKind::kCreate2;
    uint256& result = is_create2 ? sp[-4] : sp[-3];
    const uint256 salt = is_create2 ? sp[-4] : uint256();

    f.return_data.clear();
    if (!check_memory(f, gas, off, size)) return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if (n > kMaxInitcodeSize) return stop(f, Status::kOutOfGas, gas);  // EIP-3860
    const int64_t per_word = is_create2 ? 2 + 6 : 2;  // EIP-3860 initcode + CREATE2 hashing
    if ((gas -= per_word * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);

    result = uint256();
    if (f.msg.depth >= kCallDepthLimit) return {pc + 1, gas};
    if (!value.is_zero() && f.host.get_balance(f.msg.recipient) < value) return {pc + 1, gas};

    Message msg;
    msg.kind = kind;
    msg.depth = f.msg.depth + 1;
    msg.gas = gas - gas / 64;
    msg.sender = f.msg.recipient;
    msg.value = value;
    msg.input = n ? ByteView(f.mem.data + off.low64(), n) : ByteView();
    msg.create2_salt = salt.to_hash();

    ExecResult r = f.host.call(msg);
    gas -= msg.gas - r.gas_left;
    f.gas_refund += r.gas_refund;
    if (r.status == Status::kSuccess)
        result = to_u256(r.create_address);
    else if (r.status == Status::kRevert)
        f.return_data = std::move(r.output);
    return {pc + 1, gas};
}

Next op_selfdestruct(Frame& f, uint256* sp, const uint8_t*, int64_t gas) noexcept {
    if (f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
    const Address beneficiary = to_address(sp[-1]);
    if (f.host.access_account(beneficiary) == AccessStatus::kCold &&
        (gas -= kColdAccountAccessCost) < 0)
        return stop(f, Status::kOutOfGas, gas);
    // EIP-161: the new-account charge applies only when value actually moves.
    if (!f.host.get_balance(f.msg.recipient).is_zero() && !f.host.account_exists(beneficiary) &&
        (gas -= kNewAccountCost) < 0)
        return stop(f, Status::kOutOfGas, gas);
    f.host.selfdestruct(f.msg.recipient, beneficiary);
    return stop(f, Status::kSuccess, gas);
}

}  // namespace fuse::evm
