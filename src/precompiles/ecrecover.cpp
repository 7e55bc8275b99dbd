#include "precompiles/ecrecover.hpp"

#include <algorithm>
#include <cstring>

#include "core/secp256k1.hpp"
#include "core/uint256.hpp"

namespace fuse::precompiles {

Bytes ecrecover(ByteView input) {
    uint8_t in[128] = {};
    std::memcpy(in, input.data(), std::min<size_t>(input.size(), 128));
    const uint8_t* v = in + 32;
    if (!std::all_of(v, v + 31, [](uint8_t b) { return b == 0; })) return {};
    if (v[31] != 27 && v[31] != 28) return {};

    Hash32 hash;
    std::memcpy(hash.data(), in, 32);
    // fuse::ecrecover rejects r or s outside [1, n-1] and accepts high s (no EIP-2 rule here).
    const auto addr = fuse::ecrecover(hash, uint256::from_be32(in + 64),
                                      uint256::from_be32(in + 96), uint8_t(v[31] - 27));
    if (!addr) return {};
    Bytes out(32, 0);
    std::memcpy(out.data() + 12, addr->data(), 20);
    return out;
}

}  // namespace fuse::precompiles
