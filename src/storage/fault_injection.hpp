#pragma once
/// A RocksDB environment whose files fail on demand, for the storage error policy's tests
/// (docs/storage.md "Errors"): reads of table files (SST) and writes of the write-ahead log go
/// to the real file system until told to fail, then return an I/O error as a failing disk
/// would. Pass `env()` as `storage::Options::env`.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.hpp"

namespace rocksdb {
class FileSystem;
}

namespace fuse::storage {

class FaultInjection {
public:
    FaultInjection();
    ~FaultInjection();
    FaultInjection(const FaultInjection&) = delete;
    FaultInjection& operator=(const FaultInjection&) = delete;

    /// The environment for `Options::env`; it must outlive every database opened with it.
    rocksdb::Env* env() const { return env_.get(); }

    /// From now on, reads of the table files named in `files` (file names without directory,
    /// e.g. "000012.sst", as `table_files` lists them) fail; every table file when empty.
    /// (Reads served by RocksDB's block cache or memtable do not reach the files: tests open
    /// the database with `block_cache_mb = 0` and reopen it so that the data is in tables.)
    void fail_reads(std::set<std::string> files = {});
    /// From now on, every append, flush and sync of the write-ahead log fails.
    void fail_writes();
    /// Back to the real file system.
    void heal();

    uint64_t failed_reads() const { return failed_reads_.load(); }
    uint64_t failed_writes() const { return failed_writes_.load(); }

    /// Whether a read of `path` fails now (the wrapped files ask).
    bool read_fails(const std::string& path);
    /// Whether a write of `path` fails now.
    bool write_fails(const std::string& path);

private:
    std::shared_ptr<rocksdb::FileSystem> fs_;
    std::unique_ptr<rocksdb::Env> env_;
    std::mutex mu_;
    bool reads_fail_ = false;
    std::set<std::string> read_files_;  ///< empty: all table files
    std::atomic<bool> writes_fail_{false};
    std::atomic<uint64_t> failed_reads_{0};
    std::atomic<uint64_t> failed_writes_{0};
};

/// The table files (names without directory) of column family `cf` ("trie_nodes",
/// "accounts", ...) of a RocksDB database opened by `Database::open`.
std::vector<std::string> table_files(const Database& db, std::string_view cf);

/// Damages `db` as a lost write would: deletes the trie node `hash` (readers of a state that
/// needs it then meet geth's "missing trie node").
Result<void, std::string> delete_trie_node(Database& db, const Hash32& hash);

}  // namespace fuse::storage
