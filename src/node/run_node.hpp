#pragma once
/// Runs the node until SIGINT/SIGTERM: opens the database, commits the genesis block when the
/// database is empty (refusing a database built from another genesis), starts the sequencer, the
/// JSON-RPC server with the Ethereum API and the metrics endpoint, then stops them in order.

#include <string>

#include "arbos/genesis.hpp"
#include "node/config.hpp"

namespace fuse::node {

/// Exit code of the process: 0 after a clean stop. Throws std::runtime_error with a message for
/// the user on startup failures (bad genesis, datadir of another chain, port in use, ...).
int run_node(const NodeConfig& cfg);

/// Reads and parses a genesis JSON file (docs/arbos.md); throws std::runtime_error naming the
/// file and the offending field.
arbos::Genesis read_genesis_file(const std::string& path);

/// The roles `fusel2 node --role` runs in this build.
inline constexpr const char* kNodeRoles = "sequencer, validator";

}  // namespace fuse::node
