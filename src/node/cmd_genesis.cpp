// `fusel2 genesis`: the identity of an L2 genesis — its block-0 hash (what `fusel2 deploy
// --genesis-hash` records in RollupCore and every node checks), state root and chain id — and,
// with --write, the genesis JSON itself (e.g. the dev genesis, to give validators a file).
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "arbos/predeploys.hpp"
#include "core/hex.hpp"
#include "node/backed_supply.hpp"
#include "node/commands.hpp"
#include "node/config.hpp"
#include "node/run_node.hpp"

namespace fuse::node {
namespace {

struct GenesisOptions {
    bool dev = false;
    uint64_t dev_chain_id = kDevChainId;
    std::string genesis_file;
    std::string write_file;
    std::string l2_gateway_admin;
    bool allow_unbacked_alloc = false;
};

arbos::Genesis load(const GenesisOptions& o) {
    if (!o.dev) return read_genesis_file(o.genesis_file);
    arbos::Genesis g = arbos::dev_genesis(o.dev_chain_id);
    if (!o.l2_gateway_admin.empty()) {
        auto admin = address_from_hex(o.l2_gateway_admin);
        if (!admin)
            throw CLI::ValidationError("--l2-gateway-admin",
                                       "not a 0x-prefixed address: " + o.l2_gateway_admin);
        g.l2_gateway_admin = *admin;
    }
    return g;
}

void run_genesis(const GenesisOptions& o) {
    if (o.dev == !o.genesis_file.empty())
        throw CLI::ValidationError("give exactly one of --dev and --genesis");
    if (!o.dev && !o.l2_gateway_admin.empty())
        throw CLI::ValidationError(
            "--l2-gateway-admin goes with --dev; a genesis file names it as l2GatewayAdmin");
    const arbos::Genesis genesis = load(o);
    // The dev genesis is unbacked on purpose (devnet only); a genesis file is for a real chain
    // unless the caller says otherwise.
    if (!o.dev && !o.allow_unbacked_alloc) {
        if (auto problem = unbacked_alloc_problem(genesis, o.genesis_file); !problem.empty())
            throw std::runtime_error(problem);
    }
    if (!o.write_file.empty()) {
        std::ofstream out(o.write_file, std::ios::trunc);
        out << arbos::to_json(genesis) << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write " + o.write_file);
    }
    arbos::MemoryWorld world;
    const arbos::Block block = arbos::make_genesis_block(world, genesis);
    nlohmann::json j;
    j["chainId"] = genesis.chain_id;
    j["arbosVersion"] = genesis.arbos_version;
    j["hash"] = to_hex(block.hash);
    j["stateRoot"] = to_hex(block.header.state_root);
    j["timestamp"] = genesis.timestamp;
    j["accounts"] = genesis.alloc.size();
    nlohmann::json predeploys = nlohmann::json::object();
    for (const std::string& name : genesis.predeploys)
        predeploys[name] = to_hex(arbos::find_predeploy(name)->address.view());
    if (genesis.l2_gateway_admin) predeploys["l2Gateway"] = to_hex(arbos::kL2GatewayAddress.view());
    j["predeploys"] = std::move(predeploys);
    fmt::print("{}\n", j.dump(2));
}

}  // namespace

void add_genesis_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "genesis",
        "Print an L2 genesis's block-0 hash, state root and chain id (the hash `fusel2 deploy "
        "--genesis-hash` takes); --write saves the genesis JSON");
    auto o = std::make_shared<GenesisOptions>();
    cmd->add_flag("--dev", o->dev,
                  "The dev genesis (the ten funded accounts of `fusel2 node --dev`)");
    cmd->add_option("--dev-chain-id", o->dev_chain_id, "Chain id of the dev genesis")
        ->capture_default_str();
    cmd->add_option("--genesis", o->genesis_file, "A genesis JSON file (docs/arbos.md)");
    cmd->add_flag("--allow-unbacked-alloc", o->allow_unbacked_alloc,
                  "Accept a genesis file whose alloc has balances no Bridge escrow backs (dev and "
                  "test chains only; docs/bridge.md \"Backed supply\")");
    cmd->add_option("--write", o->write_file, "Also write the genesis JSON to this file");
    cmd->add_option("--l2-gateway-admin", o->l2_gateway_admin,
                    "With --dev: place the L2 ERC-20 gateway at 0x...4B01 with this admin "
                    "(docs/bridge.md)");
    cmd->callback([o] { run_genesis(*o); });
}

}  // namespace fuse::node
