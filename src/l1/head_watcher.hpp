#pragma once
/// Follows the L1 head for the sequencer: the L1 block number and base fee each new L2 message
/// carries (DESIGN.md §3; validators check both against the real L1 header). It uses the block
/// `lag` below the head, so a shallow L1 reorg does not change the header a message refers to.
/// While L1 is unreachable the last known block is kept: soft confirmations never wait for L1.
/// While the L1 head is at most `lag`, block 1 is used (never block 0: docs/batch-format.md).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "l1/rpc_client.hpp"

namespace fuse::l1 {

struct L1Head {
    uint64_t number = 0;
    Hash32 hash;
    uint256 base_fee;
    bool known = false;  ///< false until the first successful poll
};

struct HeadWatcherConfig {
    uint64_t lag = 0;  ///< use head - lag
    std::chrono::milliseconds poll_interval{1'000};
    std::function<void(const std::string&)> log;

    /// Empty if usable, else what is wrong.
    std::string validate() const;
};

class HeadWatcher {
public:
    HeadWatcher(RpcClient& rpc, HeadWatcherConfig config);
    ~HeadWatcher();

    /// One poll (also what the thread does). Returns false when L1 did not answer.
    bool poll();
    /// Polls in a background thread until `stop()`.
    void start();
    void stop();

    /// The current L1 block to build on. Goes backwards only when the L1 lost that block (an
    /// L1 restored from an older state, a reorg deeper than the lag); the sequencer then keeps
    /// naming its parent's L1 block until the L1 guard rewinds the blocks that name it
    /// (docs/sequencer.md "When L1 goes back in time").
    L1Head current() const;

private:
    RpcClient& rpc_;
    HeadWatcherConfig cfg_;
    mutable std::mutex mu_;
    L1Head head_;
    bool down_ = false;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace fuse::l1
