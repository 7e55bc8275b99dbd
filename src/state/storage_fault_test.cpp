// A state read that fails under the EVM host (docs/storage.md "Errors"): the reader returns the
// fault, ExecState records it (sticky, as geth's StateDB.Error()), the host stops running code,
// and the transaction answers kStorageFault with the fault's text. No exception, no terminate.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "state/exec_state.hpp"
#include "state/host.hpp"
#include "state/transition.hpp"

namespace fuse::state {
namespace {

Address addr(uint8_t last) {
    Address a;
    a[0] = 0x10;
    a[19] = last;
    return a;
}

/// An InMemoryState whose reads about `broken` fail (as a missing storage-trie node would).
class BrokenReader final : public StateReader {
public:
    ReadResult<std::optional<Account>> read_account(const Address& a) const noexcept override {
        ++reads;
        if (a == broken && break_accounts) return Unexpected{fault()};
        return base.read_account(a);
    }
    ReadResult<uint256> read_storage(const Address& a, const uint256& k) const noexcept override {
        ++reads;
        if (a == broken) return Unexpected{fault()};
        return base.read_storage(a, k);
    }
    ReadResult<bool> has_storage(const Address& a) const noexcept override {
        return base.has_storage(a);
    }
    ReadResult<Bytes> read_code(const Hash32& h) const noexcept override {
        return base.read_code(h);
    }
    StorageFault fault() const {
        StorageFault f;
        f.kind = FaultKind::kMissingNode;
        f.node = keccak256(Bytes{1, 2, 3});
        f.owner = keccak256(broken);
        f.path = {0x0a, 0x03};
        return f;
    }

    InMemoryState base;
    Address broken;
    bool break_accounts = false;
    mutable size_t reads = 0;
};

struct StorageFaultTest : ::testing::Test {
    Hash32 key = keccak256(Bytes{'k'});
    Address sender = address_from_private_key(key).value();
    BrokenReader reader;
    BlockEnv block;

    void SetUp() override {
        reader.base.put_account(sender, Account{0, uint256{1} << 80, kEmptyCodeHash});
        block.gas_limit = 30'000'000;
        block.number = 5;
        block.chain_id = 1;
    }
    /// Code `code` at `a`.
    void deploy(const Address& a, Bytes code) {
        reader.base.put_account(a, Account{1, 0, kEmptyCodeHash}, code);
    }
    Result<TxResult, TxRefusal> call(ExecState& st, const Address& to, BlockHashFn hashes = {}) {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = 1;
        t.max_fee_per_gas = 1;
        t.gas_limit = 1'000'000;
        t.to = to;
        EXPECT_TRUE(sign_transaction(t, key));
        if (!hashes) hashes = [](int64_t) { return Hash32{}; };
        return apply_transaction(st, block, evm::Revision::kCancun, t, sender, block.gas_limit,
                                 hashes);
    }
};

// SLOAD(0) then a loop that would burn all the gas: the read fails inside the host, the
// transaction is refused with the fault's text (not "out of gas"), and once faulted nothing more
// is read from below.
TEST_F(StorageFaultTest, FailedReadDuringExecutionRefusesTheTransactionWithTheFault) {
    const Address c = addr(1);
    // PUSH1 0 SLOAD POP; JUMPDEST PUSH1 3 JUMP (loop at 3)
    deploy(c, {0x60, 0x00, 0x54, 0x50, 0x5b, 0x60, 0x04, 0x56});
    reader.broken = c;
    ExecState st(reader);
    auto r = call(st, c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, TxReason::kStorageFault);
    EXPECT_EQ(r.error().message, "missing trie node " +
                                     to_hex_raw(keccak256(Bytes{1, 2, 3}).view()) + " (owner " +
                                     to_hex_raw(keccak256(c).view()) + ") (path 0a03)");
    ASSERT_TRUE(st.faulted());
    EXPECT_EQ(st.fault()->kind, FaultKind::kMissingNode);
    const size_t reads = reader.reads;
    EXPECT_EQ(st.get_storage(c, uint256(7)), uint256{});  // zero, and not read below
    EXPECT_EQ(reader.reads, reads);
}

// A nested call whose callee's storage cannot be read: the caller goes on (the callee failed),
// the transaction still answers the fault: its outcome is not the chain's.
TEST_F(StorageFaultTest, FailedReadInANestedCallFailsTheWholeTransaction) {
    const Address inner = addr(2), outer = addr(3);
    deploy(inner, {0x60, 0x00, 0x54, 0x00});  // SLOAD(0) STOP
    // CALL(gas, inner, 0, 0, 0, 0, 0); STOP
    Bytes code = {0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73};
    code.insert(code.end(), inner.bytes.begin(), inner.bytes.end());
    code.insert(code.end(), {0x5a, 0xf1, 0x00});
    deploy(outer, code);
    reader.broken = inner;
    ExecState st(reader);
    auto r = call(st, outer);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, TxReason::kStorageFault);
    EXPECT_TRUE(st.faulted());
}

// The sender's own account cannot be read: the refusal is the fault, not "nonce too low" or
// "insufficient funds" computed from a zero account.
TEST_F(StorageFaultTest, FailedReadOfTheSenderIsTheFaultNotAValidityError) {
    reader.broken = sender;
    reader.break_accounts = true;
    ExecState st(reader);
    auto r = call(st, addr(9));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, TxReason::kStorageFault);
    EXPECT_TRUE(r.error().message.starts_with("missing trie node ")) << r.error().message;
}

// BLOCKHASH through a source that throws (the node database's block reads do): the host records
// the fault instead of letting the exception through its noexcept interface.
TEST_F(StorageFaultTest, ThrowingBlockHashSourceBecomesAFault) {
    const Address c = addr(4);
    deploy(c, {0x60, 0x04, 0x40, 0x00});  // BLOCKHASH(4) STOP
    ExecState st(reader);
    auto r = call(st, c, [](int64_t) -> Hash32 { throw std::runtime_error("disk on fire"); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, TxReason::kStorageFault);
    EXPECT_EQ(r.error().message, "database read failed: block hash of 4: disk on fire");
}

TEST(StorageFault, Texts) {
    StorageFault f;
    f.kind = FaultKind::kMissingNode;
    f.node[0] = 0xab;
    EXPECT_EQ(to_string(f), "missing trie node ab" + std::string(62, '0') + " (path )");
    EXPECT_EQ(to_string(read_failed("IO error: x")), "database read failed: IO error: x");
    EXPECT_EQ(to_string(corrupt("account record of 0x01")),
              "corrupt state: account record of 0x01");
}

}  // namespace
}  // namespace fuse::state
