#pragma once
/// The execution-time overlay over a committed state: caches what execution reads, records what
/// it writes, and keeps a journal so nested calls can be reverted (Yellow Paper §8: a failed
/// call leaves the state as before it). Also holds the per-transaction sets: EIP-2929 warm
/// accounts and slots, EIP-1153 transient storage, EIP-161 touched accounts, EIP-6780 accounts
/// created in the transaction, and the original (tx start) storage values SSTORE is priced from.
/// At the end of a block, `diff()` gives the StateDiff to apply to the committed state.
///
/// A read of the committed state that fails (docs/storage.md "Errors") is recorded as the
/// state's `fault()` and reads as absent/zero: like geth's `StateDB.Error()`, the fault is
/// sticky and the caller checks it after execution; whatever ran on such a state is discarded
/// (the transaction, the call or the whole block fails with the fault). Once faulted, no
/// further read goes to the storage below.

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"
#include "state/account.hpp"
#include "state/state.hpp"
#include "state/storage_fault.hpp"

namespace fuse::state {

/// One log record (Yellow Paper §4.3.1: address, topics, data).
struct Log {
    Address address;
    std::vector<Hash32> topics;
    Bytes data;
};

/// keccak256(rlp([[address, [topics...], data], ...])): the "logs hash" state tests compare.
Hash32 logs_hash(const std::vector<Log>& logs);

class ExecState {
public:
    explicit ExecState(const StateReader& base) : base_(base) {}
    ExecState(const ExecState&) = delete;
    ExecState& operator=(const ExecState&) = delete;

    // ---- storage faults
    /// Whether a read of the committed state failed (then nothing computed on it is valid).
    bool faulted() const noexcept { return fault_.has_value(); }
    /// The first read failure, if any.
    const std::optional<StorageFault>& fault() const noexcept { return fault_; }
    /// Records `f` unless a fault is already recorded (the first one says what went wrong);
    /// for reads made around the state (BLOCKHASH, a chain layer's own reads).
    void record_fault(StorageFault f) noexcept;

    // ---- accounts
    bool exists(const Address& addr);
    /// Exists and is not EIP-161 empty.
    bool exists_non_empty(const Address& addr);
    uint256 balance(const Address& addr);
    uint64_t nonce(const Address& addr);
    const Hash32& code_hash(const Address& addr);
    ByteView code(const Address& addr);
    /// Non-zero storage in the committed state or the overlay (EIP-7610).
    bool has_storage(const Address& addr);
    /// Whether the account was created in the current transaction (EIP-6780).
    bool created_in_tx(const Address& addr);

    /// Adds to the balance, creating the account if needed; touches it (EIP-161).
    void add_balance(const Address& addr, const uint256& amount);
    /// Subtracts from the balance (the caller checked it is enough); touches it.
    void sub_balance(const Address& addr, const uint256& amount);
    void set_balance(const Address& addr, const uint256& amount);
    void set_nonce(const Address& addr, uint64_t nonce);
    void set_code(const Address& addr, Bytes code);
    /// Marks the account as created in this transaction (exists, keeps its balance).
    void create_contract(const Address& addr);
    /// EIP-161: touching an empty account makes it deleted at the end of the transaction.
    void touch(const Address& addr);
    /// Marks for deletion at the end of the transaction; returns false if already marked.
    bool destruct(const Address& addr);

    // ---- storage
    uint256 get_storage(const Address& addr, const uint256& key);
    /// Writes and classifies the write against original and current (EIP-2200/3529).
    evm::StorageStatus set_storage(const Address& addr, const uint256& key, const uint256& value);
    uint256 get_transient(const Address& addr, const uint256& key);
    void set_transient(const Address& addr, const uint256& key, const uint256& value);

    // ---- EIP-2929 access sets
    evm::AccessStatus access_account(const Address& addr);
    evm::AccessStatus access_storage(const Address& addr, const uint256& key);
    /// The warm accounts with their warm slots, sorted (eth_createAccessList, EIP-2930).
    std::vector<AccessListEntry> warm_set() const;

    // ---- logs
    void add_log(Log log);
    const std::vector<Log>& logs() const { return logs_; }

    // ---- journal
    /// A point to revert to.
    size_t snapshot() const { return journal_.size(); }
    /// Undoes every change recorded after `snapshot`.
    void revert(size_t snapshot);

    /// Ends a transaction: deletes SELFDESTRUCTed and touched-empty accounts, clears the warm
    /// sets, transient storage and "created" marks, makes current storage the new original,
    /// drops the journal. Logs are kept until `take_logs`.
    void finalize_tx();
    std::vector<Log> take_logs() { return std::exchange(logs_, {}); }

    /// Everything changed since construction, against the base state.
    StateDiff diff() const;

private:
    struct Slot {
        uint256 current;
        uint256 original;
        bool warm = false;
        bool dirty = false;
    };
    /// The fields of an account that are journalled as one copy.
    struct Header {
        Account acc;
        bool exists = false;
        bool dirty = false;  ///< differs (maybe) from base; included in diff()
        bool code_dirty = false;
        bool storage_cleared = false;  ///< base storage no longer applies
        bool created = false;
        bool destructed = false;
        bool touched = false;
        std::shared_ptr<const Bytes> code;  ///< loaded lazily; null until then
    };
    struct Entry {
        Header h;
        bool warm = false;
        std::unordered_map<uint256, Slot, Uint256Hasher> storage;
        std::unordered_map<uint256, uint256, Uint256Hasher> transient;
    };
    enum class Op : uint8_t { kHeader, kStorage, kTransient, kWarmAccount, kWarmSlot, kLog };
    struct JournalEntry {
        Op op;
        Address addr;
        uint256 key;
        uint256 value;      ///< previous storage/transient value
        bool flag = false;  ///< previous dirty flag (storage)
    };

    Entry& get(const Address& addr);
    Slot& slot(Entry& e, const Address& addr, const uint256& key);
    /// Journals the header of `e` before a modification and marks it dirty.
    Header& modify(const Address& addr, Entry& e);

    /// The value of a base read, or `fallback` with the fault recorded.
    template <typename T, typename U>
    T checked(ReadResult<T>&& r, U&& fallback) noexcept;

    const StateReader& base_;
    std::optional<StorageFault> fault_;
    std::unordered_map<Address, Entry, FixedBytesHasher> accounts_;
    std::vector<JournalEntry> journal_;
    std::vector<Header> header_journal_;  ///< previous headers, one per kHeader entry
    std::vector<Log> logs_;
};

}  // namespace fuse::state
