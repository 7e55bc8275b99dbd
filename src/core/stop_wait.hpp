#pragma once
/// The one stop-aware wait of the node's loops (poster, validator, L1 watcher, L1 guard, the
/// safe/finalized follower): sleeps `duration` in short slices so that a stop is honoured within
/// ~20 ms (Nitro's stopwaiter has the same role).

#include <atomic>
#include <chrono>
#include <thread>

namespace fuse {

/// Waits `duration`, or less once `stop` is set. Returns true when it was stopped.
inline bool wait_unless_stopped(const std::atomic<bool>& stop, std::chrono::milliseconds duration) {
    constexpr auto kSlice = std::chrono::milliseconds(20);
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!stop.load(std::memory_order_acquire)) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= until) return false;
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(kSlice, until - now));
    }
    return true;
}

}  // namespace fuse
