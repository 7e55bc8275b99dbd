#pragma once
// Shared helpers for the evm unit tests (not part of the library's API).

#include <gtest/gtest.h>

#include <string_view>

#include "core/hex.hpp"
#include "evm/test_host.hpp"

namespace fuse::evm::test {

inline Bytes code(std::string_view hex) {
    auto r = from_hex(hex);
    EXPECT_TRUE(r.has_value()) << hex;
    return r.has_value() ? r.value() : Bytes{};
}

inline Address addr(uint8_t last) {
    Address a;
    a.bytes[19] = last;
    a.bytes[0] = 0xaa;
    return a;
}

inline const Address kSender = addr(1);
inline const Address kContract = addr(2);

/// Installs `hex` as kContract's code and runs a top-level call into it.
inline ExecResult run_code(TestHost& host, std::string_view hex, int64_t gas = 1'000'000,
                           ByteView input = {}, bool is_static = false) {
    host.accounts[kContract].code = code(hex);
    Message msg;
    msg.gas = gas;
    msg.sender = kSender;
    msg.recipient = kContract;
    msg.code_address = kContract;
    msg.input = input;
    msg.is_static = is_static;
    return host.execute_top(msg, host.accounts[kContract].code);
}

/// The 32-byte big-endian output as a number.
inline uint256 word(const ExecResult& r) {
    EXPECT_EQ(r.output.size(), 32u);
    return r.output.size() == 32 ? uint256::from_be32(r.output.data()) : uint256();
}

/// An address as the 256-bit word the EVM pushes.
inline uint256 to_u256(const Address& a) {
    return uint256::from_be(a.view());
}

/// Code suffix storing the stack top at memory 0 and returning those 32 bytes.
inline constexpr std::string_view kReturnTop = "60005260206000f3";

}  // namespace fuse::evm::test
