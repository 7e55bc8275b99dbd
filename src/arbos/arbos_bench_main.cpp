// Google Benchmark of ArbOS's per-transaction cost on the sequencer's fast path (decoded
// transaction, known sender): BlockBuilder::add + finish over a small MemoryWorld, and the L1
// fee's brotli measurement alone. Run by hand (release); figures go in reports, not tests.

#include <benchmark/benchmark.h>

#include "arbos/arbos.hpp"
#include "arbos/l1_fee.hpp"
#include "arbos/memory_world.hpp"
#include "core/transaction.hpp"

namespace {

using namespace fuse;
using namespace fuse::arbos;

struct Signed {
    Transaction tx;
    Bytes raw;
    Address sender;
    Hash32 hash;
};

/// `per_sender` transfers from each of the ten dev accounts, nonces from `first_nonce`.
std::vector<Signed> transfers(size_t per_sender, uint64_t first_nonce) {
    std::vector<Signed> out;
    for (size_t n = 0; n < per_sender; ++n) {
        for (size_t a = 0; a < 10; ++a) {
            Signed s;
            s.tx.type = TxType::kDynamicFee;
            s.tx.chain_id = 412346;
            s.tx.nonce = first_nonce + n;
            s.tx.max_fee_per_gas = uint256(1'000'000'000);
            s.tx.gas_limit = 100'000;
            Address to;
            to[19] = static_cast<uint8_t>(a + 1);
            to[18] = static_cast<uint8_t>(n);
            s.tx.to = to;
            s.tx.value = uint256(1);
            (void)sign_transaction(s.tx, dev_accounts()[a].private_key);
            s.raw = encode_transaction(s.tx);
            s.sender = dev_accounts()[a].address;
            s.hash = tx_hash(s.tx);
            out.push_back(std::move(s));
        }
    }
    return out;
}

void BM_BuildBlockOfTransfers(benchmark::State& state) {
    const size_t per_sender = static_cast<size_t>(state.range(0)) / 10;
    Genesis genesis = dev_genesis(412346);
    // Thousands of blocks of 1,000 transfers a second would price themselves out through the
    // L1 data backlog (docs/arbos.md): this measures building, so the target is out of reach.
    genesis.fees.l1_target_bytes_per_second = uint64_t{1} << 40;
    MemoryWorld world;
    Block parent = make_genesis_block(world, genesis);
    uint64_t nonce = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const std::vector<Signed> txs = transfers(per_sender, nonce);
        nonce += per_sender;
        Message msg;
        msg.timestamp = parent.header.timestamp + 1;
        msg.l1_block_number = 1;
        msg.l1_base_fee = uint256(50'000'000);
        state.ResumeTiming();
        BlockBuilder b(world, genesis, parent, msg);
        for (const Signed& s : txs)
            if (!b.add(s.tx, s.raw, s.sender, s.hash)) state.SkipWithError("tx rejected");
        parent = b.finish().value();
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BuildBlockOfTransfers)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_L1FeeCompressedSize(benchmark::State& state) {
    const std::vector<Signed> txs = transfers(1, 0);
    size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(compressed_size(txs[i++ % txs.size()].raw));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_L1FeeCompressedSize);

}  // namespace

BENCHMARK_MAIN();
