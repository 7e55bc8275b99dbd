// Benchmarks of the state library: trie root computation and transaction processing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "core/hash.hpp"
#include "core/secp256k1.hpp"
#include "core/transaction.hpp"
#include "state/exec_state.hpp"
#include "state/state.hpp"
#include "state/transition.hpp"
#include "state/trie.hpp"

using namespace fuse;
using namespace fuse::state;

namespace {

std::vector<std::pair<Hash32, Bytes>> secure_leaves(size_t n) {
    std::vector<std::pair<Hash32, Bytes>> leaves;
    leaves.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        const uint8_t b[4] = {uint8_t(i), uint8_t(i >> 8), uint8_t(i >> 16), uint8_t(i >> 24)};
        Account acc{i, uint256{1'000'000ull * i}, kEmptyCodeHash};
        leaves.emplace_back(keccak256({b, 4}), encode_account(acc, kEmptyTrieRoot));
    }
    std::sort(leaves.begin(), leaves.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return leaves;
}

/// Root of N account-like leaves fed in sorted order (as a database cursor would).
void BM_HashBuilderRoot(benchmark::State& st) {
    const auto leaves = secure_leaves(static_cast<size_t>(st.range(0)));
    HashBuilder hb;
    for (auto _ : st) {
        for (const auto& [k, v] : leaves)
            hb.add(k, v);
        benchmark::DoNotOptimize(hb.root());
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_HashBuilderRoot)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

/// Signed EIP-1559 value transfers between fresh accounts, applied one after another on one
/// ExecState (a block), then the diff and the state root.
void BM_TransferBlock(benchmark::State& st) {
    const size_t n = static_cast<size_t>(st.range(0));
    Hash32 key;
    key[31] = 1;
    const Address sender = *address_from_private_key(key);
    InMemoryState base;
    base.put_account(sender, Account{0, uint256{1} << 100, kEmptyCodeHash});
    std::vector<Transaction> txs(n);
    for (size_t i = 0; i < n; ++i) {
        Transaction& t = txs[i];
        t.type = TxType::kDynamicFee;
        t.chain_id = 1;
        t.nonce = i;
        t.max_fee_per_gas = 20;
        t.max_priority_fee_per_gas = 1;
        t.gas_limit = 21000;
        Address to;
        to[0] = 0x10;
        to[18] = uint8_t(i >> 8);
        to[19] = uint8_t(i);
        t.to = to;
        t.value = 1;
        (void)sign_transaction(t, key);
    }
    BlockEnv block;
    block.gas_limit = 1'000'000'000;
    block.base_fee = 7;
    for (auto _ : st) {
        ExecState es(base);
        for (const Transaction& t : txs) {
            auto r = apply_transaction(es, block, evm::Revision::kCancun, t, sender,
                                       block.gas_limit, {});
            benchmark::DoNotOptimize(r);
        }
        InMemoryState post = base;
        post.apply(es.diff());
        benchmark::DoNotOptimize(post.state_root());
    }
    st.SetItemsProcessed(st.iterations() * st.range(0));
}
BENCHMARK(BM_TransferBlock)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
