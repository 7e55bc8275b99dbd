#include "validator/prepare.hpp"

#include <time.h>

#include <atomic>
#include <thread>

namespace fuse::validator {

std::vector<PreparedBatch> prepare_batches(std::span<const inbox::DeliveredBatch> batches,
                                           unsigned threads, double* extra_cpu_seconds) {
    struct Job {
        const Bytes* raw;
        arbos::PreparedTx* out;
    };
    std::vector<PreparedBatch> out(batches.size());
    std::vector<Job> jobs;
    for (size_t b = 0; b < batches.size(); ++b) {
        const auto& msgs = batches[b].resolved.messages;
        out[b].resize(msgs.size());
        for (size_t m = 0; m < msgs.size(); ++m) {
            out[b][m].resize(msgs[m].txs.size());
            for (size_t t = 0; t < msgs[m].txs.size(); ++t)
                jobs.push_back({&msgs[m].txs[t], &out[b][m][t]});
        }
    }
    // Chunks taken in order from a shared counter: ~40 µs of secp256k1 per transaction makes a
    // chunk of 32 worth the atomic, and threads that start late still find work.
    constexpr size_t kChunk = 32;
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next.fetch_add(kChunk); i < jobs.size(); i = next.fetch_add(kChunk))
            for (size_t j = i; j < std::min(jobs.size(), i + kChunk); ++j)
                *jobs[j].out = arbos::prepare_tx(*jobs[j].raw);
    };
    std::vector<std::jthread> pool;
    const size_t extra = threads > 1 ? std::min<size_t>(threads - 1, jobs.size() / kChunk) : 0;
    std::vector<double> cpu(extra, 0.0);
    for (size_t i = 0; i < extra; ++i)
        pool.emplace_back([&work, &cpu, i] {
            work();
            timespec ts{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            cpu[i] = static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
        });
    work();
    for (auto& t : pool)
        t.join();
    if (extra_cpu_seconds)
        for (double c : cpu)
            *extra_cpu_seconds += c;
    return out;
}

}  // namespace fuse::validator
