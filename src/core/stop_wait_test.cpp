#include "core/stop_wait.hpp"

#include <gtest/gtest.h>

namespace fuse {
namespace {

TEST(StopWait, ReturnsAtOnceWhenAlreadyStopped) {
    std::atomic<bool> stop{true};
    EXPECT_TRUE(wait_unless_stopped(stop, std::chrono::hours(1)));
}

TEST(StopWait, ReturnsFalseWhenTheTimeRanOutWithoutAStop) {
    std::atomic<bool> stop{false};
    EXPECT_FALSE(wait_unless_stopped(stop, std::chrono::milliseconds(1)));
    EXPECT_FALSE(wait_unless_stopped(stop, std::chrono::milliseconds(0)));
}

TEST(StopWait, AStopFromAnotherThreadEndsALongWait) {
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        stop = true;
    });
    EXPECT_TRUE(wait_unless_stopped(stop, std::chrono::hours(1)));  // a hang fails by timeout
    stopper.join();
}

}  // namespace
}  // namespace fuse
