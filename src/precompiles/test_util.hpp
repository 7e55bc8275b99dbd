#pragma once
// Helpers shared by the precompile tests.

#include <string>
#include <string_view>

#include "core/hex.hpp"

namespace fuse::precompiles::test {

inline Bytes hex(std::string_view s) {
    auto r = from_hex(s);
    return r ? *r : Bytes{};
}

inline std::string raw_hex(ByteView b) {
    return to_hex_raw(b);
}

/// A known-answer vector (go-ethereum core/vm/testdata/precompiles, EIPs).
struct Vector {
    const char* name;
    const char* input;
    const char* expected;
};

}  // namespace fuse::precompiles::test
