#pragma once
// ABI helpers for tests that call contracts and precompiles: a selector, 32-byte words and
// their concatenation, and a word read back from returned data.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string_view>

#include "arbos/precompiles.hpp"
#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse::arbos::test {

/// The 4-byte selector of `signature` ("transfer(address,uint256)").
inline Bytes sel(std::string_view signature) {
    const uint32_t s = selector(signature);
    return {static_cast<uint8_t>(s >> 24), static_cast<uint8_t>(s >> 16),
            static_cast<uint8_t>(s >> 8), static_cast<uint8_t>(s)};
}

/// `v` as one big-endian ABI word.
inline Bytes word(const uint256& v) {
    Bytes b(32);
    v.to_be(b.data());
    return b;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// Word `i` of ABI-encoded `out` (a failed expectation and zero when `out` is too short).
inline uint256 word_at(const Bytes& out, size_t i) {
    EXPECT_GE(out.size(), 32 * (i + 1));
    if (out.size() < 32 * (i + 1)) return {};
    return uint256::from_be32(out.data() + 32 * i);
}

}  // namespace fuse::arbos::test
