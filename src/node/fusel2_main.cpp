// fusel2: the one Fuse L2 binary. Roles and tools are subcommands (DESIGN.md §6).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "node/commands.hpp"
#include "node/version.hpp"

int main(int argc, char** argv) {
    using namespace fuse::node;
    CLI::App app{"Fuse L2 node: sequencer, batch poster, validator and tools", "fusel2"};
    app.set_version_flag("--version", std::string("fusel2 ") + kVersion + " (" + kGitCommit + ")");
    app.require_subcommand(0, 1);  // checked after parsing, so unknown flags are named first
    app.fallthrough(false);

    add_version_command(app);
    add_bench_evm_command(app);
    add_statetest_command(app);
    add_deploy_command(app);
    add_genesis_command(app);
    add_node_command(app);
    add_devnet_command(app);
    add_status_command(app);
    add_bridge_command(app);

    try {
        app.parse(argc, argv);
        if (app.get_subcommands().empty()) {
            fmt::print(stderr, "error: a subcommand is required\n{}", app.help());
            return kExitUsage;
        }
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // a command failed (e.g. statetest failures), already reported
    } catch (const CLI::ParseError& e) {
        app.exit(e);  // prints the message and usage hint to stderr
        return kExitUsage;
    } catch (const std::exception& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
    }
    return 0;
}
