#pragma once
/// The node: one object that owns its parts as members (declaration order = lifetime order) and
/// composes their run loops, as silkworm's `node/node.cpp`. One composition serves every role:
/// the role decides which parts exist (docs/architecture.md, docs/node.md).
///
///   sequencer: storage → L1 client → L1 head watcher → deposit reader (with a Bridge) →
///              sequencer → eth API → JSON-RPC server → batch poster + L1 guard (one loop) →
///              safe/finalized follower (a loop) → deposit follower (a loop) → metrics
///   validator: storage → L1 client → deposit reader (with a Bridge) → eth API → JSON-RPC
///              server → validator (a loop) → metrics
///
/// `run()` starts them in that order and stops them in the reverse order; `/health` and `/ready`
/// (both ports) report what the parts say.

#include <signal.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "arbos/genesis.hpp"
#include "l1/deployment.hpp"
#include "node/config.hpp"
#include "node/metrics_server.hpp"
#include "node/node_metrics.hpp"
#include "rpc/server.hpp"

namespace fuse::l1 {
class RpcClient;
class HeadWatcher;
class TxSender;
}  // namespace fuse::l1
namespace fuse::storage {
class Database;
}
namespace fuse::inbox {
class DepositReader;
}
namespace fuse::sequencer {
class Sequencer;
}
namespace fuse::ethrpc {
class EthApi;
}
namespace fuse::poster {
class BatchPoster;
}
namespace fuse::validator {
class Validator;
}

namespace fuse::node {

class SequencerL1;

/// The L1 a node talks to: its client and the contracts' deployment (checked against the
/// genesis).
struct L1Connection {
    std::unique_ptr<l1::RpcClient> rpc;
    l1::Deployment deployment;  ///< l1.deployment, checked against this chain's genesis
};

class Node {
public:
    /// Opens the database (committing the genesis when empty), connects to L1 and builds the
    /// role's parts; nothing runs yet. Throws std::runtime_error with what is wrong (another
    /// chain's datadir, a missing key, an unreadable deployment, ...).
    explicit Node(const NodeConfig& cfg);
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    /// Starts every part, serves until one of `stop_signals` arrives (or the sequencer halts on
    /// an L1 divergence, which raises SIGTERM; a sequencer or validator halted by a storage
    /// failure keeps serving reads, /health answering 503), then stops them in reverse order.
    /// Returns the exit code: 0, or 3 after a halt or (validator.exit-on-mismatch) a mismatch.
    int run(const sigset_t& stop_signals);

    /// GET /health and GET /ready, the same on the JSON-RPC and the metrics port. A halted
    /// sequencer (L1 divergence, a storage failure), a halted validator (a storage failure) or
    /// an unreadable database answers 503 with the reason.
    std::optional<rpc::ProbeAnswer> probe(std::string_view path) const;

private:
    /// `probe`, letting a database read failure (storage::ReadError) through.
    std::optional<rpc::ProbeAnswer> probe_or_throw(std::string_view path) const;
    enum class Phase { kStarting, kServing, kStopping };

    /// `eth` with what the node's other parts tell the RPC layer (the inbox reader's depth).
    ethrpc::Config eth_config() const;
    void build_sequencer();
    void build_validator();
    /// The L1 Bridge's deposit reader when the deployment has a Bridge (null otherwise).
    void build_deposit_reader();
    void start();
    void stop();
    void write_role_metrics(PrometheusWriter& w) const;
    /// Why the node is not healthy (halted sequencer or validator, validator alarm), or nullopt.
    std::optional<std::string> unhealthy() const;

    const NodeConfig& cfg_;
    const arbos::Genesis genesis_;
    std::unique_ptr<storage::Database> db_;
    std::optional<L1Connection> l1_;
    std::unique_ptr<l1::HeadWatcher> watcher_;         // sequencer with an L1
    std::unique_ptr<inbox::DepositReader> deposits_;   // an L1 with a Bridge
    std::unique_ptr<sequencer::Sequencer> sequencer_;  // sequencer
    std::unique_ptr<ethrpc::EthApi> api_;
    rpc::Server server_;
    NodeMetrics metrics_;
    std::unique_ptr<l1::TxSender> poster_sender_;  // sequencer with poster.enabled
    std::unique_ptr<poster::BatchPoster> poster_;
    std::unique_ptr<SequencerL1> sequencer_l1_;        // sequencer with an L1
    std::unique_ptr<l1::TxSender> proposer_sender_;    // validator, propose mode
    std::unique_ptr<validator::Validator> validator_;  // validator
    std::unique_ptr<MetricsServer> metrics_server_;

    /// The parts' run loops (L1 guard + poster, safe/finalized follower, validator), started
    /// after the servers and the sequencer, stopped first.
    std::vector<std::function<void(const std::atomic<bool>&)>> loops_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_loops_{false};
    std::atomic<Phase> phase_{Phase::kStarting};
    std::atomic<bool> mismatch_{false};
};

}  // namespace fuse::node
