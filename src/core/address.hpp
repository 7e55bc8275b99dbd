#pragma once
/// Account addresses as text: EIP-55 mixed-case checksums, and a parser that checks them.

#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse {

enum class AddressError {
    kWrongLength,   ///< not 40 hex digits (after an optional "0x")
    kBadCharacter,  ///< a character that is not a hex digit
    kBadChecksum,   ///< mixed case that does not match the EIP-55 checksum
};

/// Human-readable reason for an address parse error.
const char* to_string(AddressError e);

/// "0x"-prefixed EIP-55 checksummed hex: a letter is upper case when the matching nibble of
/// keccak256(lower-case hex) is >= 8.
std::string to_checksum_hex(const Address& a);

/// Parses 40 hex digits with an optional "0x". All-lower or all-upper input is accepted as is
/// (no checksum); mixed case must be exactly the EIP-55 checksum.
Result<Address, AddressError> parse_address(std::string_view text);

}  // namespace fuse
