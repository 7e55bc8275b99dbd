// `fusel2 status` (docs/devnet.md): heads, batch backlog and L1 balances of a running chain.
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "node/commands.hpp"
#include "node/status.hpp"

namespace fuse::node {

void add_status_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "status",
        "Show the heads (latest, safe, finalized), the batch backlog and the L1 balances of the "
        "poster and proposer (docs/devnet.md)");
    struct Options {
        StatusSources sources;
        std::string config, low_balance = "1";
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    auto* rpc = cmd->add_option("--rpc", o->sources.rpc, "The sequencer's L2 JSON-RPC URL")
                    ->capture_default_str();
    cmd->add_option("--validator-rpc", o->sources.validator_rpc,
                    "A validator's L2 JSON-RPC URL: safe = its \"safe\" block (else computed "
                    "from SequencerInbox.totalMessageCount)");
    auto* l1 =
        cmd->add_option("--l1-url", o->sources.l1_url, "L1 JSON-RPC URL")->capture_default_str();
    auto* dep = cmd->add_option("--deployment", o->sources.deployment,
                                "Deployment JSON of the L1 contracts (fusel2 deploy)")
                    ->capture_default_str();
    cmd->add_option("--config", o->config,
                    "Take --rpc, --l1-url and --deployment from this node config (sequencer.toml)")
        ->excludes(rpc)
        ->excludes(l1)
        ->excludes(dep);
    cmd->add_option("--low-balance", o->low_balance,
                    "Warn when a poster or proposer has less than this on L1 (ETH)")
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
    cmd->footer(
        "Exit code 1 (with the failing source named) when the L2, the L1 or the validator "
        "does not answer.");
    cmd->callback([o] {
        const auto low = parse_ether(o->low_balance);
        if (!low)
            throw CLI::ValidationError("--low-balance",
                                       "\"" + o->low_balance + "\" is not an amount of ETH");
        StatusSources sources = o->sources;
        sources.low_balance = *low;
        if (!o->config.empty()) sources = sources_from_node_config(o->config, sources);
        ChainStatus s;
        try {
            s = collect_status(sources);
        } catch (const StatusError& e) {
            if (o->json) {
                fmt::print("{}\n", nlohmann::json{{"error", e.what()}}.dump());
                std::fflush(stdout);
            }
            throw;
        }
        if (o->json) {
            fmt::print("{}\n", status_to_json(s).dump(2));
        } else {
            fmt::print("{}", format_status(s));
        }
    });
}

}  // namespace fuse::node
