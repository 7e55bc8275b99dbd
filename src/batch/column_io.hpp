#pragma once
/// Primitive value encodings of the columnar transaction section (docs/batch-format.md,
/// "Format 0x01"): LEB128 varints and decimal-scaled numbers, each with exactly one accepted
/// encoding per value. Internal to fuse_batch (the encoder and the strict decoder share them).

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse::batch::columns {

/// Appends `v` as unsigned LEB128 (7 bits per byte, least significant group first).
inline void put_varint(Bytes& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<uint8_t>(v));
}

/// Appends `v` as a decimal-scaled number: exponent byte e, mantissa length byte n (to `head`),
/// then the mantissa m as n big-endian bytes with no leading zero (to `mantissa`), where
/// v = m * 10^e and m is not a multiple of 10 (v = 0: e = 0, n = 0).
void put_number(Bytes& head, Bytes& mantissa, const uint256& v);
/// The same with head and mantissa in one column.
inline void put_number(Bytes& out, const uint256& v) {
    put_number(out, out, v);
}

/// A cursor over one column. Every read fails (nullopt) instead of running past the end or
/// accepting a second encoding of a value.
class Reader {
public:
    Reader() = default;
    explicit Reader(ByteView in) : in_(in) {}

    bool empty() const { return in_.empty(); }
    size_t size() const { return in_.size(); }

    std::optional<uint8_t> byte() {
        if (in_.empty()) return std::nullopt;
        const uint8_t b = in_[0];
        in_ = in_.subspan(1);
        return b;
    }
    std::optional<ByteView> bytes(size_t n) {
        if (n > in_.size()) return std::nullopt;
        const ByteView r = in_.first(n);
        in_ = in_.subspan(n);
        return r;
    }
    /// A minimal LEB128 varint of at most 64 bits (no redundant trailing zero group).
    std::optional<uint64_t> varint() {
        uint64_t v = 0;
        for (unsigned shift = 0; shift < 64; shift += 7) {
            auto b = byte();
            if (!b) return std::nullopt;
            if (shift == 63 && *b > 1) return std::nullopt;  // beyond 64 bits
            v |= uint64_t{*b & 0x7fu} << shift;
            if (!(*b & 0x80)) {
                if (*b == 0 && shift != 0) return std::nullopt;  // non-minimal
                return v;
            }
        }
        return std::nullopt;
    }
    /// A decimal-scaled number (see put_number), canonical and below 2^256, whose head is read
    /// from this column and mantissa from `mantissa` (which may be this column).
    std::optional<uint256> number(Reader& mantissa);
    std::optional<uint256> number() { return number(*this); }

private:
    ByteView in_;
};

}  // namespace fuse::batch::columns
