// The chain-layer hooks of transaction processing (TxHooks, PrecompileHook) that ArbOS uses;
// without them the rules are Ethereum's (the official state tests check that side).
#include <gtest/gtest.h>

#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "state/host.hpp"
#include "state/transition.hpp"

using namespace fuse;
using namespace fuse::state;
using evm::Revision;

namespace {

Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}

/// Serves one address: returns the caller's value as a word, reverts on input 0x00, fails
/// (all gas) on input 0xff; writes a storage slot first so reverts can be observed.
struct EchoHook : PrecompileHook {
    Address at = addr("0x0000000000000000000000000000000000000064");
    bool contains(const Address& a) const noexcept override { return a == at; }
    evm::ExecResult run(ExecState& st, const evm::Message& msg) noexcept override {
        st.set_storage(at, uint256(1), uint256(7));
        evm::ExecResult r;
        r.gas_left = msg.gas - 100;
        if (!msg.input.empty() && msg.input[0] == 0x00) {
            r.status = evm::Status::kRevert;
            r.output = {0xaa};
            return r;
        }
        if (!msg.input.empty() && msg.input[0] == 0xff) {
            r.status = evm::Status::kFailure;
            return r;
        }
        r.output.resize(32);
        msg.value.to_be(r.output.data());
        return r;
    }
};

struct HooksTest : ::testing::Test {
    Hash32 key =
        hash_from_hex("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8").value();
    Address sender = address_from_private_key(key).value();
    Address to = addr("0x1000000000000000000000000000000000000001");
    Address coinbase = addr("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
    Address network = addr("0x00000000000000000000000000000000000000a1");
    Address l1 = addr("0x00000000000000000000000000000000000000a2");
    // Clears slots 0, 1 and 2 (refund 3 × 4800, capped by EIP-3529).
    Address clearer = addr("0x3000000000000000000000000000000000000003");
    InMemoryState base;
    BlockEnv block;
    EchoHook echo;
    const uint256 kBalance = uint256(1'000'000'000'000'000'000ull);

    void SetUp() override {
        base.put_account(sender, Account{0, kBalance, kEmptyCodeHash});
        const Bytes code = from_hex("0x600060005560006001556000600255").value();
        base.put_account(clearer, Account{1, uint256{}, kEmptyCodeHash}, code);
        for (uint64_t i = 0; i < 3; ++i)
            base.put_storage(clearer, uint256(i), uint256(1));
        block.coinbase = coinbase;
        block.gas_limit = 30'000'000;
        block.base_fee = 10;
        block.number = 1;
    }

    Transaction tx(const Address& dest, const uint256& value, uint64_t gas, Bytes data = {}) {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = 1;
        t.max_fee_per_gas = 20;
        t.max_priority_fee_per_gas = 2;
        t.gas_limit = gas;
        t.to = dest;
        t.value = value;
        t.data = std::move(data);
        EXPECT_TRUE(sign_transaction(t, key).has_value());
        return t;
    }

    TxHooks arb(int64_t extra) {
        TxHooks h;
        h.extra_gas = extra;
        h.base_fee_to_accounts = true;
        h.network_fee_account = network;
        h.l1_fee_account = l1;
        h.precompiles = &echo;
        h.precompile_addresses = std::span<const Address>(&echo.at, 1);
        return h;
    }

    Result<TxResult, TxRefusal> apply(ExecState& st, const Transaction& t, const TxHooks* h) {
        return apply_transaction(
            st, block, Revision::kCancun, t, sender, block.gas_limit,
            [](int64_t) { return Hash32{}; }, h);
    }
};

TEST_F(HooksTest, ExtraGasIsChargedAndFeesGoToTheAccountsAtTheBaseFee) {
    ExecState st(base);
    const TxHooks h = arb(5'000);
    auto r = apply(st, tx(to, uint256(1000), 30'000), &h);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->gas_used, 26'000);
    EXPECT_EQ(st.balance(sender), kBalance - uint256(1000) - uint256(26'000 * 10));  // no tip
    EXPECT_EQ(st.balance(network), uint256(21'000 * 10));
    EXPECT_EQ(st.balance(l1), uint256(5'000 * 10));
    EXPECT_FALSE(st.exists(coinbase));
    // Without hooks: Ethereum (price = base fee + tip, tip to the coinbase, base fee burnt).
    ExecState eth(base);
    auto e = apply(eth, tx(to, uint256(1000), 30'000), nullptr);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->gas_used, 21'000);
    EXPECT_EQ(eth.balance(coinbase), uint256(21'000 * 2));
    EXPECT_EQ(eth.balance(sender), kBalance - uint256(1000) - uint256(21'000 * 12));
}

TEST_F(HooksTest, GasLimitBelowIntrinsicPlusExtraIsInvalid) {
    ExecState st(base);
    const TxHooks h = arb(5'000);
    auto r = apply(st, tx(to, uint256(1), 25'999), &h);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, TxReason::kIntrinsicGas);
    EXPECT_EQ(st.nonce(sender), 0u);
    EXPECT_TRUE(apply(st, tx(to, uint256(1), 26'000), &h));
}

TEST_F(HooksTest, ExtraGasIsOutsideTheRefundCap) {
    // The refund cap binds here (3 clears: refund 14400 > gas/5), so if the extra gas entered
    // the cap's base the refund would grow with it.
    ExecState a(base);
    auto plain = apply(a, tx(clearer, uint256(0), 200'000), nullptr);
    ASSERT_TRUE(plain);
    ExecState b(base);
    const TxHooks h = arb(50'000);
    auto hooked = apply(b, tx(clearer, uint256(0), 200'000), &h);
    ASSERT_TRUE(hooked);
    EXPECT_EQ(hooked->gas_used, plain->gas_used + 50'000);
    EXPECT_EQ(b.get_storage(clearer, uint256(1)), uint256(0));
}

TEST_F(HooksTest, PrecompileHookServesItsAddressWarmAndReverts) {
    const TxHooks h = arb(0);
    ExecState st(base);
    // Success: value credited to the hook's address, output returned, write kept.
    auto ok = apply(st, tx(echo.at, uint256(5), 50'000, {0x01}), &h);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, evm::Status::kSuccess);
    EXPECT_EQ(ok->gas_used, 21'000 + 16 + 100);
    EXPECT_EQ(st.balance(echo.at), uint256(5));
    EXPECT_EQ(st.get_storage(echo.at, uint256(1)), uint256(7));
    // Revert: state and value undone, the unused gas returned.
    ExecState st2(base);
    auto rev = apply(st2, tx(echo.at, uint256(5), 50'000, {0x00}), &h);
    ASSERT_TRUE(rev);
    EXPECT_EQ(rev->status, evm::Status::kRevert);
    EXPECT_EQ(rev->gas_used, 21'000 + 4 + 100);
    EXPECT_EQ(st2.balance(echo.at), uint256(0));
    EXPECT_EQ(st2.get_storage(echo.at, uint256(1)), uint256(0));
    // Failure: all gas consumed.
    ExecState st3(base);
    auto fail = apply(st3, tx(echo.at, uint256(0), 50'000, {0xff}), &h);
    ASSERT_TRUE(fail);
    EXPECT_EQ(fail->status, evm::Status::kFailure);
    EXPECT_EQ(fail->gas_used, 50'000);
    // Without the hook the address is an ordinary empty account.
    ExecState st4(base);
    auto eth = apply(st4, tx(echo.at, uint256(5), 50'000, {0x00}), nullptr);
    ASSERT_TRUE(eth);
    EXPECT_EQ(eth->status, evm::Status::kSuccess);
    EXPECT_EQ(eth->gas_used, 21'000 + 4);
}

}  // namespace
