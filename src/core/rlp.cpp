#include "core/rlp.hpp"

#include <cassert>
#include <cstring>

namespace fuse::rlp {

const char* to_string(RlpError e) {
    switch (e) {
        case RlpError::kInputTooShort:
            return "RLP input too short: an item's header or payload runs past the end of the data";
        case RlpError::kTrailingBytes:
            return "RLP has trailing bytes after the value (or a list has extra items)";
        case RlpError::kNonCanonicalSingleByte:
            return "non-canonical RLP: a single byte below 0x80 must be encoded as itself";
        case RlpError::kNonCanonicalSize:
            return "non-canonical RLP: long-form length used for a payload shorter than 56 bytes";
        case RlpError::kLeadingZeroInLength:
            return "non-canonical RLP: long-form length has a leading zero byte";
        case RlpError::kLengthOverflow:
            return "RLP length is larger than any accepted input";
        case RlpError::kLeadingZeroInInteger:
            return "non-canonical RLP integer: leading zero byte";
        case RlpError::kIntegerOverflow:
            return "RLP integer is too wide for its field";
        case RlpError::kUnexpectedList:
            return "RLP: expected a string, found a list";
        case RlpError::kUnexpectedString:
            return "RLP: expected a list, found a string";
        case RlpError::kUnexpectedLength:
            return "RLP: string has the wrong length for a fixed-size field";
        case RlpError::kTooDeep:
            return "RLP lists nested too deeply";
        case RlpError::kTooLarge:
            return "RLP input exceeds the size limit";
    }
    return "unknown RLP error";
}

// ---------------------------------------------------------------------------------------------
// Encoding

size_t write_header(uint8_t* out, bool list, size_t payload_len) {
    const uint8_t short_base = list ? 0xc0 : 0x80;
    const uint8_t long_base = list ? 0xf7 : 0xb7;
    if (payload_len < 56) {
        out[0] = static_cast<uint8_t>(short_base + payload_len);
        return 1;
    }
    const size_t len_len = header_length(payload_len) - 1;
    out[0] = static_cast<uint8_t>(long_base + len_len);
    for (size_t i = 0; i < len_len; ++i)
        out[len_len - i] = static_cast<uint8_t>(payload_len >> (8 * i));
    return 1 + len_len;
}

size_t string_length(ByteView s) {
    if (s.size() == 1 && s[0] < 0x80) return 1;
    return header_length(s.size()) + s.size();
}

namespace {

size_t u64_width(uint64_t v) {
    return v == 0 ? 0 : static_cast<size_t>((64 - __builtin_clzll(v) + 7) / 8);
}

}  // namespace

size_t uint_length(uint64_t v) {
    if (v < 0x80) return 1;  // 0 is 0x80; 1..0x7f are themselves
    return 1 + u64_width(v);
}

size_t uint_length(const uint256& v) {
    if (v.fits_u64()) return uint_length(v.low64());
    return 1 + v.byte_width();
}

Encoder& Encoder::add(ByteView s) {
    if (s.size() == 1 && s[0] < 0x80) {
        out_.push_back(s[0]);
        return *this;
    }
    uint8_t hdr[9];
    const size_t n = write_header(hdr, false, s.size());
    out_.insert(out_.end(), hdr, hdr + n);
    out_.insert(out_.end(), s.begin(), s.end());
    return *this;
}

Encoder& Encoder::add(uint64_t v) {
    if (v == 0) {
        out_.push_back(0x80);
        return *this;
    }
    if (v < 0x80) {
        out_.push_back(static_cast<uint8_t>(v));
        return *this;
    }
    const size_t w = u64_width(v);
    out_.push_back(static_cast<uint8_t>(0x80 + w));
    for (size_t i = w; i-- > 0;)
        out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
}

Encoder& Encoder::add(const uint256& v) {
    if (v.fits_u64()) return add(v.low64());
    uint8_t be[32];
    v.to_be(be);
    const size_t w = v.byte_width();
    return add(ByteView{be + 32 - w, w});
}

Encoder& Encoder::add_raw(ByteView rlp) {
    out_.insert(out_.end(), rlp.begin(), rlp.end());
    return *this;
}

Encoder& Encoder::add_list(const std::vector<Hash32>& hashes) {
    begin_list();
    for (const auto& h : hashes)
        add(h);
    return end_list();
}

Encoder& Encoder::begin_list() {
    open_.push_back(out_.size());
    return *this;
}

Encoder& Encoder::end_list() {
    assert(!open_.empty() && "end_list without begin_list");
    const size_t start = open_.back();
    open_.pop_back();
    const size_t payload = out_.size() - start;
    uint8_t hdr[9];
    const size_t n = write_header(hdr, true, payload);
    out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(start), hdr, hdr + n);
    return *this;
}

Bytes encode(ByteView s) {
    Encoder e(string_length(s));
    e.add(s);
    return e.take();
}
Bytes encode(uint64_t v) {
    Encoder e(9);
    e.add(v);
    return e.take();
}
Bytes encode(const uint256& v) {
    Encoder e(33);
    e.add(v);
    return e.take();
}

// ---------------------------------------------------------------------------------------------
// Decoding

Result<Item, RlpError> peek_item(ByteView in) {
    if (in.empty()) return Unexpected{RlpError::kInputTooShort};
    const uint8_t b = in[0];
    if (b < 0x80) return Item{false, in.subspan(0, 1), in.subspan(0, 1)};

    const bool list = b >= 0xc0;
    const uint8_t off = b - (list ? 0xc0 : 0x80);
    size_t hdr = 1;
    size_t len = 0;
    if (off < 56) {
        len = off;
    } else {
        const size_t len_len = off - 55;  // 1..8
        if (in.size() < 1 + len_len) return Unexpected{RlpError::kInputTooShort};
        if (in[1] == 0) return Unexpected{RlpError::kLeadingZeroInLength};
        for (size_t i = 0; i < len_len; ++i) {
            if (len > (kMaxInputSize >> 8)) return Unexpected{RlpError::kLengthOverflow};
            len = (len << 8) | in[1 + i];
        }
        if (len < 56) return Unexpected{RlpError::kNonCanonicalSize};
        hdr += len_len;
    }
    if (len > in.size() - hdr) return Unexpected{RlpError::kInputTooShort};
    const ByteView payload = in.subspan(hdr, len);
    if (!list && len == 1 && payload[0] < 0x80)
        return Unexpected{RlpError::kNonCanonicalSingleByte};
    return Item{list, payload, in.subspan(0, hdr + len)};
}

Result<Item, RlpError> Decoder::next() {
    auto item = peek_item(in_);
    if (item) in_ = in_.subspan(item->encoded.size());
    return item;
}

Result<ByteView, RlpError> Decoder::read_bytes() {
    auto item = next();
    if (!item) return Unexpected{item.error()};
    if (item->is_list) return Unexpected{RlpError::kUnexpectedList};
    return item->payload;
}

Result<Decoder, RlpError> Decoder::read_list() {
    if (depth_ >= kMaxDepth) return Unexpected{RlpError::kTooDeep};
    auto item = next();
    if (!item) return Unexpected{item.error()};
    if (!item->is_list) return Unexpected{RlpError::kUnexpectedString};
    return Decoder(item->payload, depth_ + 1);
}

Result<uint64_t, RlpError> parse_u64(ByteView p) {
    if (p.size() > 8) return Unexpected{RlpError::kIntegerOverflow};
    if (!p.empty() && p[0] == 0) return Unexpected{RlpError::kLeadingZeroInInteger};
    uint64_t v = 0;
    for (uint8_t b : p)
        v = (v << 8) | b;
    return v;
}

Result<uint256, RlpError> parse_uint256(ByteView p) {
    if (p.size() > 32) return Unexpected{RlpError::kIntegerOverflow};
    if (!p.empty() && p[0] == 0) return Unexpected{RlpError::kLeadingZeroInInteger};
    return uint256::from_be(p);
}

Result<uint64_t, RlpError> Decoder::read_u64() {
    auto p = read_bytes();
    if (!p) return Unexpected{p.error()};
    return parse_u64(*p);
}

Result<uint256, RlpError> Decoder::read_uint256() {
    auto p = read_bytes();
    if (!p) return Unexpected{p.error()};
    return parse_uint256(*p);
}

Result<Address, RlpError> Decoder::read_address() {
    auto p = read_bytes();
    if (!p) return Unexpected{p.error()};
    if (p->size() != 20) return Unexpected{RlpError::kUnexpectedLength};
    Address a;
    std::memcpy(a.data(), p->data(), 20);
    return a;
}

Result<Hash32, RlpError> Decoder::read_hash() {
    auto p = read_bytes();
    if (!p) return Unexpected{p.error()};
    if (p->size() != 32) return Unexpected{RlpError::kUnexpectedLength};
    Hash32 h;
    std::memcpy(h.data(), p->data(), 32);
    return h;
}

Result<std::optional<Address>, RlpError> Decoder::read_optional_address() {
    auto p = read_bytes();
    if (!p) return Unexpected{p.error()};
    if (p->empty()) return std::optional<Address>{};
    if (p->size() != 20) return Unexpected{RlpError::kUnexpectedLength};
    Address a;
    std::memcpy(a.data(), p->data(), 20);
    return std::optional<Address>{a};
}

Result<std::vector<Hash32>, RlpError> Decoder::read_hash_list() {
    auto list = read_list();
    if (!list) return Unexpected{list.error()};
    std::vector<Hash32> out;
    while (!list->empty()) {
        auto h = list->read_hash();
        if (!h) return Unexpected{h.error()};
        out.push_back(*h);
    }
    return out;
}

Result<void, RlpError> Decoder::finish() const {
    if (!in_.empty()) return Unexpected{RlpError::kTrailingBytes};
    return {};
}

Result<Item, RlpError> decode_single(ByteView in) {
    if (in.size() > kMaxInputSize) return Unexpected{RlpError::kTooLarge};
    auto item = peek_item(in);
    if (!item) return item;
    if (item->encoded.size() != in.size()) return Unexpected{RlpError::kTrailingBytes};
    return item;
}

namespace {

Result<void, RlpError> validate_payload(ByteView payload, int depth_left) {
    while (!payload.empty()) {
        auto item = peek_item(payload);
        if (!item) return Unexpected{item.error()};
        if (item->is_list) {
            if (depth_left == 0) return Unexpected{RlpError::kTooDeep};
            auto r = validate_payload(item->payload, depth_left - 1);
            if (!r) return r;
        }
        payload = payload.subspan(item->encoded.size());
    }
    return {};
}

}  // namespace

Result<void, RlpError> validate(ByteView in, int max_depth) {
    auto item = decode_single(in);
    if (!item) return Unexpected{item.error()};
    if (item->is_list) {
        if (max_depth == 0) return Unexpected{RlpError::kTooDeep};
        return validate_payload(item->payload, max_depth - 1);
    }
    return {};
}

}  // namespace fuse::rlp
