#include "state/host.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"

using namespace fuse;
using namespace fuse::state;
using evm::CallKind;
using evm::Message;
using evm::Status;

namespace {

Address addr(uint8_t last) {
    Address a;
    a[0] = 0x10;
    a[19] = last;
    return a;
}

struct HostTest : ::testing::Test {
    InMemoryState base;
    evm::TxContext ctx;
    Address caller = addr(1), callee = addr(2);

    void SetUp() override { base.put_account(caller, Account{1, 1000, kEmptyCodeHash}); }

    Message call_msg(const Address& to, uint64_t value, int64_t gas = 100000) {
        Message m;
        m.kind = CallKind::kCall;
        m.depth = 1;
        m.gas = gas;
        m.sender = caller;
        m.recipient = to;
        m.code_address = to;
        m.value = value;
        return m;
    }
    Message create_msg(ByteView initcode, int64_t gas = 100000) {
        Message m;
        m.kind = CallKind::kCreate;
        m.depth = 1;
        m.gas = gas;
        m.sender = caller;
        m.input = initcode;
        return m;
    }
};

}  // namespace

TEST_F(HostTest, InsufficientBalanceAndDepthReturnTheGas) {
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    auto r = host.call(call_msg(callee, 1001, 5000));
    EXPECT_EQ(r.status, Status::kInsufficientBalance);
    EXPECT_EQ(r.gas_left, 5000);
    Message deep = call_msg(callee, 1, 5000);
    deep.depth = kMaxCallDepth + 1;
    r = host.call(deep);
    EXPECT_EQ(r.status, Status::kCallDepthExceeded);
    EXPECT_EQ(r.gas_left, 5000);
    EXPECT_EQ(st.balance(caller), uint256{1000});
    EXPECT_FALSE(st.exists(callee));
}

TEST_F(HostTest, ValueCallToCodelessAccountTransfers) {
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    auto r = host.call(call_msg(callee, 400, 7000));
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.gas_left, 7000);
    EXPECT_EQ(st.balance(callee), uint256{400});
    EXPECT_EQ(st.balance(caller), uint256{600});
}

TEST_F(HostTest, RevertingCalleeUndoesTransferAndKeepsGas) {
    // PUSH1 0 PUSH1 0 REVERT
    base.put_account(callee, Account{}, from_hex("0x60006000fd").value());
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    auto r = host.call(call_msg(callee, 400, 7000));
    EXPECT_EQ(r.status, Status::kRevert);
    EXPECT_GT(r.gas_left, 6000);
    EXPECT_EQ(st.balance(callee), uint256{0});
    EXPECT_EQ(st.balance(caller), uint256{1000});
}

TEST_F(HostTest, PrecompileChargesGasOrFailsWithAllGas) {
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    Address identity;
    identity[19] = 4;
    const Bytes input(32, 0xab);
    Message m = call_msg(identity, 0, 100);
    m.input = input;
    auto r = host.call(m);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.gas_left, 100 - 18);  // 15 + 3 per word
    EXPECT_EQ(r.output, input);
    m.gas = 17;
    r = host.call(m);
    EXPECT_NE(r.status, Status::kSuccess);
    EXPECT_EQ(r.gas_left, 0);
}

TEST_F(HostTest, CreateRulesEip3541Eip170AndCollision) {
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    // Returns one byte 0xef: rejected by EIP-3541, all gas consumed, nonce still bumped.
    const Bytes ef = from_hex("0x60ef60005360016000f3").value();
    auto r = host.call(create_msg(ef));
    EXPECT_EQ(r.status, Status::kContractValidationFailure);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(st.nonce(caller), 2u);
    EXPECT_FALSE(st.exists(create_address(caller, 1)));
    // Returns 0x6001 bytes of zeros: over EIP-170's limit.
    const Bytes big = from_hex("0x6160016000f3").value();
    r = host.call(create_msg(big, 10'000'000));
    EXPECT_EQ(r.status, Status::kContractValidationFailure);
    // A valid one: deploys 0x2a and charges 200 gas per byte of code.
    const Bytes ok = from_hex("0x602a60005360016000f3").value();
    r = host.call(create_msg(ok));
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.create_address, create_address(caller, 3));
    EXPECT_EQ(to_hex(st.code(r.create_address)), "0x2a");
    // Collision: the next CREATE address already has a nonce.
    st.set_nonce(create_address(caller, 4), 1);
    r = host.call(create_msg(ok));
    EXPECT_EQ(r.status, Status::kFailure);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(st.nonce(caller), 5u);
}

TEST_F(HostTest, SelfdestructOnlyDeletesAccountsCreatedInTheTransaction) {
    base.put_account(callee, Account{1, 50, kEmptyCodeHash}, Bytes{0x00});
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    const Address beneficiary = addr(9);
    host.selfdestruct(callee, beneficiary);
    EXPECT_EQ(st.balance(beneficiary), uint256{50});
    EXPECT_EQ(st.balance(callee), uint256{0});
    const Bytes ok = from_hex("0x602a60005360016000f3").value();
    auto r = host.call(create_msg(ok));
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_TRUE(host.selfdestruct(r.create_address, r.create_address));
    st.finalize_tx();
    EXPECT_TRUE(st.exists(callee));  // EIP-6780: code stays
    EXPECT_FALSE(st.code(callee).empty());
    EXPECT_FALSE(st.exists(r.create_address));
}

TEST_F(HostTest, DelegatedAccountRunsTheDelegatesCodeUnderPrague) {
    const Address impl = addr(7);
    // SSTORE(0, 1); STOP
    base.put_account(impl, Account{}, from_hex("0x6001600055").value());
    Bytes designator = from_hex("0xef0100").value();
    designator.insert(designator.end(), impl.bytes.begin(), impl.bytes.end());
    base.put_account(callee, Account{}, designator);
    {
        ExecState st(base);
        StateHost host(st, evm::Revision::kPrague, ctx, {});
        auto r = host.call(call_msg(callee, 0));
        EXPECT_EQ(r.status, Status::kSuccess);
        EXPECT_EQ(st.get_storage(callee, 0), uint256{1});  // in the delegating account
        EXPECT_EQ(st.get_storage(impl, 0), uint256{0});
        EXPECT_EQ(host.get_code_size(callee), 23u);  // EXTCODESIZE sees the designator
    }
}

TEST_F(HostTest, CallsTakeCodeAnalysesFromTheCacheByCodeHash) {
    // PUSH1 4 JUMP INVALID JUMPDEST PUSH1 1 PUSH1 0 SSTORE STOP: needs its JUMPDEST map.
    const Bytes code = from_hex("0x600456fe5b600160005500").value();
    base.put_account(callee, Account{}, code);
    evm::AnalysisCache cache;
    {
        ExecState st(base);
        StateHost host(st, evm::Revision::kCancun, ctx, {});
        host.set_analysis_cache(&cache);
        EXPECT_EQ(host.call(call_msg(callee, 0)).status, Status::kSuccess);
        EXPECT_EQ(st.get_storage(callee, 0), uint256{1});
        EXPECT_EQ(host.call(call_msg(callee, 0)).status, Status::kSuccess);
    }
    EXPECT_EQ(cache.size(), 1u);  // analysed once, keyed by keccak256(code)

    // The host runs whatever the cache holds for that hash: an entry made from other code
    // (STOP) under the same key shows the lookup goes by code hash.
    evm::AnalysisCache planted;
    planted.get(keccak256(code), from_hex("0x00").value());
    ExecState st(base);
    StateHost host(st, evm::Revision::kCancun, ctx, {});
    host.set_analysis_cache(&planted);
    EXPECT_EQ(host.call(call_msg(callee, 0)).status, Status::kSuccess);
    EXPECT_EQ(st.get_storage(callee, 0), uint256{0});
    EXPECT_EQ(planted.size(), 1u);
}

TEST_F(HostTest, DelegatedCallCachesTheDelegatesCode) {
    const Address impl = addr(7);
    const Bytes impl_code = from_hex("0x6001600055").value();  // SSTORE(0, 1)
    base.put_account(impl, Account{}, impl_code);
    Bytes designator = from_hex("0xef0100").value();
    designator.insert(designator.end(), impl.bytes.begin(), impl.bytes.end());
    base.put_account(callee, Account{}, designator);
    evm::AnalysisCache cache;
    ExecState st(base);
    StateHost host(st, evm::Revision::kPrague, ctx, {});
    host.set_analysis_cache(&cache);
    EXPECT_EQ(host.call(call_msg(callee, 0)).status, Status::kSuccess);
    EXPECT_EQ(st.get_storage(callee, 0), uint256{1});
    ASSERT_EQ(cache.size(), 1u);
    // The entry is the delegate's code, not the designator.
    EXPECT_EQ(cache.get(keccak256(impl_code), {})->code_size, impl_code.size());
}
