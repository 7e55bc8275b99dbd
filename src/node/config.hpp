#pragma once
/// Configuration of `fusel2 node`: the composition of its components' own configs (each with
/// its defaults and `validate()` beside its code: `rpc::ServerConfig`, `ethrpc::Config`,
/// `sequencer::Config`, `poster::PosterConfig`, `validator::Config`, `storage::Options`, ...),
/// filled from a TOML file (`--config`) and command-line flags, where a flag always wins over the
/// file. Every option has one dotted key (`http.port`), which is its TOML key (`[http]` table,
/// `port = 8547`) and, with dots turned into dashes, its flag (`--http-port`); the binder writes
/// each straight into the component's field. docs/node.md lists them all.

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ethrpc/eth_api.hpp"
#include "node/logging.hpp"
#include "node/sequencer_l1.hpp"
#include "poster/poster.hpp"
#include "rpc/server.hpp"
#include "sequencer/sequencer.hpp"
#include "storage/database.hpp"
#include "validator/validator.hpp"

namespace fuse::node {

/// Chain id of `--dev` chains: 1220122 ("122", Fuse's L1 id, + "0122"), unused in the public
/// chain registry (ethereum-lists/chains) so wallets never confuse a devnet with a real chain.
inline constexpr uint64_t kDevChainId = 1'220'122;

/// What the node runs. One composition (node.hpp) serves both: the role picks its parts.
enum class Role {
    kSequencer,  ///< sequencer + JSON-RPC (+ batch poster and L1 guard with an L1)
    kValidator,  ///< derives the chain from L1 + JSON-RPC; proposes or watches roots
};

/// The chain this node serves: its database folder and genesis.
struct ChainConfig {
    std::string datadir;  ///< database folder (required)
    std::string genesis;  ///< genesis JSON file (docs/arbos.md), or:
    bool dev = false;     ///< the dev genesis (arbos::dev_genesis(dev_chain_id))
    uint64_t dev_chain_id = kDevChainId;
    std::string validate() const;
};

/// The L1 the node reads and posts to, and where its contracts are.
struct L1Config {
    std::string url;              ///< JSON-RPC URL (http or https); empty: no L1
    std::string preset;           ///< fuse | spark: URL, chain id and confirmations of that L1
    std::string deployment;       ///< deployment JSON written by `fusel2 deploy`
    uint64_t confirmations = 20;  ///< batches are read this deep (Fuse: 20 blocks = 100 s)
    /// The sequencer builds on L1 head - lag (l1::HeadWatcher): must exceed the deepest L1 reorg
    /// expected, since a message whose L1 header changes is invalid for validators.
    uint64_t lag = 20;
    std::chrono::milliseconds poll{1'000};  ///< every L1 loop's polling interval
    /// The L1 block and base fee the sequencer records while no L1 is configured.
    uint64_t fixed_block_number = 0;
    uint64_t fixed_base_fee = 1'000'000'000;  ///< wei (1 gwei)

    bool enabled() const { return !url.empty() || !preset.empty(); }
    std::string validate() const;
};

/// The batch poster beside the sequencer (with an L1).
struct PosterSection {
    bool enabled = true;
    std::string key_file;  ///< hex key file; else env FUSE_POSTER_KEY
    poster::PosterConfig batches;
};

/// The validator role's settings.
struct ValidatorSection {
    std::string proposer_key_file;  ///< hex key file; else env FUSE_PROPOSER_KEY
    bool exit_on_mismatch = false;  ///< watch mode: exit 3 on the first mismatch
    validator::Config run;          ///< mode, sequencer URL, roots in flight
};

/// The Prometheus endpoint (GET /metrics, /health, /ready on its own port).
struct MetricsConfig {
    bool enabled = true;
    std::string address = "127.0.0.1";
    uint16_t port = 6070;  ///< Nitro's metrics port; 0 picks a free one
};

/// Every setting of the node: the components' configs, composed. Defaults are the documented
/// ones (docs/node.md); where the node's default differs from a component's it is set in the
/// constructor.
struct NodeConfig {
    NodeConfig();

    Role role = Role::kSequencer;
    ChainConfig chain;
    rpc::ServerConfig http;  ///< JSON-RPC over HTTP and WebSocket (same port) and its limits
    ethrpc::Config eth;      ///< eth_* limits (logs, call gas, filters)
    sequencer::Config sequencer;
    DivergencePolicy l1_divergence = DivergencePolicy::kRewind;  ///< sequencer.l1-divergence
    L1Config l1;
    PosterSection poster;
    ValidatorSection validator;
    MetricsConfig metrics;
    LogConfig log;
    storage::Options db;  ///< path: <datadir>/chaindb

    /// Empty when usable, else what is wrong (first problem found; names the section).
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
    template <typename T>
    void add(std::string key, T& ref, std::string help);
    /// A duration option, given as an integer count of `Duration`'s unit (`-ms`, `-us` keys).
    template <typename Rep, typename Period>
    void add(std::string key, std::chrono::duration<Rep, Period>& ref, std::string help);
    /// An option whose value is one of `names` (e.g. "rewind" | "halt").
    template <typename E>
    void add_enum(std::string key, E& ref, std::vector<std::pair<std::string, E>> names,
                  std::string help);
    void bind_all(NodeConfig& c);

    CLI::App& cmd_;
    std::vector<std::shared_ptr<Field>> fields_;
};

}  // namespace fuse::node
