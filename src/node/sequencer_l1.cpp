#include "node/sequencer_l1.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <thread>

#include "core/hex.hpp"
#include "core/stop_wait.hpp"

namespace fuse::node {

SequencerL1::SequencerL1(storage::Database& db, l1::RpcClient& rpc, sequencer::Sequencer& seq,
                         poster::BatchPoster* poster, SequencerL1Config config)
    : seq_(seq), poster_(poster), cfg_(std::move(config)), guard_(db, rpc, cfg_.guard) {}

std::optional<std::string> SequencerL1::halted() const {
    return seq_.halted();
}

bool SequencerL1::repair(const poster::Divergence& d) {
    const std::string what = "L1 no longer supports this chain after L2 block " +
                             std::to_string(d.keep_through) + ": " + d.reason;
    if (cfg_.policy == DivergencePolicy::kHalt) {
        seq_.halt(what +
                  ". Halted (sequencer.l1-divergence = halt): nothing more is sealed or posted. "
                  "Check the L1 node; to let the sequencer rewind to block " +
                  std::to_string(d.keep_through) +
                  " and re-sequence the later transactions, restart it with "
                  "--sequencer-l1-divergence rewind (docs/sequencer.md)");
        halted_ = true;
        kill(getpid(), SIGTERM);  // the node stops; its exit code says halted
        return false;
    }
    sequencer::RewindPlan plan;
    plan.keep_through = d.keep_through;
    plan.adopt = d.adopt;
    plan.reason = d.reason;
    auto r = seq_.rewind(plan);
    if (!r) {
        spdlog::error("cannot repair the chain ({}): {}", what, r.error());
        return true;  // the guard reads those batches again next round
    }
    guard_.applied();
    if (poster_) poster_->chain_rewound();
    return true;
}

bool SequencerL1::guard_round() {
    if (halted_) return false;
    std::string problem;
    try {
        if (auto d = guard_.check()) return repair(*d);
    } catch (const l1::L1Error& e) {
        problem = std::string("cannot check the chain against L1 (retrying): ") + e.what();
    } catch (const inbox::InboxError& e) {
        problem = std::string("cannot check the chain against L1's inbox (retrying): ") + e.what();
    } catch (const storage::ReadError& e) {
        // Nothing is posted while the chain cannot be checked; the reads are retried.
        problem = std::string("storage: cannot read the chain to check it (retrying): ") + e.what();
    }
    if (!problem.empty() && problem != last_problem_) spdlog::warn("L1 guard: {}", problem);
    if (problem.empty() && !last_problem_.empty()) spdlog::info("L1 guard: L1 readable again");
    last_problem_ = problem;
    return true;  // the poster posts only what the guard verified
}

void SequencerL1::check_at_start() {
    for (int i = 0; i < 2 && !halted_; ++i) {
        if (!guard_round() || !last_problem_.empty()) return;
        if (seq_.last_rewind()) return;
    }
}

void SequencerL1::run(const std::atomic<bool>& stop) {
    if (poster_) {
        poster_->wait_for_mempool(std::chrono::seconds(60));
        poster_->run(stop, [this] { return guard_round(); });
        return;
    }
    while (!stop.load(std::memory_order_acquire) && guard_round())
        wait_unless_stopped(stop, cfg_.poll_interval);
}

void SequencerL1::write_metrics(PrometheusWriter& w) const {
    const sequencer::Stats s = seq_.stats();
    w.single("fusel2_sequencer_rewinds_total", "counter",
             "Rewinds because L1 no longer supported the chain (docs/sequencer.md)", s.rewinds);
    w.single("fusel2_sequencer_rewound_blocks_total", "counter", "Blocks dropped by rewinds",
             s.rewound_blocks);
    w.single("fusel2_sequencer_adopted_blocks_total", "counter",
             "Blocks executed from L1's derivation of posted batches", s.adopted_blocks);
    w.single("fusel2_sequencer_resequenced_txs_total", "counter",
             "Transactions of dropped blocks sealed again", s.resequenced_txs);
    w.single("fusel2_sequencer_dropped_txs_total", "counter",
             "Transactions of dropped blocks that are no longer valid", s.dropped_txs);
    w.begin("fusel2_sequencer_dropped_tx", "gauge",
            "The most recent transactions dropped by a rewind (hash, reason), at most 64");
    for (const auto& d : seq_.dropped())
        w.sample("fusel2_sequencer_dropped_tx", {{"hash", to_hex(d.hash)}, {"reason", d.reason}},
                 uint64_t{1});
    const poster::GuardStatus g = guard_.status();
    w.single("fusel2_l1_guard_verified_block", "gauge",
             "Highest L2 block checked against the current L1 view (the poster posts no further)",
             g.verified_through);
    w.single("fusel2_l1_guard_posted_checked_block", "gauge",
             "Highest L2 block of a confirmed batch that L1 derives exactly as this sequencer",
             g.posted_checked);
}

}  // namespace fuse::node
