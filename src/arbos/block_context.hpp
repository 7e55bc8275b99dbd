#pragma once
/// The per-block context the builder, the genesis block and eth_call share: the EVM's block
/// environment, what the precompiles see, and the header fields ArbOS fills (docs/arbos.md).

#include <cstdint>

#include "arbos/arbos.hpp"
#include "arbos/precompiles.hpp"
#include "state/exec_state.hpp"
#include "state/transition.hpp"

namespace fuse::arbos {

/// The header's gasLimit (and GASLIMIT): Nitro's GethBlockGasLimit, 2^50. The real limit,
/// FeeParams::block_gas_limit, bounds compute gas and is enforced by the builder, because the
/// L1 part of a block's gas can exceed any fixed limit.
inline constexpr uint64_t kHeaderGasLimit = uint64_t{1} << 50;

struct BlockContext {
    state::BlockEnv env;
    /// The EVM rules of the ArbOS version in the state (`revision_for(info.arbos_version)`).
    evm::Revision rev = evm::Revision::kCancun;
    BlockInfo info;
    Hash32 parent_hash;
    uint64_t backlog = 0;  ///< gas backlog, updated after every transaction
    /// L1 data backlog in compressed bytes (ArbOS version 3 on), updated after every transaction.
    uint64_t l1_backlog = 0;
    state::BlockHashFn block_hash;

    /// The transition hooks for one transaction with `l1_gas` poster gas.
    state::TxHooks hooks(ArbPrecompiles* precompiles, uint64_t l1_gas) const;
};

/// The system step opening a block (docs/arbos.md): records the message's L1 block number, L1
/// base fee (and the L1 price per byte) and timestamp in ArbOS's state, drains the backlogs for
/// the elapsed time and sets the block's L2 base fee and L1 price. Writes through `exec`.
BlockContext make_block_context(state::ExecState& exec, const Genesis& genesis, const Block& parent,
                                const Message& msg, BlockHashFn hashes);

/// The context of a call simulated on top of `parent` (eth_estimateGas), or with `in_block`
/// inside `parent` itself (eth_call at block N, as geth): no system step, the values stored by
/// the parent's block. `hashes` answers BLOCKHASH (unset: only the preceding block's hash).
/// Fails when ArbOS's state cannot be read from `st`.
state::ReadResult<BlockContext> make_call_context(const state::StateReader& st,
                                                  const Genesis& genesis, const Block& parent,
                                                  bool in_block = false, BlockHashFn hashes = {});

/// Fills the header fields that are not roots/bloom/gas used: parent, number, time, limits,
/// base fee, Nitro's extraData (send root) and mixHash (send count, L1 block, ArbOS version).
void fill_header(BlockHeader& h, const BlockContext& c, const Genesis& genesis, const Block& block);

}  // namespace fuse::arbos
