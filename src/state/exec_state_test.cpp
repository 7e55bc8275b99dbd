#include "state/exec_state.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"

using namespace fuse;
using namespace fuse::state;
using evm::AccessStatus;
using evm::StorageStatus;

namespace {

Address addr(uint8_t last) {
    Address a;
    a[19] = last;
    return a;
}

struct ExecStateTest : ::testing::Test {
    InMemoryState base;
    Address a = addr(0xaa), b = addr(0xbb), empty = addr(0xee);
    void SetUp() override {
        base.put_account(a, Account{1, 100, kEmptyCodeHash});
        base.put_storage(a, 1, 10);
        base.put_account(empty, Account{});
    }
    Hash32 root_after(ExecState& st) {
        InMemoryState post = base;
        post.apply(st.diff());
        return post.state_root();
    }
};

}  // namespace

TEST_F(ExecStateTest, ReadsThroughToBase) {
    ExecState st(base);
    EXPECT_TRUE(st.exists(a));
    EXPECT_FALSE(st.exists(b));
    EXPECT_EQ(st.balance(a), uint256{100});
    EXPECT_EQ(st.get_storage(a, 1), uint256{10});
    EXPECT_EQ(st.get_storage(a, 2), uint256{});
    EXPECT_TRUE(st.exists(empty));
    EXPECT_FALSE(st.exists_non_empty(empty));
    EXPECT_TRUE(st.diff().accounts.empty());
    EXPECT_EQ(root_after(st), base.state_root());
}

TEST_F(ExecStateTest, RevertUndoesEverythingAfterSnapshot) {
    ExecState st(base);
    st.add_balance(a, 5);
    const size_t snap = st.snapshot();
    st.add_balance(b, 7);
    st.set_nonce(a, 9);
    st.set_storage(a, 1, 11);
    st.set_transient(a, 1, 3);
    st.set_code(b, Bytes{0x60, 0x00});
    st.add_log(Log{a, {}, {}});
    EXPECT_EQ(st.access_account(b), AccessStatus::kCold);
    EXPECT_EQ(st.access_storage(a, 5), AccessStatus::kCold);
    st.revert(snap);
    EXPECT_EQ(st.balance(a), uint256{105});
    EXPECT_EQ(st.nonce(a), 1u);
    EXPECT_FALSE(st.exists(b));
    EXPECT_TRUE(st.code(b).empty());
    EXPECT_EQ(st.get_storage(a, 1), uint256{10});
    EXPECT_EQ(st.get_transient(a, 1), uint256{});
    EXPECT_TRUE(st.logs().empty());
    EXPECT_EQ(st.access_account(b), AccessStatus::kCold);  // warmth is reverted too (EIP-2929)
    EXPECT_EQ(st.access_storage(a, 5), AccessStatus::kCold);
    EXPECT_EQ(st.access_account(b), AccessStatus::kWarm);
}

// EIP-2200 / EIP-3529 classification, named original -> current -> new.
TEST_F(ExecStateTest, StorageStatusFollowsOriginalAndCurrent) {
    ExecState st(base);
    EXPECT_EQ(st.set_storage(a, 1, 10), StorageStatus::kAssigned);          // X -> X -> X
    EXPECT_EQ(st.set_storage(a, 2, 5), StorageStatus::kAdded);              // 0 -> 0 -> Z
    EXPECT_EQ(st.set_storage(a, 2, 6), StorageStatus::kAssigned);           // 0 -> Y -> Z
    EXPECT_EQ(st.set_storage(a, 2, 0), StorageStatus::kAddedDeleted);       // 0 -> Y -> 0
    EXPECT_EQ(st.set_storage(a, 1, 0), StorageStatus::kDeleted);            // X -> X -> 0
    EXPECT_EQ(st.set_storage(a, 1, 10), StorageStatus::kDeletedRestored);   // X -> 0 -> X
    EXPECT_EQ(st.set_storage(a, 1, 12), StorageStatus::kModified);          // X -> X -> Z
    EXPECT_EQ(st.set_storage(a, 1, 0), StorageStatus::kModifiedDeleted);    // X -> Y -> 0
    EXPECT_EQ(st.set_storage(a, 1, 13), StorageStatus::kDeletedAdded);      // X -> 0 -> Z
    EXPECT_EQ(st.set_storage(a, 1, 10), StorageStatus::kModifiedRestored);  // X -> Y -> X
    st.set_storage(a, 1, 14);
    st.finalize_tx();  // 14 becomes the original
    EXPECT_EQ(st.set_storage(a, 1, 15), StorageStatus::kModified);
}

TEST_F(ExecStateTest, TouchedEmptyAccountsAreDeleted) {
    ExecState st(base);
    st.touch(empty);
    st.touch(b);  // does not exist: stays absent
    st.finalize_tx();
    EXPECT_FALSE(st.exists(empty));
    EXPECT_FALSE(st.exists(b));
    InMemoryState expected = base;
    StateDiff d;
    d.accounts.push_back({empty, std::nullopt, true, {}, std::nullopt});
    expected.apply(d);
    EXPECT_EQ(root_after(st), expected.state_root());
}

TEST_F(ExecStateTest, ZeroValueTransferToEmptyAccountDeletesIt) {
    ExecState st(base);
    st.add_balance(empty, 0);
    st.finalize_tx();
    EXPECT_FALSE(st.exists(empty));
}

TEST_F(ExecStateTest, DestructDeletesWithStorageAtTxEnd) {
    ExecState st(base);
    st.create_contract(b);
    st.set_nonce(b, 1);
    st.set_storage(b, 7, 8);
    EXPECT_TRUE(st.created_in_tx(b));
    EXPECT_TRUE(st.destruct(b));
    EXPECT_FALSE(st.destruct(b));
    EXPECT_TRUE(st.exists(b));  // still there until the end of the transaction
    st.finalize_tx();
    EXPECT_FALSE(st.exists(b));
    EXPECT_EQ(st.get_storage(b, 7), uint256{});
    EXPECT_FALSE(st.created_in_tx(b));
    EXPECT_EQ(root_after(st), base.state_root());
}

TEST_F(ExecStateTest, DestructOfBaseAccountClearsBaseStorage) {
    ExecState st(base);
    st.destruct(a);
    st.finalize_tx();
    EXPECT_EQ(st.get_storage(a, 1), uint256{});
    st.add_balance(a, 1);  // recreated in a later transaction: no old storage
    InMemoryState post = base;
    post.apply(st.diff());
    EXPECT_EQ(post.storage(a, 1), uint256{});
    EXPECT_EQ(post.account(a)->balance, uint256{1});
    EXPECT_EQ(post.account(a)->nonce, 0u);
}

TEST_F(ExecStateTest, TransientAndWarmSetsClearedPerTransaction) {
    ExecState st(base);
    st.set_transient(a, 1, 2);
    EXPECT_EQ(st.get_transient(a, 1), uint256{2});
    EXPECT_EQ(st.access_account(a), AccessStatus::kCold);
    EXPECT_EQ(st.access_account(a), AccessStatus::kWarm);
    EXPECT_EQ(st.access_storage(a, 1), AccessStatus::kCold);
    EXPECT_EQ(st.access_storage(a, 1), AccessStatus::kWarm);
    st.finalize_tx();
    EXPECT_EQ(st.get_transient(a, 1), uint256{});
    EXPECT_EQ(st.access_account(a), AccessStatus::kCold);
    EXPECT_EQ(st.access_storage(a, 1), AccessStatus::kCold);
}

TEST_F(ExecStateTest, DiffAppliesToSameRootAsDirectEdits) {
    ExecState st(base);
    st.sub_balance(a, 30);
    st.add_balance(b, 30);
    st.set_storage(a, 1, 0);
    st.set_storage(a, 4, 44);
    st.set_code(b, Bytes{0x00});
    st.finalize_tx();
    InMemoryState expected;
    expected.put_account(a, Account{1, 70, kEmptyCodeHash});
    expected.put_storage(a, 4, 44);
    expected.put_account(b, Account{0, 30, kEmptyCodeHash}, Bytes{0x00});
    expected.put_account(empty, Account{});
    EXPECT_EQ(root_after(st), expected.state_root());
}

TEST(Logs, EmptyLogsHash) {
    // keccak256(rlp([])) = keccak256(0xc0), the `logs` of every fixture case without logs.
    EXPECT_EQ(to_hex(logs_hash({})),
              "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
}
