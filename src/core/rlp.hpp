#pragma once
/// Recursive Length Prefix (Yellow Paper, Appendix B): an encoder that appends to a byte
/// buffer, and a strict, zero-copy decoder.
///
/// The decoder accepts only the canonical encoding, so every value has exactly one accepted
/// byte string (needed for hashes computed over re-encodings to match the input):
/// a single byte < 0x80 is never wrapped, the long form is used only for payloads of 56 bytes
/// or more, lengths and integers carry no leading zero bytes, integers fit their type, nesting
/// is bounded and nothing may follow the value. Every rejection is an `RlpError`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::rlp {

enum class RlpError {
    kInputTooShort,           ///< a header or payload runs past the end of the input
    kTrailingBytes,           ///< bytes follow the value (or a list's items end early)
    kNonCanonicalSingleByte,  ///< a single byte < 0x80 wrapped as a 1-byte string (0x81 xx)
    kNonCanonicalSize,        ///< long form used for a payload shorter than 56 bytes
    kLeadingZeroInLength,     ///< a long-form length starts with a zero byte
    kLengthOverflow,          ///< a long-form length does not fit in the input size limit
    kLeadingZeroInInteger,    ///< an integer payload starts with a zero byte
    kIntegerOverflow,         ///< an integer is wider than its type (64 or 256 bits)
    kUnexpectedList,          ///< a string was expected, a list was found
    kUnexpectedString,        ///< a list was expected, a string was found
    kUnexpectedLength,        ///< a fixed-size string (address, hash, ...) has another length
    kTooDeep,                 ///< lists nested deeper than the depth limit
    kTooLarge,                ///< the input exceeds the total size limit
};

/// Human-readable reason for an RLP error.
const char* to_string(RlpError e);

/// Maximum list nesting the decoder follows (far above any Ethereum structure).
inline constexpr int kMaxDepth = 64;
/// Maximum total input accepted by the decoder (a block body or batch is much smaller).
inline constexpr size_t kMaxInputSize = size_t{1} << 30;

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// Length of the header that prefixes a payload of `payload_len` bytes (1 to 9).
constexpr size_t header_length(size_t payload_len) {
    if (payload_len < 56) return 1;
    size_t n = 1;
    while (payload_len >>= 8)
        ++n;
    return 1 + n;
}

/// Writes the header for a string (`list` false) or list payload of `payload_len` bytes at `out`
/// (room for 9 bytes); returns the header length.
size_t write_header(uint8_t* out, bool list, size_t payload_len);

/// Encoded length of the string `s`.
size_t string_length(ByteView s);
/// Encoded length of the integer `v` (big-endian, no leading zeros; 0 is the empty string).
size_t uint_length(uint64_t v);
size_t uint_length(const uint256& v);

/// Appends RLP items to a byte buffer. Lists are opened and closed; the header of a list is
/// inserted in front of its payload when it is closed.
class Encoder {
public:
    Encoder() = default;
    explicit Encoder(size_t reserve) { out_.reserve(reserve); }

    /// A byte string.
    Encoder& add(ByteView s);
    /// An unsigned integer: big-endian, minimal, zero as the empty string.
    Encoder& add(uint64_t v);
    Encoder& add(const uint256& v);
    /// 20 and 32 byte strings.
    Encoder& add(const Address& a) { return add(a.view()); }
    Encoder& add(const Hash32& h) { return add(h.view()); }
    /// Bytes that are already a complete RLP item (e.g. a nested structure encoded elsewhere).
    Encoder& add_raw(ByteView rlp);
    /// A list of 32-byte strings.
    Encoder& add_list(const std::vector<Hash32>& hashes);

    /// Opens a list; items added until the matching `end_list` are its payload.
    Encoder& begin_list();
    Encoder& end_list();

    const Bytes& bytes() const { return out_; }
    /// Takes the encoding out (all lists must be closed).
    Bytes take() { return std::move(out_); }

private:
    Bytes out_;
    std::vector<size_t> open_;  // payload start offsets of the open lists
};

/// Convenience encoders of single values.
Bytes encode(ByteView s);
Bytes encode(uint64_t v);
Bytes encode(const uint256& v);

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

/// One decoded item: its kind, its payload and its whole encoding (header included), both views
/// into the input.
struct Item {
    bool is_list = false;
    ByteView payload;
    ByteView encoded;
};

/// Parses the header of the item at the start of `in` (canonical checks included, but not the
/// items inside a list); `in` may continue after the item.
Result<Item, RlpError> peek_item(ByteView in);

/// A cursor over a sequence of items (the top-level input, or the payload of a list). It never
/// copies: strings are returned as views into the input.
class Decoder {
public:
    /// A cursor over `in`, which must be a sequence of items; depth 0.
    explicit Decoder(ByteView in) : in_(in) {}

    bool empty() const { return in_.empty(); }
    /// The bytes not consumed yet.
    ByteView remaining() const { return in_; }
    int depth() const { return depth_; }

    /// The next item, whatever its kind.
    Result<Item, RlpError> next();
    /// The next item, which must be a string; its payload.
    Result<ByteView, RlpError> read_bytes();
    /// The next item, which must be a list; a cursor over its payload (one level deeper).
    Result<Decoder, RlpError> read_list();
    /// Canonical unsigned integers (no leading zeros; at most 8 or 32 bytes).
    Result<uint64_t, RlpError> read_u64();
    Result<uint256, RlpError> read_uint256();
    /// A string of exactly 20 or 32 bytes.
    Result<Address, RlpError> read_address();
    Result<Hash32, RlpError> read_hash();
    /// A string of exactly 20 bytes or empty (Ethereum's `to`: empty means contract creation).
    Result<std::optional<Address>, RlpError> read_optional_address();
    /// A list of 32-byte strings.
    Result<std::vector<Hash32>, RlpError> read_hash_list();
    /// Succeeds only when every item was consumed.
    Result<void, RlpError> finish() const;

private:
    Decoder(ByteView in, int depth) : in_(in), depth_(depth) {}
    ByteView in_;
    int depth_ = 0;
};

/// Decodes exactly one item spanning all of `in` (size limit and trailing bytes checked).
Result<Item, RlpError> decode_single(ByteView in);

/// Checks that `in` is exactly one canonical item, recursing into every nested list up to
/// `max_depth` levels.
Result<void, RlpError> validate(ByteView in, int max_depth = kMaxDepth);

/// Integer decoding of a string payload with the canonical rules above.
Result<uint64_t, RlpError> parse_u64(ByteView payload);
Result<uint256, RlpError> parse_uint256(ByteView payload);

}  // namespace fuse::rlp
