// Sequencer in-process benchmark (bench/README.md "Sequencer"): pre-signed ETH transfers from
// 512 senders submitted straight to `Sequencer::submit` (no RPC) on a real RocksDB database
// with fsync on every commit. Measures the latency from submit to the acknowledgement (block
// durable) and the throughput, for several `min_block_interval`s, with and without group
// commit. Used to choose the default interval (docs/sequencer.md).
//
//   build/release/bench/sequencer_bench --benchmark_counters_tabular=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "sequencer/sequencer.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kSenders = 512;

/// Signed transfers: round r has one tx from each sender (nonce r).
std::vector<Bytes> make_transfers(uint64_t count, uint64_t chain_id) {
    std::vector<Bytes> out(count);
    auto work = [&](uint64_t from, uint64_t to) {
        for (uint64_t i = from; i < to; ++i) {
            testing::TxSpec spec;
            spec.key = 1 + i % kSenders;
            spec.nonce = i / kSenders;
            spec.chain_id = chain_id;
            spec.to = testing::test_address(1 + (i + 1) % kSenders);
            out[i] = testing::make_raw(spec);
        }
    };
    std::thread a(work, 0, count / 2);
    work(count / 2, count);
    a.join();
    return out;
}

double percentile_ms(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    const size_t idx =
        std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
    return v[idx];
}

/// Args: min_block_interval (µs), offered rate (tx/s, 0 = max with 256 in flight), pipelined.
void BM_Sequencer(benchmark::State& state) {
    const auto interval = std::chrono::microseconds(state.range(0));
    const uint64_t rate = static_cast<uint64_t>(state.range(1));
    const bool pipelined = state.range(2) != 0;
    const double seconds = 3.0;
    const uint64_t total =
        rate > 0 ? static_cast<uint64_t>(static_cast<double>(rate) * seconds) : 30'000;

    arbos::Genesis g;
    g.chain_id = 412346;
    g.timestamp = 1'700'000'000;
    for (uint64_t i = 1; i <= kSenders; ++i)
        g.alloc[testing::test_address(i)].balance = uint256{1} << 90;
    const std::vector<Bytes> txs = make_transfers(total, g.chain_id);

    for (auto _ : state) {
        testing::TempDir dir;
        storage::Options o;
        o.path = dir.path.string();
        o.sync = true;
        auto db = std::move(storage::Database::open(o)).value();
        {
            state::StateDiff diff;
            const arbos::Block b0 = arbos::make_genesis_block(db->world(), g, &diff);
            const arbos::Message m0{};
            const storage::BlockCommit c{&b0, &diff, &m0};
            (void)db->commit(std::span(&c, 1));
        }
        Config cfg;
        cfg.min_block_interval = interval;
        cfg.max_uncommitted_blocks = pipelined ? 64 : 0;
        Sequencer seq(*db, g, cfg, [] { return L1Info{}; });
        seq.start();

        std::vector<double> latency_ms(total, -1);
        std::vector<Clock::time_point> sent(total);
        std::mutex mu;
        std::condition_variable cv;
        uint64_t answered = 0, failed = 0, in_flight = 0;
        const auto start = Clock::now();
        for (uint64_t i = 0; i < total; ++i) {
            if (rate > 0) {
                std::this_thread::sleep_until(
                    start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(double(i) / double(rate))));
            } else {
                std::unique_lock lock(mu);
                cv.wait(lock, [&] { return in_flight < 256; });
                ++in_flight;
            }
            sent[i] = Clock::now();
            seq.submit(txs[i], [&, i](SubmitResult r) {
                const auto now = Clock::now();
                std::lock_guard lock(mu);
                if (r.has_value())
                    latency_ms[i] =
                        std::chrono::duration<double, std::milli>(now - sent[i]).count();
                else
                    ++failed;
                ++answered;
                if (in_flight) --in_flight;
                cv.notify_all();
            });
        }
        {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] { return answered == total; });
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        seq.stop();
        std::vector<double> ok;
        for (double l : latency_ms)
            if (l >= 0) ok.push_back(l);
        const Stats s = seq.stats();
        state.counters["tx_per_s"] = double(ok.size()) / elapsed;
        state.counters["p50_ms"] = percentile_ms(ok, 50);
        state.counters["p90_ms"] = percentile_ms(ok, 90);
        state.counters["p99_ms"] = percentile_ms(ok, 99);
        state.counters["failed"] = double(failed);
        state.counters["txs_per_block"] = s.blocks ? double(s.txs) / double(s.blocks) : 0;
        state.counters["blocks_per_commit"] = s.commits ? double(s.blocks) / double(s.commits) : 0;
    }
}

BENCHMARK(BM_Sequencer)
    ->ArgNames({"interval_us", "rate", "pipelined"})
    ->Args({500, 1000, 1})
    ->Args({1000, 1000, 1})
    ->Args({2000, 1000, 1})
    ->Args({5000, 1000, 1})
    ->Args({10000, 1000, 1})
    ->Args({2000, 1000, 0})
    ->Args({500, 0, 1})
    ->Args({1000, 0, 1})
    ->Args({2000, 0, 1})
    ->Args({5000, 0, 1})
    ->Args({10000, 0, 1})
    ->Args({2000, 0, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace fuse::sequencer

BENCHMARK_MAIN();
