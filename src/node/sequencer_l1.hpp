#pragma once
/// The sequencer node's L1 loop (docs/sequencer.md "When L1 goes back in time"): one thread
/// that, each round, checks the sequencer's chain against L1 with the L1 guard, repairs it when L1
/// no longer supports it (rewind and re-sequence, or halt), then lets the batch poster post what
/// the guard verified. One thread, so a batch is never built from messages a rewind is replacing.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "node/prometheus.hpp"
#include "poster/l1_guard.hpp"
#include "poster/poster.hpp"
#include "sequencer/sequencer.hpp"

namespace fuse::node {

enum class DivergencePolicy { kRewind, kHalt };

struct SequencerL1Config {
    poster::GuardConfig guard;
    DivergencePolicy policy = DivergencePolicy::kRewind;
    std::chrono::milliseconds poll_interval{1'000};  ///< rounds without a poster
};

class SequencerL1 {
public:
    /// `poster` may be null (poster.enabled = false): the guard still runs.
    SequencerL1(storage::Database& db, l1::RpcClient& rpc, sequencer::Sequencer& seq,
                poster::BatchPoster* poster, SequencerL1Config config);

    /// Before the sequencer starts: one check (two rounds, so an unposted divergence is
    /// confirmed) and its repair. L1 failures are logged and left to the loop.
    void check_at_start();
    /// Rounds until `stop` (or a halt).
    void run(const std::atomic<bool>& stop);
    /// The halt message once halted (the node then exits with code 3).
    std::optional<std::string> halted() const;
    /// The deposits from this index on may be checked again by the L1 guard (keep them).
    uint64_t deposits_needed_from() const { return guard_.next_deposit_checked(); }
    void write_metrics(PrometheusWriter& w) const;

private:
    /// One guard check and its repair; false when halted.
    bool guard_round();
    bool repair(const poster::Divergence& d);

    sequencer::Sequencer& seq_;
    poster::BatchPoster* poster_;
    SequencerL1Config cfg_;
    poster::L1Guard guard_;
    std::string last_problem_;
    std::atomic<bool> halted_{false};
};

}  // namespace fuse::node
