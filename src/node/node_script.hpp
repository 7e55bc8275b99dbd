#pragma once
/// Subcommands that are ethers v6 scripts of the source tree (`fusel2 deploy` runs
/// contracts/deploy.mjs, `fusel2 bridge` contracts/bridge.mjs): the binary checks what it can,
/// then replaces itself with `node <script> <args>`, so the script's exit code is the command's
/// and keys read from files or the environment never pass through a command line.

#include <filesystem>
#include <string>
#include <vector>

namespace fuse::node {

/// The source tree whose scripts run: env FUSE_REPO_DIR, else the tree this binary was built from.
std::filesystem::path repo_dir();

/// Runs `node <repo_dir()/script> <args>` in place of this process (env FUSE_NODE names node).
/// Throws std::runtime_error, naming what to set, when the script or node is missing.
[[noreturn]] void exec_node_script(const std::filesystem::path& script,
                                   const std::vector<std::string>& args);

}  // namespace fuse::node
