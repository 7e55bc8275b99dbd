#include "state/trie.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <new>
#include <random>
#include <string>

#include "core/hash.hpp"
#include "core/hex.hpp"

using namespace fuse;
using namespace fuse::state;

namespace {

Bytes str(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

Bytes hexb(std::string_view s) {
    return from_hex(s).value();
}

std::string root_hex(const std::vector<std::pair<Bytes, Bytes>>& pairs) {
    return to_hex(trie_root(pairs));
}

// ---- An independent, deliberately naive reference: builds nodes recursively over nibble
// ---- vectors, exactly as Yellow Paper Appendix D words it (c(J, i)).
using Nibbles = std::vector<uint8_t>;
Bytes rlp_str(ByteView d) {
    Bytes o;
    if (d.size() == 1 && d[0] < 0x80) return Bytes{d[0]};
    if (d.size() < 56) {
        o.push_back(static_cast<uint8_t>(0x80 + d.size()));
    } else {
        Bytes len;
        for (size_t v = d.size(); v; v >>= 8)
            len.insert(len.begin(), static_cast<uint8_t>(v));
        o.push_back(static_cast<uint8_t>(0xb7 + len.size()));
        o.insert(o.end(), len.begin(), len.end());
    }
    o.insert(o.end(), d.begin(), d.end());
    return o;
}
Bytes rlp_list(const std::vector<Bytes>& items) {
    Bytes payload;
    for (const auto& i : items)
        payload.insert(payload.end(), i.begin(), i.end());
    Bytes o;
    if (payload.size() < 56) {
        o.push_back(static_cast<uint8_t>(0xc0 + payload.size()));
    } else {
        Bytes len;
        for (size_t v = payload.size(); v; v >>= 8)
            len.insert(len.begin(), static_cast<uint8_t>(v));
        o.push_back(static_cast<uint8_t>(0xf7 + len.size()));
        o.insert(o.end(), len.begin(), len.end());
    }
    o.insert(o.end(), payload.begin(), payload.end());
    return o;
}
Bytes hp(const Nibbles& n, size_t from, bool leaf) {
    Bytes o;
    const size_t len = n.size() - from;
    uint8_t flag = (leaf ? 2 : 0) + (len % 2);
    size_t i = from;
    if (len % 2)
        o.push_back(static_cast<uint8_t>(flag << 4 | n[i++]));
    else
        o.push_back(static_cast<uint8_t>(flag << 4));
    for (; i < n.size(); i += 2)
        o.push_back(static_cast<uint8_t>(n[i] << 4 | n[i + 1]));
    return o;
}
using Items = std::vector<std::pair<Nibbles, Bytes>>;
Bytes node_rlp(const Items& items, size_t i);
Bytes node_ref(const Items& items, size_t i) {
    if (items.empty()) return Bytes{0x80};
    Bytes r = node_rlp(items, i);
    if (r.size() < 32) return r;
    return rlp_str(keccak256(r));
}
Bytes node_rlp(const Items& items, size_t i) {
    if (items.size() == 1 && items[0].first.size() >= i) {
        Nibbles rest(items[0].first.begin() + static_cast<long>(i), items[0].first.end());
        return rlp_list({rlp_str(hp(rest, 0, true)), rlp_str(items[0].second)});
    }
    // longest common prefix beyond i
    size_t j = i;
    for (;; ++j) {
        if (items[0].first.size() <= j) break;  // the first key ends here: no common nibble
        bool same = true;
        for (const auto& it : items)
            if (it.first.size() <= j || it.first[j] != items[0].first[j]) same = false;
        if (!same) break;
    }
    if (j > i) {
        Nibbles path(items[0].first.begin() + static_cast<long>(i),
                     items[0].first.begin() + static_cast<long>(j));
        return rlp_list({rlp_str(hp(path, 0, false)), node_ref(items, j)});
    }
    std::vector<Bytes> out;
    for (uint8_t nib = 0; nib < 16; ++nib) {
        Items sub;
        for (const auto& it : items)
            if (it.first.size() > i && it.first[i] == nib) sub.push_back(it);
        out.push_back(node_ref(sub, i + 1));
    }
    Bytes value;
    for (const auto& it : items)
        if (it.first.size() == i) value = it.second;
    out.push_back(rlp_str(value));
    return rlp_list(out);
}
Hash32 naive_root(const std::vector<std::pair<Bytes, Bytes>>& pairs) {
    if (pairs.empty()) return kEmptyTrieRoot;
    Items items;
    for (const auto& [k, v] : pairs) {
        Nibbles n;
        for (uint8_t b : k) {
            n.push_back(b >> 4);
            n.push_back(b & 15);
        }
        items.emplace_back(n, v);
    }
    return keccak256(node_rlp(items, 0));
}

}  // namespace

TEST(Trie, EmptyIsEmptyTrieRoot) {
    EXPECT_EQ(trie_root(std::vector<std::pair<Bytes, Bytes>>{}), kEmptyTrieRoot);
    EXPECT_EQ(ordered_trie_root(std::vector<Bytes>{}), kEmptyTrieRoot);
    HashBuilder hb;
    hb.add(str("a"), {});  // empty value = absent
    EXPECT_EQ(hb.root(), kEmptyTrieRoot);
}

// Expected roots from ethereum/tests TrieTests/trieanyorder.json.
TEST(Trie, TrieTestsAnyOrder) {
    EXPECT_EQ(root_hex({{str("A"), str("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}}),
              "0xd23786fb4a010da3ce639d66d5e904a11dbc02746d1ce25029e53290cabf28ab");
    EXPECT_EQ(root_hex({{str("doe"), str("reindeer")},
                        {str("dog"), str("puppy")},
                        {str("dogglesworth"), str("cat")}}),
              "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3");
    EXPECT_EQ(root_hex({{str("do"), str("verb")},
                        {str("horse"), str("stallion")},
                        {str("doge"), str("coin")},
                        {str("dog"), str("puppy")}}),
              "0x5991bb8c6514148a29db676a14ac506cd2cd5775ace63c30a4fe457715e9ac84");
    EXPECT_EQ(root_hex({{str("foo"), str("bar")}, {str("food"), str("bass")}}),
              "0x17beaa1648bafa633cda809c90c04af50fc8aed3cb40d16efbddee6fdf63c4c3");
    EXPECT_EQ(root_hex({{str("be"), str("e")}, {str("dog"), str("puppy")}, {str("bed"), str("d")}}),
              "0x3f67c7a47520f79faa29255d2d3c084a7a6df0453116ed7232ff10277a8be68b");
    EXPECT_EQ(root_hex({{str("test"), str("test")}, {str("te"), str("testy")}}),
              "0x8452568af70d8d140f58d941338542f645fcca50094b20f3c3d8c3df49337928");
    EXPECT_EQ(
        root_hex({{hexb("0x0045"), hexb("0x0123456789")}, {hexb("0x4500"), hexb("0x9876543210")}}),
        "0x285505fcabe84badc8aa310e2aae17eddc7d120aabec8a476902c8184b3a3503");
}

TEST(Trie, BuilderIsReusableAfterRoot) {
    HashBuilder hb;
    hb.add(str("doe"), str("reindeer"));
    hb.add(str("dog"), str("puppy"));
    hb.add(str("dogglesworth"), str("cat"));
    EXPECT_EQ(hb.size(), 3u);
    const Hash32 first = hb.root();
    hb.add(str("doe"), str("reindeer"));
    hb.add(str("dog"), str("puppy"));
    hb.add(str("dogglesworth"), str("cat"));
    EXPECT_EQ(hb.root(), first);
    EXPECT_EQ(hb.root(), kEmptyTrieRoot);
}

TEST(Trie, RlpIndexKey) {
    EXPECT_EQ(rlp_index_key(0), Bytes{0x80});
    EXPECT_EQ(rlp_index_key(1), Bytes{0x01});
    EXPECT_EQ(rlp_index_key(127), Bytes{0x7f});
    EXPECT_EQ(rlp_index_key(128), (Bytes{0x81, 0x80}));
    EXPECT_EQ(rlp_index_key(0x1234), (Bytes{0x82, 0x12, 0x34}));
}

TEST(Trie, OrderedRootMatchesExplicitKeys) {
    std::vector<Bytes> items;
    std::vector<std::pair<Bytes, Bytes>> pairs;
    for (uint64_t i = 0; i < 300; ++i) {
        Bytes v(1 + i % 40, static_cast<uint8_t>(i));
        items.push_back(v);
        pairs.emplace_back(rlp_index_key(i), v);
    }
    EXPECT_EQ(ordered_trie_root(items), naive_root(pairs));
}

// Random secure-trie shaped (32-byte keys) and short prefix-heavy keys, against the naive
// reference above.
TEST(Trie, MatchesNaiveReferenceOnRandomSets) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 200; ++round) {
        struct Less {
            bool operator()(const Bytes& a, const Bytes& b) const { return bytes_less(a, b); }
        };
        std::map<Bytes, Bytes, Less> m;
        const int n = static_cast<int>(rng() % 60);
        const bool short_keys = round % 2;
        for (int i = 0; i < n; ++i) {
            Bytes k;
            if (short_keys) {
                k.resize(1 + rng() % 3);
                for (auto& b : k)
                    b = static_cast<uint8_t>(rng() % 4 * 0x11);
            } else {
                const Hash32 h =
                    keccak256(Bytes{static_cast<uint8_t>(i), static_cast<uint8_t>(round)});
                k = to_bytes(h);
            }
            Bytes v(1 + rng() % 70, static_cast<uint8_t>(rng()));
            m[k] = v;
        }
        std::vector<std::pair<Bytes, Bytes>> pairs(m.begin(), m.end());
        ASSERT_EQ(trie_root_sorted(pairs), naive_root(pairs)) << "round " << round;
    }
}

// ---- Allocation counting for the "warm builder does not allocate" claim (replaces the global
// ---- operator new of this test binary; GCC cannot see that new and delete here pair up).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace
void* operator new(size_t n) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, size_t) noexcept {
    std::free(p);
}

TEST(Trie, WarmBuilderDoesNotAllocate) {
    std::vector<std::pair<Hash32, Bytes>> leaves;
    for (uint32_t i = 0; i < 2000; ++i) {
        const uint8_t b[4] = {uint8_t(i), uint8_t(i >> 8), uint8_t(i >> 16), uint8_t(i >> 24)};
        leaves.emplace_back(keccak256({b, 4}), Bytes(70, uint8_t(i)));
    }
    std::sort(leaves.begin(), leaves.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    HashBuilder hb;
    for (const auto& [k, v] : leaves)
        hb.add(k, v);
    const Hash32 first = hb.root();
    // keccak256 (Crypto++) may allocate per call; the builder itself must not.
    size_t before = g_allocations.load();
    (void)keccak256(leaves[0].second);
    const size_t per_hash = g_allocations.load() - before;
    const size_t hashes_before = hb.hash_count();
    before = g_allocations.load();
    for (const auto& [k, v] : leaves)
        hb.add(k, v);
    const Hash32 second = hb.root();
    const size_t hashes = hb.hash_count() - hashes_before;
    EXPECT_GT(hashes, leaves.size());
    EXPECT_EQ(g_allocations.load() - before, hashes * per_hash);
    EXPECT_EQ(first, second);
}
