#include "l1/head_watcher.hpp"
#include "core/stop_wait.hpp"

#include <algorithm>

namespace fuse::l1 {

std::string HeadWatcherConfig::validate() const {
    if (poll_interval.count() <= 0) return "poll interval must be positive";
    if (lag > 1'000'000) return "lag must be at most 1000000 blocks";
    return {};
}

HeadWatcher::HeadWatcher(RpcClient& rpc, HeadWatcherConfig config)
    : rpc_(rpc), cfg_(std::move(config)) {}

HeadWatcher::~HeadWatcher() {
    stop();
}

bool HeadWatcher::poll() {
    try {
        const uint64_t latest = rpc_.block_number();
        // Never block 0 while L1 has more: the batch format's running header starts at
        // (L1 block 0, base fee 0), so a message on block 0 with a base fee cannot be encoded
        // (docs/batch-format.md); a young L1 (head <= lag) gives block 1.
        const uint64_t target =
            latest > cfg_.lag ? latest - cfg_.lag : std::min<uint64_t>(latest, 1);
        L1Head known;
        {
            std::lock_guard lock(mu_);
            known = head_;
        }
        // At or below the block in use: it must still be the block it was. When the L1 went
        // back in time (restored from an older state, a reorg deeper than the lag), follow it
        // down: the L1 guard rewinds the L2 blocks that named the lost block.
        bool went_back = false;
        if (known.known && target <= known.number) {
            const auto same =
                known.number <= latest ? rpc_.get_block(block_tag(known.number)) : std::nullopt;
            if (same && same->hash == known.hash) {
                std::lock_guard lock(mu_);
                down_ = false;
                return true;
            }
            went_back = true;
        }
        auto header = rpc_.get_block(block_tag(target));
        if (!header)
            throw L1Error(L1Error::Kind::kBadResponse,
                          "L1 block " + std::to_string(target) + " not found");
        std::lock_guard lock(mu_);
        if (!head_.known || header->number > head_.number || went_back) {
            if (went_back && cfg_.log)
                cfg_.log("L1 block " + std::to_string(head_.number) +
                         " is no longer on the L1 (head " + std::to_string(latest) +
                         "): building on L1 block " + std::to_string(header->number));
            head_.number = header->number;
            head_.hash = header->hash;
            head_.base_fee = header->base_fee.value_or(uint256{});
            head_.known = true;
        }
        if (down_ && cfg_.log) cfg_.log("L1 reachable again at block " + std::to_string(target));
        down_ = false;
        return true;
    } catch (const L1Error& e) {
        std::lock_guard lock(mu_);
        if (!down_ && cfg_.log)
            cfg_.log(std::string("L1 unreachable, keeping L1 block ") +
                     std::to_string(head_.number) + ": " + e.what());
        down_ = true;
        return false;
    }
}

void HeadWatcher::start() {
    if (thread_.joinable()) return;
    stop_.store(false);
    thread_ = std::thread([this] {
        while (!stop_.load(std::memory_order_acquire)) {
            poll();
            wait_unless_stopped(stop_, cfg_.poll_interval);
        }
    });
}

void HeadWatcher::stop() {
    stop_.store(true, std::memory_order_release);
    if (thread_.joinable()) thread_.join();
}

L1Head HeadWatcher::current() const {
    std::lock_guard lock(mu_);
    return head_;
}

}  // namespace fuse::l1
