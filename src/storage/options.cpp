#include "storage/database.hpp"

namespace fuse::storage {

std::string Options::validate() const {
    if (block_cache_mb == 0) return "cache-mb must be at least 1";
    if (block_cache_mb > (size_t{1} << 20)) return "cache-mb must be at most 1048576 (1 TiB)";
    if (write_buffer_mb < 4) return "write-buffer-mb must be at least 4";
    if (write_buffer_mb > (size_t{1} << 20))
        return "write-buffer-mb must be at most 1048576 (1 TiB)";
    return {};
}

}  // namespace fuse::storage
