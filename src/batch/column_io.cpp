#include "batch/column_io.hpp"

namespace fuse::batch::columns {

namespace {
const uint256 kTen{10};
/// The largest value that can be multiplied by 10 without passing 2^256 - 1.
const uint256 kMaxTimesTen = uint256::max() / kTen;
}  // namespace

void put_number(Bytes& head, Bytes& mantissa, const uint256& v) {
    uint256 m = v;
    uint8_t e = 0;
    if (m != uint256{}) {
        while (m % kTen == uint256{}) {
            m /= kTen;
            ++e;
        }
    }
    const unsigned n = m.byte_width();
    head.push_back(e);
    head.push_back(static_cast<uint8_t>(n));
    uint8_t be[32];
    m.to_be(be);
    mantissa.insert(mantissa.end(), be + 32 - n, be + 32);
}

std::optional<uint256> Reader::number(Reader& mantissa) {
    auto e = byte();
    auto n = byte();
    if (!e || !n || *n > 32) return std::nullopt;
    auto m_bytes = mantissa.bytes(*n);
    if (!m_bytes) return std::nullopt;
    if (*n > 0 && (*m_bytes)[0] == 0) return std::nullopt;  // leading zero
    uint256 m = uint256::from_be(*m_bytes);
    if (m == uint256{}) return *e == 0 ? std::optional<uint256>{m} : std::nullopt;
    if (m % kTen == uint256{}) return std::nullopt;  // the zeros belong in the exponent
    for (uint8_t i = 0; i < *e; ++i) {
        if (m > kMaxTimesTen) return std::nullopt;  // beyond 2^256 - 1
        m *= kTen;
    }
    return m;
}

}  // namespace fuse::batch::columns
