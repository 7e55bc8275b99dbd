#include "storage/database.hpp"

namespace fuse::storage {

std::string Options::validate() const {
    if (block_cache_mb == 0) return "cache-mb must be at least 1";
    if (block_cache_mb > (size_t{1} << 20)) return "cache-mb must be at most 1048576 (1 TiB)";
    if (write_buffer_mb < 4) return "write-buffer-mb must be at least 4";
    if (write_buffer_mb > (size_t{1} << 20))
        return "write-buffer-mb must be at most 1048576 (1 TiB)";
    if (!archive && prune_keep > (uint64_t{1} << 40)) return "prune-keep must be at most 2^40";
    return {};
}

std::string pruned_state_message(uint64_t block, uint64_t oldest_state) {
    return "missing trie node: state of block " + std::to_string(block) +
           " is pruned (this node keeps state from block " + std::to_string(oldest_state) +
           "; run an archive node for history)";
}

}  // namespace fuse::storage
