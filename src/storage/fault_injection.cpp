// A fault-injecting RocksDB file system for the storage error policy's tests
// (fault_injection.hpp).

#include "storage/fault_injection.hpp"

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/metadata.h>

#include "storage/rocks_database.hpp"

namespace fuse::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

std::string base_name(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

class FaultyReadFile final : public rocksdb::FSRandomAccessFileOwnerWrapper {
public:
    FaultyReadFile(std::unique_ptr<rocksdb::FSRandomAccessFile> f, FaultInjection& faults,
                   std::string path)
        : FSRandomAccessFileOwnerWrapper(std::move(f)), faults_(faults), path_(std::move(path)) {}

    IOStatus Read(uint64_t offset, size_t n, const IOOptions& options, Slice* result, char* scratch,
                  IODebugContext* dbg) const override {
        if (faults_.read_fails(path_)) return IOStatus::IOError("injected read fault", path_);
        return target()->Read(offset, n, options, result, scratch, dbg);
    }
    IOStatus MultiRead(rocksdb::FSReadRequest* reqs, size_t num_reqs, const IOOptions& options,
                       IODebugContext* dbg) override {
        if (faults_.read_fails(path_)) {
            for (size_t i = 0; i < num_reqs; ++i)
                reqs[i].status = IOStatus::IOError("injected read fault", path_);
            return IOStatus::IOError("injected read fault", path_);
        }
        return target()->MultiRead(reqs, num_reqs, options, dbg);
    }
    IOStatus ReadAsync(rocksdb::FSReadRequest& req, const IOOptions& opts,
                       std::function<void(const rocksdb::FSReadRequest&, void*)> cb, void* cb_arg,
                       void** io_handle, rocksdb::IOHandleDeleter* del_fn,
                       IODebugContext* dbg) override {
        if (faults_.read_fails(path_)) return IOStatus::IOError("injected read fault", path_);
        return target()->ReadAsync(req, opts, std::move(cb), cb_arg, io_handle, del_fn, dbg);
    }

private:
    FaultInjection& faults_;
    std::string path_;
};

class FaultyWriteFile final : public rocksdb::FSWritableFileOwnerWrapper {
public:
    FaultyWriteFile(std::unique_ptr<rocksdb::FSWritableFile> f, FaultInjection& faults,
                    std::string path)
        : FSWritableFileOwnerWrapper(std::move(f)), faults_(faults), path_(std::move(path)) {}

    IOStatus Append(const Slice& data, const IOOptions& options, IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->Append(data, options, dbg);
    }
    IOStatus Append(const Slice& data, const IOOptions& options,
                    const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->Append(data, options, info, dbg);
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                              IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->PositionedAppend(data, offset, options, dbg);
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& options,
                              const rocksdb::DataVerificationInfo& info,
                              IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->PositionedAppend(data, offset, options, info, dbg);
    }
    IOStatus Flush(const IOOptions& options, IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->Flush(options, dbg);
    }
    IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->Sync(options, dbg);
    }
    IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
        if (fails()) return error();
        return target()->Fsync(options, dbg);
    }

private:
    bool fails() { return faults_.write_fails(path_); }
    IOStatus error() const { return IOStatus::IOError("injected write fault", path_); }

    FaultInjection& faults_;
    std::string path_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
public:
    FaultyFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base, FaultInjection& faults)
        : FileSystemWrapper(base), faults_(faults) {}

    const char* Name() const override { return "FuseFaultInjection"; }

    IOStatus NewRandomAccessFile(const std::string& f, const rocksdb::FileOptions& opts,
                                 std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                 IODebugContext* dbg) override {
        std::unique_ptr<rocksdb::FSRandomAccessFile> file;
        IOStatus s = target()->NewRandomAccessFile(f, opts, &file, dbg);
        if (s.ok()) *r = std::make_unique<FaultyReadFile>(std::move(file), faults_, f);
        return s;
    }
    IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                             IODebugContext* dbg) override {
        std::unique_ptr<rocksdb::FSWritableFile> file;
        IOStatus s = target()->NewWritableFile(f, opts, &file, dbg);
        if (s.ok()) *r = std::make_unique<FaultyWriteFile>(std::move(file), faults_, f);
        return s;
    }
    IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                                std::unique_ptr<rocksdb::FSWritableFile>* r,
                                IODebugContext* dbg) override {
        std::unique_ptr<rocksdb::FSWritableFile> file;
        IOStatus s = target()->ReopenWritableFile(f, opts, &file, dbg);
        if (s.ok()) *r = std::make_unique<FaultyWriteFile>(std::move(file), faults_, f);
        return s;
    }

private:
    FaultInjection& faults_;
};

}  // namespace

FaultInjection::FaultInjection()
    : fs_(std::make_shared<FaultyFileSystem>(rocksdb::FileSystem::Default(), *this)),
      env_(rocksdb::NewCompositeEnv(fs_)) {}

FaultInjection::~FaultInjection() = default;

void FaultInjection::fail_reads(std::set<std::string> files) {
    std::lock_guard lock(mu_);
    reads_fail_ = true;
    read_files_ = std::move(files);
}

void FaultInjection::fail_writes() {
    writes_fail_ = true;
}

void FaultInjection::heal() {
    {
        std::lock_guard lock(mu_);
        reads_fail_ = false;
        read_files_.clear();
    }
    writes_fail_ = false;
}

bool FaultInjection::read_fails(const std::string& path) {
    if (!ends_with(path, ".sst")) return false;
    std::lock_guard lock(mu_);
    if (!reads_fail_) return false;
    if (!read_files_.empty() && !read_files_.contains(base_name(path))) return false;
    ++failed_reads_;
    return true;
}

bool FaultInjection::write_fails(const std::string& path) {
    if (!writes_fail_ || !ends_with(path, ".log")) return false;
    ++failed_writes_;
    return true;
}

std::vector<std::string> table_files(const Database& db, std::string_view cf) {
    std::vector<std::string> out;
    const auto* rocks = dynamic_cast<const RocksDatabase*>(&db);
    if (rocks == nullptr) return out;
    std::vector<rocksdb::LiveFileMetaData> files;
    rocks->db().GetLiveFilesMetaData(&files);
    for (const auto& f : files)
        if (f.column_family_name == cf) out.push_back(f.relative_filename);
    return out;
}

Result<void, std::string> delete_trie_node(Database& db, const Hash32& hash) {
    auto* rocks = dynamic_cast<RocksDatabase*>(&db);
    if (rocks == nullptr) return Unexpected{std::string("not a RocksDB database")};
    rocksdb::Status s =
        rocks->db().Delete(rocksdb::WriteOptions(), rocks->cf(kTrieNodes), slice(hash.view()));
    if (!s.ok()) return Unexpected{s.ToString()};
    return {};
}

}  // namespace fuse::storage
