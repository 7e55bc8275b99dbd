#include "node/config.hpp"

#include <toml++/toml.h>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace fuse::node {

struct ConfigBinder::Field {
    std::string key;
    CLI::Option* option = nullptr;
    /// Sets the value from a TOML node; returns "" or what is wrong.
    std::function<std::string(const toml::node&)> set;
};

namespace {

std::string flag_of(std::string_view key) {
    std::string flag = "--";
    for (char c : key)
        flag += c == '.' || c == '_' ? '-' : c;
    return flag;
}

/// The setter of one TOML value into `ref`, checking type and range.
template <typename T>
std::function<std::string(const toml::node&)> toml_setter(T& ref) {
    return [&ref](const toml::node& node) -> std::string {
        if constexpr (std::is_same_v<T, bool>) {
            if (!node.is_boolean()) return "expected true or false";
            ref = *node.value<bool>();
        } else if constexpr (std::is_integral_v<T>) {
            if (!node.is_integer()) return "expected an integer";
            const int64_t v = *node.value<int64_t>();
            if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max())
                return "out of range (0.." + std::to_string(std::numeric_limits<T>::max()) + ")";
            ref = static_cast<T>(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
            if (!node.is_string()) return "expected a string";
            ref = *node.value<std::string>();
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            const toml::array* arr = node.as_array();
            if (arr == nullptr) return "expected an array of strings";
            std::vector<std::string> out;
            for (const auto& item : *arr) {
                if (!item.is_string()) return "expected an array of strings";
                out.push_back(*item.value<std::string>());
            }
            ref = std::move(out);
        } else {
            static_assert(sizeof(T) == 0, "unsupported option type");
        }
        return "";
    };
}

}  // namespace

ConfigBinder::ConfigBinder(CLI::App& cmd, NodeConfig& c, std::string& config_file) : cmd_(cmd) {
    cmd.add_option("--config", config_file,
                   "TOML config file; every key is also a flag and a flag wins (docs/node.md)");
    auto add = [this, &cmd](std::string key, auto& ref, std::string help) {
        auto field = std::make_shared<Field>();
        field->key = key;
        using T = std::remove_reference_t<decltype(ref)>;
        if constexpr (std::is_same_v<T, bool>) {
            // --flag, --flag=true|false
            field->option = cmd.add_flag(flag_of(key), ref, std::move(help));
        } else {
            field->option =
                cmd.add_option(flag_of(key), ref, std::move(help))->capture_default_str();
        }
        field->set = toml_setter(ref);
        fields_.push_back(std::move(field));
    };
    add("role", c.role, "sequencer (validator: not yet, issue #6)");
    add("datadir", c.datadir, "Database folder (created if absent)");
    add("genesis", c.genesis, "Genesis JSON file (docs/arbos.md)");
    add("dev", c.dev, "Use the dev genesis: the 10 accounts of the test mnemonic, 10,000 ETH each");
    add("dev-chain-id", c.dev_chain_id, "Chain id of the --dev genesis");
    add("http.address", c.http_address, "JSON-RPC listen address (HTTP and WebSocket)");
    add("http.port", c.http_port, "JSON-RPC port (0: any free port)");
    add("http.threads", c.http_threads, "I/O threads of the JSON-RPC server");
    add("http.ws", c.ws,
        "Accept WebSocket upgrades on the JSON-RPC port (default on; --http-ws=false)");
    add("http.cors-origins", c.http_cors_origins, "Allowed CORS/WebSocket origins (* = any)");
    add("rpc.max-request-bytes", c.rpc_max_request_bytes, "Largest request body / WS message");
    add("rpc.max-batch-items", c.rpc_max_batch_items, "Most calls in one batch request");
    add("rpc.max-connections", c.rpc_max_connections, "Most open connections");
    add("rpc.timeout-ms", c.rpc_timeout_ms, "Time limit of one request, ms");
    add("rpc.max-logs-block-range", c.rpc_max_logs_block_range, "eth_getLogs: most blocks");
    add("rpc.max-logs", c.rpc_max_logs, "eth_getLogs: most results");
    add("rpc.max-call-gas", c.rpc_max_call_gas, "eth_call / eth_estimateGas gas cap");
    add("sequencer.min-block-interval-us", c.sequencer_min_block_interval_us,
        "At most one block per this many microseconds");
    add("sequencer.max-pool-txs", c.sequencer_max_pool_txs, "Pool capacity, all senders");
    add("sequencer.max-queued-per-sender", c.sequencer_max_queued_per_sender,
        "Future-nonce transactions kept per sender");
    add("sequencer.max-tx-size", c.sequencer_max_tx_size, "Largest raw transaction, bytes");
    add("sequencer.max-block-txs", c.sequencer_max_block_txs, "Most transactions per block");
    add("sequencer.l1-divergence", c.sequencer_l1_divergence,
        "When L1 no longer supports the chain: rewind (re-sequence) | halt (docs/sequencer.md)");
    add("l1.block-number", c.l1_block_number, "L1 block number recorded in blocks (no L1 reader)");
    add("l1.base-fee", c.l1_base_fee, "L1 base fee in wei recorded in blocks (no L1 reader)");
    add("l1.url", c.l1_url, "L1 JSON-RPC URL (http or https); empty: no L1");
    add("l1.preset", c.l1_preset, "fuse | spark: that L1's URL (unless l1.url), confirmations");
    add("l1.deployment", c.l1_deployment, "Deployment JSON of the L1 contracts (fusel2 deploy)");
    add("l1.confirmations", c.l1_confirmations, "L1 blocks a batch must be deep to be read");
    add("l1.lag", c.l1_lag, "The sequencer builds on the L1 block head - lag");
    add("l1.poll-ms", c.l1_poll_ms, "L1 polling interval, ms");
    add("poster.enabled", c.poster_enabled,
        "Run the batch poster beside the sequencer (with l1.url)");
    add("poster.key-file", c.poster_key_file, "Batch poster key file (else env FUSE_POSTER_KEY)");
    add("poster.max-batch-size", c.poster_max_batch_size, "Largest compressed batch, bytes");
    add("poster.max-batch-delay-ms", c.poster_max_batch_delay_ms,
        "Post a non-full batch after its oldest message waited this long, ms");
    add("poster.max-in-flight", c.poster_max_in_flight,
        "Batches sent but not yet confirmed on L1, at most (>= 1)");
    add("poster.batch-format", c.poster_batch_format,
        "Batch format: 0 plain brotli, 1 columnar (every validator must decode it first)");
    add("validator.mode", c.validator_mode, "propose | watch | follow");
    add("validator.proposer-key-file", c.validator_proposer_key_file,
        "Proposer key file (else env FUSE_PROPOSER_KEY)");
    add("validator.sequencer-url", c.validator_sequencer_url,
        "Watch mode: also compare this sequencer's blocks");
    add("validator.exit-on-mismatch", c.validator_exit_on_mismatch,
        "Watch mode: exit non-zero on the first mismatch");
    add("validator.max-in-flight", c.validator_max_in_flight,
        "Proposer: state-root transactions sent but not yet confirmed, at most (>= 1)");
    add("metrics.enabled", c.metrics,
        "Serve Prometheus metrics, GET /metrics (default on; --metrics-enabled=false)");
    add("metrics.address", c.metrics_address, "Metrics listen address");
    add("metrics.port", c.metrics_port, "Metrics port (0: any free port)");
    add("log.level", c.log_level, "trace|debug|info|warn|error|critical|off");
    add("log.format", c.log_format, "text|json");
    add("db.fsync", c.fsync,
        "fsync every commit (default on; --db-fsync=false survives kill -9, not power loss)");
    add("db.cache-mb", c.db_cache_mb, "RocksDB block cache, MiB");
}

std::vector<std::string> ConfigBinder::keys() const {
    std::vector<std::string> out;
    for (const auto& f : fields_)
        out.push_back(f->key);
    return out;
}

void ConfigBinder::apply_toml(std::string_view text, std::string_view source) const {
    toml::table doc;
    try {
        doc = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
        throw std::runtime_error(msg.str());
    }
    // Walk every leaf; a table's key is a prefix ("http" + "port" = "http.port"). A key may also
    // be written dotted at top level (`http.port = 1` is the same as [http] port = 1 in TOML).
    std::function<void(const toml::table&, const std::string&)> walk =
        [&](const toml::table& table, const std::string& prefix) {
            for (const auto& [k, node] : table) {
                std::string key =
                    prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
                if (const auto* sub = node.as_table()) {
                    walk(*sub, key);
                    continue;
                }
                const Field* field = nullptr;
                for (const auto& f : fields_)
                    if (f->key == key) field = f.get();
                if (field == nullptr) {
                    throw std::runtime_error(std::string(source) + ": unknown option \"" + key +
                                             "\" (see fusel2 node --help)");
                }
                if (field->option->count() > 0) continue;  // the flag wins
                if (std::string err = field->set(node); !err.empty()) {
                    throw std::runtime_error(std::string(source) + ": option \"" + key +
                                             "\": " + err);
                }
            }
        };
    walk(doc, "");
}

void ConfigBinder::apply_toml_file(const std::string& path) const {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read config file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    apply_toml(text.str(), path);
}

std::string NodeConfig::validate() const {
    if (role != "sequencer" && role != "validator")
        return "role must be sequencer or validator, not \"" + role + "\"";
    if (datadir.empty()) return "datadir is required (--datadir or datadir = \"...\")";
    if (dev == !genesis.empty())
        return dev ? "give either --dev or --genesis, not both"
                   : "a genesis is required: --genesis <file.json> or --dev";
    if (dev_chain_id == 0) return "dev-chain-id must not be 0";
    if (http_threads == 0) return "http.threads must be at least 1";
    if (sequencer_min_block_interval_us > 50'000)
        return "sequencer.min-block-interval-us must be at most 50000 (50 ms, issue #5)";
    if (sequencer_max_pool_txs == 0 || sequencer_max_block_txs == 0 || sequencer_max_tx_size == 0)
        return "sequencer pool, block and tx size limits must be positive";
    if (rpc_max_request_bytes == 0 || rpc_max_batch_items == 0 || rpc_max_connections == 0)
        return "rpc limits must be positive";
    if (metrics && http_port != 0 && metrics_port == http_port && metrics_address == http_address)
        return "metrics.port must differ from http.port";
    static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    bool level_ok = false;
    for (const char* l : kLevels)
        level_ok = level_ok || log_level == l;
    if (!level_ok) return "log.level must be one of trace|debug|info|warn|error|critical|off";
    if (log_format != "text" && log_format != "json") return "log.format must be text or json";
    if (!l1_preset.empty() && l1_preset != "fuse" && l1_preset != "spark")
        return "l1.preset must be fuse or spark";
    if (role == "validator" && l1_url.empty() && l1_preset.empty())
        return "role validator needs an L1: l1.url or l1.preset";
    if ((!l1_url.empty() || !l1_preset.empty()) && l1_deployment.empty())
        return "an L1 needs the contracts' deployment file: l1.deployment";
    if (poster_batch_format > 1)
        return "poster.batch-format must be 0 or 1, not " + std::to_string(poster_batch_format);
    if (sequencer_l1_divergence != "rewind" && sequencer_l1_divergence != "halt")
        return "sequencer.l1-divergence must be rewind or halt, not \"" + sequencer_l1_divergence +
               "\"";
    if (validator_mode != "propose" && validator_mode != "watch" && validator_mode != "follow")
        return "validator.mode must be propose, watch or follow";
    if (poster_max_batch_size < 1'000) return "poster.max-batch-size must be at least 1000";
    if (validator_max_in_flight < 1 || validator_max_in_flight > 64)
        return "validator.max-in-flight must be between 1 and 64";
    if (poster_max_in_flight < 1 || poster_max_in_flight > 64)
        return "poster.max-in-flight must be between 1 and 64";
    return "";
}

}  // namespace fuse::node
