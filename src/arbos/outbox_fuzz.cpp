// libFuzzer target over the outbox proof inputs (arbos/node_interface.hpp): the (size, leaf)
// of NodeInterface.constructOutboxProof / fusel2_getOutboxProof and the sends of ArbOS's
// accumulator. Input: a count of sends (each a 32-byte item from the input, else its index
// hashed), then (size, leaf) queries. Invariants: a leaf below a size up to the sends proves
// against the root ArbOS's SystemStorage computed at that size (and MerkleLib's root from the
// proof agrees); any other pair is an error, never a crash; and for arbitrary 64-bit sizes and
// leaves the proof reads O(log size) nodes.
#include <cstdlib>
#include <cstring>
#include <map>

#include "arbos/node_interface.hpp"
#include "arbos/system_state.hpp"
#include "core/fuzz_seeds.hpp"
#include "core/hash.hpp"
#include "state/exec_state.hpp"
#include "state/state.hpp"

namespace {

using namespace fuse;
using namespace fuse::arbos;

void require(bool ok) {
    if (!ok) std::abort();
}

struct Reader {
    ByteView in;
    uint64_t take(size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) {
            v = v << 8 | (in.empty() ? 0 : in[0]);
            if (!in.empty()) in = in.subspan(1);
        }
        return v;
    }
};

uint64_t height_of(uint64_t size) {
    uint64_t h = 0;
    while (h < 64 && (uint64_t{1} << h) < size)
        ++h;
    return h;
}

void write_seeds() {
    // 70 sends, then queries at sizes that cross powers of two.
    Bytes seed{70, 0};
    for (uint16_t q : {1, 2, 3, 5, 8, 33, 64, 65, 70}) {
        for (uint16_t v : {q, static_cast<uint16_t>(q - 1)}) {
            seed.push_back(static_cast<uint8_t>(v >> 8));
            seed.push_back(static_cast<uint8_t>(v));
        }
    }
    fuzz::write_seed(ByteView(seed));
    Bytes huge{3, 1};
    for (int i = 0; i < 16; ++i)
        huge.push_back(static_cast<uint8_t>(0xff - i));
    fuzz::write_seed(ByteView(huge));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Reader r{ByteView(data, size)};
    const uint64_t sends = r.take(1) % 200;
    const bool items_from_input = r.take(1) & 1;

    state::InMemoryState base;
    state::ExecState exec{base};
    SystemStorage sys{exec};
    std::map<std::pair<uint64_t, uint64_t>, Hash32> nodes;
    std::vector<Hash32> roots{Hash32{}};
    for (uint64_t i = 0; i < sends; ++i) {
        Hash32 item;
        if (items_from_input && r.in.size() >= 32) {
            std::memcpy(item.data(), r.in.data(), 32);
            r.in = r.in.subspan(32);
        } else {
            item = keccak256(uint256(i).to_hash().view());
        }
        nodes[{0, i}] = item;
        for (const MerkleNodeEvent& e : sys.append_send(item))
            nodes[{e.level, e.num_leaves}] = e.hash;
        roots.push_back(sys.send_root());
    }
    const SendNodeFn recorded = [&](uint64_t level, uint64_t last) -> Result<Hash32, std::string> {
        const auto it = nodes.find({level, last});
        if (it == nodes.end()) return Unexpected{std::string("no node")};
        return it->second;
    };

    // Small queries against the real accumulator.
    for (int q = 0; q < 16 && r.in.size() >= 4; ++q) {
        const uint64_t qsize = r.take(2), leaf = r.take(2);
        auto proof = construct_outbox_proof(qsize, leaf, recorded);
        if (leaf >= qsize) {
            require(!proof.has_value());
            continue;
        }
        if (qsize > sends) continue;  // nodes past the sends are missing: an error or a proof
        require(proof.has_value());
        require(proof->root == roots[qsize]);
        require(proof->proof.size() == height_of(qsize));
        require(outbox_root(proof->proof, leaf, proof->send) == proof->root);
        require(proof->send == nodes[{0, leaf}]);
    }

    // One query of any 64-bit size and leaf, over made-up nodes: bounded work.
    const uint64_t qsize = r.take(8), leaf = r.take(8);
    size_t calls = 0;
    const SendNodeFn any = [&](uint64_t level, uint64_t last) -> Result<Hash32, std::string> {
        ++calls;
        return keccak256(uint256((uint256(level) << 64) | uint256(last)).to_hash().view());
    };
    auto proof = construct_outbox_proof(qsize, leaf, any);
    require(proof.has_value() == (leaf < qsize));
    if (proof) {
        require(proof->proof.size() == height_of(qsize));
        require(calls <= 1 + 2 * 64 + 64);
        require(outbox_root(proof->proof, leaf, proof->send) == proof->root);
    }
    return 0;
}
