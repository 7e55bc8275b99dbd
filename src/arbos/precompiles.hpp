#pragma once
/// ArbOS's precompiles with Arbitrum's addresses, selectors and ABI (docs/arbos.md):
/// ArbSys at 0x64 and ArbGasInfo at 0x6c, served to the EVM through state::PrecompileHook.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "arbos/genesis.hpp"
#include "arbos/system_state.hpp"
#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "state/host.hpp"

namespace fuse::arbos {

/// The addresses the hook serves (warm from the start of every transaction, as in Nitro).
inline constexpr std::array<Address, 2> kPrecompileAddresses = {kArbSysAddress, kArbGasInfoAddress};

/// What the precompiles know of the block being built (filled by the builder's system step).
struct BlockInfo {
    uint64_t number = 0;
    uint64_t timestamp = 0;
    uint64_t chain_id = 0;
    uint64_t arbos_version = 0;
    uint64_t l1_block_number = 0;
    uint256 l1_base_fee;
    uint256 l1_price_per_byte;
    uint256 base_fee;
    const FeeParams* fees = nullptr;
    /// Hash of an earlier L2 block (the caller checks the 256-block window).
    state::BlockHashFn block_hash;
    /// The live gas backlog (after the transactions before the current one).
    uint64_t gas_backlog = 0;
};

/// Gas charged by the precompiles (Nitro's costs: a storage read 800, a storage write 20000,
/// 3 per word of input and output, logs as LOG opcodes).
inline constexpr int64_t kPrecompileReadGas = 800;
inline constexpr int64_t kPrecompileWriteGas = 20'000;

class ArbPrecompiles final : public state::PrecompileHook {
public:
    explicit ArbPrecompiles(BlockInfo& info) : info_(info) {}

    /// The L1 fee charged to the current transaction, in wei (getCurrentTxL1GasFees).
    void set_tx_l1_fee(const uint256& fee) { tx_l1_fee_ = fee; }

    bool contains(const Address& addr) const noexcept override {
        return addr == kArbSysAddress || addr == kArbGasInfoAddress;
    }
    /// Dispatches by the 4-byte selector through each precompile's method table
    /// (precompiles.cpp); an unknown selector, a short input or value sent to a non-payable
    /// method reverts, as in Nitro.
    evm::ExecResult run(state::ExecState& state, const evm::Message& msg) noexcept override;

private:
    BlockInfo& info_;
    uint256 tx_l1_fee_;
};

/// The 4-byte selector of a Solidity function signature, e.g. "arbBlockNumber()".
uint32_t selector(std::string_view signature);

/// A method of ArbSys or ArbGasInfo: its Solidity signature and whether it takes value.
struct PrecompileMethod {
    std::string_view signature;
    bool payable = false;
};
/// The method `sel` of the precompile at `addr`, nullopt when it has none (an eth_call to it
/// would revert): node_interface.cpp says so in words instead of an empty revert.
std::optional<PrecompileMethod> precompile_method(const Address& addr, uint32_t sel);

}  // namespace fuse::arbos
