#pragma once
/// Solidity contract ABI encoding and decoding
/// (https://docs.soliditylang.org/en/latest/abi-spec.html): static types (uint<N>, int<N>, address,
/// bool, bytes<N>), dynamic `bytes` and `string`, arrays
/// (`T[]`, `T[k]`) and tuples, plus function selectors and event topics. Decoding is strict: every
/// offset and length must lie inside the input, no arithmetic overflows, and padding and the unused
/// high bits of narrow types must be what the encoder writes (zero, or the sign for int<N>).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::l1 {

enum class AbiError {
    kBadType,        ///< a type string that is not a Solidity ABI type
    kTruncated,      ///< the input ends inside a head word, an offset target or a length
    kBadOffset,      ///< an offset or length that points outside the input or overflows
    kDirtyPadding,   ///< nonzero padding / high bits, a bool other than 0 or 1
    kTooLarge,       ///< an array length or nesting beyond the decoder limits
    kValueMismatch,  ///< encode: a value does not fit its type (count, width, kind)
    kTrailingBytes,  ///< decode_exact: bytes left after the last value
};

/// Human-readable reason for an ABI error.
const char* to_string(AbiError e);

/// One ABI type, parsed from its canonical string ("uint64", "bytes", "(uint64,bytes32)[]").
struct AbiType {
    enum class Kind : uint8_t {
        kUint,
        kInt,
        kAddress,
        kBool,
        kFixedBytes,
        kBytes,
        kString,
        kArray,
        kTuple
    };
    Kind kind = Kind::kUint;
    unsigned bits = 256;              ///< uint/int width; bytes<N>: N
    size_t array_len = 0;             ///< kArray: fixed length, 0 = dynamic `T[]`
    bool dynamic_array = false;       ///< kArray: `T[]`
    std::vector<AbiType> components;  ///< kArray: one element type; kTuple: the members

    /// Parses a type string; `tuple(...)` and `(...)` are both accepted.
    static Result<AbiType, AbiError> parse(std::string_view s);
    /// Canonical form used in signatures ("(uint64,uint64)", "address[]").
    std::string canonical() const;
    /// Dynamic per the spec: bytes, string, T[], and arrays/tuples containing a dynamic type.
    bool is_dynamic() const;
    /// Bytes taken in the head: 32 for dynamic types, else the static encoding's size.
    size_t head_size() const;
};

/// A decoded or to-be-encoded value. Scalars live in `word` (the 32-byte ABI word as a number;
/// int<N> is two's complement over 256 bits, bytes<N> is left-aligned), bytes/string in `bytes`,
/// arrays and tuples in `items`.
struct AbiValue {
    uint256 word;
    Bytes bytes;
    std::vector<AbiValue> items;

    static AbiValue of(const uint256& v) { return AbiValue{v, {}, {}}; }
    static AbiValue of(const Address& a) { return AbiValue{uint256::from_be(a), {}, {}}; }
    static AbiValue of(const Hash32& h) { return AbiValue{uint256::from_hash(h), {}, {}}; }
    static AbiValue of_bool(bool b) { return AbiValue{uint256(b ? 1 : 0), {}, {}}; }
    static AbiValue of_bytes(ByteView b) { return AbiValue{{}, Bytes(b.begin(), b.end()), {}}; }
    static AbiValue of_string(std::string_view s) {
        return AbiValue{{}, Bytes(s.begin(), s.end()), {}};
    }
    static AbiValue of_items(std::vector<AbiValue> items) {
        return AbiValue{{}, {}, std::move(items)};
    }

    Address as_address() const;
    Hash32 as_hash() const { return word.to_hash(); }
    std::string as_string() const { return std::string(bytes.begin(), bytes.end()); }
    friend bool operator==(const AbiValue&, const AbiValue&) = default;
};

/// Parses a comma-separated type list ("uint256,bytes,(uint64,uint64)") into types.
Result<std::vector<AbiType>, AbiError> parse_types(std::string_view list);

/// Encodes `values` as the tuple of `types` (the ABI encoding of function arguments).
Result<Bytes, AbiError> abi_encode(const std::vector<AbiType>& types,
                                   const std::vector<AbiValue>& values);

/// Decodes the tuple of `types` from `data`. Extra bytes after the encoding are allowed (as
/// Solidity allows them in calldata); use `abi_decode_exact` to forbid them.
Result<std::vector<AbiValue>, AbiError> abi_decode(const std::vector<AbiType>& types,
                                                   ByteView data);
/// As abi_decode, but the encoding must end exactly where its last head or tail ends.
Result<std::vector<AbiValue>, AbiError> abi_decode_exact(const std::vector<AbiType>& types,
                                                         ByteView data);

/// First 4 bytes of keccak256(signature), e.g. "transfer(address,uint256)" -> 0xa9059cbb.
std::array<uint8_t, 4> selector(std::string_view signature);
/// The selector as a 32-bit big-endian number (handy for switch/compare).
uint32_t selector_u32(std::string_view signature);
/// keccak256(signature): topic0 of a non-anonymous event.
Hash32 event_topic(std::string_view signature);

/// Renders a value of `type` for humans: numbers in decimal, addresses/bytes in hex, strings
/// quoted, tuples/arrays in parentheses/brackets.
std::string format_value(const AbiType& type, const AbiValue& value);

}  // namespace fuse::l1
