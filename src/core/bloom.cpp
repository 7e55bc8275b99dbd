#include "core/bloom.hpp"

#include "core/hash.hpp"
#include "core/receipt.hpp"

namespace fuse {

namespace {

// The three (byte index, bit mask) positions of `data` in the big-endian 256-byte filter.
template <typename F>
void for_each_bit(ByteView data, F&& f) {
    const Hash32 h = keccak256(data);
    for (size_t i = 0; i < 6; i += 2) {
        const unsigned bit = ((unsigned{h[i]} << 8) | h[i + 1]) & 2047u;
        f(255 - bit / 8, static_cast<uint8_t>(1u << (bit % 8)));
    }
}

}  // namespace

void Bloom::add(ByteView data) {
    for_each_bit(data, [this](size_t byte, uint8_t mask) { bytes[byte] |= mask; });
}

void Bloom::add(const Log& log) {
    add(log.address.view());
    for (const auto& t : log.topics)
        add(t.view());
}

bool Bloom::may_contain(ByteView data) const {
    bool all = true;
    for_each_bit(data, [&](size_t byte, uint8_t mask) { all = all && (bytes[byte] & mask); });
    return all;
}

Bloom& Bloom::operator|=(const Bloom& other) {
    for (size_t i = 0; i < 256; ++i)
        bytes[i] |= other.bytes[i];
    return *this;
}

}  // namespace fuse
