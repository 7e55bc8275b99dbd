#pragma once
/// The 2048-bit logs bloom filter (Yellow Paper, section 4.3.1, function M).

#include "core/bytes.hpp"

namespace fuse {

struct Log;

/// 256 bytes; bit i (0 = least significant) of the big-endian 2048-bit number.
struct Bloom : FixedBytes<256> {
    /// Sets the three bits selected by the low 11 bits of the first three byte pairs of
    /// keccak256(`data`).
    void add(ByteView data);
    /// Adds the log's address and each of its topics.
    void add(const Log& log);
    /// True when all three bits of `data` are set (may be a false positive).
    bool may_contain(ByteView data) const;
    /// Bitwise OR of another bloom (a block's bloom is the OR of its receipts').
    Bloom& operator|=(const Bloom& other);

    friend bool operator==(const Bloom&, const Bloom&) = default;
};

}  // namespace fuse
