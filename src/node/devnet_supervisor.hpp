#pragma once
/// The process side of `fusel2 devnet` (docs/devnet.md): `Supervisor` starts the children, follows
/// their logs, waits for signals (SIGINT/SIGTERM) and notices a child exiting on its own;
/// `DivergenceCheck` stops the devnet when the validator and the sequencer stay apart.

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "l1/rpc_client.hpp"
#include "node/devnet.hpp"
#include "node/devnet_process.hpp"

namespace fuse::node {

/// Prints "[devnet] line" on stderr.
void devnet_say(const std::string& line);

/// Thrown by Supervisor::wait_until when SIGINT/SIGTERM arrives while starting up.
struct StopRequested {
    int signal = 0;
};

class Supervisor {
public:
    using LineHandler = std::function<void(const std::string& name, const std::string& line)>;

    /// Blocks SIGINT, SIGTERM and SIGCHLD in this (single-threaded) process; children get them
    /// unblocked (ChildProcess::start).
    explicit Supervisor(const DevnetPaths& paths);

    /// Starts child `name` (log `logs/<name>.log`, printed with a `[name]` prefix if `show`).
    /// A `one_shot` child (a command such as the deployment) may exit: its caller checks how.
    ChildProcess& start(const std::string& name, std::vector<std::string> argv, bool show,
                        bool one_shot = false);
    /// Every log line of every child, as it is read.
    void on_line(LineHandler handler) { on_line_ = std::move(handler); }

    /// Waits until `done()`; throws StopRequested on a signal, std::runtime_error naming the
    /// child when one exits (except one-shot children, whose exit their caller checks), or after
    /// `timeout`.
    void wait_until(const std::function<bool()>& done, std::chrono::seconds timeout,
                    const std::string& what);
    /// Runs until SIGINT/SIGTERM (returns the signal) or a child's exit (throws naming it, with
    /// its last log lines); calls `periodic` about every `period` (it may throw to stop).
    int run(const std::function<void()>& periodic, std::chrono::milliseconds period);
    /// Stops the running children in start order, anvil ("l1") last so the nodes never see their
    /// L1 vanish first; SIGTERM, then SIGKILL after 30 s (anvil 20 s). True if all stopped
    /// cleanly.
    bool stop_all();

    /// The child called `name`, or nullptr.
    const ChildProcess* child(const std::string& name) const;

private:
    int wait_signal(std::chrono::milliseconds timeout);
    void check_children();

    const DevnetPaths& paths_;
    sigset_t signals_{};
    LogTail tail_;
    std::vector<std::unique_ptr<ChildProcess>> children_;
    std::vector<std::string> one_shot_;  ///< names of the one-shot children
    LineHandler on_line_;
};

/// Checks that the validator, which trusts only L1, derives the sequencer's blocks. They differ
/// for a while when the L1 lost what the sequencer built on (anvil restored from an older state
/// dump after a kill -9): the sequencer then rewinds to what the L1 supports and the validator
/// re-derives (docs/sequencer.md "When L1 goes back in time"). Only a repair that fails stops the
/// devnet: the sequencer halted, or the same difference still there after `grace`.
class DivergenceCheck {
public:
    DivergenceCheck(uint16_t sequencer_port, uint16_t validator_port,
                    std::chrono::seconds grace = std::chrono::seconds(180));
    /// Compares the validator's `safe` block with the sequencer's block of that number (once per
    /// new safe block); throws std::runtime_error when the repair failed (see above).
    /// Unanswered calls are skipped (checked next time).
    void operator()();

private:
    std::unique_ptr<l1::RpcClient> sequencer_, validator_;
    std::chrono::seconds grace_;
    uint64_t checked_ = 0;
    /// The first difference seen and when, while it lasts.
    std::optional<uint64_t> differs_at_;
    std::chrono::steady_clock::time_point differs_since_{};
};

}  // namespace fuse::node
