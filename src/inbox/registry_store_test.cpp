// The registry's persistence in the node database (registry_store.hpp), on a real RocksDB.
#include "inbox/registry_store.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace fuse::inbox {
namespace {

Address addr(uint8_t n) {
    Address a;
    a[19] = n;
    a[0] = 0xab;
    return a;
}

struct TempDb {
    std::string dir;
    std::unique_ptr<storage::Database> db;
    TempDb() {
        char tmpl[] = "/tmp/fuse-registry-store-XXXXXX";
        dir = mkdtemp(tmpl);
        storage::Options o;
        o.path = dir + "/db";
        db = storage::Database::open(o).value();
    }
    ~TempDb() {
        db.reset();
        std::filesystem::remove_all(dir);
    }
};

// A chain without format-0x02 batches writes nothing; once the registry has entries it is
// saved, and a rollback to empty is saved too (a stale stored registry must not come back).
TEST(RegistryStore, SavesOnlyWhatNeedsKeeping) {
    TempDb t;
    batch::AddressRegistry reg;
    bool saved_nonempty = false;
    ASSERT_TRUE(reg.apply_batch(0, {}));
    ASSERT_TRUE(save_registry_if_used(reg, *t.db, "test.registry", saved_nonempty));
    EXPECT_FALSE(saved_nonempty);
    MetaRegistryStore store(*t.db);
    auto loaded = batch::load_registry(store, "test.registry");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->size(), 0u);
    EXPECT_EQ(loaded->next_batch(), 0u) << "nothing was written for an empty registry";

    const std::vector<Address> two = {addr(1), addr(2)};
    ASSERT_TRUE(reg.apply_batch(1, two));
    ASSERT_TRUE(save_registry_if_used(reg, *t.db, "test.registry", saved_nonempty));
    EXPECT_TRUE(saved_nonempty);
    loaded = batch::load_registry(store, "test.registry");
    ASSERT_TRUE(loaded);
    ASSERT_EQ(loaded->size(), 2u);
    EXPECT_EQ(loaded->at(1), addr(2));
    EXPECT_EQ(loaded->next_batch(), 2u);

    ASSERT_TRUE(reg.rollback_to_batch(1));
    ASSERT_EQ(reg.size(), 0u);
    ASSERT_TRUE(save_registry_if_used(reg, *t.db, "test.registry", saved_nonempty));
    EXPECT_FALSE(saved_nonempty);
    loaded = batch::load_registry(store, "test.registry");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->size(), 0u) << "the rollback to empty was saved";
}

}  // namespace
}  // namespace fuse::inbox
