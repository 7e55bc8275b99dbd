// libFuzzer target over the trie code (state/trie.hpp, mpt.hpp, mpt_proof.hpp). The first byte
// picks the mode:
//   even: the rest is a list of operations (put key value / erase key, keys of 0-40 bytes)
//         applied to an Mpt, whose nodes go to an in-memory store, and to a std::map. The root
//         must equal the streaming HashBuilder's root over the map, every key must read back
//         through a trie reopened from the store (nodes unloaded), and every key's proof must
//         verify to the map's value (or to its absence);
//   odd:  the rest is a proof of untrusted nodes (u16 length ‖ RLP, repeated) and a key: the
//         verifier, the node decoder and a trie opened on those nodes must answer a value or an
//         MptError, never crash.
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include "core/fuzz_seeds.hpp"
#include "core/hash.hpp"
#include "state/mpt.hpp"
#include "state/mpt_node.hpp"
#include "state/mpt_proof.hpp"
#include "state/trie.hpp"

namespace {

using namespace fuse;
using namespace fuse::state;

void require(bool ok) {
    if (!ok) std::abort();
}

struct MemStore final : NodeStore {
    std::map<Hash32, Bytes> nodes;
    ReadResult<std::optional<Bytes>> get_node(const Hash32& hash) const noexcept override {
        const auto it = nodes.find(hash);
        if (it == nodes.end()) return std::optional<Bytes>{};
        return std::optional<Bytes>{it->second};
    }
};

struct Reader {
    ByteView in;
    bool empty() const { return in.empty(); }
    uint8_t byte() {
        if (in.empty()) return 0;
        const uint8_t b = in[0];
        in = in.subspan(1);
        return b;
    }
    Bytes bytes(size_t n) {
        n = std::min(n, in.size());
        Bytes out(in.begin(), in.begin() + static_cast<ptrdiff_t>(n));
        in = in.subspan(n);
        return out;
    }
};

void check_ops(ByteView input) {
    Reader r{input};
    MemStore store;
    Mpt trie(&store);
    std::map<Bytes, Bytes> model;
    std::vector<Bytes> keys;
    for (int ops = 0; !r.empty() && ops < 256; ++ops) {
        const uint8_t op = r.byte();
        // Reuse an earlier key half of the time so that erases and overwrites hit.
        Bytes key = (op & 1) && !keys.empty() ? keys[r.byte() % keys.size()] : r.bytes(op % 41);
        if (op & 0x80) {
            require(trie.erase(key).has_value());
            model.erase(key);
        } else {
            Bytes value = r.bytes(1 + r.byte() % 64);
            if (value.empty()) continue;
            require(trie.put(key, value).has_value());
            model[key] = value;
            keys.push_back(key);
        }
        if (op & 0x40) {  // commit now and then: nodes to the store, unload, keep going
            (void)trie.root_hash();
            std::vector<TrieNode> fresh;
            trie.take_new_nodes(fresh);
            for (auto& [h, rlp] : fresh) {
                require(keccak256(rlp) == h);
                store.nodes[h] = std::move(rlp);
            }
            trie.unload(op & 3);
        }
    }
    const Hash32 root = trie.root_hash();
    std::vector<TrieNode> fresh;
    trie.take_new_nodes(fresh);
    for (auto& [h, rlp] : fresh)
        store.nodes[h] = std::move(rlp);

    std::vector<std::pair<Bytes, Bytes>> pairs(model.begin(), model.end());
    require(trie_root(pairs) == root);
    HashBuilder hb;
    for (const auto& [k, v] : model)
        hb.add(k, v);
    require(hb.root() == root);

    Mpt reopened(&store, root);
    for (const Bytes& k : keys) {
        const auto it = model.find(k);
        auto got = reopened.get(k);
        require(got.has_value());
        require(it == model.end() ? !got->has_value() : (got->has_value() && **got == it->second));
    }
    // Proofs are over hashed keys in the state, but work for any key: check a few.
    for (size_t i = 0; i < keys.size() && i < 8; ++i) {
        const Bytes& k = keys[i];
        auto proof = mpt_prove(store, root, k);
        require(proof.has_value());
        auto verified = mpt_verify(root, k, proof->nodes);
        require(verified.has_value());
        const auto it = model.find(k);
        require(it == model.end() ? !verified->has_value()
                                  : (verified->has_value() && **verified == it->second));
        require(proof->value == *verified);
    }
}

void check_untrusted(ByteView input) {
    Reader r{input};
    const Bytes key = r.bytes(r.byte() % 33);
    std::vector<Bytes> nodes;
    MemStore store;
    while (!r.empty() && nodes.size() < 32) {
        const size_t n = size_t{r.byte()} << 8 | r.byte();
        nodes.push_back(r.bytes(n));
        store.nodes[keccak256(nodes.back())] = nodes.back();
        (void)mpt_detail::decode_node(nodes.back(), keccak256(nodes.back()).view());
        if (nodes.back().size() < 32) (void)mpt_detail::decode_node(nodes.back(), nodes.back());
    }
    const Hash32 root = nodes.empty() ? kEmptyTrieRoot : keccak256(nodes.front());
    auto verified = mpt_verify(root, key, nodes);
    Mpt trie(&store, root);
    auto got = trie.get(key);
    // A proof the verifier accepts shows what a trie over the same nodes holds.
    if (verified && got) require(*verified == *got);
    (void)mpt_prove(store, root, key);
    if (trie.put(key, Bytes{1}).has_value()) (void)trie.root_hash();
    Mpt other(&store, root);
    if (other.erase(key).has_value()) (void)other.root_hash();
}

void write_seeds() {
    // Ops: puts of short and long keys and values, a shared prefix, then an erase.
    Bytes ops;
    for (uint8_t i = 0; i < 6; ++i) {
        const uint8_t len = static_cast<uint8_t>(i * 7 % 41);
        ops.push_back(static_cast<uint8_t>(len | (i == 3 ? 0x40 : 0)));
        for (uint8_t j = 0; j < len; ++j)
            ops.push_back(static_cast<uint8_t>(j < 3 ? 0xab : i + j));
        ops.push_back(i == 5 ? 40 : 2);
        ops.push_back(0xee);
        ops.push_back(0xff);
        ops.push_back(i);
    }
    ops.push_back(0x81);  // erase an earlier key
    ops.push_back(2);
    fuzz::write_seed(0, ops);
    // A real proof as untrusted input: the nodes of a small trie and one of its keys.
    MemStore store;
    Mpt trie(&store);
    for (uint8_t i = 0; i < 20; ++i) {
        const Hash32 k = keccak256(Bytes{i});
        (void)trie.put(k, Bytes(1 + i * 3, i));
    }
    const Hash32 root = trie.root_hash();
    std::vector<TrieNode> fresh;
    trie.take_new_nodes(fresh);
    for (auto& [h, rlp] : fresh)
        store.nodes[h] = rlp;
    const Hash32 key = keccak256(Bytes{7});
    auto proof = mpt_prove(store, root, key);
    Bytes untrusted{32};
    untrusted.insert(untrusted.end(), key.bytes.begin(), key.bytes.end());
    for (const Bytes& n : proof->nodes) {
        untrusted.push_back(static_cast<uint8_t>(n.size() >> 8));
        untrusted.push_back(static_cast<uint8_t>(n.size()));
        untrusted.insert(untrusted.end(), n.begin(), n.end());
    }
    fuzz::write_seed(1, untrusted);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const ByteView in(data + 1, size - 1);
    if (data[0] % 2 == 0)
        check_ops(in);
    else
        check_untrusted(in);
    return 0;
}
