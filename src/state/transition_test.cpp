#include "state/transition.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "state/host.hpp"

using namespace fuse;
using namespace fuse::state;
using evm::Revision;

namespace {

Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}

struct TransitionTest : ::testing::Test {
    Hash32 key =
        hash_from_hex("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8").value();
    Address sender = address_from_private_key(key).value();
    Address to = addr("0x1000000000000000000000000000000000000001");
    Address coinbase = addr("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
    InMemoryState base;
    BlockEnv block;

    void SetUp() override {
        base.put_account(sender, Account{0, uint256{1'000'000'000'000'000'000ull}, kEmptyCodeHash});
        block.coinbase = coinbase;
        block.gas_limit = 30'000'000;
        block.base_fee = 10;
        block.number = 1;
    }

    Transaction transfer(uint64_t value) {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = 1;
        t.nonce = 0;
        t.max_fee_per_gas = 20;
        t.max_priority_fee_per_gas = 2;
        t.gas_limit = 21000;
        t.to = to;
        t.value = value;
        EXPECT_TRUE(sign_transaction(t, key).has_value());
        return t;
    }

    Result<TxResult, TxRefusal> apply(ExecState& st, const Transaction& t,
                                      Revision rev = Revision::kCancun) {
        return apply_transaction(st, block, rev, t, sender, block.gas_limit,
                                 [](int64_t) { return Hash32{}; });
    }
};

}  // namespace

TEST(CreateAddress, KnownVectors) {
    // The classic CREATE example (sender 0x6ac7...dbf0, nonces 0 and 1).
    const Address s = addr("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
    EXPECT_EQ(to_hex(create_address(s, 0)), "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
    EXPECT_EQ(to_hex(create_address(s, 1)), "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
    // EIP-1014 examples 0 and 1.
    EXPECT_EQ(to_hex(create2_address(Address{}, Hash32{}, Bytes{0x00})),
              "0x4d1a2e2bb4f88f0250f26ffff098b0b30b26bf38");
    EXPECT_EQ(to_hex(create2_address(addr("0xdeadbeef00000000000000000000000000000000"), Hash32{},
                                     Bytes{0x00})),
              "0xb928f69bb1d91cd65274e3c79d8986362984fda3");
}

TEST(Delegation, Designator) {
    Bytes code = from_hex("0xef01001000000000000000000000000000000000000001").value();
    ASSERT_TRUE(delegation_target(code).has_value());
    EXPECT_EQ(to_hex(*delegation_target(code)), "0x1000000000000000000000000000000000000001");
    code.push_back(0);
    EXPECT_FALSE(delegation_target(code).has_value());
    EXPECT_FALSE(delegation_target(from_hex("0xef0100").value()).has_value());
}

TEST(IntrinsicGas, CalldataCreateAccessListAndFloor) {
    Transaction t;
    t.to = Address{};
    t.data = {0, 0, 1, 2};
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun).intrinsic, 21000 + 2 * 4 + 2 * 16);
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun).floor, 0);
    // EIP-7623: tokens = zeros + 4 * nonzeros = 10.
    EXPECT_EQ(intrinsic_gas(t, Revision::kPrague).floor, 21000 + 10 * 10);
    t.access_list.push_back({Address{}, {Hash32{}, Hash32{}}});
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun).intrinsic, 21000 + 40 + 2400 + 2 * 1900);
    t.to.reset();
    t.access_list.clear();
    t.data = Bytes(33, 1);  // 2 initcode words (EIP-3860)
    EXPECT_EQ(intrinsic_gas(t, Revision::kCancun).intrinsic, 21000 + 32000 + 33 * 16 + 2 * 2);
}

TEST(BlobBaseFee, FakeExponential) {
    EXPECT_EQ(blob_base_fee(0, Revision::kCancun), uint256{1});
    // e^(excess/fraction) grows: at excess = fraction the fee is floor(e) = 2.
    EXPECT_EQ(blob_base_fee(3338477, Revision::kCancun), uint256{2});
    EXPECT_EQ(blob_base_fee(5007716, Revision::kPrague), uint256{2});
    EXPECT_GT(blob_base_fee(10 * 3338477ull, Revision::kCancun), uint256{20000});
}

TEST_F(TransitionTest, ValueTransferPaysFeesAndBumpsNonce) {
    ExecState st(base);
    auto r = apply(st, transfer(1000));
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->status, evm::Status::kSuccess);
    EXPECT_EQ(r->gas_used, 21000);
    // effective price = min(20, 10 + 2) = 12; base fee 10 burnt, 2 per gas to the coinbase.
    EXPECT_EQ(st.balance(to), uint256{1000});
    EXPECT_EQ(st.balance(coinbase), uint256{21000 * 2});
    EXPECT_EQ(st.balance(sender), uint256{1'000'000'000'000'000'000ull - 1000 - 21000 * 12});
    EXPECT_EQ(st.nonce(sender), 1u);
}

TEST_F(TransitionTest, InvalidTransactionsLeaveStateUnchanged) {
    {
        ExecState st(base);
        Transaction t = transfer(0);
        t.nonce = 1;
        ASSERT_TRUE(sign_transaction(t, key).has_value());
        auto r = apply(st, t);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().reason, TxReason::kNonceTooHigh);
        EXPECT_TRUE(st.diff().accounts.empty());
    }
    {
        ExecState st(base);
        Transaction t = transfer(0);
        t.gas_limit = 20999;
        ASSERT_TRUE(sign_transaction(t, key).has_value());
        auto r = apply(st, t);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().reason, TxReason::kIntrinsicGas);
        EXPECT_STREQ(exception_name(r.error().reason),
                     "TransactionException.INTRINSIC_GAS_TOO_LOW");
    }
    {
        ExecState st(base);
        auto r = apply(st, transfer(0));
        ASSERT_TRUE(r.has_value());
        Transaction t = transfer(1'000'000'000'000'000'000ull);  // value + gas > balance
        t.nonce = 1;
        ASSERT_TRUE(sign_transaction(t, key).has_value());
        auto r2 = apply(st, t);
        ASSERT_FALSE(r2.has_value());
        EXPECT_EQ(r2.error().reason, TxReason::kInsufficientFunds);
    }
    {
        ExecState st(base);
        Transaction t = transfer(0);
        t.max_fee_per_gas = 9;  // below the base fee
        t.max_priority_fee_per_gas = 1;
        auto r = apply(st, t);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().reason, TxReason::kFeeCapTooLow);
    }
}

TEST_F(TransitionTest, CreateDeploysReturnedCode) {
    ExecState st(base);
    Transaction t = transfer(0);
    t.to.reset();
    t.gas_limit = 100000;
    // PUSH1 0x2a PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN: deploys the 1-byte code 0x2a.
    t.data = from_hex("0x602a60005360016000f3").value();
    auto r = apply(st, t);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, evm::Status::kSuccess);
    const Address created = create_address(sender, 0);
    ASSERT_TRUE(r->contract_address.has_value());
    EXPECT_EQ(*r->contract_address, created);
    EXPECT_EQ(to_hex(st.code(created)), "0x2a");
    EXPECT_EQ(st.nonce(created), 1u);
}

// A creation transaction that fails still names the address it targeted, as geth's receipts do
// (core/state_processor.go MakeReceipt: ContractAddress = CreateAddress(origin, nonce) whenever
// To is nil); found by the random differential test against anvil (docs/differential.md).
TEST_F(TransitionTest, FailedCreateStillNamesItsAddress) {
    const Address created = create_address(sender, 0);
    for (const char* init : {"0x60006000fd",            // REVERT
                             "0x60ef60005360016000f3",  // returns 0xEF (EIP-3541)
                             "0x5b600056"}) {           // JUMPDEST; loop: out of gas
        ExecState st(base);
        Transaction t = transfer(0);
        t.to.reset();
        t.gas_limit = 100000;
        t.data = from_hex(init).value();
        auto r = apply(st, t);
        ASSERT_TRUE(r.has_value()) << init;
        EXPECT_NE(r->status, evm::Status::kSuccess) << init;
        ASSERT_TRUE(r->contract_address.has_value()) << init;
        EXPECT_EQ(*r->contract_address, created) << init;
        EXPECT_TRUE(st.code(created).empty()) << init;
    }
}
