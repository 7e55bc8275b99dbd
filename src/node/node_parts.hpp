#pragma once
/// The pieces the Node is built from that are not components themselves: the genesis, the
/// database (checked against the genesis), the L1 connection (checked against the deployment),
/// keys, and the role's metrics and status documents.

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "arbos/genesis.hpp"
#include "node/config.hpp"
#include "node/prometheus.hpp"

namespace fuse::l1 {
class Signer;
class HeadWatcher;
}  // namespace fuse::l1
namespace fuse::inbox {
class DepositReader;
}

namespace fuse::node {

struct L1Connection;

/// The genesis of `c`: the dev genesis or the file's (throws naming the file).
arbos::Genesis load_genesis(const ChainConfig& c);

/// Opens `<datadir>/chaindb` and makes sure it holds `genesis` (committing it when empty);
/// throws when the datadir belongs to another chain, naming both genesis hashes.
std::unique_ptr<storage::Database> open_database(const NodeConfig& cfg,
                                                 const arbos::Genesis& genesis);

/// The L1 client and the deployment (its genesisHash must be `genesis_hash`); nullopt without an
/// L1. Throws on an unknown preset, a chain-id mismatch or an unreadable deployment.
std::optional<L1Connection> connect_l1(const L1Config& c, const Hash32& genesis_hash);

/// The key in `file`, else in env `env`; throws naming both when neither is given.
l1::Signer load_key(const std::string& file, const char* env, const char* what);

/// The JSON-RPC server's settings: `cfg.http` with the WebSocket origins of CORS.
rpc::ServerConfig server_config(const NodeConfig& cfg);

/// The sequencer's `safe` and `finalized` heads follow L1 (inbox/l1_progress.hpp) until `stop`;
/// with `move_safe` false only `finalized` (a follow-mode validator: its derivation sets `safe`,
/// and nothing else would move `finalized`).
void follow_l1_progress(storage::Database& db, const L1Connection& l1, const L1Config& c,
                        const std::atomic<bool>& stop, bool move_safe = true);

/// The next L1 deposit index after block `head` (ArbOS's state there; 0 when unknown).
/// Throws storage::ReadError when the database cannot be read.
uint64_t next_deposit_after(const storage::Database& db, storage::Head head);

/// The sequencer's deposit reader follows the Bridge up to the L1 block the sequencer builds on
/// (the head watcher's) every `poll` until `stop`, wakes the sealer when deposits wait, and
/// forgets those below the finalized head's, the sequencer's and `needed_from()` (the L1
/// guard's). L1 failures are logged and retried.
void follow_deposits(inbox::DepositReader& deposits, const l1::HeadWatcher& watcher,
                     sequencer::Sequencer& seq, const storage::Database& db,
                     const std::function<uint64_t()>& needed_from, std::chrono::milliseconds poll,
                     const std::atomic<bool>& stop);

/// `fusel2_sequencerStatus`: halted or not, the last rewind, the transactions rewinds dropped.
nlohmann::json sequencer_status_json(const sequencer::Sequencer& seq);

/// The sequencer's counters, its storage errors and whether it halted.
void write_sequencer_stats(PrometheusWriter& w, const sequencer::Stats& s, bool halted);
void write_tag_heads(PrometheusWriter& w, const storage::Database& db);
/// The database's memory (storage::MemoryUsage) as gauges, for every role.
void write_db_memory(PrometheusWriter& w, const storage::Database& db);
void write_poster_status(PrometheusWriter& w, const poster::PosterStatus& s);
void write_validator_status(PrometheusWriter& w, const validator::Status& s);

}  // namespace fuse::node
