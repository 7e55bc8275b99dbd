#include "sequencer/sequencer.hpp"

namespace fuse::sequencer {

std::string Config::validate() const {
    using namespace std::chrono_literals;
    if (min_block_interval < 0us || min_block_interval > 50ms)
        return "min-block-interval-us must be between 0 and 50000 (50 ms: the soft confirmation "
               "waits for it), not " +
               std::to_string(min_block_interval.count());
    if (max_pool_txs == 0) return "max-pool-txs must be at least 1";
    if (max_block_txs == 0) return "max-block-txs must be at least 1";
    if (max_block_deposits == 0) return "max-block-deposits must be at least 1";
    if (max_tx_size == 0) return "max-tx-size must be at least 1";
    if (nonce_gap_wait < 1ms || nonce_gap_wait > kMaxNonceGapWait)
        return "nonce-gap-wait-ms must be between 1 and " +
               std::to_string(kMaxNonceGapWait.count()) + ", not " +
               std::to_string(nonce_gap_wait.count());
    return {};
}

}  // namespace fuse::sequencer
