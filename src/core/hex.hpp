#pragma once
/// Hex encoding of bytes, as Ethereum's JSON-RPC and fixtures write them ("0x"-prefixed).

#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse {

enum class HexError {
    kOddLength,     ///< an odd number of hex digits
    kBadCharacter,  ///< a character that is not 0-9, a-f, A-F
    kWrongLength,   ///< the digits do not make the fixed size asked for
};

/// Human-readable reason for a hex error.
const char* to_string(HexError e);

/// "0x"-prefixed lower-case hex of `data`.
std::string to_hex(ByteView data);
/// Lower-case hex without the prefix.
std::string to_hex_raw(ByteView data);

/// Decodes hex with or without a "0x" prefix; an empty string (or "0x") is empty bytes.
Result<Bytes, HexError> from_hex(std::string_view hex);

/// Decodes exactly 20 bytes of hex (with or without "0x").
Result<Address, HexError> address_from_hex(std::string_view hex);
/// Decodes exactly 32 bytes of hex (with or without "0x").
Result<Hash32, HexError> hash_from_hex(std::string_view hex);

}  // namespace fuse
