// `fusel2 bridge deposit | withdraw | claim | status | init-gateway` (docs/bridge.md "Using the
// bridge"): FUSE and ERC-20 tokens between the L1 and the L2 with ethers v6, by running
// contracts/bridge.mjs.
// The script owns the flags (`fusel2 bridge deposit --help` prints them) and their checks, so
// every argument after the action passes through unparsed. The key comes from --key-file or env
// FUSE_BRIDGE_KEY and is never printed.
#include <string>
#include <vector>

#include "node/commands.hpp"
#include "node/node_script.hpp"

namespace fuse::node {

void add_bridge_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "bridge",
        "Move FUSE and ERC-20 tokens between L1 and L2: deposit, withdraw, claim, status, "
        "init-gateway "
        "(contracts/bridge.mjs; `fusel2 bridge ACTION --help` lists each action's flags)");
    cmd->require_subcommand(1);
    struct Action {
        const char* name;
        const char* help;
    };
    static const Action kActions[] = {
        {"deposit",
         "L1 -> L2: Bridge.depositNative, or with --token approve + L1ERC20Gateway.deposit"},
        {"withdraw",
         "L2 -> L1: ArbSys.withdrawEth, or with --token the L2 gateway's outboundTransfer"},
        {"claim",
         "Execute a withdrawal on L1 (Outbox.executeTransaction) once its root is posted "
         "and aged past withdrawalDelay"},
        {"status",
         "A deposit's index and L2 execution, or a withdrawal's state: pending, root "
         "posted (claimable at T), claimable, claimed"},
        {"init-gateway",
         "The L2 ERC-20 gateway's one-time set-up: its admin calls initialize(<l1Gateway>) on L2 "
         "(idempotent)"},
    };
    for (const Action& a : kActions) {
        auto* sub = cmd->add_subcommand(a.name, a.help);
        sub->set_help_flag();  // --help goes to the script, which knows the flags
        sub->allow_extras();
        sub->prefix_command();
        const std::string name = a.name;
        sub->callback([sub, name] {
            std::vector<std::string> args{name};
            for (const std::string& x : sub->remaining())
                args.push_back(x);
            exec_node_script("contracts/bridge.mjs", args);
        });
    }
}

}  // namespace fuse::node
