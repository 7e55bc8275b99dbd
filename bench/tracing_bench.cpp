// What tracing costs when it is on (bench/README.md "Tracing"): one transaction running a
// 10,000-iteration countdown loop (70,002 instructions) through apply_transaction, untraced and
// under each tracer. (Off, the interpreter is the untraced instantiation: see bench-evm.)
#include <benchmark/benchmark.h>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "state/transition.hpp"
#include "tracing/tracer.hpp"

using namespace fuse;
using namespace fuse::state;

namespace {

struct Setup {
    Hash32 key;
    Address sender;
    Address loop;
    InMemoryState base;
    BlockEnv block;
    Transaction tx;

    Setup() {
        key[31] = 7;
        sender = *address_from_private_key(key);
        loop[19] = 0x10;
        // PUSH2 10000; JUMPDEST; PUSH1 1; SWAP1; SUB; DUP1; PUSH1 3; JUMPI; STOP
        const Bytes code = from_hex("0x6127105b600190038060035700").value();
        base.put_account(sender, Account{0, uint256{1} << 100, kEmptyCodeHash});
        base.put_account(loop, Account{1, uint256{}, keccak256(code)}, code);
        block.gas_limit = 30'000'000;
        block.base_fee = 1;
        block.number = 1;
        tx.type = TxType::kDynamicFee;
        tx.chain_id = 1;
        tx.max_fee_per_gas = 1;
        tx.gas_limit = 1'000'000;
        tx.to = loop;
        (void)sign_transaction(tx, key);
    }

    void run(TxTracer* tracer) {
        ExecState st(base);
        TxHooks hooks;
        hooks.tracer = tracer;
        auto r = apply_transaction(
            st, block, evm::Revision::kCancun, tx, sender, block.gas_limit,
            [](int64_t) { return Hash32{}; }, &hooks);
        benchmark::DoNotOptimize(r);
    }
};

constexpr int64_t kSteps = 2 + 10'000 * 7;  // PUSH2, 7 per iteration, STOP

/// 0: untraced, 1: callTracer, 2: prestateTracer, 3: struct logger, 4: struct logger without
/// stack and storage.
void BM_LoopTx(benchmark::State& st) {
    Setup s;
    const auto far = tracing::Clock::now() + std::chrono::hours(1);
    for (auto _ : st) {
        std::unique_ptr<tracing::JsonTracer> t;
        switch (st.range(0)) {
            case 1:
                t = tracing::make_call_tracer({}, far);
                break;
            case 2:
                t = tracing::make_prestate_tracer({}, far);
                break;
            case 3:
                t = tracing::make_struct_logger({}, far);
                break;
            case 4:
                t = tracing::make_struct_logger({false, true, true, false, 0}, far);
                break;
            default:
                break;
        }
        s.run(t.get());
        if (t) benchmark::DoNotOptimize(t->result());
    }
    st.SetItemsProcessed(st.iterations() * kSteps);
}
BENCHMARK(BM_LoopTx)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
