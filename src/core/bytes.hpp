#pragma once
/// Byte containers and the fixed-size values Ethereum passes around: 20-byte addresses and
/// 32-byte hashes. No allocation for the fixed-size types.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>
#include <vector>

namespace fuse {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

/// N raw bytes, compared lexicographically; the base of Address and Hash32.
template <size_t N>
struct FixedBytes {
    std::array<uint8_t, N> bytes{};

    static constexpr size_t size() { return N; }
    constexpr uint8_t* data() { return bytes.data(); }
    constexpr const uint8_t* data() const { return bytes.data(); }
    constexpr uint8_t& operator[](size_t i) { return bytes[i]; }
    constexpr const uint8_t& operator[](size_t i) const { return bytes[i]; }
    ByteView view() const { return {bytes.data(), N}; }
    operator ByteView() const { return view(); }
    constexpr bool is_zero() const {
        for (uint8_t b : bytes)
            if (b) return false;
        return true;
    }

    /// Copies `src` right-aligned (as Ethereum left-pads numbers); longer input keeps its tail.
    static FixedBytes from_view_right(ByteView src) {
        FixedBytes out;
        if (src.size() >= N)
            std::memcpy(out.bytes.data(), src.data() + (src.size() - N), N);
        else if (!src.empty())
            std::memcpy(out.bytes.data() + (N - src.size()), src.data(), src.size());
        return out;
    }

    friend constexpr auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
};

/// A 20-byte account address.
struct Address : FixedBytes<20> {
    static Address from_view_right(ByteView src) { return {FixedBytes<20>::from_view_right(src)}; }
    friend constexpr auto operator<=>(const Address&, const Address&) = default;
};

/// A 32-byte hash or word (keccak-256 output, storage key, state root).
struct Hash32 : FixedBytes<32> {
    static Hash32 from_view_right(ByteView src) { return {FixedBytes<32>::from_view_right(src)}; }
    friend constexpr auto operator<=>(const Hash32&, const Hash32&) = default;
};

/// Hash functor for unordered containers keyed by Address or Hash32 (the inputs are already
/// uniformly distributed for hashes; for addresses the first 8 bytes are good enough).
struct FixedBytesHasher {
    template <size_t N>
    size_t operator()(const FixedBytes<N>& v) const noexcept {
        static_assert(N >= 8);
        uint64_t h;
        std::memcpy(&h, v.bytes.data() + N - 8, 8);
        return static_cast<size_t>(h * 0x9E3779B97F4A7C15ull);
    }
};

inline Bytes to_bytes(ByteView v) {
    return Bytes(v.begin(), v.end());
}

}  // namespace fuse

template <>
struct std::hash<fuse::Address> {
    size_t operator()(const fuse::Address& a) const noexcept { return fuse::FixedBytesHasher{}(a); }
};
template <>
struct std::hash<fuse::Hash32> {
    size_t operator()(const fuse::Hash32& h) const noexcept { return fuse::FixedBytesHasher{}(h); }
};
