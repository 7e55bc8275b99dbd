#pragma once
/// Presets for the L1s Fuse L2 runs on (docs/l1-client.md, "Presets"): Fuse mainnet (chain id
/// 122) and the Spark testnet (123). Both have 5 s blocks and London rules (EIP-1559 base fee),
/// and no EIP-4844 blobs (DESIGN.md §1).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "l1/rpc_client.hpp"

namespace fuse::l1 {

/// How the L1 prices transactions. EIP-1559 since London; legacy gas price before it.
enum class FeeMode { kEip1559, kLegacy };

/// "eip1559" / "legacy".
const char* to_string(FeeMode mode);

/// L1 confirmations before a batch is derived or a state root counts as final on Fuse: 20 blocks
/// = 100 s at 5 s per block, above the 19-block reorg period that cross-chain bridges use for
/// Fuse (docs/inbox.md, "Confirmations").
inline constexpr uint64_t kFuseConfirmations = 20;

struct L1Preset {
    std::string_view name;     ///< "fuse", "spark"
    std::string_view display;  ///< "Fuse mainnet"
    uint64_t chain_id = 0;
    std::string_view rpc_url;  ///< the public JSON-RPC endpoint (https)
    uint64_t confirmations = kFuseConfirmations;
    FeeMode fee_mode = FeeMode::kEip1559;
    uint64_t block_time_seconds = 5;
    std::string_view explorer_url;

    /// An RpcClientConfig for the public endpoint (or `url_override` when not empty).
    RpcClientConfig client_config(std::string_view url_override = {}) const;
};

/// Fuse mainnet: chain id 122, https://rpc.fuse.io.
extern const L1Preset kFuseMainnet;
/// Fuse Spark testnet: chain id 123, https://rpc.fusespark.io.
extern const L1Preset kSparkTestnet;

/// Every preset.
std::span<const L1Preset* const> presets();
/// By name ("fuse"/"mainnet", "spark"/"testnet"), case-sensitive; nullptr when unknown.
const L1Preset* find_preset(std::string_view name);
/// By chain id; nullptr when none.
const L1Preset* preset_for_chain(uint64_t chain_id);

/// Asks the node for eth_chainId and throws L1Error(kConfig) naming both ids when it is not the
/// preset's chain (a URL pointing at the wrong network must stop the node at start).
void check_chain(RpcClient& rpc, const L1Preset& preset);

}  // namespace fuse::l1
