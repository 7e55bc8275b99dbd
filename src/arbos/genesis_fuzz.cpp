// libFuzzer target over the genesis JSON parser (arbos/genesis.hpp): every input is a genesis
// document. Invariants: nothing crashes and nothing throws (errors are values naming the
// field); an accepted genesis prints canonical JSON that parses to the same genesis, whose own
// printing is a fixed point; and block 0 can be built from it on an in-memory world twice
// with the same hash.
#include <cstdlib>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "core/fuzz_seeds.hpp"

namespace {

using namespace fuse;
using namespace fuse::arbos;

void require(bool ok) {
    if (!ok) std::abort();
}

void write_seeds() {
    fuzz::write_seed(to_json(dev_genesis(1220122)));
    Genesis g;
    g.chain_id = 7;
    g.timestamp = 1'700'000'000;
    GenesisAccount a;
    a.balance = uint256{1'000'000};
    a.nonce = 1;
    a.code = {0x60, 0x00, 0x60, 0x00, 0xf3};
    a.storage[uint256{1}] = uint256{2};
    Address addr;
    addr[19] = 0x42;
    g.alloc[addr] = a;
    g.predeploys = {"multicall3"};
    g.l2_gateway_admin = addr;
    fuzz::write_seed(to_json(g));
    fuzz::write_seed(std::string_view(R"({"chainId": "0x10", "timestamp": 5, "arbosVersion": 2,
"fees": {"minBaseFee": "100000000", "speedLimitPerSecond": 7000000,
"backlogToleranceSeconds": 10, "inertia": 102, "l1PricePerUnit": "0x1"},
"alloc": {"0x0000000000000000000000000000000000000001": {"balance": "1"}}})"));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto g = parse_genesis(text);
    if (!g) {
        require(!g.error().empty());
        return 0;
    }
    const std::string json = to_json(*g);
    auto again = parse_genesis(json);
    require(again.has_value() && *again == *g);
    require(to_json(*again) == json);
    if (g->alloc.size() > 64) return 0;  // keep one input's block 0 cheap
    MemoryWorld w1, w2;
    const Block b1 = make_genesis_block(w1, *g);
    const Block b2 = make_genesis_block(w2, *again);
    require(b1.hash == b2.hash);
    return 0;
}
