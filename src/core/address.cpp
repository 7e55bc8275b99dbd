#include "core/address.hpp"

#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse {

const char* to_string(AddressError e) {
    switch (e) {
        case AddressError::kWrongLength:
            return "an address must be 40 hex digits (20 bytes), optionally prefixed by 0x";
        case AddressError::kBadCharacter:
            return "an address may contain only the hex digits 0-9, a-f, A-F";
        case AddressError::kBadChecksum:
            return "mixed-case address does not match its EIP-55 checksum (check for a typo, or "
                   "write it all in lower case)";
    }
    return "unknown address error";
}

namespace {

// Applies the EIP-55 case rule to 40 lower-case hex digits in place.
void apply_checksum(std::string& lower40) {
    const Hash32 h =
        keccak256(ByteView{reinterpret_cast<const uint8_t*>(lower40.data()), lower40.size()});
    for (size_t i = 0; i < 40; ++i) {
        const uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 0x0f);
        char& c = lower40[i];
        if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    }
}

}  // namespace

std::string to_checksum_hex(const Address& a) {
    std::string digits = to_hex_raw(a.view());
    apply_checksum(digits);
    return "0x" + digits;
}

Result<Address, AddressError> parse_address(std::string_view text) {
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
        text.remove_prefix(2);
    if (text.size() != 40) return Unexpected{AddressError::kWrongLength};
    bool has_lower = false;
    bool has_upper = false;
    for (char c : text) {
        if (c >= 'a' && c <= 'f') {
            has_lower = true;
        } else if (c >= 'A' && c <= 'F') {
            has_upper = true;
        } else if (c < '0' || c > '9') {
            return Unexpected{AddressError::kBadCharacter};
        }
    }
    auto a = address_from_hex(text);
    if (!a) return Unexpected{AddressError::kBadCharacter};
    if (has_lower && has_upper) {
        std::string digits = to_hex_raw(a->view());
        apply_checksum(digits);
        if (digits != text) return Unexpected{AddressError::kBadChecksum};
    }
    return *a;
}

}  // namespace fuse
