#include "node/config.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace fuse::node {
namespace {

/// What toml++ 3.3 must not see, found before it parses (fuzzing found it misbehaving on both;
/// docs/sanitizers.md): a table header that does not start with a key (`[ = 3`: an assertion,
/// undefined behaviour in release), and a non-ASCII character outside quoted strings and
/// comments (U+00A1..U+0499 where it expects whitespace: unreachable code). TOML allows neither
/// (bare keys are ASCII; other text outside strings and comments is ASCII syntax). A line whose
/// first non-blank character (in code) is `[` is taken for a table header: in any document the
/// node reads (its array options hold strings only) it is one. Returns "line:column: what", like
/// toml++'s own errors, or "" when the text may go to toml++.
std::string toml_prescan(std::string_view text) {
    enum class In { kCode, kComment, kBasic, kLiteral, kMlBasic, kMlLiteral };
    In in = In::kCode;
    size_t line = 1, line_start = 0, string_start = 0;
    bool at_line_start = true;  // only spaces or tabs so far on this line (in code)
    char prev = '\n';           // the previous character in code
    auto where = [&](size_t i) {
        return std::to_string(line) + ":" + std::to_string(i - line_start + 1) + ": ";
    };
    auto starts = [&](size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = i + 1;
            if (in == In::kComment) in = In::kCode;
            if (in == In::kCode) at_line_start = true, prev = '\n';
            continue;
        }
        switch (in) {
            case In::kComment:
                continue;
            case In::kBasic:
                if (c == '\\')
                    ++i;  // an escape: the next character is part of it
                else if (c == '"')
                    in = In::kCode, prev = c;
                continue;
            case In::kLiteral:
                if (c == '\'') in = In::kCode, prev = c;
                continue;
            case In::kMlBasic:
                if (c == '\\')
                    ++i;
                else if (starts(i, "\"\"\""))
                    in = In::kCode, i += 2, prev = c;
                continue;
            case In::kMlLiteral:
                if (starts(i, "'''")) in = In::kCode, i += 2, prev = c;
                continue;
            case In::kCode:
                break;
        }
        if (static_cast<unsigned char>(c) >= 0x80)
            return where(i) + "a non-ASCII character outside a quoted string or comment";
        // A quote opens a string only where TOML lets one start (a value, an array or inline
        // table item, a quoted key): after a blank, `=`, `[`, `,`, `{`, `.` or at a line's
        // start. Elsewhere (`x = --a'''b`) it is no string to toml++ either, which then reads
        // on through what follows as code.
        const bool may_open = prev == '\n' || prev == ' ' || prev == '\t' || prev == '=' ||
                              prev == '[' || prev == ',' || prev == '{' || prev == '.';
        prev = c;
        if (c == ' ' || c == '\t') continue;
        if (at_line_start && c == '[') {
            size_t j = i + 1;
            if (j < text.size() && text[j] == '[') ++j;  // [[array of tables]] (contiguous)
            while (j < text.size() && (text[j] == ' ' || text[j] == '\t'))
                ++j;
            const char k = j < text.size() ? text[j] : '\n';
            const bool key_start = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') ||
                                   (k >= '0' && k <= '9') || k == '_' || k == '-' || k == '"' ||
                                   k == '\'' || k == ']';
            if (!key_start) return where(j) + "a table header must start with a key";
        }
        at_line_start = false;
        if (c == '#') {
            in = In::kComment;
        } else if ((c == '"' || c == '\'') && may_open) {
            string_start = i;
            if (starts(i, "\"\"\""))
                in = In::kMlBasic, i += 2;
            else if (starts(i, "'''"))
                in = In::kMlLiteral, i += 2;
            else
                in = c == '"' ? In::kBasic : In::kLiteral;
        }
    }
    if (in != In::kCode && in != In::kComment) {
        line = 1, line_start = 0;
        for (size_t i = 0; i < string_start; ++i)
            if (text[i] == '\n') ++line, line_start = i + 1;
        return where(string_start) + "a string that is never closed";
    }
    return {};
}

}  // namespace

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

template <typename T>
void ConfigBinder::add(std::string key, T& ref, std::string help) {
    auto field = std::make_shared<Field>();
    field->key = key;
    if constexpr (std::is_same_v<T, bool>) {
        // --flag, --flag=true|false
        field->option = cmd_.add_flag(flag_of(key), ref, std::move(help));
    } else {
        field->option = cmd_.add_option(flag_of(key), ref, std::move(help))->capture_default_str();
    }
    field->set = toml_setter(ref);
    fields_.push_back(std::move(field));
}

template <typename Rep, typename Period>
void ConfigBinder::add(std::string key, std::chrono::duration<Rep, Period>& ref, std::string help) {
    using Duration = std::chrono::duration<Rep, Period>;
    auto field = std::make_shared<Field>();
    field->key = key;
    field->option =
        cmd_.add_option_function<uint64_t>(
                flag_of(key), [&ref](const uint64_t& v) { ref = Duration(v); }, std::move(help))
            ->default_str(std::to_string(ref.count()));
    field->set = [&ref](const toml::node& node) -> std::string {
        uint64_t v = 0;
        if (std::string err = toml_setter(v)(node); !err.empty()) return err;
        ref = Duration(v);
        return "";
    };
    fields_.push_back(std::move(field));
}

template <typename E>
void ConfigBinder::add_enum(std::string key, E& ref, std::vector<std::pair<std::string, E>> names,
                            std::string help) {
    std::string choices, current;
    for (const auto& [name, value] : names) {
        choices += (choices.empty() ? "" : " | ") + name;
        if (value == ref) current = name;
    }
    auto parse = [names, choices, key](const std::string& text, E& out) -> std::string {
        for (const auto& [name, value] : names) {
            if (name == text) {
                out = value;
                return "";
            }
        }
        return "must be " + choices + ", not \"" + text + "\"";
    };
    auto field = std::make_shared<Field>();
    field->key = key;
    field->option = cmd_.add_option_function<std::string>(
                            flag_of(key),
                            [parse, &ref, key](const std::string& v) {
                                if (std::string err = parse(v, ref); !err.empty())
                                    throw CLI::ValidationError(flag_of(key), err);
                            },
                            help + " (" + choices + ")")
                        ->default_str(current);
    field->set = [parse, &ref](const toml::node& node) -> std::string {
        if (!node.is_string()) return "expected a string";
        return parse(*node.value<std::string>(), ref);
    };
    fields_.push_back(std::move(field));
}

ConfigBinder::ConfigBinder(CLI::App& cmd, NodeConfig& c, std::string& config_file) : cmd_(cmd) {
    cmd.add_option("--config", config_file,
                   "TOML config file; every key is also a flag and a flag wins (docs/node.md)");
    bind_all(c);
}

/// Every option, in the order docs/node.md lists them; each writes into its component's field.
void ConfigBinder::bind_all(NodeConfig& c) {
    add_enum("role", c.role, {{"sequencer", Role::kSequencer}, {"validator", Role::kValidator}},
             "What this node runs");
    add("datadir", c.chain.datadir, "Database folder (created if absent)");
    add("genesis", c.chain.genesis, "Genesis JSON file (docs/arbos.md)");
    add("dev", c.chain.dev,
        "Use the dev genesis: the 10 accounts of the test mnemonic, 10,000 ETH each");
    add("dev-chain-id", c.chain.dev_chain_id, "Chain id of the --dev genesis");
    add("http.address", c.http.address, "JSON-RPC listen address (HTTP and WebSocket)");
    add("http.port", c.http.port, "JSON-RPC port (0: any free port)");
    add("http.threads", c.http.io_threads, "I/O threads of the JSON-RPC server");
    add("http.ws", c.http.websocket,
        "Accept WebSocket upgrades on the JSON-RPC port (default on; --http-ws=false)");
    add("http.cors-origins", c.http.cors_allowed_origins,
        "Allowed CORS/WebSocket origins (* = any)");
    add("rpc.max-request-bytes", c.http.max_request_bytes, "Largest request body / WS message");
    add("rpc.max-batch-items", c.http.dispatch.max_batch_items, "Most calls in one batch request");
    add("rpc.max-connections", c.http.max_connections, "Most open connections");
    add("rpc.timeout-ms", c.http.dispatch.handler_timeout, "Time limit of one request, ms");
    add("rpc.max-logs-block-range", c.eth.max_logs_block_range, "eth_getLogs: most blocks");
    add("rpc.max-logs", c.eth.max_logs, "eth_getLogs: most results");
    add("rpc.max-call-gas", c.eth.max_call_gas, "eth_call / eth_estimateGas gas cap");
    add("rpc.filter-timeout-ms", c.eth.filters.timeout,
        "A filter not polled for this long is removed, ms (geth: 5 min)");
    add("rpc.max-filters", c.eth.filters.max_filters, "Installed filters on this node, at most");
    add("rpc.max-filters-per-client", c.eth.filters.max_filters_per_client,
        "Installed filters per client IP address, at most");
    add("sequencer.min-block-interval-us", c.sequencer.min_block_interval,
        "At most one block per this many microseconds");
    add("sequencer.max-pool-txs", c.sequencer.max_pool_txs, "Pool capacity, all senders");
    add("sequencer.max-queued-per-sender", c.sequencer.max_queued_per_sender,
        "Future-nonce transactions kept per sender");
    add("sequencer.nonce-gap-wait-ms", c.sequencer.nonce_gap_wait,
        "A transaction behind a nonce gap waits this long for it to fill, then is refused");
    add("sequencer.max-tx-size", c.sequencer.max_tx_size, "Largest raw transaction, bytes");
    add("sequencer.max-block-txs", c.sequencer.max_block_txs, "Most transactions per block");
    add("sequencer.max-block-deposits", c.sequencer.max_block_deposits,
        "Most L1 deposits per block (the rest go into the next blocks)");
    add("sequencer.allow-unprotected-txs", c.sequencer.allow_unprotected_txs,
        "Accept legacy transactions without an EIP-155 chain id (replaying keyless "
        "deployments; geth's --rpc.allow-unprotected-txs)");
    add_enum("sequencer.l1-divergence", c.l1_divergence,
             {{"rewind", DivergencePolicy::kRewind}, {"halt", DivergencePolicy::kHalt}},
             "When L1 no longer supports the chain: re-sequence or stop (docs/sequencer.md)");
    add("l1.block-number", c.l1.fixed_block_number,
        "L1 block number recorded in blocks (no L1 reader)");
    add("l1.base-fee", c.l1.fixed_base_fee, "L1 base fee in wei recorded in blocks (no L1 reader)");
    add("l1.url", c.l1.url, "L1 JSON-RPC URL (http or https); empty: no L1");
    add("l1.preset", c.l1.preset, "fuse | spark: that L1's URL (unless l1.url), confirmations");
    add("l1.deployment", c.l1.deployment, "Deployment JSON of the L1 contracts (fusel2 deploy)");
    add("l1.confirmations", c.l1.confirmations, "L1 blocks a batch must be deep to be read");
    add("l1.lag", c.l1.lag, "The sequencer builds on the L1 block head - lag");
    add("l1.poll-ms", c.l1.poll, "L1 polling interval, ms");
    add("poster.enabled", c.poster.enabled,
        "Run the batch poster beside the sequencer (with l1.url)");
    add("poster.key-file", c.poster.key_file, "Batch poster key file (else env FUSE_POSTER_KEY)");
    add("poster.max-batch-size", c.poster.batches.max_batch_size,
        "Largest compressed batch, bytes");
    add("poster.max-batch-delay-ms", c.poster.batches.max_batch_delay,
        "Post a non-full batch after its oldest message waited this long, ms");
    add("poster.max-in-flight", c.poster.batches.max_in_flight,
        "Batches sent but not yet confirmed on L1, at most (>= 1)");
    add("poster.batch-format", c.poster.batches.batch_format,
        "Batch format: 0 plain brotli, 1 columnar, 2 columnar with the address registry (a "
        "consensus change: every validator must decode it first)");
    add_enum("validator.mode", c.validator.run.mode,
             {{"propose", validator::Mode::kPropose},
              {"watch", validator::Mode::kWatch},
              {"follow", validator::Mode::kFollow}},
             "Post roots, compare them, or only derive");
    add("validator.proposer-key-file", c.validator.proposer_key_file,
        "Proposer key file (else env FUSE_PROPOSER_KEY)");
    add("validator.sequencer-url", c.validator.run.sequencer_url,
        "Watch mode: also compare this sequencer's blocks");
    add("validator.exit-on-mismatch", c.validator.exit_on_mismatch,
        "Watch mode: exit non-zero on the first mismatch");
    add("validator.max-in-flight", c.validator.run.max_roots_in_flight,
        "Proposer: state-root transactions sent but not yet confirmed, at most (>= 1)");
    add("validator.max-deposit-wait", c.validator.run.max_deposit_wait,
        "Watch mode: alarm when an L1 deposit waits more than this many L1 blocks (>= 1)");
    add("metrics.enabled", c.metrics.enabled,
        "Serve Prometheus metrics, GET /metrics (default on; --metrics-enabled=false)");
    add("metrics.address", c.metrics.address, "Metrics listen address");
    add("metrics.port", c.metrics.port, "Metrics port (0: any free port)");
    add("log.level", c.log.level, "trace|debug|info|warn|error|critical|off");
    add("log.format", c.log.format, "text|json");
    add("db.fsync", c.db.sync,
        "fsync every commit (default on; --db-fsync=false survives kill -9, not power loss)");
    add("db.cache-mb", c.db.block_cache_mb,
        "RocksDB block cache, MiB (data, index and filter blocks)");
    add("db.write-buffer-mb", c.db.write_buffer_mb,
        "RocksDB memtables of every column family together, MiB");
    add("db.archive", c.db.archive,
        "Keep every block's state (trie nodes, undo records) forever: an archive node for "
        "explorers (default off: a pruned full node)");
    add("db.prune-keep", c.db.prune_keep,
        "Pruned node: the recent blocks whose whole trie is kept, and the blocks below the "
        "finalized head whose state still reads (through undo records)");
    add("db.prune-checkpoint", c.db.prune_checkpoint,
        "Pruned node: below the recent tries, keep the trie of every this-many-th block (1: "
        "every block's)");
    add("db.prune-interval", c.db.prune_interval,
        "Pruned node: start a background prune cycle every this many blocks (0: never)");
    add("db.prune-max-busy", c.db.prune_max_busy,
        "Pruned node: the background pruner's share of its thread's time at most, percent "
        "(after a cycle of d seconds it pauses d x (100/this - 1))");
}

std::vector<std::string> ConfigBinder::keys() const {
    std::vector<std::string> out;
    for (const auto& f : fields_)
        out.push_back(f->key);
    return out;
}

void ConfigBinder::apply_toml(std::string_view text, std::string_view source) const {
    if (std::string err = toml_prescan(text); !err.empty())
        throw std::runtime_error(std::string(source) + ":" + err);
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

NodeConfig::NodeConfig() {
    http.port = 8547;                  // Nitro's JSON-RPC port
    poster.batches.max_in_flight = 4;  // pipelined (docs/batch-poster.md)
    validator.run.max_roots_in_flight = 4;
}

std::string ChainConfig::validate() const {
    if (datadir.empty()) return "datadir is required (--datadir or datadir = \"...\")";
    if (dev == !genesis.empty())
        return dev ? "give either --dev or --genesis, not both"
                   : "a genesis is required: --genesis <file.json> or --dev";
    if (dev_chain_id == 0) return "dev-chain-id must not be 0";
    return {};
}

std::string L1Config::validate() const {
    if (!preset.empty() && preset != "fuse" && preset != "spark")
        return "l1.preset must be fuse or spark";
    if (enabled() && deployment.empty())
        return "an L1 needs the contracts' deployment file: l1.deployment";
    if (poll.count() <= 0) return "l1.poll-ms must be positive";
    return {};
}

std::string NodeConfig::validate() const {
    if (std::string err = chain.validate(); !err.empty()) return err;
    // Each component's own check, named by its section.
    const std::pair<const char*, std::string> parts[] = {
        {"http/rpc", http.validate()},
        {"rpc", eth.validate()},
        {"sequencer", sequencer.validate()},
        {"poster", poster.batches.validate()},
        {"validator", validator.run.validate()},
        {"log", log.validate()},
        {"db", db.validate()},
    };
    for (const auto& [section, err] : parts)
        if (!err.empty()) return std::string(section) + ": " + err;
    if (std::string err = l1.validate(); !err.empty()) return err;
    // A gapped transaction's eth_sendRawTransaction must get its refusal, not a timeout.
    if (http.dispatch.handler_timeout.count() > 0 &&
        sequencer.nonce_gap_wait >= http.dispatch.handler_timeout)
        return "sequencer.nonce-gap-wait-ms (" + std::to_string(sequencer.nonce_gap_wait.count()) +
               ") must be below rpc.timeout-ms (" +
               std::to_string(http.dispatch.handler_timeout.count()) +
               "): a transaction behind a nonce gap would time out before it is refused";
    if (metrics.enabled && http.port != 0 && metrics.port == http.port &&
        metrics.address == http.address)
        return "metrics.port must differ from http.port";
    if (role == Role::kValidator && !l1.enabled())
        return "role validator needs an L1: l1.url or l1.preset";
    return "";
}

}  // namespace fuse::node
