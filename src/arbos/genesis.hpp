#pragma once
/// The L2 genesis file (DESIGN.md §3): chain id, ArbOS version, fee parameters and alloc.
/// JSON on disk (docs/arbos.md gives the format). Its hash, the hash of the L2 block 0 built
/// from it, is recorded in RollupCore and checked by every node.
/// (Interface agreed up front; owner: "arbos".)

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::arbos {

/// Fee parameters (Arbitrum's L2 pricing "speed limit" model and the L1 data fee).
struct FeeParams {
    uint256 min_base_fee = 10'000'000;            ///< L2 base fee floor, wei (0.01 gwei)
    uint64_t speed_limit_per_second = 7'000'000;  ///< gas/s the chain sustains at the floor
    uint64_t backlog_tolerance_seconds = 10;      ///< backlog before the base fee rises
    uint64_t pricing_inertia = 102;               ///< larger = slower base-fee changes
    uint64_t block_gas_limit = 32'000'000;
    uint64_t max_tx_gas_limit = 32'000'000;
    /// Initial wei per L1 calldata byte of a transaction's brotli-compressed size (16 gas per
    /// byte × the L1 base fee in Arbitrum; updated by each message's L1 base fee).
    uint64_t l1_gas_per_byte = 16;
    /// The L1 base fee ArbOS assumes until the first message brings one (block 0's state), so
    /// that eth_estimateGas on a fresh chain already prices the L1 data fee. Optional in JSON.
    uint256 initial_l1_base_fee;
    /// The L1 data backlog (ArbOS version 3 on, docs/arbos.md "L1 price per byte"): compressed
    /// bytes per second the chain may produce at the base L1 price. Default: a quarter of
    /// Fuse's ~250 KB/s of L1 calldata (20 M gas per 5 s block, 16 gas per byte).
    uint64_t l1_target_bytes_per_second = 64'000;
    /// Backlog (in seconds of the target) tolerated before the L1 price rises.
    uint64_t l1_backlog_tolerance_seconds = 30;
    /// Larger = slower L1 price changes: the price is ×e per l1PricingInertia seconds of
    /// target above the tolerance.
    uint64_t l1_pricing_inertia = 60;
    Address network_fee_account;  ///< receives L2 fees
    Address l1_fee_account;       ///< receives L1 data fees (the batch poster)
    friend bool operator==(const FeeParams&, const FeeParams&) = default;
};

struct GenesisAccount {
    uint256 balance;
    uint64_t nonce = 0;
    Bytes code;
    std::map<uint256, uint256> storage;
    friend bool operator==(const GenesisAccount&, const GenesisAccount&) = default;
};

struct Genesis {
    uint64_t chain_id = 0;
    /// ArbOS version (arbos/revision.hpp): 1 = Cancun rules, 2 = Prague, 3 = Prague + the L1
    /// data backlog pricing. A file without
    /// `arbosVersion` is 1, so existing chains keep their rules; dev_genesis takes the latest.
    uint64_t arbos_version = 1;
    uint64_t timestamp = 0;
    FeeParams fees;
    std::map<Address, GenesisAccount> alloc;
    /// Standard predeploys built at genesis by running their canonical init code
    /// (arbos/predeploys.hpp, docs/genesis.md), by name: "multicall3", "create2Deployer",
    /// "safeSingletonFactory", "entryPointV07". Empty in a file without `predeploys`.
    std::vector<std::string> predeploys;
    /// Places the L2 ERC-20 gateway at 0x…4B01 with this admin in slot 0 (docs/bridge.md).
    std::optional<Address> l2_gateway_admin;
    friend bool operator==(const Genesis&, const Genesis&) = default;
};

/// Parses a genesis JSON document; the error names the offending field.
Result<Genesis, std::string> parse_genesis(std::string_view json);
/// The canonical JSON of `g` (parse_genesis(to_json(g)) == g).
std::string to_json(const Genesis& g);

/// One development account of the standard test mnemonic.
struct DevAccount {
    Address address;
    Hash32 private_key;
};

/// The ten accounts of "test test test test test test test test test test test junk": BIP-39
/// seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic"), BIP-32 path m/44'/60'/0'/0/i.
const std::vector<DevAccount>& dev_accounts();

/// BIP-39 seed + BIP-32 derivation of `path` (e.g. "m/44'/60'/0'/0/3") from any mnemonic;
/// nullopt when the path is malformed or a derived key is invalid (probability ~2^-127).
std::optional<Hash32> derive_private_key(std::string_view mnemonic, std::string_view path);

/// The devnet genesis: the ten accounts of the standard test mnemonic ("test test ... junk",
/// m/44'/60'/0'/0/i, as anvil and Hardhat) funded with 10,000 ETH each, the latest ArbOS
/// version (Prague rules) and every standard predeploy (docs/genesis.md).
/// Fee accounts: L1 fees to Nitro's batch-poster address 0xA4B0…73657175656e636572
/// ("sequencer"), network fees to 0xA4B0…6e6574776f726b ("network"); see docs/arbos.md.
/// initial_l1_base_fee is 1 gwei (the node's default L1 base fee without an L1).
Genesis dev_genesis(uint64_t chain_id);

}  // namespace fuse::arbos
