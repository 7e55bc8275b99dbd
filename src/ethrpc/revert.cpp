#include "ethrpc/revert.hpp"

#include <cstdio>

#include "core/hex.hpp"
#include "core/uint256.hpp"

namespace fuse::ethrpc {
namespace {

constexpr uint8_t kErrorSelector[4] = {0x08, 0xc3, 0x79, 0xa0};  // Error(string)
constexpr uint8_t kPanicSelector[4] = {0x4e, 0x48, 0x7b, 0x71};  // Panic(uint256)

const char* panic_reason(uint64_t code) {
    switch (code) {
        case 0x00:
            return "generic panic";
        case 0x01:
            return "assert(false)";
        case 0x11:
            return "arithmetic underflow or overflow";
        case 0x12:
            return "division or modulo by zero";
        case 0x21:
            return "enum overflow";
        case 0x22:
            return "invalid encoded storage byte array accessed";
        case 0x31:
            return "out-of-bounds array access; popping on an empty array";
        case 0x32:
            return "out-of-bounds access of an array or bytesslice";
        case 0x41:
            return "out of memory";
        case 0x51:
            return "uninitialized function";
        default:
            return nullptr;
    }
}

bool starts_with(ByteView data, const uint8_t (&sel)[4]) {
    return data.size() >= 4 && std::equal(sel, sel + 4, data.begin());
}

/// Go's encoding/json writes invalid UTF-8 as U+FFFD; so do we (nlohmann would throw).
std::string valid_utf8(ByteView s) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        const uint8_t c = s[i];
        size_t n = c < 0x80           ? 1
                   : (c >> 5) == 0x6  ? 2
                   : (c >> 4) == 0xe  ? 3
                   : (c >> 3) == 0x1e ? 4
                                      : 0;
        bool ok = n != 0 && i + n <= s.size();
        for (size_t k = 1; ok && k < n; ++k)
            ok = (s[i + k] & 0xc0) == 0x80;
        if (ok && n > 1) {
            uint32_t cp = c & (0x7f >> n);
            for (size_t k = 1; k < n; ++k)
                cp = cp << 6 | (s[i + k] & 0x3f);
            ok = cp >= (n == 2   ? 0x80u
                        : n == 3 ? 0x800u
                                 : 0x10000u) &&
                 cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        }
        if (ok) {
            out.append(reinterpret_cast<const char*>(s.data() + i), n);
            i += n;
        } else {
            out.append("\xef\xbf\xbd");
            ++i;
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> unpack_revert_reason(ByteView data) {
    if (starts_with(data, kPanicSelector)) {
        if (data.size() != 36) return std::nullopt;
        const uint256 code = uint256::from_be(data.subspan(4, 32));
        if (code.fits_u64())
            if (const char* r = panic_reason(code.low64())) return std::string(r);
        return "unknown panic code: " + code.to_hex();
    }
    if (!starts_with(data, kErrorSelector)) return std::nullopt;
    const ByteView body = data.subspan(4);
    if (body.size() < 64) return std::nullopt;
    const uint256 offset = uint256::from_be(body.subspan(0, 32));
    if (!offset.fits_u64() || offset.low64() > body.size() - 32) return std::nullopt;
    const size_t off = offset.low64();
    const uint256 length = uint256::from_be(body.subspan(off, 32));
    if (!length.fits_u64() || length.low64() > body.size() - off - 32) return std::nullopt;
    return valid_utf8(body.subspan(off + 32, length.low64()));
}

rpc::RpcError revert_error(ByteView revert_data) {
    std::string message = "execution reverted";
    if (auto reason = unpack_revert_reason(revert_data)) message += ": " + *reason;
    return {3, std::move(message), rpc::Json(to_hex(revert_data))};
}

}  // namespace fuse::ethrpc
