#include "storage/database.hpp"

namespace fuse::storage {

std::string Options::validate() const {
    if (block_cache_mb == 0) return "cache-mb must be at least 1";
    if (block_cache_mb > (size_t{1} << 20)) return "cache-mb must be at most 1048576 (1 TiB)";
    if (write_buffer_mb < 4) return "write-buffer-mb must be at least 4";
    if (write_buffer_mb > (size_t{1} << 20))
        return "write-buffer-mb must be at most 1048576 (1 TiB)";
    if (!archive && prune_keep > (uint64_t{1} << 40)) return "prune-keep must be at most 2^40";
    if (!archive && (prune_checkpoint == 0 || prune_checkpoint > (uint64_t{1} << 20)))
        return "prune-checkpoint must be between 1 and 2^20";
    if (!archive && (prune_max_busy == 0 || prune_max_busy > 100))
        return "prune-max-busy must be between 1 and 100 (percent)";
    return {};
}

std::string pruned_trie_message(uint64_t block, uint64_t oldest_trie, uint64_t checkpoint) {
    return "missing trie node: the trie of block " + std::to_string(block) +
           " is pruned (this node keeps whole tries from block " + std::to_string(oldest_trie) +
           " and of every " + std::to_string(checkpoint) +
           "th block below it; its state still reads; run an archive node for proofs of any "
           "block)";
}

std::string pruned_state_message(uint64_t block, uint64_t oldest_state) {
    return "missing trie node: state of block " + std::to_string(block) +
           " is pruned (this node keeps state from block " + std::to_string(oldest_state) +
           "; run an archive node for history)";
}

}  // namespace fuse::storage
