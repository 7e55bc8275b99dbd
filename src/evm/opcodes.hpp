#pragma once
/// The one opcode table (Yellow Paper Appendix H; EIP-2929 warm costs as the static part).
/// Every one of the 256 byte values has a row, in order, so the table can generate the
/// computed-goto label array, the `switch` fallback and the `kOpTable` metadata alike.
///
/// Rows: (code, NAME, stack_in, stack_out, gas) with the static gas of the first revision
/// (Cancun); -1 = undefined. Later revisions are per-revision deltas (`kRevisionChanges`, as
/// evmone's instructions_traits.hpp): a new fork is one entry there. Dynamic parts (memory,
/// copies, cold access, SSTORE) are charged by the opcode.
///
/// `FUSE_EVM_OPCODES(X)` calls X(code, NAME, stack_in, stack_out, gas_cancun, gas_prague) per
/// opcode, the gas columns taken from `kGasCosts`.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

// clang-format off
#define FUSE_EVM_OPCODE_ROWS(R, X) \
    R(X, 0x00, STOP, 0, 0, 0) \
    R(X, 0x01, ADD, 2, 1, 3) \
    R(X, 0x02, MUL, 2, 1, 5) \
    R(X, 0x03, SUB, 2, 1, 3) \
    R(X, 0x04, DIV, 2, 1, 5) \
    R(X, 0x05, SDIV, 2, 1, 5) \
    R(X, 0x06, MOD, 2, 1, 5) \
    R(X, 0x07, SMOD, 2, 1, 5) \
    R(X, 0x08, ADDMOD, 3, 1, 8) \
    R(X, 0x09, MULMOD, 3, 1, 8) \
    R(X, 0x0a, EXP, 2, 1, 10) \
    R(X, 0x0b, SIGNEXTEND, 2, 1, 5) \
    R(X, 0x0c, UNDEFINED, 0, 0, -1) \
    R(X, 0x0d, UNDEFINED, 0, 0, -1) \
    R(X, 0x0e, UNDEFINED, 0, 0, -1) \
    R(X, 0x0f, UNDEFINED, 0, 0, -1) \
    R(X, 0x10, LT, 2, 1, 3) \
    R(X, 0x11, GT, 2, 1, 3) \
    R(X, 0x12, SLT, 2, 1, 3) \
    R(X, 0x13, SGT, 2, 1, 3) \
    R(X, 0x14, EQ, 2, 1, 3) \
    R(X, 0x15, ISZERO, 1, 1, 3) \
    R(X, 0x16, AND, 2, 1, 3) \
    R(X, 0x17, OR, 2, 1, 3) \
    R(X, 0x18, XOR, 2, 1, 3) \
    R(X, 0x19, NOT, 1, 1, 3) \
    R(X, 0x1a, BYTE, 2, 1, 3) \
    R(X, 0x1b, SHL, 2, 1, 3) \
    R(X, 0x1c, SHR, 2, 1, 3) \
    R(X, 0x1d, SAR, 2, 1, 3) \
    R(X, 0x1e, UNDEFINED, 0, 0, -1) \
    R(X, 0x1f, UNDEFINED, 0, 0, -1) \
    R(X, 0x20, KECCAK256, 2, 1, 30) \
    R(X, 0x21, UNDEFINED, 0, 0, -1) \
    R(X, 0x22, UNDEFINED, 0, 0, -1) \
    R(X, 0x23, UNDEFINED, 0, 0, -1) \
    R(X, 0x24, UNDEFINED, 0, 0, -1) \
    R(X, 0x25, UNDEFINED, 0, 0, -1) \
    R(X, 0x26, UNDEFINED, 0, 0, -1) \
    R(X, 0x27, UNDEFINED, 0, 0, -1) \
    R(X, 0x28, UNDEFINED, 0, 0, -1) \
    R(X, 0x29, UNDEFINED, 0, 0, -1) \
    R(X, 0x2a, UNDEFINED, 0, 0, -1) \
    R(X, 0x2b, UNDEFINED, 0, 0, -1) \
    R(X, 0x2c, UNDEFINED, 0, 0, -1) \
    R(X, 0x2d, UNDEFINED, 0, 0, -1) \
    R(X, 0x2e, UNDEFINED, 0, 0, -1) \
    R(X, 0x2f, UNDEFINED, 0, 0, -1) \
    R(X, 0x30, ADDRESS, 0, 1, 2) \
    R(X, 0x31, BALANCE, 1, 1, 100) \
    R(X, 0x32, ORIGIN, 0, 1, 2) \
    R(X, 0x33, CALLER, 0, 1, 2) \
    R(X, 0x34, CALLVALUE, 0, 1, 2) \
    R(X, 0x35, CALLDATALOAD, 1, 1, 3) \
    R(X, 0x36, CALLDATASIZE, 0, 1, 2) \
    R(X, 0x37, CALLDATACOPY, 3, 0, 3) \
    R(X, 0x38, CODESIZE, 0, 1, 2) \
    R(X, 0x39, CODECOPY, 3, 0, 3) \
    R(X, 0x3a, GASPRICE, 0, 1, 2) \
    R(X, 0x3b, EXTCODESIZE, 1, 1, 100) \
    R(X, 0x3c, EXTCODECOPY, 4, 0, 100) \
    R(X, 0x3d, RETURNDATASIZE, 0, 1, 2) \
    R(X, 0x3e, RETURNDATACOPY, 3, 0, 3) \
    R(X, 0x3f, EXTCODEHASH, 1, 1, 100) \
    R(X, 0x40, BLOCKHASH, 1, 1, 20) \
    R(X, 0x41, COINBASE, 0, 1, 2) \
    R(X, 0x42, TIMESTAMP, 0, 1, 2) \
    R(X, 0x43, NUMBER, 0, 1, 2) \
    R(X, 0x44, PREVRANDAO, 0, 1, 2) \
    R(X, 0x45, GASLIMIT, 0, 1, 2) \
    R(X, 0x46, CHAINID, 0, 1, 2) \
    R(X, 0x47, SELFBALANCE, 0, 1, 5) \
    R(X, 0x48, BASEFEE, 0, 1, 2) \
    R(X, 0x49, BLOBHASH, 1, 1, 3) \
    R(X, 0x4a, BLOBBASEFEE, 0, 1, 2) \
    R(X, 0x4b, UNDEFINED, 0, 0, -1) \
    R(X, 0x4c, UNDEFINED, 0, 0, -1) \
    R(X, 0x4d, UNDEFINED, 0, 0, -1) \
    R(X, 0x4e, UNDEFINED, 0, 0, -1) \
    R(X, 0x4f, UNDEFINED, 0, 0, -1) \
    R(X, 0x50, POP, 1, 0, 2) \
    R(X, 0x51, MLOAD, 1, 1, 3) \
    R(X, 0x52, MSTORE, 2, 0, 3) \
    R(X, 0x53, MSTORE8, 2, 0, 3) \
    R(X, 0x54, SLOAD, 1, 1, 100) \
    R(X, 0x55, SSTORE, 2, 0, 0) \
    R(X, 0x56, JUMP, 1, 0, 8) \
    R(X, 0x57, JUMPI, 2, 0, 10) \
    R(X, 0x58, PC, 0, 1, 2) \
    R(X, 0x59, MSIZE, 0, 1, 2) \
    R(X, 0x5a, GAS, 0, 1, 2) \
    R(X, 0x5b, JUMPDEST, 0, 0, 1) \
    R(X, 0x5c, TLOAD, 1, 1, 100) \
    R(X, 0x5d, TSTORE, 2, 0, 100) \
    R(X, 0x5e, MCOPY, 3, 0, 3) \
    R(X, 0x5f, PUSH0, 0, 1, 2) \
    R(X, 0x60, PUSH1, 0, 1, 3) \
    R(X, 0x61, PUSH2, 0, 1, 3) \
    R(X, 0x62, PUSH3, 0, 1, 3) \
    R(X, 0x63, PUSH4, 0, 1, 3) \
    R(X, 0x64, PUSH5, 0, 1, 3) \
    R(X, 0x65, PUSH6, 0, 1, 3) \
    R(X, 0x66, PUSH7, 0, 1, 3) \
    R(X, 0x67, PUSH8, 0, 1, 3) \
    R(X, 0x68, PUSH9, 0, 1, 3) \
    R(X, 0x69, PUSH10, 0, 1, 3) \
    R(X, 0x6a, PUSH11, 0, 1, 3) \
    R(X, 0x6b, PUSH12, 0, 1, 3) \
    R(X, 0x6c, PUSH13, 0, 1, 3) \
    R(X, 0x6d, PUSH14, 0, 1, 3) \
    R(X, 0x6e, PUSH15, 0, 1, 3) \
    R(X, 0x6f, PUSH16, 0, 1, 3) \
    R(X, 0x70, PUSH17, 0, 1, 3) \
    R(X, 0x71, PUSH18, 0, 1, 3) \
    R(X, 0x72, PUSH19, 0, 1, 3) \
    R(X, 0x73, PUSH20, 0, 1, 3) \
    R(X, 0x74, PUSH21, 0, 1, 3) \
    R(X, 0x75, PUSH22, 0, 1, 3) \
    R(X, 0x76, PUSH23, 0, 1, 3) \
    R(X, 0x77, PUSH24, 0, 1, 3) \
    R(X, 0x78, PUSH25, 0, 1, 3) \
    R(X, 0x79, PUSH26, 0, 1, 3) \
    R(X, 0x7a, PUSH27, 0, 1, 3) \
    R(X, 0x7b, PUSH28, 0, 1, 3) \
    R(X, 0x7c, PUSH29, 0, 1, 3) \
    R(X, 0x7d, PUSH30, 0, 1, 3) \
    R(X, 0x7e, PUSH31, 0, 1, 3) \
    R(X, 0x7f, PUSH32, 0, 1, 3) \
    R(X, 0x80, DUP1, 1, 2, 3) \
    R(X, 0x81, DUP2, 2, 3, 3) \
    R(X, 0x82, DUP3, 3, 4, 3) \
    R(X, 0x83, DUP4, 4, 5, 3) \
    R(X, 0x84, DUP5, 5, 6, 3) \
    R(X, 0x85, DUP6, 6, 7, 3) \
    R(X, 0x86, DUP7, 7, 8, 3) \
    R(X, 0x87, DUP8, 8, 9, 3) \
    R(X, 0x88, DUP9, 9, 10, 3) \
    R(X, 0x89, DUP10, 10, 11, 3) \
    R(X, 0x8a, DUP11, 11, 12, 3) \
    R(X, 0x8b, DUP12, 12, 13, 3) \
    R(X, 0x8c, DUP13, 13, 14, 3) \
    R(X, 0x8d, DUP14, 14, 15, 3) \
    R(X, 0x8e, DUP15, 15, 16, 3) \
    R(X, 0x8f, DUP16, 16, 17, 3) \
    R(X, 0x90, SWAP1, 2, 2, 3) \
    R(X, 0x91, SWAP2, 3, 3, 3) \
    R(X, 0x92, SWAP3, 4, 4, 3) \
    R(X, 0x93, SWAP4, 5, 5, 3) \
    R(X, 0x94, SWAP5, 6, 6, 3) \
    R(X, 0x95, SWAP6, 7, 7, 3) \
    R(X, 0x96, SWAP7, 8, 8, 3) \
    R(X, 0x97, SWAP8, 9, 9, 3) \
    R(X, 0x98, SWAP9, 10, 10, 3) \
    R(X, 0x99, SWAP10, 11, 11, 3) \
    R(X, 0x9a, SWAP11, 12, 12, 3) \
    R(X, 0x9b, SWAP12, 13, 13, 3) \
    R(X, 0x9c, SWAP13, 14, 14, 3) \
    R(X, 0x9d, SWAP14, 15, 15, 3) \
    R(X, 0x9e, SWAP15, 16, 16, 3) \
    R(X, 0x9f, SWAP16, 17, 17, 3) \
    R(X, 0xa0, LOG0, 2, 0, 375) \
    R(X, 0xa1, LOG1, 3, 0, 750) \
    R(X, 0xa2, LOG2, 4, 0, 1125) \
    R(X, 0xa3, LOG3, 5, 0, 1500) \
    R(X, 0xa4, LOG4, 6, 0, 1875) \
    R(X, 0xa5, UNDEFINED, 0, 0, -1) \
    R(X, 0xa6, UNDEFINED, 0, 0, -1) \
    R(X, 0xa7, UNDEFINED, 0, 0, -1) \
    R(X, 0xa8, UNDEFINED, 0, 0, -1) \
    R(X, 0xa9, UNDEFINED, 0, 0, -1) \
    R(X, 0xaa, UNDEFINED, 0, 0, -1) \
    R(X, 0xab, UNDEFINED, 0, 0, -1) \
    R(X, 0xac, UNDEFINED, 0, 0, -1) \
    R(X, 0xad, UNDEFINED, 0, 0, -1) \
    R(X, 0xae, UNDEFINED, 0, 0, -1) \
    R(X, 0xaf, UNDEFINED, 0, 0, -1) \
    R(X, 0xb0, UNDEFINED, 0, 0, -1) \
    R(X, 0xb1, UNDEFINED, 0, 0, -1) \
    R(X, 0xb2, UNDEFINED, 0, 0, -1) \
    R(X, 0xb3, UNDEFINED, 0, 0, -1) \
    R(X, 0xb4, UNDEFINED, 0, 0, -1) \
    R(X, 0xb5, UNDEFINED, 0, 0, -1) \
    R(X, 0xb6, UNDEFINED, 0, 0, -1) \
    R(X, 0xb7, UNDEFINED, 0, 0, -1) \
    R(X, 0xb8, UNDEFINED, 0, 0, -1) \
    R(X, 0xb9, UNDEFINED, 0, 0, -1) \
    R(X, 0xba, UNDEFINED, 0, 0, -1) \
    R(X, 0xbb, UNDEFINED, 0, 0, -1) \
    R(X, 0xbc, UNDEFINED, 0, 0, -1) \
    R(X, 0xbd, UNDEFINED, 0, 0, -1) \
    R(X, 0xbe, UNDEFINED, 0, 0, -1) \
    R(X, 0xbf, UNDEFINED, 0, 0, -1) \
    R(X, 0xc0, UNDEFINED, 0, 0, -1) \
    R(X, 0xc1, UNDEFINED, 0, 0, -1) \
    R(X, 0xc2, UNDEFINED, 0, 0, -1) \
    R(X, 0xc3, UNDEFINED, 0, 0, -1) \
    R(X, 0xc4, UNDEFINED, 0, 0, -1) \
    R(X, 0xc5, UNDEFINED, 0, 0, -1) \
    R(X, 0xc6, UNDEFINED, 0, 0, -1) \
    R(X, 0xc7, UNDEFINED, 0, 0, -1) \
    R(X, 0xc8, UNDEFINED, 0, 0, -1) \
    R(X, 0xc9, UNDEFINED, 0, 0, -1) \
    R(X, 0xca, UNDEFINED, 0, 0, -1) \
    R(X, 0xcb, UNDEFINED, 0, 0, -1) \
    R(X, 0xcc, UNDEFINED, 0, 0, -1) \
    R(X, 0xcd, UNDEFINED, 0, 0, -1) \
    R(X, 0xce, UNDEFINED, 0, 0, -1) \
    R(X, 0xcf, UNDEFINED, 0, 0, -1) \
    R(X, 0xd0, UNDEFINED, 0, 0, -1) \
    R(X, 0xd1, UNDEFINED, 0, 0, -1) \
    R(X, 0xd2, UNDEFINED, 0, 0, -1) \
    R(X, 0xd3, UNDEFINED, 0, 0, -1) \
    R(X, 0xd4, UNDEFINED, 0, 0, -1) \
    R(X, 0xd5, UNDEFINED, 0, 0, -1) \
    R(X, 0xd6, UNDEFINED, 0, 0, -1) \
    R(X, 0xd7, UNDEFINED, 0, 0, -1) \
    R(X, 0xd8, UNDEFINED, 0, 0, -1) \
    R(X, 0xd9, UNDEFINED, 0, 0, -1) \
    R(X, 0xda, UNDEFINED, 0, 0, -1) \
    R(X, 0xdb, UNDEFINED, 0, 0, -1) \
    R(X, 0xdc, UNDEFINED, 0, 0, -1) \
    R(X, 0xdd, UNDEFINED, 0, 0, -1) \
    R(X, 0xde, UNDEFINED, 0, 0, -1) \
    R(X, 0xdf, UNDEFINED, 0, 0, -1) \
    R(X, 0xe0, UNDEFINED, 0, 0, -1) \
    R(X, 0xe1, UNDEFINED, 0, 0, -1) \
    R(X, 0xe2, UNDEFINED, 0, 0, -1) \
    R(X, 0xe3, UNDEFINED, 0, 0, -1) \
    R(X, 0xe4, UNDEFINED, 0, 0, -1) \
    R(X, 0xe5, UNDEFINED, 0, 0, -1) \
    R(X, 0xe6, UNDEFINED, 0, 0, -1) \
    R(X, 0xe7, UNDEFINED, 0, 0, -1) \
    R(X, 0xe8, UNDEFINED, 0, 0, -1) \
    R(X, 0xe9, UNDEFINED, 0, 0, -1) \
    R(X, 0xea, UNDEFINED, 0, 0, -1) \
    R(X, 0xeb, UNDEFINED, 0, 0, -1) \
    R(X, 0xec, UNDEFINED, 0, 0, -1) \
    R(X, 0xed, UNDEFINED, 0, 0, -1) \
    R(X, 0xee, UNDEFINED, 0, 0, -1) \
    R(X, 0xef, UNDEFINED, 0, 0, -1) \
    R(X, 0xf0, CREATE, 3, 1, 32000) \
    R(X, 0xf1, CALL, 7, 1, 100) \
    R(X, 0xf2, CALLCODE, 7, 1, 100) \
    R(X, 0xf3, RETURN, 2, 0, 0) \
    R(X, 0xf4, DELEGATECALL, 6, 1, 100) \
    R(X, 0xf5, CREATE2, 4, 1, 32000) \
    R(X, 0xf6, UNDEFINED, 0, 0, -1) \
    R(X, 0xf7, UNDEFINED, 0, 0, -1) \
    R(X, 0xf8, UNDEFINED, 0, 0, -1) \
    R(X, 0xf9, UNDEFINED, 0, 0, -1) \
    R(X, 0xfa, STATICCALL, 6, 1, 100) \
    R(X, 0xfb, UNDEFINED, 0, 0, -1) \
    R(X, 0xfc, UNDEFINED, 0, 0, -1) \
    R(X, 0xfd, REVERT, 2, 0, 0) \
    R(X, 0xfe, INVALID, 0, 0, 0) \
    R(X, 0xff, SELFDESTRUCT, 1, 0, 5000)
// clang-format on

namespace fuse::evm {

/// Revisions the table covers, in order (Revision values index `kGasCosts`).
inline constexpr size_t kRevisionCount = 2;

/// One static-gas change a revision brings: from `revision` on, `opcode` costs `gas`
/// (-1: undefined).
struct GasChange {
    uint8_t revision;  ///< Revision value
    uint8_t opcode;
    int32_t gas;
};

/// What each revision changes from the one before it; the rows above are the first revision
/// (Cancun). Prague (EIP-7702 delegation designators) changes no static cost: its CALL* access
/// cost is dynamic (instructions_system.cpp). A new fork adds its entries here, e.g.
/// `{kOsaka, 0x1e, 5}` for EIP-7939's CLZ.
inline constexpr std::array<GasChange, 0> kRevisionChanges{};

/// Static gas per revision and opcode: the base rows, then each revision's changes on top of
/// the previous revision's costs.
inline constexpr std::array<std::array<int32_t, 256>, kRevisionCount> kGasCosts = [] {
    std::array<std::array<int32_t, 256>, kRevisionCount> t{};
#define FUSE_EVM_BASE_GAS(X, code, NAME, in, out, gas) t[0][code] = (gas);
    FUSE_EVM_OPCODE_ROWS(FUSE_EVM_BASE_GAS, _)
#undef FUSE_EVM_BASE_GAS
    for (size_t rev = 1; rev < kRevisionCount; ++rev) {
        t[rev] = t[rev - 1];
        for (const GasChange& c : kRevisionChanges)
            if (c.revision == rev) t[rev][c.opcode] = c.gas;
    }
    return t;
}();

}  // namespace fuse::evm

/// Each row with its static gas in every revision (see the file comment); one gas column per
/// revision, in Revision order.
#define FUSE_EVM_WITH_REVISIONS(X, code, NAME, in, out, gas) \
    X(code, NAME, in, out, (::fuse::evm::kGasCosts[0][code]), (::fuse::evm::kGasCosts[1][code]))
#define FUSE_EVM_OPCODES(X) FUSE_EVM_OPCODE_ROWS(FUSE_EVM_WITH_REVISIONS, X)

namespace fuse::evm {

/// Static metadata of one opcode.
struct OpInfo {
    std::string_view name;  ///< Mnemonic; "UNDEFINED" for unassigned bytes.
    int8_t stack_in;        ///< Items popped (the minimum stack height).
    int8_t stack_out;       ///< Items pushed.
    int32_t
        gas[kRevisionCount];  ///< Static gas per Revision (index = Revision value); -1 undefined.
};

/// Opcode metadata indexed by the opcode byte.
inline constexpr std::array<OpInfo, 256> kOpTable = {{
#define FUSE_EVM_OPINFO(code, NAME, in, out, gc, gp) OpInfo{#NAME, in, out, {gc, gp}},
    FUSE_EVM_OPCODES(FUSE_EVM_OPINFO)
#undef FUSE_EVM_OPINFO
}};

}  // namespace fuse::evm
