#pragma once
/// The pure parts of `fusel2 devnet` (docs/devnet.md): its options, the layout of its datadir,
/// the node config files it writes, its record file and the banner. The processes are run by
/// cmd_devnet.cpp.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "arbos/genesis.hpp"
#include "core/bytes.hpp"

namespace fuse::node {

/// Options of `fusel2 devnet` (defaults are the documented ones).
struct DevnetOptions {
    std::string datadir = "./devnet-data";
    uint16_t l1_port = 8545;
    uint16_t http_port = 8547;            ///< the sequencer's L2 JSON-RPC
    uint16_t validator_http_port = 8548;  ///< the proposer-validator's L2 JSON-RPC
    uint16_t metrics_port = 6070;         ///< sequencer metrics
    uint16_t validator_metrics_port = 6071;
    uint64_t block_time = 1;  ///< L1 seconds per block
    uint64_t l1_chain_id = 31337;
    uint64_t l2_chain_id = 1'220'122;
    uint64_t state_interval = 1;      ///< anvil dumps its state every this many seconds
    uint64_t batch_delay_ms = 2'000;  ///< poster.max-batch-delay-ms of the sequencer
    /// The Outbox's withdrawalDelay at deployment (seconds a send root ages before claims):
    /// short on the devnet so withdrawals can be tried (`fusel2 deploy` defaults to 7 days).
    uint64_t withdrawal_delay = 60;
    bool fresh = false;              ///< wipe the datadir first
    bool l1_logs = false;            ///< print anvil's output ([l1]); otherwise only in its file
    std::string log_level = "info";  ///< of the sequencer and the validator

    /// Empty when usable, else what is wrong.
    std::string validate() const;
    /// `l1.lag` of the nodes: more L1 blocks than a kill -9 can lose (one state interval), so
    /// every L1 block a message refers to survives in anvil's state file (docs/devnet.md).
    uint64_t l1_lag() const { return std::max<uint64_t>(5, state_interval / block_time + 2); }
};

/// Files of a devnet datadir (all absolute).
struct DevnetPaths {
    explicit DevnetPaths(const std::filesystem::path& datadir);
    std::filesystem::path root;
    std::filesystem::path record;   ///< devnet.json: chain ids, genesis hash (marks the dir)
    std::filesystem::path running;  ///< devnet.running: present while a devnet runs
    std::filesystem::path lock;     ///< devnet.lock: flock'ed by the running devnet
    std::filesystem::path l1_dir, l1_state;  ///< l1/, l1/state.json (anvil --state)
    std::filesystem::path l1_state_copy;     ///< l1/state.good.json (StateBackup)
    std::filesystem::path deployer_key, poster_key, proposer_key;
    std::filesystem::path deployment;  ///< deployment.json (fusel2 deploy)
    std::filesystem::path genesis;     ///< genesis.json: devnet_genesis(), the nodes' genesis
    std::filesystem::path sequencer_toml, validator_toml;
    std::filesystem::path sequencer_data, validator_data;  ///< the nodes' datadirs
    std::filesystem::path logs_dir;  ///< logs/<l1|deploy|sequencer|validator>.log
    std::filesystem::path log(const std::string& name) const { return logs_dir / (name + ".log"); }
};

/// What `devnet.json` records; a later run must match it.
struct DevnetRecord {
    uint64_t l1_chain_id = 0;
    uint64_t l2_chain_id = 0;
    Hash32 genesis_hash;
    std::string to_json() const;
    /// Throws std::runtime_error naming the file on a malformed record.
    static DevnetRecord parse(const std::string& json_text, const std::string& source);
};

/// The devnet's L2 genesis: the dev genesis with this chain id (the ten funded accounts of
/// `fusel2 node --dev`) plus the L2 ERC-20 gateway predeploy with dev account
/// kGatewayAdminAccount as its admin (docs/devnet.md "ERC-20 tokens").
arbos::Genesis devnet_genesis(uint64_t l2_chain_id);
/// The block-0 hash of devnet_genesis(l2_chain_id) (what RollupCore records).
Hash32 devnet_genesis_hash(uint64_t l2_chain_id);

/// `sequencer.toml`: the dev chain, the L1, the poster key, the sequencer's ports.
std::string sequencer_toml(const DevnetOptions& o, const DevnetPaths& p);
/// `validator.toml`: the same chain and L1, mode propose with the proposer key, its own ports.
std::string validator_toml(const DevnetOptions& o, const DevnetPaths& p);

/// What the banner shows besides the options.
struct BannerInfo {
    bool first_run = true;
    std::string inbox, rollup;               ///< checksummed addresses
    std::string bridge, outbox, l1_gateway;  ///< checksummed; empty when not deployed
    std::string l2_gateway;  ///< checksummed L2 gateway predeploy; empty when not initialized
    uint64_t deploy_block = 0;
    Hash32 genesis_hash;
    uint64_t l2_head = 0;
};

/// The text printed once everything is up: endpoints, chain ids, contracts, the funded dev
/// accounts (address and key, as anvil prints them) and "Ctrl-C to stop".
std::string devnet_banner(const DevnetOptions& o, const DevnetPaths& p, const BannerInfo& info);

/// Keeps a complete copy of anvil's state file. anvil rewrites `l1/state.json` in place (checked
/// with anvil 1.7.1: a SIGKILL during a periodic dump can leave it empty or cut off), so the
/// devnet copies each complete version to `l1/state.good.json` and restores it when needed.
class StateBackup {
public:
    /// `pace`: after a refresh that took time t, the next one waits pace × t (a large state is
    /// read and checked at most 1/pace of the time); 0 for no pause.
    explicit StateBackup(const DevnetPaths& paths, unsigned pace = 10)
        : paths_(paths), pace_(pace) {}
    /// Copies state.json when it changed since the last copy and is complete JSON; true if copied.
    bool refresh();
    /// Before anvil starts on an existing datadir: when state.json is not complete JSON, puts
    /// the last complete copy in its place. Returns what was done ("" when nothing was needed);
    /// throws std::runtime_error (telling to use --fresh) when no complete state exists.
    std::string restore();

private:
    const DevnetPaths& paths_;
    unsigned pace_;
    std::filesystem::file_time_type copied_time_{};
    std::chrono::steady_clock::time_point next_allowed_{};
    uintmax_t copied_size_ = 0;
};

/// Writes `hex_key` to `path` with mode 0600 (created or replaced).
void write_key_file(const std::filesystem::path& path, const std::string& hex_key);

/// Anvil dev accounts used by the devnet on L1: 0 deploys, 1 posts batches, 2 proposes roots.
inline constexpr size_t kDeployerAccount = 0, kPosterAccount = 1, kProposerAccount = 2;
/// The dev account that administers the L2 ERC-20 gateway (the deployer's key, deployer.key):
/// the devnet calls its initialize(l1Gateway) on L2.
inline constexpr size_t kGatewayAdminAccount = kDeployerAccount;

}  // namespace fuse::node
