#pragma once
/// Merkle proofs over a Merkle-Patricia trie (Yellow Paper, Appendix D) in the shape EIP-1186
/// (eth_getProof) gives them: the RLP of every node on the path from the root to the key,
/// root first; nodes shorter than 32 bytes are embedded in their parent and not listed. A proof
/// of absence ends at the node where the path leaves the trie.

#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/result.hpp"
#include "state/mpt.hpp"

namespace fuse::state {

struct MptProof {
    std::vector<Bytes> nodes;    ///< RLP of the hash-referenced nodes on the path, root first
    std::optional<Bytes> value;  ///< the value at the key; nullopt when the key is absent
};

/// The proof of `key` (the trie's key, e.g. keccak256(address)) in the trie with root `root`.
/// An empty trie has an empty proof.
Result<MptProof, MptError> mpt_prove(const NodeStore& store, const Hash32& root, ByteView key);

/// Checks `proof` for `key` against `root` (each node is the one its parent references by
/// keccak256, the first is the root) and returns the value it proves, nullopt for a proven
/// absence; kMissingNode when the proof stops short, kMalformedNode when a node is not what
/// its parent references or not a trie node.
Result<std::optional<Bytes>, MptError> mpt_verify(const Hash32& root, ByteView key,
                                                  const std::vector<Bytes>& proof);

}  // namespace fuse::state
