#pragma once
/// Internal to state/mpt.cpp: the in-memory node of `Mpt` and its RLP encoding/decoding
/// (Yellow Paper, Appendix C hex-prefix and Appendix D node shapes).

#include <array>
#include <cstdint>
#include <memory>

#include "core/rlp.hpp"
#include "state/mpt.hpp"

namespace fuse::state {

struct Mpt::Node {
    enum class Kind : uint8_t { kLeaf, kExtension, kBranch, kHash };
    Kind kind = Kind::kLeaf;
    bool dirty = true;
    /// Cached reference: 32 = keccak256 of the RLP, 1..31 = the RLP itself (embedded), 0 = none.
    uint8_t ref_len = 0;
    std::array<uint8_t, 32> ref{};
    Bytes path;     ///< nibbles (leaf, extension)
    Bytes value;    ///< leaf value, or the value held by a branch
    NodePtr child;  ///< extension
    std::unique_ptr<std::array<NodePtr, 16>> children;  ///< branch

    static NodePtr leaf(ByteView path, ByteView value) {
        auto n = std::make_unique<Node>();
        n->path.assign(path.begin(), path.end());
        n->value.assign(value.begin(), value.end());
        return n;
    }
    static NodePtr branch() {
        auto n = std::make_unique<Node>();
        n->kind = Kind::kBranch;
        n->children = std::make_unique<std::array<NodePtr, 16>>();
        return n;
    }
    static NodePtr hash_ref(ByteView hash) {
        auto n = std::make_unique<Node>();
        n->kind = Kind::kHash;
        n->dirty = false;
        n->ref_len = 32;
        std::memcpy(n->ref.data(), hash.data(), 32);
        return n;
    }
    bool is_short() const { return kind == Kind::kLeaf || kind == Kind::kExtension; }
};

namespace mpt_detail {

/// Appends the RLP of the byte string `s`.
void append_string(Bytes& out, ByteView s);
/// Appends the RLP string of the hex-prefix encoding of `nibbles` (YP App. C).
void append_hex_prefix(Bytes& out, ByteView nibbles, bool leaf);
/// Appends how a parent refers to `n`: 0xa0 ‖ hash, or the embedded RLP.
void append_ref(Bytes& out, const Mpt::Node& n);
/// Decodes one node from its RLP; `encoded_ref` is the reference the parent holds (hash or
/// the embedded RLP itself, shorter than 32 bytes); kMalformedNode for a longer reference.
Result<std::unique_ptr<Mpt::Node>, MptError> decode_node(ByteView rlp_bytes, ByteView encoded_ref);

}  // namespace mpt_detail
}  // namespace fuse::state
