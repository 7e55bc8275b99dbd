#include "state/mpt_proof.hpp"

#include <algorithm>
#include <functional>

#include "core/rlp.hpp"

namespace fuse::state {
namespace {

/// Fetches the RLP of the node a parent references: `ref` is a 32-byte hash or the embedded
/// RLP itself (`embedded` set).
using FetchFn = std::function<Result<Bytes, MptError>(ByteView ref, bool embedded)>;

/// Follows `key` from the root; returns the value found (nullopt: absent).
Result<std::optional<Bytes>, MptError> walk(const Hash32& root, ByteView key,
                                            const FetchFn& fetch) {
    if (root == kEmptyTrieRoot) return std::optional<Bytes>{};
    Bytes nibbles;
    nibbles.reserve(key.size() * 2);
    for (uint8_t b : key) {
        nibbles.push_back(b >> 4);
        nibbles.push_back(b & 0x0f);
    }
    size_t at = 0;
    Bytes ref(root.bytes.begin(), root.bytes.end());
    bool embedded = false;
    Bytes path;
    for (size_t depth = 0; depth <= nibbles.size() + 1; ++depth) {
        auto node = fetch(ref, embedded);
        if (!node) return Unexpected{node.error()};
        const Bytes rlp_node = std::move(*node);
        auto top = rlp::decode_single(rlp_node);
        if (!top || !top->is_list) return Unexpected{MptError::kMalformedNode};
        std::vector<rlp::Item> items;
        rlp::Decoder d(top->payload);
        while (!d.empty()) {
            auto it = d.next();
            if (!it) return Unexpected{MptError::kMalformedNode};
            items.push_back(*it);
        }
        const rlp::Item* child = nullptr;
        if (items.size() == 17) {
            if (at == nibbles.size()) {
                if (items[16].is_list) return Unexpected{MptError::kMalformedNode};
                if (items[16].payload.empty()) return std::optional<Bytes>{};
                return std::optional<Bytes>(
                    Bytes(items[16].payload.begin(), items[16].payload.end()));
            }
            child = &items[nibbles[at++]];
        } else if (items.size() == 2) {
            bool leaf = false;
            if (items[0].is_list || !decode_hex_prefix(items[0].payload, path, leaf))
                return Unexpected{MptError::kMalformedNode};
            const ByteView rest(nibbles.data() + at, nibbles.size() - at);
            if (leaf) {
                if (items[1].is_list) return Unexpected{MptError::kMalformedNode};
                if (rest.size() != path.size() ||
                    !std::equal(path.begin(), path.end(), rest.begin()))
                    return std::optional<Bytes>{};
                return std::optional<Bytes>(
                    Bytes(items[1].payload.begin(), items[1].payload.end()));
            }
            if (rest.size() < path.size() || !std::equal(path.begin(), path.end(), rest.begin()))
                return std::optional<Bytes>{};
            at += path.size();
            child = &items[1];
        } else {
            return Unexpected{MptError::kMalformedNode};
        }
        if (child->is_list) {  // a node shorter than 32 bytes, embedded in its parent
            ref.assign(child->encoded.begin(), child->encoded.end());
            embedded = true;
        } else if (child->payload.empty()) {
            return std::optional<Bytes>{};
        } else if (child->payload.size() == 32) {
            ref.assign(child->payload.begin(), child->payload.end());
            embedded = false;
        } else {
            return Unexpected{MptError::kMalformedNode};
        }
    }
    return Unexpected{MptError::kMalformedNode};  // deeper than any key: a cycle
}

}  // namespace

Result<MptProof, MptError> mpt_prove(const NodeStore& store, const Hash32& root, ByteView key) {
    MptProof proof;
    auto value = walk(root, key, [&](ByteView ref, bool embedded) -> Result<Bytes, MptError> {
        if (embedded) return Bytes(ref.begin(), ref.end());
        Hash32 h;
        std::copy(ref.begin(), ref.end(), h.bytes.begin());
        auto node = store.get_node(h);
        if (!node) return Unexpected{MptError::kReadFailed};
        if (!node->has_value()) return Unexpected{MptError::kMissingNode};
        proof.nodes.push_back(**node);
        return std::move(**node);
    });
    if (!value) return Unexpected{value.error()};
    proof.value = std::move(*value);
    return proof;
}

Result<std::optional<Bytes>, MptError> mpt_verify(const Hash32& root, ByteView key,
                                                  const std::vector<Bytes>& proof) {
    size_t next = 0;
    auto value = walk(root, key, [&](ByteView ref, bool embedded) -> Result<Bytes, MptError> {
        if (embedded) return Bytes(ref.begin(), ref.end());
        if (next >= proof.size()) return Unexpected{MptError::kMissingNode};
        const Bytes& node = proof[next++];
        const Hash32 h = keccak256(node);
        if (!std::equal(ref.begin(), ref.end(), h.bytes.begin()))
            return Unexpected{MptError::kMalformedNode};
        return node;
    });
    if (!value) return Unexpected{value.error()};
    if (next != proof.size()) return Unexpected{MptError::kMalformedNode};  // nodes left over
    return value;
}

}  // namespace fuse::state
