#pragma once
/// NodeInterface at 0xC8 (Arbitrum's virtual contract, nitro-contracts
/// src/node-interface/NodeInterface.sol): answers eth_call and eth_estimateGas sent to it with
/// what the node knows (gas estimates with their L1 part, batches, L1 block numbers, outbox
/// proofs). No code runs there: inside real transactions 0xC8 is an empty account, and a
/// contract calling it during eth_call sees that empty account too (as Nitro, which intercepts
/// only the RPC message). Arbitrum's selectors and return ABI; docs/arbos.md "NodeInterface".
///
/// ArbOS knows nothing of the database or of L1: what needs them comes through
/// `NodeInterfaceBackend`, which the RPC layer implements.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::arbos {

/// Arbitrum's NodeInterface address.
inline constexpr Address kNodeInterfaceAddress = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc8}}};

/// A complete node of the send Merkle accumulator: at `level` 0 the send hash (the item
/// ArbSys.sendTxToL1 appended, before the accumulator hashes it into a leaf), above that the
/// hash of the complete subtree of 2^level leaves ending at leaf `last_leaf` (what ArbSys's
/// SendMerkleUpdate event recorded). An error says why it cannot be found.
using SendNodeFn = std::function<Result<Hash32, std::string>(uint64_t level, uint64_t last_leaf)>;

/// What the node knows beyond the state (implemented by the RPC layer over its database and
/// its record of batches). Every method may be called from any RPC thread.
class NodeInterfaceBackend {
public:
    virtual ~NodeInterfaceBackend() = default;
    /// The latest block number.
    virtual uint64_t head() const = 0;
    /// The L1 block number L2 block `number`'s message carried; nullopt when there is no such
    /// block.
    virtual std::optional<uint64_t> l1_block_number(uint64_t number) const = 0;
    /// The number of the canonical block with hash `hash`; nullopt when unknown; an error
    /// when the hash is known but not canonical.
    virtual Result<std::optional<uint64_t>, std::string> block_number(const Hash32& hash) const = 0;
    /// The batch (sequence number) holding block `number` (1 ≤ number ≤ head), or why the
    /// node cannot say (not posted yet, not read from L1 yet).
    virtual Result<uint64_t, std::string> batch_containing(uint64_t number) const = 0;
    /// L1 confirmations of the batch holding block `number` (0 while not in a batch read from
    /// L1), or why the node cannot say.
    virtual Result<uint64_t, std::string> l1_confirmations(uint64_t number) const = 0;
    /// The send accumulator's complete nodes (SendNodeFn), from the chain's ArbSys events.
    virtual Result<Hash32, std::string> send_node(uint64_t level, uint64_t last_leaf) const = 0;
    /// The L1 base fee eth_estimateGas prices the L1 data fee at, given the state it runs on;
    /// the storage fault when `state` cannot be read.
    virtual state::ReadResult<uint256> estimate_l1_base_fee(
        const state::StateReader& state) const = 0;
};

/// An outbox proof (NodeInterface.constructOutboxProof): the leaf's send hash, the root of
/// the accumulator at `size` leaves, and the sibling hashes from the leaf up, such that the
/// L1 Outbox's MerkleLib.calculateRoot(proof, leaf, keccak256(send)) is `root` (bit i of
/// `leaf` set: node = keccak(proof[i] ‖ node), else keccak(node ‖ proof[i])).
struct OutboxProof {
    Hash32 send;
    Hash32 root;
    std::vector<Hash32> proof;  ///< ceil(log2(size)) hashes
};

/// Builds the proof of `leaf` in the accumulator of `size` leaves (0 ≤ leaf < size) from
/// O(log size) complete nodes read through `node`: a sibling subtree fully below `size` is one
/// recorded node, one beyond `size` is the zero hash, and the one across the boundary is
/// hashed from its two halves (zero-padded as ArbOS's send root is).
Result<OutboxProof, std::string> construct_outbox_proof(uint64_t size, uint64_t leaf,
                                                        const SendNodeFn& node);

/// MerkleLib.calculateRoot as the L1 Outbox computes it (for checks and tests).
Hash32 outbox_root(const std::vector<Hash32>& proof, uint64_t leaf, const Hash32& send);

/// Calls that must not answer silently: when `req` is a call to an ArbOS system address, the
/// answer NodeInterface gives at 0xC8, or a revert saying why (an unknown selector at ArbSys or
/// ArbGasInfo, value sent to a non-payable method, an Arbitrum precompile Fuse L2 does not
/// have); nullopt for any other call, which then runs as usual. Used by `simulate_call` for
/// the top-level call only (inside transactions these addresses behave as in blocks).
std::optional<Result<CallResult, TxRejection>> intercept_system_call(const state::StateReader& st,
                                                                     const Genesis& genesis,
                                                                     const Block& parent,
                                                                     const CallRequest& req,
                                                                     bool charge_l1);

/// The revert data of Error(`message`) (what Solidity's `revert(message)` returns).
Bytes error_revert_data(std::string_view message);

}  // namespace fuse::arbos
