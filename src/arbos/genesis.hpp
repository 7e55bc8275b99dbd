#pragma once
/// The L2 genesis file (DESIGN.md §3): chain id, ArbOS version, fee parameters and alloc.
/// JSON on disk (docs/arbos.md gives the format). Its hash, the hash of the L2 block 0 built
/// from it, is recorded in RollupCore and checked by every node.
/// (Interface agreed up front; owner: "arbos".)

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::arbos {

/// Fee parameters (Arbitrum's L2 pricing "speed limit" model and the L1 data fee).
struct FeeParams {
    uint256 min_base_fee = 10'000'000;          ///< L2 base fee floor, wei (0.01 gwei)
    uint64_t speed_limit_per_second = 7'000'000;  ///< gas/s the chain sustains at the floor
    uint64_t backlog_tolerance_seconds = 10;      ///< backlog before the base fee rises
    uint64_t pricing_inertia = 102;               ///< larger = slower base-fee changes
    uint64_t block_gas_limit = 32'000'000;
    uint64_t max_tx_gas_limit = 32'000'000;
    /// Initial wei per L1 calldata byte of a transaction's brotli-compressed size (16 gas per
    /// byte × the L1 base fee in Arbitrum; updated by each message's L1 base fee).
    uint64_t l1_gas_per_byte = 16;
    Address network_fee_account;  ///< receives L2 fees
    Address l1_fee_account;       ///< receives L1 data fees (the batch poster)
};

struct GenesisAccount {
    uint256 balance;
    uint64_t nonce = 0;
    Bytes code;
    std::map<uint256, uint256> storage;
};

struct Genesis {
    uint64_t chain_id = 0;
    uint64_t arbos_version = 1;
    uint64_t timestamp = 0;
    FeeParams fees;
    std::map<Address, GenesisAccount> alloc;
};

/// Parses a genesis JSON document; the error names the offending field.
Result<Genesis, std::string> parse_genesis(std::string_view json);
/// The canonical JSON of `g` (parse_genesis(to_json(g)) == g).
std::string to_json(const Genesis& g);

/// The devnet genesis: the ten accounts of the standard test mnemonic ("test test ... junk",
/// m/44'/60'/0'/0/i, as anvil and Hardhat) funded with 10,000 ETH each.
Genesis dev_genesis(uint64_t chain_id);

}  // namespace fuse::arbos
