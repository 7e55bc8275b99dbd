#pragma once
/// Logging of the node (spdlog, to stderr): `text` is spdlog's usual line, `json` one JSON object
/// per line for log collectors:
/// `{"ts":"2026-11-24T01:02:03.456789Z","level":"info","logger":"fusel2","msg":"..."}`.

#include <spdlog/formatter.h>
#include <memory>
#include <string>

namespace fuse::node {

/// The node's logging settings (`log.level`, `log.format`).
struct LogConfig {
    std::string level = "info";   ///< trace | debug | info | warn | error | critical | off
    std::string format = "text";  ///< text | json (one JSON object per line)
    std::string validate() const;
};

/// A spdlog formatter writing one JSON object per record (UTC timestamps, escaped message).
std::unique_ptr<spdlog::formatter> make_json_formatter();

/// Makes the default logger write to stderr at `level` ("info", ...) in `format` ("text" or
/// "json"). Throws std::invalid_argument on an unknown level or format.
void setup_logging(const std::string& level, const std::string& format);
inline void setup_logging(const LogConfig& c) {
    setup_logging(c.level, c.format);
}

}  // namespace fuse::node
