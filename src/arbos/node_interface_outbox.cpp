// NodeInterface.constructOutboxProof's algorithm (node_interface.hpp): the proof of one leaf of
// ArbOS's send accumulator (system_state.hpp, nitro's merkleAccumulator) at a given size,
// from the complete nodes ArbSys's events recorded.
//
// The accumulator at `size` leaves is the binary tree of height h = ceil(log2(size)) over
// leaves keccak(send_0) .. keccak(send_{size-1}), padded on the right with zero hashes: that
// is exactly what SystemStorage::send_root folds from its partials (a partial at level l is a
// complete subtree; folding with keccak(x ‖ 0) climbs through empty right halves). So the
// sibling at level i of the path of `leaf` is the subtree of 2^i leaves starting at
// ((leaf >> i) ^ 1) << i, which is one of:
//   - entirely at or past `size`: the zero hash;
//   - entirely below `size`: a complete node, recorded when its last leaf was appended
//     (level 0: the leaf, keccak of the send hash);
//   - across `size`: keccak of its two halves, each again one of the three (only one such
//     subtree per level, so O(h) nodes in all).

#include <cstring>

#include "arbos/node_interface.hpp"
#include "core/hash.hpp"

namespace fuse::arbos {
namespace {

using u128 = unsigned __int128;

Hash32 keccak_pair(const Hash32& a, const Hash32& b) {
    uint8_t buf[64];
    std::memcpy(buf, a.data(), 32);
    std::memcpy(buf + 32, b.data(), 32);
    return keccak256({buf, 64});
}

/// The hash of the subtree of 2^level leaves starting at leaf `start` in the accumulator of
/// `size` leaves.
Result<Hash32, std::string> subtree(uint64_t size, uint64_t level, u128 start,
                                    const SendNodeFn& node) {
    if (start >= size) return Hash32{};
    const u128 end = start + (u128{1} << level);
    if (end <= size) {
        auto h = node(level, static_cast<uint64_t>(end - 1));
        if (!h) return Unexpected{std::move(h.error())};
        return level == 0 ? keccak256(h->view()) : *h;
    }
    auto left = subtree(size, level - 1, start, node);
    if (!left) return left;
    auto right = subtree(size, level - 1, start + (u128{1} << (level - 1)), node);
    if (!right) return right;
    return keccak_pair(*left, *right);
}

}  // namespace

Result<OutboxProof, std::string> construct_outbox_proof(uint64_t size, uint64_t leaf,
                                                        const SendNodeFn& node) {
    if (leaf >= size)
        return Unexpected{"leaf " + std::to_string(leaf) + " is not below size " +
                          std::to_string(size) + " (leaves are numbered from 0)"};
    uint64_t height = 0;
    while (height < 64 && (u128{1} << height) < size)
        ++height;
    OutboxProof out;
    auto send = node(0, leaf);
    if (!send) return Unexpected{std::move(send.error())};
    out.send = *send;
    out.proof.reserve(height);
    for (uint64_t level = 0; level < height; ++level) {
        const u128 sibling = static_cast<u128>((leaf >> level) ^ 1) << level;
        auto h = subtree(size, level, sibling, node);
        if (!h) return Unexpected{std::move(h.error())};
        out.proof.push_back(*h);
    }
    out.root = outbox_root(out.proof, leaf, out.send);
    return out;
}

Hash32 outbox_root(const std::vector<Hash32>& proof, uint64_t leaf, const Hash32& send) {
    Hash32 node = keccak256(send.view());
    for (size_t i = 0; i < proof.size(); ++i) {
        const bool right = i < 64 && ((leaf >> i) & 1) != 0;
        node = right ? keccak_pair(proof[i], node) : keccak_pair(node, proof[i]);
    }
    return node;
}

}  // namespace fuse::arbos
