#include "poster/poster.hpp"

namespace fuse::poster {

std::string PosterConfig::validate() const {
    if (max_batch_size < 1'000) return "max-batch-size must be at least 1000";
    if (max_batch_delay.count() <= 0) return "max-batch-delay-ms must be positive";
    if (batch_format != batch::kBrotliFormat && batch_format != batch::kColumnarFormat &&
        batch_format != batch::kRegistryFormat)
        return "batch-format must be 0, 1 or 2, not " + std::to_string(batch_format);
    if (quality < 0 || quality > 11) return "quality must be between 0 and 11";
    if (max_in_flight < 1 || max_in_flight > 64) return "max-in-flight must be between 1 and 64";
    if (poll_interval.count() <= 0 || max_backoff < poll_interval)
        return "poll_interval must be positive and at most max_backoff";
    return {};
}

}  // namespace fuse::poster
