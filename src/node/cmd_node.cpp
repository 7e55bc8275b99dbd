// `fusel2 node`: parses the config (TOML file + flags) and runs the node (run_node.cpp).
#include <spdlog/spdlog.h>

#include <memory>
#include <stdexcept>

#include "node/commands.hpp"
#include "node/config.hpp"
#include "node/run_node.hpp"

namespace fuse::node {

void add_node_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "node", "Run an L2 node: --role sequencer (JSON-RPC, sequencer, metrics); docs/node.md");
    struct State {
        NodeConfig cfg;
        std::string config_file;
        std::unique_ptr<ConfigBinder> binder;
    };
    auto st = std::make_shared<State>();
    st->binder = std::make_unique<ConfigBinder>(*cmd, st->cfg, st->config_file);
    cmd->footer(
        "Every option is also a TOML key: --http-port = [http] port. A flag wins over "
        "the file. SIGINT/SIGTERM stop the node cleanly.");
    cmd->callback([st] {
        if (!st->config_file.empty()) st->binder->apply_toml_file(st->config_file);
        if (std::string err = st->cfg.validate(); !err.empty())
            throw std::runtime_error("invalid configuration: " + err);
        const int code = run_node(st->cfg);
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

}  // namespace fuse::node
