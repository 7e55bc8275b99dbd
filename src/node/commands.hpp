#pragma once
/// Subcommands of the `fusel2` binary. Each lives in its own `cmd_*.cpp` and adds itself to the
/// CLI11 app; `fusel2_main.cpp` calls every `add_*_command` once.

#include <CLI/CLI.hpp>

namespace fuse::node {

/// Exit code for usage errors (unknown flags, bad values), as most Unix tools use.
inline constexpr int kExitUsage = 2;

void add_version_command(CLI::App& app);
void add_bench_evm_command(CLI::App& app);
void add_statetest_command(CLI::App& app);
void add_deploy_command(CLI::App& app);
void add_genesis_command(CLI::App& app);
void add_node_command(CLI::App& app);
void add_devnet_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_bridge_command(CLI::App& app);

}  // namespace fuse::node
