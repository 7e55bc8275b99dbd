// The differential run at scale (issue #15, "Determinism at scale"; docs/differential.md):
// N random transactions (default 100,000) through the sequencer's path and the validator's
// path from decoded batches; prints counts, the kinds histogram, times and mismatches. Exit 0
// only with 0 mismatches. A one-shot program (not Google Benchmark). See README.md.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "differential/harness.hpp"

using namespace fuse;

int main(int argc, char** argv) {
    differential::RunOptions o;
    o.txs = 100'000;
    std::string dir = (std::filesystem::temp_directory_path() / "fuse-differential-bench").string();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string("0"); };
        if (a == "--txs") {
            o.txs = std::stoull(next());
        } else if (a == "--seed") {
            o.seed = std::stoull(next());
        } else if (a == "--round-txs") {
            o.round_txs = std::max<size_t>(1, std::stoul(next()));
        } else if (a == "--dir") {
            dir = next();
        } else {
            std::fprintf(stderr,
                         "usage: differential_bench [--txs N] [--seed S] [--round-txs N] "
                         "[--dir D]\n");
            return 1;
        }
    }
    auto code = differential::load_probe_initcode(differential::source_dir());
    if (!code) {
        std::fprintf(stderr, "%s\n", code.error().c_str());
        return 1;
    }
    o.probe_initcode = std::move(*code);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    o.dir = dir;
    o.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = differential::run(o);
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::filesystem::remove_all(dir);
    if (!r) {
        std::fprintf(stderr, "run failed: %s\n", r.error().c_str());
        return 1;
    }
    std::printf("differential run: seed %llu, %llu txs requested\n%s",
                static_cast<unsigned long long>(o.seed), static_cast<unsigned long long>(o.txs),
                differential::format_report(*r).c_str());
    std::printf("wall time %.1f s\n", total);
    return r->mismatches == 0 ? 0 : 2;
}
