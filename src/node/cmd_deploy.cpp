// `fusel2 deploy`: deploys the L1 contracts by running contracts/deploy.mjs (ethers v6) with the
// same flags. The flags are declared here too so `--help` lists them and usage errors exit 2
// before node starts; the script validates them again. The deployer key is never on the
// command line: it comes from --key-file or env FUSE_DEPLOYER_KEY, which the script inherits.
#include <memory>
#include <string>
#include <vector>

#include "node/commands.hpp"
#include "node/node_script.hpp"

namespace fuse::node {
namespace {

struct DeployOptions {
    std::string rpc, key_file, genesis_hash, out, owner, confirmations, max_data_size,
        max_time_variation, timeout, evm_version, withdrawal_delay, guardian, l2_gas_price,
        max_message_data_size, min_l2_gas_limit, max_l2_gas_limit;
    std::vector<std::string> batch_posters, proposers;
};

[[noreturn]] void run_deploy_script(const DeployOptions& o) {
    std::vector<std::string> args;
    auto add = [&args](const char* flag, const std::string& value) {
        if (!value.empty()) {
            args.emplace_back(flag);
            args.push_back(value);
        }
    };
    add("--rpc", o.rpc);
    add("--key-file", o.key_file);
    add("--genesis-hash", o.genesis_hash);
    for (const auto& a : o.batch_posters)
        add("--batch-poster", a);
    for (const auto& a : o.proposers)
        add("--proposer", a);
    add("--out", o.out);
    add("--owner", o.owner);
    add("--confirmations", o.confirmations);
    add("--max-data-size", o.max_data_size);
    add("--max-time-variation", o.max_time_variation);
    add("--timeout", o.timeout);
    add("--evm-version", o.evm_version);
    add("--withdrawal-delay", o.withdrawal_delay);
    add("--guardian", o.guardian);
    add("--l2-gas-price", o.l2_gas_price);
    add("--max-message-data-size", o.max_message_data_size);
    add("--min-l2-gas-limit", o.min_l2_gas_limit);
    add("--max-l2-gas-limit", o.max_l2_gas_limit);

    exec_node_script("contracts/deploy.mjs", args);
}

}  // namespace

void add_deploy_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("deploy",
                           "Deploy SequencerInbox, RollupCore, Bridge, Outbox and L1ERC20Gateway "
                           "to an L1 and write their addresses (contracts/deploy.mjs)");
    auto o = std::make_shared<DeployOptions>();
    cmd->add_option("--rpc", o->rpc, "L1 JSON-RPC endpoint")->required();
    cmd->add_option(
        "--key-file", o->key_file,
        "File with the deployer's hex private key (else env FUSE_DEPLOYER_KEY); never printed");
    cmd->add_option("--genesis-hash", o->genesis_hash, "32-byte hash of the L2 genesis file")
        ->required();
    cmd->add_option("--batch-poster", o->batch_posters, "Allowed batch poster address (repeatable)")
        ->required();
    cmd->add_option("--proposer", o->proposers, "Allowed state-root proposer address (repeatable)")
        ->required();
    cmd->add_option("--out", o->out, "Where to write the deployment JSON")->required();
    cmd->add_option("--owner", o->owner, "Owner of both contracts (default: the deployer)");
    cmd->add_option("--confirmations", o->confirmations,
                    "L1 confirmations to wait for, >= 1 (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-data-size", o->max_data_size, "Largest batch in bytes (default 122880)")
        ->check(CLI::PositiveNumber);
    cmd->add_option(
        "--max-time-variation", o->max_time_variation,
        "delayBlocks,futureBlocks,delaySeconds,futureSeconds (default 17280,12,86400,768)");
    cmd->add_option("--timeout", o->timeout, "Seconds to wait for confirmations (default 600)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--evm-version", o->evm_version,
                    "EVM version to compile for if a build is needed (default london)");
    cmd->add_option("--withdrawal-delay", o->withdrawal_delay,
                    "Seconds a send root must age before the Outbox pays from it (default "
                    "604800 = 7 days)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--guardian", o->guardian,
                    "May pause the Outbox and invalidate send roots besides the owner");
    cmd->add_option("--l2-gas-price", o->l2_gas_price,
                    "Bridge message fee per unit of L2 gas, wei (default 10000000)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-message-data-size", o->max_message_data_size,
                    "Largest Bridge message data in bytes (default 65536)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--min-l2-gas-limit", o->min_l2_gas_limit,
                    "Smallest L2 gas limit of a Bridge message (default 21000)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--max-l2-gas-limit", o->max_l2_gas_limit,
                    "Largest L2 gas limit of a Bridge message (default 10000000)")
        ->check(CLI::PositiveNumber);
    cmd->footer("Runs `node " + (repo_dir() / "contracts" / "deploy.mjs").string() +
                "` (override with FUSE_REPO_DIR, FUSE_NODE).");
    cmd->callback([o] { run_deploy_script(*o); });
}

}  // namespace fuse::node
