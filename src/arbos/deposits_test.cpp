// L1 deposits in ArbOS (docs/arbos.md "Deposits"): execution of types 0x64 and 0x66, their
// place in the block, the checks and `deposit_error`, and the state slots.
#include <gtest/gtest.h>

#include <functional>

#include "arbos/arbos.hpp"
#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"
#include "core/hash.hpp"
#include "state/trie.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

const uint256 kEth = uint256(1'000'000'000'000'000'000ull);

/// Stores CALLER at 0, CALLVALUE at 1, ORIGIN at 2, GASPRICE at 3, then LOG0 of nothing.
const Bytes kRecorder = *from_hex("335f5534600155326002553a60035560006000a000");
/// REVERT(0, 0).
const Bytes kReverter = *from_hex("60006000fd");
/// An endless loop: JUMPDEST PUSH1 0 JUMP.
const Bytes kLooper = *from_hex("5b600056");

const Address kRecorderAddr = addr("0x00000000000000000000000000000000000c0de1");
const Address kReverterAddr = addr("0x00000000000000000000000000000000000c0de2");
const Address kLooperAddr = addr("0x00000000000000000000000000000000000c0de3");
/// An aliased L1 contract (no account on L2).
const Address kAliased = addr("0x2222000000000000000000000000000000003333");
const Address kUser = addr("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");

Genesis test_genesis() {
    Genesis g = dev_genesis(kChainId);
    g.alloc[kRecorderAddr].code = kRecorder;
    g.alloc[kReverterAddr].code = kReverter;
    g.alloc[kLooperAddr].code = kLooper;
    return g;
}

Deposit native(uint64_t index, const Address& to, const uint256& value, uint64_t l1_block = 1) {
    Deposit d;
    d.kind = DepositKind::kNative;
    d.index = index;
    d.l2_from = dev_accounts()[0].address;
    d.to = to;
    d.value = value;
    d.l1_block_number = l1_block;
    d.l1_timestamp = 1000 + index;
    return d;
}

Deposit call_deposit(uint64_t index, const Address& to, const uint256& value, uint64_t gas,
                     Bytes data = {}) {
    Deposit d;
    d.kind = DepositKind::kMessage;
    d.index = index;
    d.l2_from = kAliased;
    d.to = to;
    d.value = value;
    d.l2_gas_limit = gas;
    d.l1_block_number = 1;
    d.l1_timestamp = 1000 + index;
    d.data = std::move(data);
    return d;
}

/// A chain that also feeds deposits, with the ref the sequencer would write.
struct DepositChain : Chain {
    explicit DepositChain(Genesis g = test_genesis()) : Chain(std::move(g)) {}
    Message with_ref(std::vector<Bytes> txs, const std::vector<Deposit>& ds) const {
        Message m = message(std::move(txs));
        m.deposit_ref = batch::make_deposit_ref(read_system_state(world).value().deposit_acc, ds);
        return m;
    }
    const Block& run(const Message& m, const std::vector<Deposit>& ds) {
        blocks.push_back(execute_message(world, genesis, head(), m, nullptr, hashes(), ds));
        return blocks.back();
    }
    uint256 slot(const Address& a, uint64_t key) const {
        return world.read_storage(a, uint256(key)).value();
    }
};

TEST(Deposits, NativeDepositMintsAsTheFirstTransactionOfTheBlock) {
    DepositChain c;
    const Address to = addr("0x1111111111111111111111111111111111111111");
    const std::vector<Deposit> ds = {native(0, kUser, kEth), native(1, to, uint256(7))};
    const uint256 user_before = c.balance(kUser);
    const Message m = c.with_ref({make_tx(2, 0, to, uint256(1))}, ds);
    const Block& b = c.run(m, ds);
    ASSERT_FALSE(b.deposit_error);
    ASSERT_EQ(b.txs.size(), 3u);
    for (size_t i = 0; i < 2; ++i) {
        const ExecutedTx& t = b.txs[i];
        EXPECT_EQ(t.tx.type, TxType::kArbitrumDeposit);
        EXPECT_EQ(t.receipt.type, TxType::kArbitrumDeposit);
        EXPECT_EQ(t.raw, encode_transaction(make_deposit_transaction(ds[i], kChainId)));
        EXPECT_EQ(t.hash, keccak256(t.raw));
        EXPECT_EQ(t.sender, ds[i].l2_from);
        EXPECT_TRUE(t.receipt.success);
        EXPECT_EQ(t.gas_used, 0u);
        EXPECT_EQ(t.receipt.cumulative_gas_used, 0u);
        EXPECT_TRUE(t.receipt.logs.empty());
        EXPECT_TRUE(t.effective_gas_price.is_zero());
    }
    EXPECT_EQ(b.txs[1].tx.request_id, deposit_request_id(1));
    EXPECT_EQ(b.txs[2].tx.type, TxType::kDynamicFee);
    EXPECT_TRUE(b.txs[2].receipt.success);
    EXPECT_EQ(b.txs[2].receipt.cumulative_gas_used, 21'000u);
    EXPECT_EQ(b.header.gas_used, 21'000u);
    EXPECT_EQ(c.balance(kUser), user_before + kEth);
    EXPECT_EQ(c.balance(to), uint256(7 + 1));
    // The transactions root covers the deposit transactions.
    const std::vector<Bytes> raws = {b.txs[0].raw, b.txs[1].raw, b.txs[2].raw};
    EXPECT_EQ(b.header.transactions_root, state::ordered_trie_root(raws));
    const SystemState s = read_system_state(c.world).value();
    EXPECT_EQ(s.next_deposit_index, 2u);
    EXPECT_EQ(s.deposit_acc, chain_acc(Hash32{}, ds));
    EXPECT_EQ(s.deposit_acc, m.deposit_ref->acc);
    EXPECT_EQ(c.slot(kArbosStateAddress, 19), uint256(2));  // documented slots
    EXPECT_EQ(c.slot(kArbosStateAddress, 20), uint256::from_hash(s.deposit_acc));
}

TEST(Deposits, MessageDepositMintsToFromThenCallsWithoutNonceOrFee) {
    DepositChain c;
    const std::vector<Deposit> ds = {call_deposit(0, kRecorderAddr, uint256(5), 200'000)};
    const uint256 network_before = c.balance(c.genesis.fees.network_fee_account);
    const Block& b = c.run(c.with_ref({}, ds), ds);
    ASSERT_FALSE(b.deposit_error);
    ASSERT_EQ(b.txs.size(), 1u);
    const ExecutedTx& t = b.txs[0];
    EXPECT_EQ(t.tx.type, TxType::kArbitrumContract);
    EXPECT_EQ(t.tx.gas_limit, 200'000u);
    EXPECT_EQ(t.sender, kAliased);
    EXPECT_TRUE(t.receipt.success);
    // 21000 intrinsic + 3 SSTOREs of non-zero values to fresh cold slots (22100 each) + the
    // rest; refunds none.
    EXPECT_GT(t.gas_used, 21'000u + 3 * 22'100u);
    EXPECT_LT(t.gas_used, 100'000u);
    EXPECT_EQ(b.header.gas_used, t.gas_used);
    EXPECT_EQ(t.receipt.cumulative_gas_used, t.gas_used);
    ASSERT_EQ(t.receipt.logs.size(), 1u);
    EXPECT_EQ(t.receipt.logs[0].address, kRecorderAddr);
    EXPECT_EQ(c.slot(kRecorderAddr, 0), uint256::from_be(kAliased.view()));  // CALLER
    EXPECT_EQ(c.slot(kRecorderAddr, 1), uint256(5));                         // CALLVALUE
    EXPECT_EQ(c.slot(kRecorderAddr, 2), uint256::from_be(kAliased.view()));  // ORIGIN
    EXPECT_EQ(c.slot(kRecorderAddr, 3), uint256(0));                         // GASPRICE
    EXPECT_EQ(c.balance(kRecorderAddr), uint256(5));
    EXPECT_EQ(c.balance(kAliased), uint256(0));  // minted, then sent with the call
    // No nonce was checked or bumped, no fee paid (the L2 gas was paid on L1).
    const auto from = c.world.read_account(kAliased).value();
    EXPECT_FALSE(from && from->nonce != 0);
    EXPECT_EQ(c.balance(c.genesis.fees.network_fee_account), network_before);
}

TEST(Deposits, FailedCallKeepsTheMintAtFromAndIsStatusZero) {
    DepositChain c;
    const std::vector<Deposit> ds = {
        call_deposit(0, kReverterAddr, uint256(9), 50'000),
        call_deposit(1, kLooperAddr, uint256(4), 60'000),
        call_deposit(2, kRecorderAddr, uint256(3), 20'000),  // below the intrinsic 21000
        call_deposit(3, kRecorderAddr, uint256(2), 30'000),  // out of gas in the first SSTORE
    };
    const Block& b = c.run(c.with_ref({}, ds), ds);
    ASSERT_FALSE(b.deposit_error);
    ASSERT_EQ(b.txs.size(), 4u);
    for (const ExecutedTx& t : b.txs)
        EXPECT_FALSE(t.receipt.success);
    EXPECT_EQ(b.txs[0].gas_used, 21'006u);  // 2 x PUSH1 + REVERT: the gas left is returned
    EXPECT_EQ(b.txs[1].gas_used, 60'000u);  // out of gas: all of it
    EXPECT_EQ(b.txs[2].gas_used, 20'000u);
    EXPECT_EQ(b.txs[3].gas_used, 30'000u);
    EXPECT_EQ(b.header.gas_used, b.txs[0].gas_used + 60'000u + 20'000u + 30'000u);
    EXPECT_EQ(b.txs[3].receipt.cumulative_gas_used, b.header.gas_used);
    EXPECT_EQ(c.balance(kAliased), uint256(9 + 4 + 3 + 2));
    EXPECT_EQ(c.balance(kReverterAddr), uint256(0));
    EXPECT_EQ(c.balance(kLooperAddr), uint256(0));
    EXPECT_EQ(c.balance(kRecorderAddr), uint256(0));
    EXPECT_TRUE(c.slot(kRecorderAddr, 1).is_zero());
    // The failures still consumed the deposits.
    EXPECT_EQ(read_system_state(c.world).value().next_deposit_index, 4u);
}

TEST(Deposits, GasCountsInTheBlockButIsNeverRefused) {
    Genesis g = test_genesis();
    g.fees.block_gas_limit = 100'000;
    g.fees.max_tx_gas_limit = 100'000;
    DepositChain c(g);
    // 150k of deposit gas in a block whose limit is 100k: executed, and the block is full.
    const std::vector<Deposit> ds = {call_deposit(0, kLooperAddr, uint256(0), 150'000)};
    BlockBuilder builder(c.world, c.genesis, c.head(), c.with_ref({}, ds), c.hashes(), ds);
    EXPECT_EQ(builder.deposit_count(), 1u);
    EXPECT_EQ(builder.tx_count(), 1u);
    EXPECT_EQ(builder.gas_left(), 0u);
    auto refused = builder.add(make_tx(0, 0, kUser, uint256(1)));
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().block_full);
    const Block b = builder.finish().value();
    EXPECT_EQ(b.header.gas_used, 150'000u);
    // The backlog grew by the deposit's gas (it raises the next blocks' base fee like any gas).
    EXPECT_EQ(read_system_state(c.world).value().gas_backlog, 150'000u);
}

TEST(Deposits, RefsMustContinueFromTheStoredIndexAndAccumulator) {
    DepositChain c;
    const std::vector<Deposit> first = {native(0, kUser, uint256(1)), native(1, kUser, uint256(2))};
    ASSERT_FALSE(c.run(c.with_ref({}, first), first).deposit_error);
    const std::vector<Deposit> second = {native(2, kUser, uint256(4))};
    const Message m2 = c.with_ref({}, second);
    EXPECT_EQ(m2.deposit_ref->acc, chain_acc(chain_acc(Hash32{}, first), second));
    ASSERT_FALSE(c.run(m2, second).deposit_error);
    // The same ref again (a replay) starts below the next index.
    const uint256 before = c.balance(kUser);
    const Block& replay = c.run(m2, second);
    EXPECT_EQ(replay.deposit_error, DepositError::kFirstIndexMismatch);
    EXPECT_TRUE(replay.txs.empty());
    EXPECT_EQ(c.balance(kUser), before);
    EXPECT_EQ(read_system_state(c.world).value().next_deposit_index, 3u);
}

TEST(Deposits, EveryFailedCheckSkipsTheDepositsAndReportsWhy) {
    const Address to = addr("0x1111111111111111111111111111111111111111");
    struct Case {
        DepositError error;
        std::function<void(Message&, std::vector<Deposit>&)> spoil;
    };
    const std::vector<Case> cases = {
        {DepositError::kUnexpectedDeposits, [](Message& m, auto&) { m.deposit_ref.reset(); }},
        {DepositError::kFirstIndexMismatch,
         [](Message& m, auto& ds) {
             for (auto& d : ds)
                 ++d.index;
             m.deposit_ref->first_index = 1;
         }},
        {DepositError::kCountMismatch, [](Message&, auto& ds) { ds.pop_back(); }},
        {DepositError::kCountMismatch, [](Message&, auto& ds) { ds.push_back(ds.back()); }},
        {DepositError::kIndexMismatch, [](Message&, auto& ds) { ds[1].index = 5; }},
        {DepositError::kBadKind, [](Message&, auto& ds) { ds[0].kind = DepositKind{2}; }},
        {DepositError::kDepositTooNew, [](Message&, auto& ds) { ds[1].l1_block_number = 2; }},
        {DepositError::kAccumulatorMismatch, [](Message&, auto& ds) { ds[1].value += uint256(1); }},
        {DepositError::kAccumulatorMismatch, [](Message& m, auto&) { m.deposit_ref->acc[0] ^= 1; }},
    };
    for (const Case& k : cases) {
        DepositChain c;
        std::vector<Deposit> ds = {native(0, to, uint256(3)),
                                   call_deposit(1, kRecorderAddr, {}, 90'000)};
        Message m = c.with_ref({make_tx(0, 0, to, uint256(1))}, ds);
        k.spoil(m, ds);
        const Block& b = c.run(m, ds);
        EXPECT_EQ(b.deposit_error, k.error) << to_string(k.error);
        // The block is otherwise as normal: the user transaction only.
        ASSERT_EQ(b.txs.size(), 1u);
        EXPECT_EQ(b.txs[0].tx.type, TxType::kDynamicFee);
        EXPECT_EQ(c.balance(to), uint256(1));
        const SystemState s = read_system_state(c.world).value();
        EXPECT_EQ(s.next_deposit_index, 0u);
        EXPECT_EQ(s.deposit_acc, Hash32{});
        EXPECT_STRNE(to_string(k.error), "unknown deposit error");
        // The unspoiled deposits still go through in the next block.
        const std::vector<Deposit> good = {native(0, to, uint256(3))};
        const Block& next = c.run(c.with_ref({}, good), good);
        EXPECT_FALSE(next.deposit_error);
        EXPECT_EQ(c.balance(to), uint256(4));
    }
    // Deposits from the message's own L1 block are fine (too new is strictly after).
    DepositChain c;
    std::vector<Deposit> ds = {native(0, kUser, uint256(1), 1)};
    EXPECT_FALSE(c.run(c.with_ref({}, ds), ds).deposit_error);
}

TEST(Deposits, SequencerAndValidatorPathsGiveTheSameBlock) {
    DepositChain seq, val;
    const std::vector<Deposit> ds = {native(0, kUser, kEth),
                                     call_deposit(1, kRecorderAddr, uint256(2), 200'000)};
    const Message m = seq.with_ref({make_tx(1, 0, kUser, uint256(3))}, ds);
    BlockBuilder builder(seq.world, seq.genesis, seq.head(), m, seq.hashes(), ds);
    // Deposit transactions are never offered: the builder refuses them by type.
    const Transaction dep = make_deposit_transaction(ds[0], kChainId);
    auto offered = builder.add(dep, encode_transaction(dep), ds[0].l2_from, tx_hash(dep));
    ASSERT_FALSE(offered);
    EXPECT_EQ(offered.error().reason, state::TxReason::kUnsupportedType);
    EXPECT_FALSE(builder.add(encode_transaction(dep)));
    ASSERT_TRUE(builder.add(m.txs[0]));
    const Block a = builder.finish().value();
    const Block& b = val.run(m, ds);
    EXPECT_EQ(a.hash, b.hash);
    EXPECT_EQ(a.txs.size(), 3u);
    // Without the contents the validator's block differs and says why.
    DepositChain other;
    const Block& missing = other.run(m, {});
    EXPECT_EQ(missing.deposit_error, DepositError::kCountMismatch);
    EXPECT_NE(missing.hash, a.hash);
}

TEST(Deposits, FirstDepositOfTheEthersVectorHasItsHash) {
    // Deposit 0 of `node scripts/deposit-vectors.mjs` (chain 412346): the L2 transaction ArbOS
    // puts in the block has the hash ethers computed.
    DepositChain c;
    Deposit d = native(0, kUser, kEth, 1000);
    d.l2_from = addr("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    d.l1_timestamp = 1700000000;
    Message m = c.with_ref({}, {d});
    m.l1_block_number = 1000;
    const Block& b = c.run(m, {d});
    ASSERT_FALSE(b.deposit_error);
    ASSERT_EQ(b.txs.size(), 1u);
    EXPECT_EQ(to_hex(b.txs[0].hash),
              "0x94916768e21f778934235acaf5c476394fab640e52546738b46c386bc2ebfd68");
    EXPECT_EQ(to_hex(m.deposit_ref->acc),
              "0x2d5a4a8e292f3302b4270ad626f4908bdbf6b5aa9b0d2bfa1b78d4468ed6d278");
}

}  // namespace
