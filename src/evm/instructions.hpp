#pragma once
/// Internal: one function per opcode, `op_<NAME>`, all with the same shape so the opcode table
/// can generate dispatch. `sp` points one past the stack top (sp[-1] is the top); the stack
/// height and static gas were checked by the caller, which moves `sp` by out - in afterwards.
/// Results are written where the caller's adjusted stack expects them (sp[out - in - 1]).

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"
#include "evm/frame.hpp"

namespace fuse::evm::instr {

#define FUSE_OP(NAME)                                                                          \
    FUSE_ALWAYS_INLINE Next op_##NAME([[maybe_unused]] Frame& f, [[maybe_unused]] uint256* sp, \
                                      [[maybe_unused]] const uint8_t* pc,                      \
                                      [[maybe_unused]] int64_t gas) noexcept

#define FUSE_BINOP(NAME, EXPR)     \
    FUSE_OP(NAME) {                \
        const uint256& a = sp[-1]; \
        const uint256& b = sp[-2]; \
        sp[-2] = (EXPR);           \
        return {pc + 1, gas};      \
    }

/// Stack words are moved by DUP/SWAP, and results of out-of-line arithmetic (DIV, MULMOD...)
/// copied to the stack, as four 64-bit limbs through general registers. Arithmetic stores its
/// results limb by limb; a 128-bit (SSE) load of a word
/// just stored that way cannot be forwarded from the store buffer and stalls for the stores
/// to retire (on snailtracer and blake2b, the most expensive spot in the loop), while 64-bit
/// loads forward from stores of any width. The empty asm keeps GCC from merging the moves
/// into vector ones.
FUSE_ALWAYS_INLINE void load_limbs(const uint256& x, uint64_t (&w)[4]) noexcept {
    w[0] = x.w[0];
    w[1] = x.w[1];
    w[2] = x.w[2];
    w[3] = x.w[3];
#if defined(__GNUC__)
    asm("" : "+r"(w[0]), "+r"(w[1]), "+r"(w[2]), "+r"(w[3]));
#endif
}
FUSE_ALWAYS_INLINE void store_limbs(uint256& x, const uint64_t (&w)[4]) noexcept {
    x.w[0] = w[0];
    x.w[1] = w[1];
    x.w[2] = w[2];
    x.w[3] = w[3];
}

/// dst = v, limb by limb (v was just stored by an out-of-line function; see load_limbs).
FUSE_ALWAYS_INLINE void put_word(uint256& dst, const uint256& v) noexcept {
    uint64_t w[4];
    load_limbs(v, w);
    store_limbs(dst, w);
}

/// A binary operation computed out of line (its result comes back through memory).
#define FUSE_BINOP_CALL(NAME, EXPR) \
    FUSE_OP(NAME) {                 \
        const uint256& a = sp[-1];  \
        const uint256& b = sp[-2];  \
        const uint256 r = (EXPR);   \
        put_word(sp[-2], r);        \
        return {pc + 1, gas};       \
    }

FUSE_OP(STOP) {
    return stop(f, Status::kSuccess, gas);
}
FUSE_OP(INVALID) {
    return stop(f, Status::kInvalidInstruction, gas);
}
FUSE_OP(UNDEFINED) {
    return stop(f, Status::kUndefinedInstruction, gas);
}

FUSE_BINOP(ADD, a + b)
FUSE_BINOP(MUL, a* b)
FUSE_BINOP(SUB, a - b)
FUSE_BINOP_CALL(DIV, a / b)
FUSE_BINOP_CALL(SDIV, sdiv(a, b))
FUSE_BINOP_CALL(MOD, a % b)
FUSE_BINOP_CALL(SMOD, smod(a, b))
FUSE_BINOP(SIGNEXTEND, signextend(a, b))
FUSE_BINOP(LT, uint256(a < b))
FUSE_BINOP(GT, uint256(a > b))
FUSE_BINOP(SLT, uint256(slt(a, b)))
FUSE_BINOP(SGT, uint256(sgt(a, b)))
FUSE_BINOP(EQ, uint256(a == b))
FUSE_BINOP(AND, a& b)
FUSE_BINOP(OR, a | b)
FUSE_BINOP(XOR, a ^ b)
FUSE_BINOP(BYTE, byte_at(a, b))
FUSE_BINOP(SHL, b << a)
FUSE_BINOP(SHR, b >> a)
FUSE_BINOP(SAR, sar(a, b))

FUSE_OP(ADDMOD) {
    const uint256 r = addmod(sp[-1], sp[-2], sp[-3]);
    put_word(sp[-3], r);
    return {pc + 1, gas};
}
FUSE_OP(MULMOD) {
    const uint256 r = mulmod(sp[-1], sp[-2], sp[-3]);
    put_word(sp[-3], r);
    return {pc + 1, gas};
}
FUSE_OP(EXP) {
    return op_exp(f, sp, pc, gas);
}
FUSE_OP(ISZERO) {
    sp[-1] = uint256(sp[-1].is_zero());
    return {pc + 1, gas};
}
FUSE_OP(NOT) {
    sp[-1] = ~sp[-1];
    return {pc + 1, gas};
}
FUSE_OP(KECCAK256) {
    return op_keccak256(f, sp, pc, gas);
}

FUSE_OP(ADDRESS) {
    sp[0] = to_u256(f.msg.recipient);
    return {pc + 1, gas};
}
FUSE_OP(BALANCE) {
    return op_balance(f, sp, pc, gas);
}
FUSE_OP(CALLER) {
    sp[0] = to_u256(f.msg.sender);
    return {pc + 1, gas};
}
FUSE_OP(CALLVALUE) {
    sp[0] = f.msg.value;
    return {pc + 1, gas};
}
FUSE_OP(CALLDATALOAD) {
    uint8_t buf[32];
    copy_padded(buf, f.msg.input.data(), f.msg.input.size(), sp[-1], 32);
    sp[-1] = uint256::from_be32(buf);
    return {pc + 1, gas};
}
FUSE_OP(CALLDATASIZE) {
    sp[0] = uint256(f.msg.input.size());
    return {pc + 1, gas};
}

/// The shared part of CALLDATACOPY, CODECOPY: memory, 3 gas per word, copy with zero fill.
FUSE_ALWAYS_INLINE Next copy_to_memory(Frame& f, uint256* sp, const uint8_t* pc, int64_t gas,
                                       const uint8_t* src, size_t src_size) noexcept {
    const uint256& mem_off = sp[-1];
    const uint256& src_off = sp[-2];
    const uint256& size = sp[-3];
    if (!check_memory(f, gas, mem_off, size)) return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if ((gas -= 3 * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    if (n) copy_padded(f.mem.data + mem_off.low64(), src, src_size, src_off, n);
    return {pc + 1, gas};
}
FUSE_OP(CALLDATACOPY) {
    return copy_to_memory(f, sp, pc, gas, f.msg.input.data(), f.msg.input.size());
}
FUSE_OP(CODESIZE) {
    sp[0] = uint256(f.code.code_size);
    return {pc + 1, gas};
}
FUSE_OP(CODECOPY) {
    return copy_to_memory(f, sp, pc, gas, f.code.padded_code.data(), f.code.code_size);
}
FUSE_OP(EXTCODESIZE) {
    return op_extcodesize(f, sp, pc, gas);
}
FUSE_OP(EXTCODECOPY) {
    return op_extcodecopy(f, sp, pc, gas);
}
FUSE_OP(RETURNDATASIZE) {
    sp[0] = uint256(f.return_data.size());
    return {pc + 1, gas};
}
FUSE_OP(RETURNDATACOPY) {
    return op_returndatacopy(f, sp, pc, gas);
}
FUSE_OP(EXTCODEHASH) {
    return op_extcodehash(f, sp, pc, gas);
}
FUSE_OP(BLOCKHASH) {
    return op_blockhash(f, sp, pc, gas);
}

#define FUSE_CTXOP(NAME, CODE)                      \
    FUSE_OP(NAME) {                                 \
        return op_tx_context(f, sp, pc, gas, CODE); \
    }
FUSE_CTXOP(ORIGIN, 0x32)
FUSE_CTXOP(GASPRICE, 0x3a)
FUSE_CTXOP(COINBASE, 0x41)
FUSE_CTXOP(TIMESTAMP, 0x42)
FUSE_CTXOP(NUMBER, 0x43)
FUSE_CTXOP(PREVRANDAO, 0x44)
FUSE_CTXOP(GASLIMIT, 0x45)
FUSE_CTXOP(CHAINID, 0x46)
FUSE_CTXOP(SELFBALANCE, 0x47)
FUSE_CTXOP(BASEFEE, 0x48)
FUSE_CTXOP(BLOBHASH, 0x49)
FUSE_CTXOP(BLOBBASEFEE, 0x4a)
#undef FUSE_CTXOP

FUSE_OP(POP) {
    return {pc + 1, gas};
}
FUSE_OP(MLOAD) {
    uint256& off = sp[-1];
    if (!off.fits_u64() || !check_memory(f, gas, off.low64(), 32))
        return stop(f, Status::kOutOfGas, gas);
    off = uint256::from_be32(f.mem.data + off.low64());
    return {pc + 1, gas};
}
FUSE_OP(MSTORE) {
    const uint256& off = sp[-1];
    if (!off.fits_u64() || !check_memory(f, gas, off.low64(), 32))
        return stop(f, Status::kOutOfGas, gas);
    sp[-2].to_be(f.mem.data + off.low64());
    return {pc + 1, gas};
}
FUSE_OP(MSTORE8) {
    const uint256& off = sp[-1];
    if (!off.fits_u64() || !check_memory(f, gas, off.low64(), 1))
        return stop(f, Status::kOutOfGas, gas);
    f.mem.data[off.low64()] = static_cast<uint8_t>(sp[-2].low64());
    return {pc + 1, gas};
}
FUSE_OP(SLOAD) {
    return op_sload(f, sp, pc, gas);
}
FUSE_OP(SSTORE) {
    return op_sstore(f, sp, pc, gas);
}

FUSE_OP(JUMP) {
    const uint256& dst = sp[-1];
    if (!dst.fits_u64() || !f.code.is_jumpdest(dst.low64()))
        return stop(f, Status::kBadJumpDestination, gas);
    return {f.code.padded_code.data() + dst.low64(), gas};
}
FUSE_OP(JUMPI) {
    if (sp[-2].is_zero()) return {pc + 1, gas};
    const uint256& dst = sp[-1];
    if (!dst.fits_u64() || !f.code.is_jumpdest(dst.low64()))
        return stop(f, Status::kBadJumpDestination, gas);
    return {f.code.padded_code.data() + dst.low64(), gas};
}
FUSE_OP(PC) {
    sp[0] = uint256(static_cast<uint64_t>(pc - f.code.padded_code.data()));
    return {pc + 1, gas};
}
FUSE_OP(MSIZE) {
    sp[0] = uint256(f.mem.size);
    return {pc + 1, gas};
}
FUSE_OP(GAS) {
    sp[0] = uint256(static_cast<uint64_t>(gas));
    return {pc + 1, gas};
}
FUSE_OP(JUMPDEST) {
    return {pc + 1, gas};
}
FUSE_OP(TLOAD) {
    sp[-1] = f.host.get_transient_storage(f.msg.recipient, sp[-1]);
    return {pc + 1, gas};
}
FUSE_OP(TSTORE) {
    if (f.msg.is_static) return stop(f, Status::kStaticModeViolation, gas);
    f.host.set_transient_storage(f.msg.recipient, sp[-1], sp[-2]);
    return {pc + 1, gas};
}
FUSE_OP(MCOPY) {  // EIP-5656
    const uint256& dst = sp[-1];
    const uint256& src = sp[-2];
    const uint256& size = sp[-3];
    if (!check_memory(f, gas, src, size) || !check_memory(f, gas, dst, size))
        return stop(f, Status::kOutOfGas, gas);
    const uint64_t n = size.low64();
    if ((gas -= 3 * num_words(n)) < 0) return stop(f, Status::kOutOfGas, gas);
    if (n) std::memmove(f.mem.data + dst.low64(), f.mem.data + src.low64(), n);
    return {pc + 1, gas};
}

FUSE_OP(PUSH0) {
    sp[0] = uint256();
    return {pc + 1, gas};
}

/// PUSHn reads n immediate bytes; the 33-byte code padding makes this always in bounds.
template <int N>
FUSE_ALWAYS_INLINE Next push(uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    const uint8_t* d = pc + 1;
    uint64_t w[4] = {};
    // Big-endian immediate: the last 8 bytes form w[0], and so on; the first limb is partial.
    constexpr int kFull = N / 8;
    constexpr int kPartial = N % 8;
    if constexpr (kPartial) {
        uint64_t v = 0;
        for (int i = 0; i < kPartial; ++i)
            v = (v << 8) | d[i];
        w[kFull] = v;
    }
    for (int i = 0; i < kFull; ++i) {
        uint64_t v;
        std::memcpy(&v, d + kPartial + 8 * (kFull - 1 - i), 8);
        w[i] = __builtin_bswap64(v);
    }
    sp[0] = uint256(w[0], w[1], w[2], w[3]);
    return {pc + 1 + N, gas};
}
#define FUSE_PUSH(N)                 \
    FUSE_OP(PUSH##N) {               \
        return push<N>(sp, pc, gas); \
    }
FUSE_PUSH(1)
FUSE_PUSH(2)
FUSE_PUSH(3)
FUSE_PUSH(4)
FUSE_PUSH(5)
FUSE_PUSH(6)
FUSE_PUSH(7) FUSE_PUSH(8) FUSE_PUSH(9) FUSE_PUSH(10) FUSE_PUSH(11) FUSE_PUSH(12) FUSE_PUSH(13)
    FUSE_PUSH(14) FUSE_PUSH(15) FUSE_PUSH(16) FUSE_PUSH(17) FUSE_PUSH(18) FUSE_PUSH(19)
        FUSE_PUSH(20) FUSE_PUSH(21) FUSE_PUSH(22) FUSE_PUSH(23) FUSE_PUSH(24) FUSE_PUSH(25)
            FUSE_PUSH(26) FUSE_PUSH(27) FUSE_PUSH(28) FUSE_PUSH(29) FUSE_PUSH(30) FUSE_PUSH(31)
                FUSE_PUSH(32)
#undef FUSE_PUSH

#define FUSE_DUP(N)              \
    FUSE_OP(DUP##N) {            \
        uint64_t w[4];           \
        load_limbs(sp[-(N)], w); \
        store_limbs(sp[0], w);   \
        return {pc + 1, gas};    \
    }
                    FUSE_DUP(1) FUSE_DUP(2) FUSE_DUP(3) FUSE_DUP(4) FUSE_DUP(5) FUSE_DUP(6)
                        FUSE_DUP(7) FUSE_DUP(8) FUSE_DUP(9) FUSE_DUP(10) FUSE_DUP(11) FUSE_DUP(12)
                            FUSE_DUP(13) FUSE_DUP(14) FUSE_DUP(15) FUSE_DUP(16)
#undef FUSE_DUP

#define FUSE_SWAP(N)                  \
    FUSE_OP(SWAP##N) {                \
        uint64_t a[4], b[4];          \
        load_limbs(sp[-1], a);        \
        load_limbs(sp[-1 - (N)], b);  \
        store_limbs(sp[-1], b);       \
        store_limbs(sp[-1 - (N)], a); \
        return {pc + 1, gas};         \
    }
                                FUSE_SWAP(1) FUSE_SWAP(2) FUSE_SWAP(3) FUSE_SWAP(4) FUSE_SWAP(5)
                                    FUSE_SWAP(6) FUSE_SWAP(7) FUSE_SWAP(8) FUSE_SWAP(9)
                                        FUSE_SWAP(10) FUSE_SWAP(11) FUSE_SWAP(12) FUSE_SWAP(13)
                                            FUSE_SWAP(14) FUSE_SWAP(15) FUSE_SWAP(16)
#undef FUSE_SWAP

#define FUSE_LOG(N)                       \
    FUSE_OP(LOG##N) {                     \
        return op_log(f, sp, pc, gas, N); \
    }
                                                FUSE_LOG(0) FUSE_LOG(1) FUSE_LOG(2) FUSE_LOG(3)
                                                    FUSE_LOG(4)
#undef FUSE_LOG

                                                        FUSE_OP(CREATE) {
    return op_create(f, sp, pc, gas, CallKind::kCreate);
}
FUSE_OP(CREATE2) {
    return op_create(f, sp, pc, gas, CallKind::kCreate2);
}
FUSE_OP(CALL) {
    return op_call(f, sp, pc, gas, CallKind::kCall, f.msg.is_static);
}
FUSE_OP(CALLCODE) {
    return op_call(f, sp, pc, gas, CallKind::kCallCode, f.msg.is_static);
}
FUSE_OP(DELEGATECALL) {
    return op_call(f, sp, pc, gas, CallKind::kDelegateCall, f.msg.is_static);
}
FUSE_OP(STATICCALL) {
    return op_call(f, sp, pc, gas, CallKind::kCall, true);
}

/// RETURN and REVERT: record the output range (copied out when the frame ends).
FUSE_ALWAYS_INLINE Next finish(Frame& f, uint256* sp, int64_t gas, Status status) noexcept {
    if (!check_memory(f, gas, sp[-1], sp[-2])) return stop(f, Status::kOutOfGas, gas);
    f.output_size = sp[-2].low64();
    f.output_offset = f.output_size ? sp[-1].low64() : 0;
    return stop(f, status, gas);
}
FUSE_OP(RETURN) {
    return finish(f, sp, gas, Status::kSuccess);
}
FUSE_OP(REVERT) {
    return finish(f, sp, gas, Status::kRevert);
}
FUSE_OP(SELFDESTRUCT) {
    return op_selfdestruct(f, sp, pc, gas);
}

#undef FUSE_BINOP
#undef FUSE_OP

}  // namespace fuse::evm::instr
