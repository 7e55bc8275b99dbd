#include <fmt/core.h>

#include "node/commands.hpp"
#include "node/run_node.hpp"
#include "node/version.hpp"

namespace fuse::node {

void add_version_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("version", "Print the version and build commit");
    cmd->callback([] {
        fmt::print("fusel2 {} ({})\n", kVersion, kGitCommit);
        fmt::print("node roles: {}\n", kNodeRoles);
    });
}

}  // namespace fuse::node
