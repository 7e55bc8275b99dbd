#pragma once
/// Format 0x02's address registry (batch/address_registry.hpp) kept in the node database's meta
/// keys: the persistence hook every registry owner uses (the batch poster, the L1 guard and the
/// validator, each under its own prefix).

#include "batch/address_registry.hpp"
#include "storage/database.hpp"

namespace fuse::inbox {

/// batch::RegistryStore over `Database::get_meta` / `put_meta`.
class MetaRegistryStore final : public batch::RegistryStore {
public:
    explicit MetaRegistryStore(storage::Database& db) : db_(db) {}
    std::optional<Bytes> get(std::string_view key) const override { return db_.get_meta(key); }
    Result<void, std::string> put(std::string_view key, ByteView value) override {
        return db_.put_meta(key, value);
    }

private:
    storage::Database& db_;
};

}  // namespace fuse::inbox
