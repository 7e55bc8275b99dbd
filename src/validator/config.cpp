#include "validator/validator.hpp"

namespace fuse::validator {

std::string Config::validate() const {
    if (max_roots_in_flight < 1 || max_roots_in_flight > 64)
        return "max-in-flight must be between 1 and 64";
    if (poll_interval.count() <= 0) return "poll interval must be positive";
    if (max_deposit_wait == 0) return "max-deposit-wait must be at least 1 L1 block";
    if (!sequencer_url.empty() && !sequencer_url.starts_with("http://") &&
        !sequencer_url.starts_with("https://"))
        return "sequencer-url must be an http:// or https:// URL, not \"" + sequencer_url + "\"";
    return {};
}

}  // namespace fuse::validator
