// Batch format: compression ratio, bytes per transaction and encode/decode throughput for
// realistic signed transactions (ETH transfers and ERC-20 transfers), compared with plain
// brotli-11 over the concatenated raw transactions (Arbitrum's setting).
#include <benchmark/benchmark.h>
#include <brotli/encode.h>

#include <random>

#include "batch/builder.hpp"
#include "core/transaction.hpp"

namespace {

using namespace fuse;
using namespace fuse::batch;

constexpr uint64_t kChainId = 1220;
constexpr size_t kSenders = 200, kRecipients = 500, kPool = 8000, kTxsPerMessage = 8;

Hash32 random_hash(std::mt19937_64& rng) {
    Hash32 h;
    for (auto& b : h.bytes)
        b = static_cast<uint8_t>(rng());
    return h;
}

/// Signed EIP-1559 transactions: `erc20` false = ETH transfers, true = ERC-20 transfer(to, amount).
std::vector<Bytes> make_txs(bool erc20) {
    std::mt19937_64 rng(erc20 ? 20 : 1);
    std::vector<Hash32> keys(kSenders);
    for (auto& k : keys)
        k = random_hash(rng);
    std::vector<Address> recipients(kRecipients);
    for (auto& a : recipients) {
        const Hash32 h = random_hash(rng);
        std::copy_n(h.bytes.begin(), 20, a.bytes.begin());
    }
    Address token = recipients[0];
    std::vector<uint64_t> nonces(kSenders, 0);
    std::vector<Bytes> out;
    for (size_t i = 0; i < kPool; ++i) {
        const size_t s = rng() % kSenders;
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = kChainId;
        t.nonce = nonces[s]++;
        t.max_priority_fee_per_gas = uint256{0};
        t.max_fee_per_gas = uint256{100'000'000 + rng() % 3 * 10'000'000};
        const Address& to = recipients[rng() % kRecipients];
        const uint256 amount{(rng() % 1'000'000) * 1'000'000'000'000ULL};
        if (erc20) {
            t.gas_limit = 60'000;
            t.to = token;
            Bytes call(4 + 32 + 32, 0);  // transfer(address,uint256)
            call[0] = 0xa9;
            call[1] = 0x05;
            call[2] = 0x9c;
            call[3] = 0xbb;
            std::copy(to.bytes.begin(), to.bytes.end(), call.begin() + 4 + 12);
            amount.to_be(call.data() + 36);
            t.data = std::move(call);
        } else {
            t.gas_limit = 21'000;
            t.to = to;
            t.value = amount;
        }
        if (!sign_transaction(t, keys[s])) std::abort();
        out.push_back(encode_transaction(t));
    }
    return out;
}

const std::vector<Bytes>& txs(bool erc20) {
    static const std::vector<Bytes> eth = make_txs(false), tok = make_txs(true);
    return erc20 ? tok : eth;
}

/// Messages of kTxsPerMessage txs, one per 250 ms block (timestamp every 4th, L1 block every 20th).
std::vector<L2Message> make_messages(bool erc20) {
    std::vector<L2Message> msgs;
    const auto& pool = txs(erc20);
    for (size_t i = 0; i * kTxsPerMessage < pool.size(); ++i) {
        L2Message m{1'000'000 + i / 20, uint256{1'000'000'000 + i / 20}, 1'700'000'000 + i / 4, {}};
        for (size_t j = i * kTxsPerMessage; j < std::min(pool.size(), (i + 1) * kTxsPerMessage);
             ++j)
            m.txs.push_back(pool[j]);
        msgs.push_back(std::move(m));
    }
    return msgs;
}

/// Fills one default-size batch (122,880 bytes) at `quality`; reports txs per batch, bytes/tx.
void BM_BuildFullBatch(benchmark::State& state) {
    const bool erc20 = state.range(0) != 0;
    const int quality = static_cast<int>(state.range(1));
    const auto msgs = make_messages(erc20);
    size_t ntx = 0, raw = 0, size = 0;
    for (auto _ : state) {
        BatchBuilder b({}, quality);
        ntx = raw = 0;
        for (const auto& m : msgs) {
            if (!b.add(m).value()) break;
            ntx += m.txs.size();
        }
        raw = b.stream_size();
        const Bytes data = b.finish(true);
        size = data.size();
        benchmark::DoNotOptimize(data.data());
    }
    state.counters["txs_per_batch"] = static_cast<double>(ntx);
    state.counters["bytes_per_tx"] = static_cast<double>(size) / static_cast<double>(ntx);
    state.counters["ratio"] = static_cast<double>(raw) / static_cast<double>(size);
    state.counters["raw_tx_per_s"] =
        benchmark::Counter(static_cast<double>(ntx), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BuildFullBatch)
    ->ArgsProduct({{0, 1}, {11, 6, 1}})
    ->ArgNames({"erc20", "q"})
    ->Unit(benchmark::kMillisecond);

/// Plain brotli-11 over the concatenated raw txs, as many as a full q11 batch above holds.
void BM_PlainBrotliConcat(benchmark::State& state) {
    const bool erc20 = state.range(0) != 0;
    const size_t ntx = static_cast<size_t>(state.range(1));
    Bytes raw;
    for (size_t i = 0; i < ntx; ++i)
        raw.insert(raw.end(), txs(erc20)[i].begin(), txs(erc20)[i].end());
    Bytes out(BrotliEncoderMaxCompressedSize(raw.size()));
    size_t size = 0;
    for (auto _ : state) {
        size = out.size();
        BrotliEncoderCompress(11, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, raw.size(),
                              raw.data(), &size, out.data());
    }
    state.counters["bytes_per_tx"] = static_cast<double>(size) / static_cast<double>(ntx);
    state.counters["ratio"] = static_cast<double>(raw.size()) / static_cast<double>(size);
    state.counters["raw_bytes_per_tx"] = static_cast<double>(raw.size()) / static_cast<double>(ntx);
}
BENCHMARK(BM_PlainBrotliConcat)->Args({0, 1368})->Args({1, 1368})->Unit(benchmark::kMillisecond);

/// The validator's side: decode a full q11 batch.
void BM_DecodeFullBatch(benchmark::State& state) {
    const bool erc20 = state.range(0) != 0;
    BatchBuilder b({}, 11);
    size_t ntx = 0;
    for (const auto& m : make_messages(erc20)) {
        if (!b.add(m).value()) break;
        ntx += m.txs.size();
    }
    const Bytes data = b.finish(true);
    for (auto _ : state) {
        auto r = decode_batch(data);
        if (!r) std::abort();
        benchmark::DoNotOptimize(r->data());
    }
    state.counters["tx_per_s"] =
        benchmark::Counter(static_cast<double>(ntx), benchmark::Counter::kIsIterationInvariantRate);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_DecodeFullBatch)->Arg(0)->Arg(1)->ArgName("erc20")->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
