#include <cstring>

#include "state/mpt_node.hpp"

namespace fuse::state {

bool decode_hex_prefix(ByteView in, Bytes& nibbles, bool& is_leaf) {
    nibbles.clear();
    if (in.empty()) return false;
    const uint8_t flag = in[0] >> 4;
    if (flag > 3) return false;
    is_leaf = flag >= 2;
    if (flag & 1)
        nibbles.push_back(in[0] & 0x0f);
    else if ((in[0] & 0x0f) != 0)
        return false;
    for (size_t i = 1; i < in.size(); ++i) {
        nibbles.push_back(in[i] >> 4);
        nibbles.push_back(in[i] & 0x0f);
    }
    return true;
}

namespace mpt_detail {

void append_string(Bytes& out, ByteView s) {
    if (s.size() == 1 && s[0] < 0x80) {
        out.push_back(s[0]);
        return;
    }
    uint8_t hdr[9];
    size_t h = rlp::write_header(hdr, false, s.size());
    out.insert(out.end(), hdr, hdr + h);
    out.insert(out.end(), s.begin(), s.end());
}

void append_hex_prefix(Bytes& out, ByteView nibbles, bool leaf) {
    uint8_t buf[65];
    size_t n = 0;
    const bool odd = nibbles.size() % 2 == 1;
    const uint8_t flag = static_cast<uint8_t>((leaf ? 2 : 0) + (odd ? 1 : 0));
    size_t i = 0;
    if (odd) {
        buf[n++] = static_cast<uint8_t>(flag << 4 | nibbles[0]);
        i = 1;
    } else {
        buf[n++] = static_cast<uint8_t>(flag << 4);
    }
    Bytes big;
    uint8_t* dst = buf;
    const size_t total = 1 + nibbles.size() / 2;
    if (total > sizeof(buf)) {  // keys longer than 64 bytes (tests only)
        big.assign(buf, buf + n);
        big.resize(total);
        dst = big.data();
    }
    for (; i < nibbles.size(); i += 2)  // the rest has an even length
        dst[n++] = static_cast<uint8_t>(nibbles[i] << 4 | nibbles[i + 1]);
    append_string(out, ByteView(dst, n));
}

void append_ref(Bytes& out, const Mpt::Node& n) {
    if (n.ref_len == 32) {
        out.push_back(0xa0);
        out.insert(out.end(), n.ref.begin(), n.ref.end());
    } else {
        out.insert(out.end(), n.ref.begin(), n.ref.begin() + n.ref_len);
    }
}

namespace {

Result<std::unique_ptr<Mpt::Node>, MptError> decode_child(const rlp::Item& item) {
    if (!item.is_list) {
        if (item.payload.empty()) return std::unique_ptr<Mpt::Node>{};
        if (item.payload.size() != 32) return Unexpected{MptError::kMalformedNode};
        auto n = std::make_unique<Mpt::Node>();
        n->kind = Mpt::Node::Kind::kHash;
        n->dirty = false;
        n->ref_len = 32;
        std::memcpy(n->ref.data(), item.payload.data(), 32);
        return n;
    }
    if (item.encoded.size() >= 32) return Unexpected{MptError::kMalformedNode};
    return decode_node(item.encoded, item.encoded);
}

}  // namespace

Result<std::unique_ptr<Mpt::Node>, MptError> decode_node(ByteView rlp_bytes, ByteView encoded_ref) {
    // A reference is a 32-byte hash or an embedded node shorter than 32 bytes.
    if (encoded_ref.size() > 32) return Unexpected{MptError::kMalformedNode};
    auto top = rlp::decode_single(rlp_bytes);
    if (!top || !top->is_list) return Unexpected{MptError::kMalformedNode};
    rlp::Decoder d(top->payload);
    std::array<rlp::Item, 17> items;
    size_t count = 0;
    while (!d.empty()) {
        if (count == 17) return Unexpected{MptError::kMalformedNode};
        auto it = d.next();
        if (!it) return Unexpected{MptError::kMalformedNode};
        items[count++] = *it;
    }
    auto n = std::make_unique<Mpt::Node>();
    n->dirty = false;
    n->ref_len = static_cast<uint8_t>(encoded_ref.size());
    std::memcpy(n->ref.data(), encoded_ref.data(), encoded_ref.size());
    if (count == 2) {
        if (items[0].is_list) return Unexpected{MptError::kMalformedNode};
        bool leaf = false;
        if (!decode_hex_prefix(items[0].payload, n->path, leaf))
            return Unexpected{MptError::kMalformedNode};
        if (leaf) {
            if (items[1].is_list) return Unexpected{MptError::kMalformedNode};
            n->kind = Mpt::Node::Kind::kLeaf;
            n->value.assign(items[1].payload.begin(), items[1].payload.end());
        } else {
            n->kind = Mpt::Node::Kind::kExtension;
            auto c = decode_child(items[1]);
            if (!c || !*c || n->path.empty()) return Unexpected{MptError::kMalformedNode};
            n->child = std::move(*c);
        }
        return n;
    }
    if (count != 17 || items[16].is_list) return Unexpected{MptError::kMalformedNode};
    n->kind = Mpt::Node::Kind::kBranch;
    n->children = std::make_unique<std::array<std::unique_ptr<Mpt::Node>, 16>>();
    for (size_t i = 0; i < 16; ++i) {
        auto c = decode_child(items[i]);
        if (!c) return Unexpected{c.error()};
        (*n->children)[i] = std::move(*c);
    }
    n->value.assign(items[16].payload.begin(), items[16].payload.end());
    return n;
}

}  // namespace mpt_detail
}  // namespace fuse::state
