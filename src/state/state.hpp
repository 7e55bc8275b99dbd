#pragma once
/// The world state behind an interface (STYLE.md: RocksDB is one implementation, an in-memory
/// map another), and the state diff execution produces and storage applies (two-stage commit).

#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "state/account.hpp"
#include "state/storage_fault.hpp"

namespace fuse::state {

/// Read access to a committed state (the start of a block). Reads never throw: when the storage
/// below cannot answer (an I/O error, a missing or corrupt trie node) they return the fault
/// (docs/storage.md "Errors"), which the caller must handle.
class StateReader {
public:
    virtual ~StateReader() = default;
    /// The account, or nullopt when it does not exist.
    virtual ReadResult<std::optional<Account>> read_account(const Address& addr) const noexcept = 0;
    /// A storage value; zero when absent.
    virtual ReadResult<uint256> read_storage(const Address& addr,
                                             const uint256& key) const noexcept = 0;
    /// Whether the account has any non-zero storage slot (EIP-7610 collision check).
    virtual ReadResult<bool> has_storage(const Address& addr) const noexcept = 0;
    /// The code with this hash; empty when unknown.
    virtual ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept = 0;
};

/// One storage write of a diff.
struct StorageChange {
    uint256 key;
    uint256 value;  ///< zero deletes the slot
};

/// What happened to one account during execution.
struct AccountUpdate {
    Address address;
    std::optional<Account> account;  ///< nullopt: the account was deleted
    bool storage_cleared = false;    ///< drop all previous storage before applying `storage`
    std::vector<StorageChange> storage;
    std::optional<Bytes> code;  ///< new code (its hash is account->code_hash)
};

/// The output of execution, applied to a State afterwards (STYLE.md §3).
struct StateDiff {
    std::vector<AccountUpdate> accounts;
};

/// An in-memory state: the reference implementation and the one tests use.
class InMemoryState final : public StateReader {
public:
    ReadResult<std::optional<Account>> read_account(const Address& addr) const noexcept override;
    ReadResult<uint256> read_storage(const Address& addr,
                                     const uint256& key) const noexcept override;
    ReadResult<bool> has_storage(const Address& addr) const noexcept override;
    ReadResult<Bytes> read_code(const Hash32& code_hash) const noexcept override;

    /// The same reads for code that holds an InMemoryState (tests, fixtures): they cannot fail.
    std::optional<Account> account(const Address& addr) const;
    uint256 storage(const Address& addr, const uint256& key) const;

    /// Sets an account directly (genesis / fixture pre-state); code may be empty.
    void put_account(const Address& addr, const Account& account, ByteView code = {});
    void put_storage(const Address& addr, const uint256& key, const uint256& value);

    /// Applies the diff of a block or transaction.
    void apply(const StateDiff& diff);

    /// State root: the secure trie of accounts, each with its storage root (YP §4.1).
    Hash32 state_root() const;
    /// Storage root of one account (kEmptyTrieRoot if none).
    Hash32 storage_root(const Address& addr) const;

    size_t account_count() const { return accounts_.size(); }

private:
    struct Entry {
        Account account;
        std::unordered_map<uint256, uint256, Uint256Hasher> storage;
    };
    std::unordered_map<Address, Entry, FixedBytesHasher> accounts_;
    std::unordered_map<Hash32, Bytes, FixedBytesHasher> code_;
};

}  // namespace fuse::state
