#pragma once
/// An incremental Merkle-Patricia trie (Yellow Paper, Appendix D) in geth's shape: branch,
/// extension and leaf nodes, nodes whose RLP is shorter than 32 bytes embedded in their parent,
/// each node's reference (hash or embedded RLP) cached and recomputed only when a change below
/// made it dirty. Nodes live in a `NodeStore` (RLP by keccak256 hash) and are loaded lazily, so
/// a trie over millions of keys is opened in O(1) and an update costs O(depth) node loads and
/// hashes. Used by the storage layer for the account trie and one storage trie per account.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/result.hpp"
#include "state/storage_fault.hpp"

namespace fuse::state {

/// Where trie nodes are read from: the RLP of the node whose keccak256 is `hash`, nullopt when
/// the store does not have it, or the store's read failure (never thrown).
class NodeStore {
public:
    virtual ~NodeStore() = default;
    virtual ReadResult<std::optional<Bytes>> get_node(const Hash32& hash) const noexcept = 0;
};

enum class MptError {
    kMissingNode,    ///< a node referenced by hash is not in the store (database incomplete)
    kMalformedNode,  ///< a stored node is not a valid trie node
    kReadFailed,     ///< the store could not read a node (an I/O error below)
};

/// Human-readable reason for a trie error.
const char* to_string(MptError e);

/// A new node produced by `root_hash`, to persist: keccak256(rlp) -> rlp.
using TrieNode = std::pair<Hash32, Bytes>;

class Mpt {
public:
    /// A trie with root `root` whose nodes are in `store` (may be null for a trie built from
    /// empty that never reloads anything).
    explicit Mpt(const NodeStore* store = nullptr, const Hash32& root = kEmptyTrieRoot);
    ~Mpt();
    Mpt(Mpt&&) noexcept;
    Mpt& operator=(Mpt&&) noexcept;

    /// The value at `key`, nullopt when absent.
    Result<std::optional<Bytes>, MptError> get(ByteView key);
    /// Sets `key` to `value`; an empty value erases the key (absent = empty, YP App. D).
    Result<void, MptError> put(ByteView key, ByteView value);
    Result<void, MptError> erase(ByteView key);

    /// keccak256 of the root node's RLP (kEmptyTrieRoot when empty). Hashes only dirty nodes;
    /// the nodes it hashes (those referenced by hash, and the root) are queued for
    /// `take_new_nodes`.
    Hash32 root_hash();

    /// Moves out the nodes created by `root_hash` calls since the last take.
    void take_new_nodes(std::vector<TrieNode>& out);

    /// Frees memory: clean nodes more than `keep_depth` levels below the root become hash
    /// references again (reloaded from the store on the next access). Only call it once the
    /// nodes taken by `take_new_nodes` are readable through the store.
    void unload(size_t keep_depth);

    /// keccak256 computations done (a cost metric for tests and benches).
    size_t hash_count() const { return hash_count_; }

    /// The full account of the last error a call returned: the node, its path from the root,
    /// the store's text (docs/storage.md "Errors"). `owner` names a storage trie's account
    /// (keccak256 of the address; zero for the account trie).
    StorageFault fault(MptError e, const Hash32& owner = {}) const;

    struct Node;

private:
    using NodePtr = std::unique_ptr<Node>;

    /// Loads a hash reference; `rest` is the part of the key below `slot` (for the path of an
    /// error: the nibbles of `key_nibbles_` before it).
    Result<void, MptError> resolve(NodePtr& slot, ByteView rest);
    Result<bool, MptError> insert(NodePtr& slot, ByteView key, ByteView value);
    Result<bool, MptError> remove(NodePtr& slot, ByteView key);
    Result<void, MptError> collapse_branch(NodePtr& slot, ByteView key);
    void hash_node(Node& n);
    void encode_node(const Node& n, Bytes& out);
    void unload_below(Node& n, size_t depth, size_t keep_depth);
    ByteView to_nibbles(ByteView key);

    const NodeStore* store_ = nullptr;
    NodePtr root_;
    std::vector<TrieNode> new_nodes_;
    Bytes key_nibbles_;
    Bytes payload_;  ///< scratch: node payload being encoded
    Bytes rlp_;      ///< scratch: node RLP
    size_t hash_count_ = 0;
    // The last error's node, path and store text (set only when a call fails).
    Hash32 fault_node_;
    Bytes fault_path_;
    std::string fault_detail_;
};

/// Decodes a node's hex-prefix path (YP App. C): nibbles and whether it is a leaf.
bool decode_hex_prefix(ByteView in, Bytes& nibbles, bool& is_leaf);

}  // namespace fuse::state
