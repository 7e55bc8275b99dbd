#include "state/trie.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <numeric>

#include "core/hash.hpp"

namespace fuse::state {
namespace {

/// Appends an RLP string header for a payload of `len` bytes (Yellow Paper, Appendix B).
void append_header(Bytes& out, size_t len, uint8_t short_base) {
    if (len < 56) {
        out.push_back(static_cast<uint8_t>(short_base + len));
        return;
    }
    uint8_t be[8];
    int n = 0;
    for (size_t v = len; v; v >>= 8)
        be[n++] = static_cast<uint8_t>(v);
    out.push_back(static_cast<uint8_t>(short_base + 55 + n));
    while (n)
        out.push_back(be[--n]);
}

/// Appends `data` as an RLP string.
void append_string(Bytes& out, ByteView data) {
    if (data.size() == 1 && data[0] < 0x80) {
        out.push_back(data[0]);
        return;
    }
    append_header(out, data.size(), 0x80);
    out.insert(out.end(), data.begin(), data.end());
}

/// Wraps the payload that starts at `payload_start` in `out` into an RLP list (shifts it right).
void wrap_list(Bytes& out, size_t payload_start) {
    const size_t len = out.size() - payload_start;
    uint8_t hdr[9];
    size_t h = 0;
    if (len < 56) {
        hdr[h++] = static_cast<uint8_t>(0xc0 + len);
    } else {
        uint8_t be[8];
        int n = 0;
        for (size_t v = len; v; v >>= 8)
            be[n++] = static_cast<uint8_t>(v);
        hdr[h++] = static_cast<uint8_t>(0xf7 + n);
        while (n)
            hdr[h++] = be[--n];
    }
    out.resize(out.size() + h);
    std::memmove(out.data() + payload_start + h, out.data() + payload_start, len);
    std::memcpy(out.data() + payload_start, hdr, h);
}

size_t common_prefix_nibbles(ByteView a, ByteView b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return 2 * i + ((a[i] >> 4) == (b[i] >> 4) ? 1 : 0);
    }
    return 2 * n;
}

}  // namespace

HashBuilder::HashBuilder() {
    stack_.reserve(16);
    scratch_.reserve(600);
    scratch2_.reserve(128);
}

uint8_t HashBuilder::nibble(size_t i) const {
    const uint8_t b = prev_[i / 2];
    return (i & 1) ? (b & 0x0f) : (b >> 4);
}

void HashBuilder::add(ByteView key, ByteView value) {
    if (value.empty()) return;
    ++count_;
    if (has_prev_) {
        assert(bytes_less(prev_, key));
        collapse_to(common_prefix_nibbles(prev_, key));
    }
    prev_.assign(key.begin(), key.end());
    prev_value_.assign(value.begin(), value.end());
    has_prev_ = true;
}

void HashBuilder::push_frame(size_t depth) {
    if (stack_size_ == stack_.size()) stack_.emplace_back();
    Frame& f = stack_[stack_size_++];
    f.depth = depth;
    for (Ref& r : f.children)
        r.len = 0;
    f.has_value = false;
}

HashBuilder::Ref HashBuilder::make_ref(ByteView rlp) {
    Ref r;
    if (rlp.size() < 32) {
        r.len = static_cast<uint8_t>(rlp.size());
        std::memcpy(r.data.data(), rlp.data(), rlp.size());
    } else {
        const Hash32 h = keccak256(rlp);
        ++hash_count_;
        r.len = 33;
        r.data[0] = 0xa0;
        std::memcpy(r.data.data() + 1, h.data(), 32);
    }
    return r;
}

void HashBuilder::encode_short_node(size_t from, size_t to, bool is_leaf, ByteView payload_item) {
    // Hex-prefix encoding of the path (Yellow Paper, Appendix C).
    const size_t n = to - from;
    const bool odd = n & 1;
    uint8_t path[40];
    size_t plen = 0;
    const uint8_t flag = static_cast<uint8_t>((is_leaf ? 2 : 0) + (odd ? 1 : 0));
    size_t i = from;
    if (odd) {
        path[plen++] = static_cast<uint8_t>((flag << 4) | nibble(i++));
    } else {
        path[plen++] = static_cast<uint8_t>(flag << 4);
    }
    scratch_.clear();
    // Paths can exceed the fixed buffer for long test keys: build the string in scratch2_-free
    // fashion by writing the header first.
    const size_t path_bytes = 1 + (n - (odd ? 1 : 0)) / 2;
    if (path_bytes <= sizeof(path)) {
        for (; i < to; i += 2)
            path[plen++] = static_cast<uint8_t>((nibble(i) << 4) | nibble(i + 1));
        append_string(scratch_, {path, plen});
    } else {
        append_header(scratch_, path_bytes, 0x80);
        scratch_.push_back(path[0]);
        for (; i < to; i += 2)
            scratch_.push_back(static_cast<uint8_t>((nibble(i) << 4) | nibble(i + 1)));
    }
    scratch_.insert(scratch_.end(), payload_item.begin(), payload_item.end());
    wrap_list(scratch_, 0);
}

void HashBuilder::encode_branch(const Frame& f) {
    scratch_.clear();
    for (const Ref& r : f.children) {
        if (r.len == 0)
            scratch_.push_back(0x80);
        else
            scratch_.insert(scratch_.end(), r.data.begin(), r.data.begin() + r.len);
    }
    if (f.has_value)
        append_string(scratch_, f.value);
    else
        scratch_.push_back(0x80);
    wrap_list(scratch_, 0);
}

HashBuilder::Ref HashBuilder::branch_ref(const Frame& f) {
    encode_branch(f);
    return make_ref(scratch_);
}

void HashBuilder::hang_pending(Frame& f) {
    if (key_nibbles() == f.depth) {
        f.has_value = true;
        f.value.assign(prev_value_.begin(), prev_value_.end());
        return;
    }
    scratch2_.clear();
    append_string(scratch2_, prev_value_);
    encode_short_node(f.depth + 1, key_nibbles(), true, scratch2_);
    f.children[nibble(f.depth)] = make_ref(scratch_);
}

void HashBuilder::collapse_to(size_t depth) {
    if (stack_size_ == 0 || stack_[stack_size_ - 1].depth < depth) push_frame(depth);
    hang_pending(stack_[stack_size_ - 1]);
    while (stack_[stack_size_ - 1].depth > depth) {
        const size_t child_depth = stack_[stack_size_ - 1].depth;
        const Ref ref = branch_ref(stack_[stack_size_ - 1]);
        --stack_size_;
        if (stack_size_ == 0 || stack_[stack_size_ - 1].depth < depth) push_frame(depth);
        Frame& parent = stack_[stack_size_ - 1];
        if (child_depth == parent.depth + 1) {
            parent.children[nibble(parent.depth)] = ref;
        } else {
            encode_short_node(parent.depth + 1, child_depth, false, {ref.data.data(), ref.len});
            parent.children[nibble(parent.depth)] = make_ref(scratch_);
        }
    }
}

Hash32 HashBuilder::root() {
    Hash32 out = kEmptyTrieRoot;
    if (has_prev_) {
        if (stack_size_ == 0) {
            scratch2_.clear();
            append_string(scratch2_, prev_value_);
            encode_short_node(0, key_nibbles(), true, scratch2_);
        } else {
            collapse_to(stack_[0].depth);
            const Frame& f = stack_[0];
            encode_branch(f);
            if (f.depth > 0) {
                const Ref ref = make_ref(scratch_);
                encode_short_node(0, f.depth, false, {ref.data.data(), ref.len});
            }
        }
        out = keccak256(scratch_);
        ++hash_count_;
    }
    stack_size_ = 0;
    has_prev_ = false;
    count_ = 0;
    return out;
}

Hash32 trie_root_sorted(std::span<const std::pair<Bytes, Bytes>> pairs) {
    HashBuilder hb;
    for (const auto& [k, v] : pairs)
        hb.add(k, v);
    return hb.root();
}

Hash32 trie_root(std::span<const std::pair<Bytes, Bytes>> pairs) {
    std::vector<size_t> order(pairs.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return bytes_less(pairs[a].first, pairs[b].first); });
    HashBuilder hb;
    for (size_t i : order)
        hb.add(pairs[i].first, pairs[i].second);
    return hb.root();
}

bool bytes_less(ByteView a, ByteView b) {
    const size_t n = std::min(a.size(), b.size());
    const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
    return c < 0 || (c == 0 && a.size() < b.size());
}

Bytes rlp_index_key(uint64_t index) {
    Bytes out;
    if (index == 0) {
        out.push_back(0x80);
    } else if (index < 0x80) {
        out.push_back(static_cast<uint8_t>(index));
    } else {
        uint8_t be[8];
        int n = 0;
        for (uint64_t v = index; v; v >>= 8)
            be[n++] = static_cast<uint8_t>(v);
        out.push_back(static_cast<uint8_t>(0x80 + n));
        while (n)
            out.push_back(be[--n]);
    }
    return out;
}

Hash32 ordered_trie_root(std::span<const Bytes> items) {
    std::vector<std::pair<Bytes, size_t>> keys;
    keys.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i)
        keys.emplace_back(rlp_index_key(i), i);
    std::sort(keys.begin(), keys.end(),
              [](const auto& a, const auto& b) { return bytes_less(a.first, b.first); });
    HashBuilder hb;
    for (const auto& [k, i] : keys)
        hb.add(k, items[i]);
    return hb.root();
}

}  // namespace fuse::state
