#pragma once
/// Accounts as the world state stores them (Yellow Paper §4.1) and their trie encoding.

#include <cstdint>

#include "core/bytes.hpp"
#include "core/hash.hpp"
#include "core/uint256.hpp"

namespace fuse::state {

/// The account header: everything of σ[a] except the storage (kept beside it) and the code
/// (kept by hash).
struct Account {
    uint64_t nonce = 0;
    uint256 balance;
    Hash32 code_hash = kEmptyCodeHash;

    /// EIP-161 "empty": no nonce, no balance, no code.
    bool is_empty() const { return nonce == 0 && balance.is_zero() && code_hash == kEmptyCodeHash; }
    friend bool operator==(const Account&, const Account&) = default;
};

/// RLP([nonce, balance, storageRoot, codeHash]), the leaf value of the state trie (YP eq. 8).
Bytes encode_account(const Account& account, const Hash32& storage_root);

/// Hash functor for uint256 storage keys (a mix of the limbs; keys are often small integers).
struct Uint256Hasher {
    size_t operator()(const uint256& v) const noexcept {
        uint64_t h = v.w[0] * 0x9E3779B97F4A7C15ull;
        h ^= (v.w[1] + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
        h ^= (v.w[2] ^ (h >> 29)) * 0x165667B19E3779F9ull;
        h ^= (v.w[3] ^ (h >> 32)) * 0x9E3779B97F4A7C15ull;
        return static_cast<size_t>(h ^ (h >> 31));
    }
};

}  // namespace fuse::state
