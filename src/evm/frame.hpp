#pragma once
/// Internal to the interpreter: the state of one executing call frame (Yellow Paper §9.4.1,
/// the machine state µ) and helpers the opcode implementations share.

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"
#include "evm/interpreter.hpp"

#define FUSE_ALWAYS_INLINE [[gnu::always_inline]] inline
#define FUSE_NOINLINE [[gnu::noinline]]

namespace fuse::evm {

inline constexpr int kStackLimit = 1024;
inline constexpr int32_t kCallDepthLimit = 1024;
/// Memory beyond 4 GiB can never be paid for; treating it as out of gas keeps sizes in 64 bits.
inline constexpr uint64_t kMaxMemory = uint64_t{1} << 32;
inline constexpr int64_t kColdSloadCost = 2100;          // EIP-2929
inline constexpr int64_t kColdAccountAccessCost = 2600;  // EIP-2929
inline constexpr int64_t kWarmStorageReadCost = 100;     // EIP-2929
inline constexpr int64_t kCallValueCost = 9000;
inline constexpr int64_t kCallStipend = 2300;
inline constexpr int64_t kNewAccountCost = 25000;
inline constexpr uint64_t kMaxInitcodeSize = 2 * 24576;  // EIP-3860

/// Byte-addressed, zero-initialised memory that grows geometrically. Invariant: bytes in
/// [size, capacity) are zero, so growing within capacity costs no memset (Solidity grows
/// memory 32 bytes at a time); the pool re-zeroes [0, size) when a frame ends.
struct Memory {
    uint8_t* data = nullptr;
    uint64_t size = 0;  ///< Active size, a multiple of 32 (MSIZE).
    uint64_t capacity = 0;
};

/// One call frame being executed.
struct Frame {
    Host& host;
    const Message& msg;
    const CodeAnalysis& code;
    Revision rev;
    Memory& mem;
    Status status = Status::kSuccess;
    int64_t gas_refund = 0;
    uint64_t output_offset = 0;
    uint64_t output_size = 0;
    Bytes return_data;
};

/// What an opcode returns: the next pc (nullptr = stop, `Frame::status` says why) and gas left.
struct Next {
    const uint8_t* pc;
    int64_t gas;
};

FUSE_ALWAYS_INLINE Next stop(Frame& f, Status s, int64_t gas) noexcept {
    f.status = s;
    return {nullptr, gas};
}

inline constexpr int64_t num_words(uint64_t size) noexcept {
    return static_cast<int64_t>((size + 31) / 32);
}

/// Memory cost (Yellow Paper eq. 326): 3 * words + words^2 / 512.
inline constexpr int64_t memory_cost(int64_t words) noexcept {
    return 3 * words + words * words / 512;
}

/// Slow path: charges expansion to `new_end` bytes and grows. Returns gas left (< 0: OOG).
int64_t grow_memory(Memory& mem, int64_t gas, uint64_t new_end) noexcept;

/// Ensures [offset, offset + size) is in memory, charging expansion; size must be > 0.
FUSE_ALWAYS_INLINE bool check_memory(Frame& f, int64_t& gas, uint64_t offset,
                                     uint64_t size) noexcept {
    if (offset > kMaxMemory || size > kMaxMemory) return false;
    const uint64_t end = offset + size;
    if (end > f.mem.size) {
        gas = grow_memory(f.mem, gas, end);
        return gas >= 0;
    }
    return true;
}

/// Same for 256-bit operands; a zero size touches nothing, whatever the offset.
FUSE_ALWAYS_INLINE bool check_memory(Frame& f, int64_t& gas, const uint256& offset,
                                     const uint256& size) noexcept {
    if (size.is_zero()) return true;
    if (!offset.fits_u64() || !size.fits_u64()) return false;
    return check_memory(f, gas, offset.low64(), size.low64());
}

inline Address to_address(const uint256& v) noexcept {
    uint8_t be[32];
    v.to_be(be);
    Address a;
    std::memcpy(a.data(), be + 12, 20);
    return a;
}

inline uint256 to_u256(const Address& a) noexcept {
    uint8_t be[32] = {};
    std::memcpy(be + 12, a.data(), 20);
    return uint256::from_be32(be);
}

/// Copies `src[src_off .. src_off+size)` into `dst`, zero-filling past the end of `src`.
inline void copy_padded(uint8_t* dst, const uint8_t* src, size_t src_size, const uint256& src_off,
                        size_t size) noexcept {
    size_t n = 0;
    if (src_off.fits_u64() && src_off.low64() < src_size) {
        const size_t off = static_cast<size_t>(src_off.low64());
        n = std::min(size, src_size - off);
        if (n) std::memcpy(dst, src + off, n);
    }
    if (size > n) std::memset(dst + n, 0, size - n);
}

// Out-of-line opcode implementations (instructions_system.cpp): they reach the host or
// allocate, so inlining them would only bloat the dispatch loop.
Next op_sload(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_sstore(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_keccak256(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_balance(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_extcodesize(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_extcodecopy(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_extcodehash(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_returndatacopy(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_blockhash(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_exp(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_log(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, int num_topics) noexcept;
Next op_call(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, CallKind kind,
             bool is_static) noexcept;
Next op_create(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, CallKind kind) noexcept;
Next op_selfdestruct(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas) noexcept;
Next op_tx_context(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas, uint8_t opcode) noexcept;

}  // namespace fuse::evm
