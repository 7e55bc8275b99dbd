#pragma once
/// `fusel2 node`: builds the Node (node.hpp) from the configuration and runs it until
/// SIGINT/SIGTERM.

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
