#include "l1/abi.hpp"

#include <algorithm>
#include <charconv>

#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

constexpr size_t kMaxDepth = 16;
constexpr size_t kWord = 32;

using Kind = AbiType::Kind;

bool parse_number(std::string_view s, size_t& out) {
    if (s.empty() || s.size() > 9 || (s.size() > 1 && s[0] == '0')) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// Splits "a,(b,c),d" at top-level commas.
bool split_top_level(std::string_view s, std::vector<std::string_view>& out) {
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '(') ++depth;
        if (s[i] == ')' && --depth < 0) return false;
        if (s[i] == ',' && depth == 0) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    if (depth != 0) return false;
    out.push_back(s.substr(start));
    return true;
}

Result<AbiType, AbiError> parse_at_depth(std::string_view s, size_t depth);

Result<std::vector<AbiType>, AbiError> parse_list(std::string_view s, size_t depth) {
    std::vector<AbiType> types;
    if (s.empty()) return types;
    std::vector<std::string_view> parts;
    if (!split_top_level(s, parts)) return Unexpected{AbiError::kBadType};
    for (auto part : parts) {
        auto t = parse_at_depth(part, depth + 1);
        if (!t) return Unexpected{t.error()};
        types.push_back(std::move(*t));
    }
    return types;
}

Result<AbiType, AbiError> parse_at_depth(std::string_view s, size_t depth) {
    if (depth > kMaxDepth) return Unexpected{AbiError::kTooLarge};
    AbiType t;
    if (!s.empty() && s.back() == ']') {
        const size_t open = s.rfind('[');
        if (open == std::string_view::npos) return Unexpected{AbiError::kBadType};
        const auto len = s.substr(open + 1, s.size() - open - 2);
        auto elem = parse_at_depth(s.substr(0, open), depth + 1);
        if (!elem) return Unexpected{elem.error()};
        t.kind = Kind::kArray;
        if (len.empty()) {
            t.dynamic_array = true;
        } else if (!parse_number(len, t.array_len) || t.array_len == 0) {
            return Unexpected{AbiError::kBadType};
        }
        t.components.push_back(std::move(*elem));
        return t;
    }
    if (s.starts_with("tuple(")) s.remove_prefix(5);
    if (!s.empty() && s.front() == '(') {
        if (s.back() != ')') return Unexpected{AbiError::kBadType};
        auto members = parse_list(s.substr(1, s.size() - 2), depth);
        if (!members) return Unexpected{members.error()};
        if (members->empty())
            return Unexpected{AbiError::kBadType};  // no empty structs in Solidity
        t.kind = Kind::kTuple;
        t.components = std::move(*members);
        return t;
    }
    auto sized = [&](std::string_view prefix, Kind kind, size_t lo, size_t hi, size_t step,
                     size_t dflt) -> Result<AbiType, AbiError> {
        const auto rest = s.substr(prefix.size());
        size_t n = dflt;
        if (!rest.empty() && !parse_number(rest, n)) return Unexpected{AbiError::kBadType};
        if (n < lo || n > hi || n % step != 0) return Unexpected{AbiError::kBadType};
        t.kind = kind;
        t.bits = static_cast<unsigned>(n);
        return t;
    };
    if (s.starts_with("uint")) return sized("uint", Kind::kUint, 8, 256, 8, 256);
    if (s.starts_with("int")) return sized("int", Kind::kInt, 8, 256, 8, 256);
    if (s == "address") return t.kind = Kind::kAddress, t.bits = 160, t;
    if (s == "bool") return t.kind = Kind::kBool, t.bits = 8, t;
    if (s == "string") return t.kind = Kind::kString, t;
    if (s == "bytes") return t.kind = Kind::kBytes, t;
    if (s.starts_with("bytes")) return sized("bytes", Kind::kFixedBytes, 1, 32, 1, 0);
    return Unexpected{AbiError::kBadType};
}

// Checks that a scalar word is what the encoder writes for `t`.
bool word_is_clean(const AbiType& t, const uint256& w) {
    switch (t.kind) {
        case Kind::kUint:
        case Kind::kAddress:
            return w.bit_width() <= t.bits;
        case Kind::kBool:
            return w <= uint256(1);
        case Kind::kInt:
            return signextend(uint256(t.bits / 8 - 1), w) == w;
        case Kind::kFixedBytes:
            return t.bits == 32 || (w << (8 * t.bits)).is_zero();
        default:
            return false;
    }
}

void put_word(Bytes& out, const uint256& w) {
    const size_t at = out.size();
    out.resize(at + kWord);
    w.to_be(out.data() + at);
}

Result<void, AbiError> encode_tuple(const std::vector<AbiType>& types,
                                    const std::vector<AbiValue>& values, Bytes& out);

Result<void, AbiError> encode_value(const AbiType& t, const AbiValue& v, Bytes& out) {
    switch (t.kind) {
        case Kind::kBytes:
        case Kind::kString: {
            put_word(out, uint256(v.bytes.size()));
            out.insert(out.end(), v.bytes.begin(), v.bytes.end());
            out.resize(out.size() + (kWord - v.bytes.size() % kWord) % kWord, 0);
            return {};
        }
        case Kind::kArray: {
            const size_t n = t.dynamic_array ? v.items.size() : t.array_len;
            if (v.items.size() != n) return Unexpected{AbiError::kValueMismatch};
            if (t.dynamic_array) put_word(out, uint256(n));
            std::vector<AbiType> elems(n, t.components[0]);
            return encode_tuple(elems, v.items, out);
        }
        case Kind::kTuple:
            return encode_tuple(t.components, v.items, out);
        default:
            if (!word_is_clean(t, v.word)) return Unexpected{AbiError::kValueMismatch};
            put_word(out, v.word);
            return {};
    }
}

Result<void, AbiError> encode_tuple(const std::vector<AbiType>& types,
                                    const std::vector<AbiValue>& values, Bytes& out) {
    if (types.size() != values.size()) return Unexpected{AbiError::kValueMismatch};
    const size_t base = out.size();
    size_t head = 0;
    for (const auto& t : types)
        head += t.head_size();
    out.resize(base + head, 0);
    size_t pos = base;
    for (size_t i = 0; i < types.size(); ++i) {
        if (types[i].is_dynamic()) {
            uint256(out.size() - base).to_be(out.data() + pos);
            pos += kWord;
            if (auto r = encode_value(types[i], values[i], out); !r) return r;
        } else {
            Bytes tmp;
            if (auto r = encode_value(types[i], values[i], tmp); !r) return r;
            std::copy(tmp.begin(), tmp.end(), out.begin() + static_cast<ptrdiff_t>(pos));
            pos += tmp.size();
        }
    }
    return {};
}

struct Decoder {
    ByteView data;
    size_t end = 0;  // furthest byte consumed, for decode_exact

    Result<uint256, AbiError> word_at(size_t at) {
        if (at > data.size() || data.size() - at < kWord) return Unexpected{AbiError::kTruncated};
        end = std::max(end, at + kWord);
        return uint256::from_be32(data.data() + at);
    }

    // Reads an offset/length word that must fit the input.
    Result<size_t, AbiError> size_at(size_t at) {
        auto w = word_at(at);
        if (!w) return Unexpected{w.error()};
        if (!w->fits_u64() || w->low64() > data.size()) return Unexpected{AbiError::kBadOffset};
        return static_cast<size_t>(w->low64());
    }

    Result<AbiValue, AbiError> value(const AbiType& t, size_t at) {
        AbiValue v;
        switch (t.kind) {
            case Kind::kBytes:
            case Kind::kString: {
                auto len = size_at(at);
                if (!len) return Unexpected{len.error()};
                const size_t start = at + kWord;
                const size_t padded = (*len + kWord - 1) / kWord * kWord;
                if (start > data.size() || data.size() - start < padded)
                    return Unexpected{AbiError::kBadOffset};
                v.bytes.assign(data.begin() + static_cast<ptrdiff_t>(start),
                               data.begin() + static_cast<ptrdiff_t>(start + *len));
                for (size_t i = start + *len; i < start + padded; ++i)
                    if (data[i] != 0) return Unexpected{AbiError::kDirtyPadding};
                end = std::max(end, start + padded);
                return v;
            }
            case Kind::kArray: {
                size_t n = t.array_len;
                size_t base = at;
                if (t.dynamic_array) {
                    auto len = size_at(at);
                    if (!len) return Unexpected{len.error()};
                    n = *len;
                    base = at + kWord;
                }
                // Every element takes at least one head word: bounds the allocation by the input.
                const size_t elem_head = t.components[0].head_size();
                if (base > data.size() || n > (data.size() - base) / elem_head)
                    return Unexpected{AbiError::kBadOffset};
                std::vector<AbiType> elems(n, t.components[0]);
                auto items = tuple(elems, base);
                if (!items) return Unexpected{items.error()};
                v.items = std::move(*items);
                return v;
            }
            case Kind::kTuple: {
                auto items = tuple(t.components, at);
                if (!items) return Unexpected{items.error()};
                v.items = std::move(*items);
                return v;
            }
            default: {
                auto w = word_at(at);
                if (!w) return Unexpected{w.error()};
                if (!word_is_clean(t, *w)) return Unexpected{AbiError::kDirtyPadding};
                v.word = *w;
                return v;
            }
        }
    }

    Result<std::vector<AbiValue>, AbiError> tuple(const std::vector<AbiType>& types, size_t base) {
        std::vector<AbiValue> out;
        out.reserve(types.size());
        size_t pos = base;
        for (const auto& t : types) {
            if (t.is_dynamic()) {
                auto off = size_at(pos);
                if (!off) return Unexpected{off.error()};
                if (*off > data.size() - base) return Unexpected{AbiError::kBadOffset};
                auto v = value(t, base + *off);
                if (!v) return Unexpected{v.error()};
                out.push_back(std::move(*v));
                pos += kWord;
            } else {
                auto v = value(t, pos);
                if (!v) return Unexpected{v.error()};
                out.push_back(std::move(*v));
                pos += t.head_size();
            }
        }
        return out;
    }
};

std::string format_signed(const uint256& w) {
    const bool negative = (w.w[3] >> 63) != 0;
    if (!negative) return w.to_dec();
    std::string s = "-";
    s += (-w).to_dec();
    return s;
}

}  // namespace

const char* to_string(AbiError e) {
    switch (e) {
        case AbiError::kBadType:
            return "not a Solidity ABI type";
        case AbiError::kTruncated:
            return "ABI data ends too early";
        case AbiError::kBadOffset:
            return "ABI offset or length points outside the data";
        case AbiError::kDirtyPadding:
            return "ABI value has nonzero padding or is out of its type's range";
        case AbiError::kTooLarge:
            return "ABI type nested too deeply or array too long";
        case AbiError::kValueMismatch:
            return "value does not match its ABI type";
        case AbiError::kTrailingBytes:
            return "bytes left after the ABI encoding";
    }
    return "unknown ABI error";
}

Result<AbiType, AbiError> AbiType::parse(std::string_view s) {
    return parse_at_depth(s, 0);
}

std::string AbiType::canonical() const {
    switch (kind) {
        case Kind::kUint:
            return "uint" + std::to_string(bits);
        case Kind::kInt:
            return "int" + std::to_string(bits);
        case Kind::kAddress:
            return "address";
        case Kind::kBool:
            return "bool";
        case Kind::kFixedBytes:
            return "bytes" + std::to_string(bits);
        case Kind::kBytes:
            return "bytes";
        case Kind::kString:
            return "string";
        case Kind::kArray:
            return components[0].canonical() + "[" +
                   (dynamic_array ? "" : std::to_string(array_len)) + "]";
        case Kind::kTuple: {
            std::string s = "(";
            for (size_t i = 0; i < components.size(); ++i) {
                if (i) s += ",";
                s += components[i].canonical();
            }
            return s + ")";
        }
    }
    return {};
}

bool AbiType::is_dynamic() const {
    if (kind == Kind::kBytes || kind == Kind::kString) return true;
    if (kind == Kind::kArray) return dynamic_array || components[0].is_dynamic();
    if (kind == Kind::kTuple)
        return std::any_of(components.begin(), components.end(),
                           [](const AbiType& c) { return c.is_dynamic(); });
    return false;
}

size_t AbiType::head_size() const {
    if (is_dynamic()) return kWord;
    if (kind == Kind::kArray) return array_len * components[0].head_size();
    if (kind == Kind::kTuple) {
        size_t n = 0;
        for (const auto& c : components)
            n += c.head_size();
        return n;
    }
    return kWord;
}

Address AbiValue::as_address() const {
    Address a;
    uint8_t buf[32];
    word.to_be(buf);
    std::copy(buf + 12, buf + 32, a.data());
    return a;
}

Result<std::vector<AbiType>, AbiError> parse_types(std::string_view list) {
    return parse_list(list, 0);
}

Result<Bytes, AbiError> abi_encode(const std::vector<AbiType>& types,
                                   const std::vector<AbiValue>& values) {
    Bytes out;
    if (auto r = encode_tuple(types, values, out); !r) return Unexpected{r.error()};
    return out;
}

Result<std::vector<AbiValue>, AbiError> abi_decode(const std::vector<AbiType>& types,
                                                   ByteView data) {
    Decoder d{data};
    return d.tuple(types, 0);
}

Result<std::vector<AbiValue>, AbiError> abi_decode_exact(const std::vector<AbiType>& types,
                                                         ByteView data) {
    Decoder d{data};
    auto r = d.tuple(types, 0);
    if (r && d.end != data.size()) return Unexpected{AbiError::kTrailingBytes};
    return r;
}

std::array<uint8_t, 4> selector(std::string_view signature) {
    const Hash32 h =
        keccak256(ByteView(reinterpret_cast<const uint8_t*>(signature.data()), signature.size()));
    return {h[0], h[1], h[2], h[3]};
}

uint32_t selector_u32(std::string_view signature) {
    const auto s = selector(signature);
    return (uint32_t{s[0]} << 24) | (uint32_t{s[1]} << 16) | (uint32_t{s[2]} << 8) | s[3];
}

Hash32 event_topic(std::string_view signature) {
    return keccak256(
        ByteView(reinterpret_cast<const uint8_t*>(signature.data()), signature.size()));
}

std::string format_value(const AbiType& t, const AbiValue& v) {
    switch (t.kind) {
        case Kind::kUint:
            return v.word.to_dec();
        case Kind::kInt:
            return format_signed(t.bits == 256 ? v.word
                                               : signextend(uint256(t.bits / 8 - 1), v.word));
        case Kind::kBool:
            return v.word.is_zero() ? "false" : "true";
        case Kind::kAddress:
            return to_hex(v.as_address());
        case Kind::kFixedBytes: {
            const Hash32 h = v.as_hash();
            return to_hex(ByteView(h.data(), t.bits));
        }
        case Kind::kBytes:
            return to_hex(v.bytes);
        case Kind::kString: {
            std::string s(1, '"');
            s += v.as_string();
            s.push_back('"');
            return s;
        }
        case Kind::kArray:
        case Kind::kTuple: {
            std::string s(1, t.kind == Kind::kArray ? '[' : '(');
            for (size_t i = 0; i < v.items.size(); ++i) {
                const AbiType& ct = t.kind == Kind::kArray ? t.components[0] : t.components[i];
                {
                    if (i) s += ", ";
                    s += format_value(ct, v.items[i]);
                }
            }
            s.push_back(t.kind == Kind::kArray ? ']' : ')');
            return s;
        }
    }
    return {};
}

}  // namespace fuse::l1
