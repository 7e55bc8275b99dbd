#include "state/state.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"

using namespace fuse;
using namespace fuse::state;

namespace {
Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}
}  // namespace

TEST(InMemoryState, EmptyRoot) {
    InMemoryState s;
    EXPECT_EQ(s.state_root(), kEmptyTrieRoot);
}

// Pre-state of ethereum/tests GeneralStateTests/stEIP1559/lowGasLimit.json; the transaction is
// invalid there, so the fixture's expected post root is the root of this pre-state.
TEST(InMemoryState, RootMatchesFixturePreState) {
    InMemoryState s;
    Account sender;
    sender.nonce = 1;
    sender.balance = 0x0de0b6b3a7640000;
    s.put_account(addr("0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"), sender);
    Account contract;
    contract.balance = 0x0de0b6b3a7640000;
    const Bytes code = from_hex("0x600260005500").value();
    const Address c = addr("0xcccccccccccccccccccccccccccccccccccccccc");
    s.put_account(c, contract, code);
    s.put_storage(c, 0, 0x60a7);
    EXPECT_EQ(to_hex(s.state_root()),
              "0xb2b8d1860969ed21cd1eee5c69206176b951fbf820ee6b7f8ad84e8234094a5e");
    EXPECT_EQ(s.read_code(keccak256(code)).value(), code);
    EXPECT_TRUE(s.has_storage(c).value());
}

TEST(InMemoryState, ApplyDiff) {
    InMemoryState s;
    const Address a = addr("0x00000000000000000000000000000000000000aa");
    const Address b = addr("0x00000000000000000000000000000000000000bb");
    Account acc;
    acc.balance = 5;
    s.put_account(a, acc);
    s.put_storage(a, 1, 2);
    s.put_account(b, acc);
    const Hash32 before = s.state_root();

    StateDiff d;
    AccountUpdate ua;
    ua.address = a;
    ua.account = Account{1, 7, kEmptyCodeHash};
    ua.storage.push_back({1, 0});
    ua.storage.push_back({3, 4});
    d.accounts.push_back(ua);
    AccountUpdate ub;
    ub.address = b;  // deleted
    d.accounts.push_back(ub);
    s.apply(d);
    EXPECT_FALSE(s.account(b).has_value());
    EXPECT_EQ(s.account(a)->nonce, 1u);
    EXPECT_EQ(s.storage(a, 1), uint256{});
    EXPECT_EQ(s.storage(a, 3), uint256{4});
    EXPECT_NE(s.state_root(), before);

    InMemoryState expected;
    expected.put_account(a, Account{1, 7, kEmptyCodeHash});
    expected.put_storage(a, 3, 4);
    EXPECT_EQ(s.state_root(), expected.state_root());
}
