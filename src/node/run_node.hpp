#pragma once
/// Runs the node until SIGINT/SIGTERM: opens the database, commits the genesis block when the
/// database is empty (refusing a database built from another genesis), starts the sequencer, the
/// JSON-RPC server with the Ethereum API and the metrics endpoint, then stops them in order.

#include "node/config.hpp"

namespace fuse::node {

/// Exit code of the process: 0 after a clean stop. Throws std::runtime_error with a message for
/// the user on startup failures (bad genesis, datadir of another chain, port in use, ...).
int run_node(const NodeConfig& cfg);

/// The roles `fusel2 node --role` runs in this build ("sequencer"; validator: issue #6).
inline constexpr const char* kNodeRoles = "sequencer";

}  // namespace fuse::node
