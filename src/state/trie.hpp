#pragma once
/// Merkle-Patricia trie roots (Yellow Paper, Appendix D) computed by streaming sorted
/// (key, value) pairs through a HashBuilder, as silkworm and reth do: only the open path from the
/// root to the last key is held in memory, never the whole trie. The builder does not care where
/// the pairs come from (a sorted vector, a map, a database cursor), which lets the storage layer
/// reuse it for incremental roots over RocksDB.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.hpp"

namespace fuse::state {

/// Streaming root computation. Call `add` with keys in strictly increasing byte order, then
/// `root()`. Keys may be prefixes of one another (the value then sits in a branch node).
/// After `root()` the builder is reset and can be reused; its buffers keep their capacity, so a
/// warm builder does not allocate.
class HashBuilder {
public:
    HashBuilder();

    /// Adds one pair. `key` must be greater than the previous key; `value` must not be empty
    /// (an empty value means "absent" in the trie and is simply not added).
    void add(ByteView key, ByteView value);

    /// Root hash of every pair added since the last `root()`: keccak256 of the root node's RLP
    /// (kEmptyTrieRoot when nothing was added). Resets the builder.
    Hash32 root();

    /// Number of pairs added since the last reset.
    size_t size() const { return count_; }
    /// keccak256 computations done since construction (a cost metric).
    size_t hash_count() const { return hash_count_; }

private:
    /// A child reference as it is spliced into its parent: the node's RLP when shorter than 32
    /// bytes, else 0xa0 ‖ keccak256(rlp); empty (len 0) when absent.
    struct Ref {
        uint8_t len = 0;
        std::array<uint8_t, 33> data{};
    };
    /// A branch node still open, whose children at nibble position `depth` are being collected.
    struct Frame {
        size_t depth = 0;
        std::array<Ref, 16> children{};
        bool has_value = false;
        Bytes value;
    };

    void hang_pending(Frame& f);
    void collapse_to(size_t depth);
    void push_frame(size_t depth);
    Ref branch_ref(const Frame& f);
    Ref make_ref(ByteView rlp);
    /// RLP of a leaf (is_leaf) or extension node with path prev_[from, to) (nibbles).
    void encode_short_node(size_t from, size_t to, bool is_leaf, ByteView payload_item);
    void encode_branch(const Frame& f);
    uint8_t nibble(size_t i) const;
    size_t key_nibbles() const { return prev_.size() * 2; }

    std::vector<Frame> stack_;
    size_t stack_size_ = 0;  ///< frames in use; stack_ keeps spare frames to avoid allocation
    Bytes prev_;             ///< the pending key (not yet hung into a branch)
    Bytes prev_value_;
    bool has_prev_ = false;
    size_t count_ = 0;
    size_t hash_count_ = 0;
    Bytes scratch_;   ///< node RLP being built
    Bytes scratch2_;  ///< encoded value item
};

/// Root of a trie whose pairs are already sorted by key (strictly increasing).
Hash32 trie_root_sorted(std::span<const std::pair<Bytes, Bytes>> pairs);

/// Root of a trie of arbitrary-order pairs (sorts a copy of the keys' order).
Hash32 trie_root(std::span<const std::pair<Bytes, Bytes>> pairs);

/// Root of an ordered trie: key = rlp(index), value = items[index]; the transactions and
/// receipts roots of a block header (Yellow Paper §4.3, eq. 31).
Hash32 ordered_trie_root(std::span<const Bytes> items);

/// Byte-wise lexicographic order (shorter first on a common prefix): the trie's key order.
/// (Spelled out because GCC 12 warns falsely on std::vector<uint8_t>'s operator<.)
bool bytes_less(ByteView a, ByteView b);

/// The RLP encoding of an unsigned integer used as ordered-trie key (rlp(0) = 0x80).
Bytes rlp_index_key(uint64_t index);

}  // namespace fuse::state
