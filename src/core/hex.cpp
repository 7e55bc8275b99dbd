#include "core/hex.hpp"

namespace fuse {

namespace {

constexpr char kDigits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view strip_prefix(std::string_view hex) {
    if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
    return hex;
}

Result<void, HexError> decode_into(std::string_view hex, uint8_t* out) {
    for (size_t i = 0; i < hex.size() / 2; ++i) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return Unexpected{HexError::kBadCharacter};
        out[i] = static_cast<uint8_t>((hi << 4) | lo);
    }
    return {};
}

template <typename Fixed>
Result<Fixed, HexError> fixed_from_hex(std::string_view hex) {
    hex = strip_prefix(hex);
    if (hex.size() % 2 != 0) return Unexpected{HexError::kOddLength};
    if (hex.size() != 2 * Fixed::size()) return Unexpected{HexError::kWrongLength};
    Fixed out;
    if (auto r = decode_into(hex, out.data()); !r) return Unexpected{r.error()};
    return out;
}

}  // namespace

const char* to_string(HexError e) {
    switch (e) {
        case HexError::kOddLength:
            return "hex string has an odd number of digits";
        case HexError::kBadCharacter:
            return "hex string has a character that is not a hex digit";
        case HexError::kWrongLength:
            return "hex string has the wrong length for this value";
    }
    return "unknown hex error";
}

std::string to_hex_raw(ByteView data) {
    std::string out(data.size() * 2, '\0');
    for (size_t i = 0; i < data.size(); ++i) {
        out[2 * i] = kDigits[data[i] >> 4];
        out[2 * i + 1] = kDigits[data[i] & 0xf];
    }
    return out;
}

std::string to_hex(ByteView data) {
    return "0x" + to_hex_raw(data);
}

Result<Bytes, HexError> from_hex(std::string_view hex) {
    hex = strip_prefix(hex);
    if (hex.size() % 2 != 0) return Unexpected{HexError::kOddLength};
    Bytes out(hex.size() / 2);
    if (auto r = decode_into(hex, out.data()); !r) return Unexpected{r.error()};
    return out;
}

Result<Address, HexError> address_from_hex(std::string_view hex) {
    return fixed_from_hex<Address>(hex);
}

Result<Hash32, HexError> hash_from_hex(std::string_view hex) {
    return fixed_from_hex<Hash32>(hex);
}

}  // namespace fuse
