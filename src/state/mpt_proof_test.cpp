#include "state/mpt_proof.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "core/hash.hpp"

using namespace fuse;
using namespace fuse::state;

namespace {

class MapStore final : public NodeStore {
public:
    ReadResult<std::optional<Bytes>> get_node(const Hash32& hash) const noexcept override {
        auto it = nodes.find(hash);
        if (it == nodes.end()) return std::optional<Bytes>{};
        return std::optional<Bytes>{it->second};
    }
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> nodes;
};

/// A trie of `keys` (value = the key's hash, or short values to get embedded nodes) committed
/// to `store`; returns its root.
Hash32 build(MapStore& store, const std::vector<Bytes>& keys, bool short_values) {
    Mpt t(&store);
    for (const Bytes& k : keys) {
        const Hash32 h = keccak256(k);
        EXPECT_TRUE(t.put(k, short_values ? ByteView(h.bytes.data(), 1 + k.size() % 3) : h.view()));
    }
    const Hash32 root = t.root_hash();
    std::vector<TrieNode> out;
    t.take_new_nodes(out);
    for (auto& [h, rlp] : out)
        store.nodes[h] = std::move(rlp);
    return root;
}

std::vector<Bytes> random_keys(std::mt19937_64& rng, size_t n, size_t len) {
    std::vector<Bytes> keys;
    for (size_t i = 0; i < n; ++i) {
        Bytes k(len ? len : 1 + rng() % 4);
        for (auto& b : k)
            b = static_cast<uint8_t>(len ? rng() : rng() % 4);  // short keys share prefixes
        keys.push_back(std::move(k));
    }
    return keys;
}

TEST(MptProof, ProvesPresenceAndAbsenceAndVerifies) {
    std::mt19937_64 rng(7);
    for (const auto& [len, short_values] :
         {std::pair<size_t, bool>{32, false}, {32, true}, {0, true}, {0, false}}) {
        MapStore store;
        const auto keys = random_keys(rng, 200, len);
        const Hash32 root = build(store, keys, short_values);
        for (const Bytes& k : keys) {
            auto p = mpt_prove(store, root, k);
            ASSERT_TRUE(p);
            ASSERT_TRUE(p->value);
            ASSERT_FALSE(p->nodes.empty());
            EXPECT_EQ(keccak256(p->nodes.front()), root);
            auto v = mpt_verify(root, k, p->nodes);
            ASSERT_TRUE(v);
            EXPECT_EQ(*v, p->value);
        }
        for (const Bytes& k : random_keys(rng, 50, len ? len : 5)) {
            auto p = mpt_prove(store, root, k);
            ASSERT_TRUE(p);
            auto v = mpt_verify(root, k, p->nodes);
            ASSERT_TRUE(v);
            EXPECT_EQ(*v, p->value);  // random 5- or 32-byte keys: absent, proven absent
            EXPECT_FALSE(p->value.has_value());
        }
    }
}

TEST(MptProof, TamperedTruncatedOrPaddedProofsFail) {
    std::mt19937_64 rng(9);
    MapStore store;
    const auto keys = random_keys(rng, 100, 32);
    const Hash32 root = build(store, keys, false);
    auto p = mpt_prove(store, root, keys[3]);
    ASSERT_TRUE(p);
    ASSERT_GE(p->nodes.size(), 2u);
    auto bad = p->nodes;
    bad.back().back() ^= 1;
    EXPECT_EQ(mpt_verify(root, keys[3], bad).error(), MptError::kMalformedNode);
    bad = p->nodes;
    bad.pop_back();
    EXPECT_EQ(mpt_verify(root, keys[3], bad).error(), MptError::kMissingNode);
    bad = p->nodes;
    bad.push_back(p->nodes.front());
    EXPECT_EQ(mpt_verify(root, keys[3], bad).error(), MptError::kMalformedNode);
    Hash32 other = root;
    other[0] ^= 1;
    EXPECT_FALSE(mpt_verify(other, keys[3], p->nodes));
    // A proof for one key does not prove another's value.
    auto v = mpt_verify(root, keys[4], p->nodes);
    EXPECT_TRUE(!v || *v != p->value);
}

TEST(MptProof, EmptyTrieAndMissingNodes) {
    MapStore store;
    auto p = mpt_prove(store, kEmptyTrieRoot, Bytes{1, 2, 3});
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->nodes.empty());
    EXPECT_FALSE(p->value);
    auto v = mpt_verify(kEmptyTrieRoot, Bytes{1}, {});
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->has_value());
    Hash32 unknown;
    unknown[5] = 1;
    EXPECT_EQ(mpt_prove(store, unknown, Bytes{1}).error(), MptError::kMissingNode);
}

}  // namespace
