#pragma once
/// Format 0x02's address registry (batch/address_registry.hpp) kept in the node database's meta
/// keys: the persistence hook every registry owner uses (the batch poster, the L1 guard and the
/// validator, each under its own prefix).

#include <stdexcept>
#include <string>
#include <string_view>

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

/// The registry saved under `prefix` (an empty one if none was); throws std::runtime_error
/// naming `who` ("validator") and the prefix when the saved data is inconsistent.
inline batch::AddressRegistry load_saved_registry(storage::Database& db, const std::string& prefix,
                                                  std::string_view who) {
    MetaRegistryStore store(db);
    auto loaded = batch::load_registry(store, prefix);
    if (!loaded)
        throw std::runtime_error(std::string(who) + ": the saved address registry (" + prefix +
                                 "): " + loaded.error());
    return std::move(*loaded);
}

/// Saves `reg` under `prefix` (batch::save_registry) unless there is nothing to keep: a registry
/// that is empty now and was empty at the last save (`saved_nonempty`, updated here; start it
/// from the loaded registry's size) writes nothing, so a chain without format-0x02 batches pays
/// no write per poll.
inline Result<void, std::string> save_registry_if_used(batch::AddressRegistry& reg,
                                                       storage::Database& db,
                                                       const std::string& prefix,
                                                       bool& saved_nonempty) {
    if (reg.size() == 0 && !saved_nonempty) return {};
    MetaRegistryStore store(db);
    auto r = batch::save_registry(reg, store, prefix);
    if (r) saved_nonempty = reg.size() > 0;
    return r;
}

}  // namespace fuse::inbox
