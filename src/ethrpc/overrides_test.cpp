#include "ethrpc/overrides.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"

namespace fuse::ethrpc {
namespace {

Address addr(uint8_t b) {
    Address a;
    a[19] = b;
    return a;
}

TEST(Overrides, PatchesAndReplacesAccounts) {
    state::InMemoryState base;
    const Bytes code = {0x60, 0x00};
    base.put_account(addr(1), {7, uint256{1000}, keccak256(code)}, code);
    base.put_storage(addr(1), 1, 11);
    base.put_storage(addr(1), 2, 22);
    base.put_account(addr(2), {1, uint256{5}, kEmptyCodeHash});
    base.put_storage(addr(2), 3, 33);

    StateOverrides o;
    o[addr(1)].balance = uint256{42};
    o[addr(1)].state_diff[uint256{2}.to_hash()] = uint256{99}.to_hash();
    o[addr(2)].state = std::map<Hash32, Hash32>{{uint256{4}.to_hash(), uint256{44}.to_hash()}};
    const Bytes new_code = {0x60, 0x01, 0x60, 0x00, 0x55};
    o[addr(3)].code = new_code;
    o[addr(3)].nonce = 9;
    OverrideState view(base, o);

    auto a1 = view.read_account(addr(1)).value();
    ASSERT_TRUE(a1);
    EXPECT_EQ(a1->balance, uint256{42});
    EXPECT_EQ(a1->nonce, 7u);  // not overridden
    EXPECT_EQ(a1->code_hash, keccak256(code));
    EXPECT_EQ(view.read_storage(addr(1), 1).value(), uint256{11});  // diff keeps other slots
    EXPECT_EQ(view.read_storage(addr(1), 2).value(), uint256{99});

    EXPECT_EQ(view.read_storage(addr(2), 3).value(), uint256{0});  // state replaces everything
    EXPECT_EQ(view.read_storage(addr(2), 4).value(), uint256{44});
    EXPECT_TRUE(view.has_storage(addr(2)).value());

    auto a3 = view.read_account(addr(3)).value();  // created by the override
    ASSERT_TRUE(a3);
    EXPECT_EQ(a3->nonce, 9u);
    EXPECT_EQ(a3->balance, uint256{0});
    EXPECT_EQ(a3->code_hash, keccak256(new_code));
    EXPECT_EQ(view.read_code(a3->code_hash).value(), new_code);
    EXPECT_EQ(view.read_code(keccak256(code)).value(), code);  // base code still readable

    EXPECT_FALSE(view.read_account(addr(4)).value());                       // untouched and absent
    EXPECT_EQ(base.read_account(addr(1)).value()->balance, uint256{1000});  // base unchanged
}

TEST(Overrides, EmptyStateAndEmptyCode) {
    state::InMemoryState base;
    const Bytes code = {0x00};
    base.put_account(addr(1), {0, uint256{1}, keccak256(code)}, code);
    base.put_storage(addr(1), 1, 1);
    StateOverrides o;
    o[addr(1)].state = std::map<Hash32, Hash32>{};
    o[addr(1)].code = Bytes{};
    OverrideState view(base, o);
    EXPECT_FALSE(view.has_storage(addr(1)).value());
    EXPECT_EQ(view.read_storage(addr(1), 1).value(), uint256{0});
    EXPECT_EQ(view.read_account(addr(1)).value()->code_hash, kEmptyCodeHash);
}

}  // namespace
}  // namespace fuse::ethrpc
