#pragma once
/// Configuration of `fusel2 node` (issue #5 §5): one struct with defaults, filled from a TOML file
/// (`--config`) and command-line flags, where a flag always wins over the file. Every option has
/// one dotted key (`http.port`), which is its TOML key (`[http]` table, `port = 8547`) and, with
/// dots turned into dashes, its flag (`--http-port`). docs/node.md lists them all.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fuse::node {

/// Chain id of `--dev` chains: 1220122 ("122", Fuse's L1 id, + "0122"), unused in the public
/// chain registry (ethereum-lists/chains) so wallets never confuse a devnet with a real chain.
inline constexpr uint64_t kDevChainId = 1'220'122;

/// Every setting of the node. Defaults are the documented ones (docs/node.md).
struct NodeConfig {
    std::string role = "sequencer";  ///< sequencer | validator (validator: issue #6)
    std::string datadir;             ///< database folder (required)
    std::string genesis;             ///< genesis JSON file (docs/arbos.md), or:
    bool dev = false;                ///< the dev genesis (arbos::dev_genesis(chain_id))
    uint64_t dev_chain_id = kDevChainId;

    // JSON-RPC over HTTP and WebSocket (same port).
    std::string http_address = "127.0.0.1";
    uint16_t http_port = 8547;  ///< 0 picks a free port (logged at startup)
    unsigned http_threads = 2;
    bool ws = true;
    std::vector<std::string> http_cors_origins{"*"};

    // RPC limits.
    size_t rpc_max_request_bytes = 5 * 1024 * 1024;
    size_t rpc_max_batch_items = 1000;
    size_t rpc_max_connections = 10'000;
    uint64_t rpc_timeout_ms = 30'000;  ///< per request (an async call not answered by then fails)
    uint64_t rpc_max_logs_block_range = 10'000;
    size_t rpc_max_logs = 10'000;
    uint64_t rpc_max_call_gas = 50'000'000;

    // Sequencer.
    uint64_t sequencer_min_block_interval_us = 2'000;  ///< sequencer::Config default
    size_t sequencer_max_pool_txs = 50'000;
    size_t sequencer_max_queued_per_sender = 64;
    size_t sequencer_max_tx_size = 131'072;
    size_t sequencer_max_block_txs = 10'000;
    /// When L1 no longer supports the soft chain (docs/sequencer.md "When L1 goes back in
    /// time"): "rewind" to the last block L1 supports and re-sequence, or "halt" (stop the
    /// node with the reason, for an operator's decision).
    std::string sequencer_l1_divergence = "rewind";
    /// The L1 block the sequencer builds on while no L1 reader runs (issue #6 brings one).
    uint64_t l1_block_number = 0;
    uint64_t l1_base_fee = 1'000'000'000;  ///< wei (1 gwei)

    // L1 (issue #6). Empty l1.url: no L1 (a standalone sequencer recording the values above).
    std::string l1_url;
    std::string l1_preset;           ///< fuse | spark: URL, chain id and confirmations of that L1
    std::string l1_deployment;       ///< deployment JSON written by `fusel2 deploy`
    uint64_t l1_confirmations = 20;  ///< batches are read this deep (Fuse: 20 blocks = 100 s)
    /// The sequencer builds on L1 head - lag: must exceed the deepest L1 reorg expected, since a
    /// message whose L1 header changes is invalid for validators (docs/node.md "L1 lag").
    uint64_t l1_lag = 20;
    uint64_t l1_poll_ms = 1'000;

    // Batch poster (runs beside --role sequencer when l1.url is set).
    bool poster_enabled = true;
    std::string poster_key_file;  ///< hex key file; else env FUSE_POSTER_KEY
    size_t poster_max_batch_size = 100'000;
    uint64_t poster_max_batch_delay_ms = 10'000;
    size_t poster_max_in_flight = 4;   ///< batches sent but not yet confirmed, at most
    unsigned poster_batch_format = 0;  ///< 0 (plain brotli) | 1 (columnar, docs/batch-format.md)

    // Validator (--role validator).
    std::string validator_mode = "propose";   ///< propose | watch | follow
    std::string validator_proposer_key_file;  ///< hex key file; else env FUSE_PROPOSER_KEY
    std::string validator_sequencer_url;      ///< watch: also compare the sequencer's blocks
    bool validator_exit_on_mismatch = false;
    size_t validator_max_in_flight = 4;  ///< proposer: root transactions not yet confirmed

    // Prometheus endpoint (GET /metrics on its own port).
    bool metrics = true;
    std::string metrics_address = "127.0.0.1";
    uint16_t metrics_port = 6070;  ///< Nitro's metrics port; 0 picks a free one

    // Logging.
    std::string log_level = "info";   ///< trace | debug | info | warn | error | critical | off
    std::string log_format = "text";  ///< text | json (one JSON object per line)

    // Storage.
    bool fsync = true;  ///< fsync each commit (off: survives kill -9, not power loss)
    size_t db_cache_mb = 256;

    /// Empty when usable, else what is wrong (first problem found).
    std::string validate() const;
};

/// Binds every option of `cfg` as a flag of `cmd` (plus `--config <file>` into `config_file`).
/// `cfg` and `config_file` must outlive the parse.
class ConfigBinder {
public:
    ConfigBinder(CLI::App& cmd, NodeConfig& cfg, std::string& config_file);

    /// Applies a TOML document on top of the parsed flags: keys whose flag was given are kept.
    /// Throws std::runtime_error naming the file, key and problem (unknown key, wrong type,
    /// out of range). `source` names the document in messages.
    void apply_toml(std::string_view toml_text, std::string_view source) const;
    /// Reads `path` and applies it (throws when unreadable).
    void apply_toml_file(const std::string& path) const;

    /// The dotted keys of every option, in declaration order (for docs and tests).
    std::vector<std::string> keys() const;

private:
    struct Field;
    CLI::App& cmd_;
    std::vector<std::shared_ptr<Field>> fields_;
};

}  // namespace fuse::node
