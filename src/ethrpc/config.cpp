#include "ethrpc/eth_api.hpp"

namespace fuse::ethrpc {

std::string Config::validate() const {
    if (max_logs_block_range == 0) return "max-logs-block-range must be at least 1";
    if (max_logs == 0) return "max-logs must be at least 1";
    if (max_call_gas < 21'000) return "max-call-gas must be at least 21000";
    if (fee_history_max_blocks == 0) return "fee_history_max_blocks must be at least 1";
    if (send_sync_timeout.count() <= 0 || send_sync_max_timeout < send_sync_timeout)
        return "send_sync_timeout must be positive and at most send_sync_max_timeout";
    if (std::string err = filters.validate(); !err.empty()) return err;
    return {};
}

}  // namespace fuse::ethrpc
