#pragma once
/// A read of the state that the storage below could not answer (docs/storage.md "Errors").
/// State readers return it as a value and never throw (STYLE.md §10, as evmone's and silkworm's
/// readers): execution records the first one in its ExecState and the call, the transaction or
/// the block it happened in fails with it, as geth checks `StateDB.Error()` after execution.

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::state {

/// What kind of failure.
enum class FaultKind : uint8_t {
    kReadFailed,   ///< the database could not read (RocksDB's status: I/O error, checksum)
    kMissingNode,  ///< a trie node referenced by hash is not in the database
    kCorrupt,      ///< a stored trie node or record does not decode
};

/// A storage read failure, with what geth reports of it where geth has a text.
struct StorageFault {
    FaultKind kind = FaultKind::kReadFailed;
    Hash32 node;         ///< kMissingNode / kCorrupt in a trie: the node's hash
    Hash32 owner;        ///< the storage trie's keccak256(address); zero for the account trie
    Bytes path;          ///< nibbles from the trie's root to the node
    std::string detail;  ///< RocksDB's status text, or what did not decode
};

/// The text clients and logs see: geth's "missing trie node <hash> (path <nibbles>)" (with
/// "(owner <hash>)" in a storage trie), "database read failed: <RocksDB status>",
/// "corrupt state: <what>".
std::string to_string(const StorageFault& fault);

/// A state read's value, or why the storage could not give it.
template <typename T>
using ReadResult = Result<T, StorageFault>;

/// A read failure of the database (RocksDB's status text in `detail`).
inline StorageFault read_failed(std::string detail) {
    return StorageFault{FaultKind::kReadFailed, {}, {}, {}, std::move(detail)};
}

/// Stored bytes that do not decode as what they should be.
inline StorageFault corrupt(std::string detail) {
    return StorageFault{FaultKind::kCorrupt, {}, {}, {}, std::move(detail)};
}

}  // namespace fuse::state
