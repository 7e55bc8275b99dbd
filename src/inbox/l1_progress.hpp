#pragma once
/// What L1 says about the sequencer's chain, for its `safe` and `finalized` block tags
/// (docs/batch-poster.md, "Safe and finalized on the sequencer"): at the L1 block `confirmations`
/// below the head, the inbox's totalMessageCount (L2 blocks 1..count are in batches on L1 →
/// `safe`) and RollupCore's latest posted root (→ `finalized`, only if its block hash is the one
/// this node has: a root for another chain is reported, never adopted).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "l1/rpc_client.hpp"
#include "storage/database.hpp"

namespace fuse::inbox {

struct L1Progress {
    uint64_t l1_block = 0;       ///< the L1 block read at (head − confirmations)
    uint64_t posted_blocks = 0;  ///< inbox totalMessageCount = highest L2 block in a batch
    /// RollupCore's latest posted root: L2 block number and hash; nullopt before the first.
    std::optional<uint64_t> root_block;
    Hash32 root_block_hash;
};

/// Reads both counters at one L1 block. Throws l1::L1Error when L1 fails.
L1Progress read_l1_progress(l1::RpcClient& rpc, const Address& inbox, const Address& rollup,
                            uint64_t confirmations);

/// Moves `db`'s safe and finalized heads to what `p` proves, never past the latest block.
/// Returns an error text (and moves nothing for finalized) when the posted root's block hash
/// is not this node's block hash at that number. With `move_safe` false (a follow-mode
/// validator, whose own derivation sets `safe`) only `finalized` moves, never past `safe`.
std::optional<std::string> apply_l1_progress(storage::Database& db, const L1Progress& p,
                                             bool move_safe = true);

}  // namespace fuse::inbox
