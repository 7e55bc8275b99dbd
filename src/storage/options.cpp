#include "storage/database.hpp"

namespace fuse::storage {

std::string Options::validate() const {
    if (block_cache_mb == 0) return "cache-mb must be at least 1";
    if (block_cache_mb > (size_t{1} << 20)) return "cache-mb must be at most 1048576 (1 TiB)";
    return {};
}

}  // namespace fuse::storage
