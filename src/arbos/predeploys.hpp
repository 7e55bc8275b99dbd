#pragma once
/// Genesis predeploys (docs/genesis.md): the standard contracts wallets and tools expect at
/// their canonical addresses — Multicall3, the CREATE2 deployer, the Safe singleton factory, the
/// ERC-4337 EntryPoint v0.7, Permit2 — built when block 0 is made by running each one's canonical
/// init code, and the L2 ERC-20 gateway (docs/bridge.md "The L2 gateway predeploy"). The code comes
/// from npm packages through scripts/predeploys.mjs, which the build runs to generate
/// `predeploy_sources()` (nothing is downloaded at run time).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arbos/genesis.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "state/exec_state.hpp"

namespace fuse::arbos {

/// One predeploy as the generated table gives it (hex strings, `0x`-prefixed addresses).
struct PredeploySource {
    std::string_view name;     ///< "multicall3", "create2Deployer", ...
    std::string_view address;  ///< the canonical address
    bool via_create2 = false;  ///< true: `factory` is called with salt ‖ init code
    std::string_view factory;  ///< CREATE2 factory (via_create2 only)
    std::string_view salt;     ///< CREATE2 salt (via_create2 only)
    std::string_view origin;   ///< the npm package (and file) the init code came from
    std::string_view init_code_hex;
};

/// The generated table (scripts/predeploys.mjs), in deployment order.
std::span<const PredeploySource> predeploy_sources();
/// Runtime code of contracts/out/l2/L2ERC20Gateway.json (generated likewise).
std::string_view l2_gateway_runtime_hex();

/// A predeploy decoded from its source.
struct Predeploy {
    std::string name;
    Address address;
    std::optional<Address> factory;  ///< set: created through this CREATE2 factory
    Hash32 salt;
    std::string origin;
    Bytes init_code;
};

/// Every standard predeploy, in the order genesis runs them (a predeploy that needs another,
/// as the EntryPoint needs the CREATE2 deployer, comes after it).
const std::vector<Predeploy>& standard_predeploys();
/// The standard predeploy called `name`, or null.
const Predeploy* find_predeploy(std::string_view name);
/// The names of every standard predeploy, in order (what new chains get: dev_genesis).
std::vector<std::string> standard_predeploy_names();

/// The L2 ERC-20 gateway predeploy's address (docs/bridge.md), `0x…4B01`.
inline constexpr Address kL2GatewayAddress = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x4B, 0x01}}};
/// L2ERC20Gateway's runtime code.
const Bytes& l2_gateway_runtime();

/// Checks the genesis's predeploy names: known, each once, and what each needs listed too
/// (the EntryPoint needs the CREATE2 deployer). The error names the field.
Result<void, std::string> check_predeploys(const Genesis& genesis);

/// Runs the init code of every predeploy `genesis` lists (after the alloc), then places the L2
/// gateway when `genesis.l2_gateway_admin` is set. Fails, naming the predeploy, when a create
/// fails or lands elsewhere than its canonical address (e.g. the alloc already holds it).
Result<void, std::string> install_predeploys(state::ExecState& state, const Genesis& genesis);

}  // namespace fuse::arbos
