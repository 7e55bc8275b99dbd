// Google Benchmark for the encodings the validator runs per transaction: strict RLP walk,
// transaction decode/encode, hashes and sender recovery. Build `encodings_bench` in the release
// preset and run it by hand; numbers go in the report, never in tests.

#include <benchmark/benchmark.h>

#include "core/hash.hpp"
#include "core/receipt.hpp"
#include "core/rlp.hpp"
#include "core/transaction.hpp"

namespace {

using namespace fuse;

Bytes sample_tx(TxType type, size_t data_size) {
    Transaction t;
    t.type = type;
    t.chain_id = 122;
    t.nonce = 1234;
    t.gas_limit = 150000;
    if (type == TxType::kLegacy) {
        t.gas_price = uint256{30'000'000'000};
    } else {
        t.max_priority_fee_per_gas = uint256{1'000'000'000};
        t.max_fee_per_gas = uint256{50'000'000'000};
        t.access_list.push_back({Address{}, {Hash32{}, Hash32{}}});
    }
    t.to = Address{};
    t.value = uint256{1'000'000'000'000'000'000};
    t.data.assign(data_size, 0xab);
    Hash32 key;
    key[31] = 7;
    (void)sign_transaction(t, key);
    return encode_transaction(t);
}

void BM_RlpValidate(benchmark::State& state) {
    const Bytes raw = sample_tx(TxType::kDynamicFee, static_cast<size_t>(state.range(0)));
    const ByteView body = ByteView{raw}.subspan(1);
    for (auto _ : state)
        benchmark::DoNotOptimize(rlp::validate(body).has_value());
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_RlpValidate)->Arg(68)->Arg(1024);

void BM_DecodeTransaction(benchmark::State& state) {
    const Bytes raw = sample_tx(static_cast<TxType>(state.range(0)), 68);
    for (auto _ : state) {
        auto t = decode_transaction(raw);
        benchmark::DoNotOptimize(t.has_value());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_DecodeTransaction)->Arg(0)->Arg(2);

void BM_EncodeTransaction(benchmark::State& state) {
    const Transaction t = decode_transaction(sample_tx(TxType::kDynamicFee, 68)).value();
    for (auto _ : state)
        benchmark::DoNotOptimize(encode_transaction(t).size());
}
BENCHMARK(BM_EncodeTransaction);

void BM_TxHash(benchmark::State& state) {
    const Transaction t = decode_transaction(sample_tx(TxType::kDynamicFee, 68)).value();
    for (auto _ : state)
        benchmark::DoNotOptimize(tx_hash(t));
}
BENCHMARK(BM_TxHash);

void BM_RecoverSender(benchmark::State& state) {
    const Transaction t = decode_transaction(sample_tx(TxType::kDynamicFee, 68)).value();
    for (auto _ : state)
        benchmark::DoNotOptimize(recover_sender(t).has_value());
}
BENCHMARK(BM_RecoverSender);

void BM_ReceiptEncode(benchmark::State& state) {
    Receipt r;
    r.type = TxType::kDynamicFee;
    r.success = true;
    r.cumulative_gas_used = 21000;
    r.logs.push_back({Address{}, {Hash32{}, Hash32{}, Hash32{}}, Bytes(32, 1)});
    for (auto _ : state) {
        r.bloom = logs_bloom(r.logs);
        benchmark::DoNotOptimize(encode_receipt(r).size());
    }
}
BENCHMARK(BM_ReceiptEncode);

}  // namespace

BENCHMARK_MAIN();
