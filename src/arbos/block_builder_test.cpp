#include <gtest/gtest.h>

#include "arbos/arbos.hpp"
#include "arbos/l1_fee.hpp"
#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"
#include "core/hash.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

const uint256 kEth = uint256(1'000'000'000'000'000'000ull);

TEST(BlockBuilder, GenesisBlockHasArbosStateAndPragueHeader) {
    Chain c(dev_genesis(kChainId));
    const Block& g = c.head();
    EXPECT_EQ(g.header.number, 0u);
    EXPECT_EQ(g.header.state_root, c.world.state_root());
    EXPECT_EQ(g.header.withdrawals_root, kEmptyTrieRoot);
    EXPECT_EQ(g.header.blob_gas_used, 0u);
    EXPECT_EQ(g.header.parent_beacon_block_root, Hash32{});
    EXPECT_EQ(g.header.difficulty, uint256(1));
    EXPECT_EQ(g.header.base_fee_per_gas, c.genesis.fees.min_base_fee);
    EXPECT_EQ(g.hash, *header_hash(g.header));
    const auto sys_acc = c.world.read_account(kArbosStateAddress).value();
    ASSERT_TRUE(sys_acc);
    EXPECT_EQ(sys_acc->nonce, 1u);
    const SystemState s = read_system_state(c.world).value();
    EXPECT_EQ(s.chain_id, kChainId);
    EXPECT_EQ(s.arbos_version, kArbosVersionLatest);        // dev_genesis: a new chain, Prague
    EXPECT_EQ(g.header.requests_hash, kEmptyRequestsHash);  // EIP-7685
    EXPECT_EQ(s.l2_base_fee, c.genesis.fees.min_base_fee);
    for (const DevAccount& d : dev_accounts())
        EXPECT_EQ(c.balance(d.address), uint256(10'000) * kEth);
    // A different chain id is a different genesis hash (the chain id is in ArbOS's state).
    Chain other(dev_genesis(kChainId + 1));
    EXPECT_NE(other.head().hash, g.hash);
}

TEST(BlockBuilder, TransferExactBalancesAndFeeSplit) {
    Chain c(dev_genesis(kChainId));
    const Address to = addr("0x1111111111111111111111111111111111111111");
    const Address from = dev_accounts()[0].address;
    const uint256 base = c.genesis.fees.min_base_fee;
    // A tip is offered but, as in Arbitrum, not paid: the price is the base fee.
    const Block& b = c.execute(c.message({make_tx(0, 0, to, kEth, 21'000, {}, kGwei, kGwei)}));
    ASSERT_EQ(b.txs.size(), 1u);
    const ExecutedTx& t = b.txs[0];
    EXPECT_TRUE(t.receipt.success);
    EXPECT_EQ(t.gas_used, 21'000u);
    EXPECT_EQ(t.gas_used_for_l1, 0u);  // L1 base fee 0
    EXPECT_EQ(t.effective_gas_price, base);
    EXPECT_EQ(t.sender, from);
    EXPECT_EQ(c.balance(to), kEth);
    EXPECT_EQ(c.balance(from), uint256(10'000) * kEth - kEth - uint256(21'000) * base);
    EXPECT_EQ(c.balance(c.genesis.fees.network_fee_account), uint256(21'000) * base);
    EXPECT_EQ(c.balance(c.genesis.fees.l1_fee_account), uint256{});
    EXPECT_EQ(b.header.gas_used, 21'000u);
    EXPECT_EQ(b.header.number, 1u);
    EXPECT_EQ(b.header.parent_hash, c.blocks[0].hash);
    EXPECT_EQ(b.header.beneficiary, c.genesis.fees.l1_fee_account);
    EXPECT_EQ(b.header.state_root, c.world.state_root());
    EXPECT_NE(b.header.transactions_root, kEmptyTrieRoot);
    EXPECT_EQ(b.hash, *header_hash(b.header));
}

TEST(BlockBuilder, L1FeeChargedAsPosterGas) {
    Chain c(dev_genesis(kChainId));
    const Address to = addr("0x2222222222222222222222222222222222222222");
    const uint256 l1_base_fee = uint256(100'000'000);  // 0.1 gwei
    const uint256 base = c.genesis.fees.min_base_fee;
    const Bytes raw = make_tx(1, 0, to, uint256(5), 100'000);
    const uint64_t size = compressed_size(raw);
    EXPECT_GT(size, 50u);
    EXPECT_LT(size, raw.size() + 8);
    const uint256 fee = uint256(size) * uint256(16) * l1_base_fee;
    uint256 expected_gas = fee / base;
    if (!(fee % base).is_zero()) expected_gas += uint256(1);
    const Block& b = c.execute(c.message({raw}, 1, l1_base_fee, 7));
    ASSERT_EQ(b.txs.size(), 1u);
    const ExecutedTx& t = b.txs[0];
    EXPECT_EQ(uint256(t.gas_used_for_l1), expected_gas);
    EXPECT_EQ(t.gas_used, 21'000 + t.gas_used_for_l1);
    EXPECT_EQ(t.receipt.cumulative_gas_used, t.gas_used);
    EXPECT_EQ(c.balance(c.genesis.fees.l1_fee_account), uint256(t.gas_used_for_l1) * base);
    EXPECT_EQ(c.balance(c.genesis.fees.network_fee_account), uint256(21'000) * base);
    EXPECT_EQ(c.balance(dev_accounts()[1].address),
              uint256(10'000) * kEth - uint256(5) - uint256(t.gas_used) * base);
    const SystemState s = read_system_state(c.world).value();
    EXPECT_EQ(s.l1_block_number, 7u);
    EXPECT_EQ(s.l1_base_fee, l1_base_fee);
    EXPECT_EQ(s.l1_price_per_byte, uint256(16) * l1_base_fee);
    EXPECT_EQ(b.l1_block_number, 7u);
    // mixHash bytes 8..15 carry the L1 block number, 16..23 the ArbOS version.
    EXPECT_EQ(b.header.mix_hash[15], 7);
    EXPECT_EQ(b.header.mix_hash[23], kArbosVersionLatest);

    // A gas limit that covers the intrinsic gas but not the poster gas is refused.
    BlockBuilder builder(c.world, c.genesis, c.head(), c.message({}, 1, l1_base_fee, 8));
    auto r = builder.add(make_tx(1, 1, to, uint256(5), 21'000));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("intrinsic gas too low"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(builder.tx_count(), 0u);
}

TEST(BlockBuilder, RejectionsAreGethStyleAndLeaveTheBlockUnchanged) {
    Chain c(dev_genesis(kChainId));
    const Address to = addr("0x3333333333333333333333333333333333333333");
    BlockBuilder b(c.world, c.genesis, c.head(), c.message({}));
    auto ok = b.add(make_tx(0, 0, to, uint256(1)));
    ASSERT_TRUE(ok) << ok.error().message;
    auto low = b.add(make_tx(0, 0, to, uint256(1)));
    ASSERT_FALSE(low);
    EXPECT_EQ(low.error().message.rfind("nonce too low", 0), 0u) << low.error().message;
    EXPECT_EQ(low.error().reason, state::TxReason::kNonceTooLow);
    auto high = b.add(make_tx(0, 5, to, uint256(1)));
    ASSERT_FALSE(high);
    EXPECT_EQ(high.error().message.rfind("nonce too high", 0), 0u);
    EXPECT_EQ(high.error().reason, state::TxReason::kNonceTooHigh);
    auto funds = b.add(make_tx(2, 0, to, uint256(20'000) * kEth));
    ASSERT_FALSE(funds);
    EXPECT_EQ(funds.error().message.rfind("insufficient funds for gas * price + value", 0), 0u);
    EXPECT_EQ(funds.error().reason, state::TxReason::kInsufficientFunds);
    auto chain = b.add(make_tx(3, 0, to, uint256(1), 21'000, {}, uint256(0), uint256(0), 1));
    ASSERT_FALSE(chain);
    EXPECT_NE(chain.error().message.find("chain id"), std::string::npos);
    EXPECT_EQ(chain.error().reason, state::TxReason::kWrongChainId);
    auto underpriced = b.add(make_tx(3, 0, to, uint256(1), 21'000, {}, uint256(1)));
    ASSERT_FALSE(underpriced);
    EXPECT_EQ(underpriced.error().message.rfind("max fee per gas less than block base fee", 0), 0u);
    EXPECT_EQ(underpriced.error().reason, state::TxReason::kFeeCapTooLow);
    auto cap = b.add(make_tx(3, 0, to, uint256(1), c.genesis.fees.max_tx_gas_limit + 1));
    ASSERT_FALSE(cap);
    EXPECT_EQ(cap.error().reason, state::TxReason::kGasLimit);
    EXPECT_FALSE(cap.error().block_full);
    auto garbage = b.add(Bytes{0x02, 0xc0});
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().reason, state::TxReason::kMalformed);
    EXPECT_EQ(b.tx_count(), 1u);
    const Block blk = b.finish().value();
    EXPECT_EQ(blk.txs.size(), 1u);
    EXPECT_EQ(blk.header.gas_used, 21'000u);
}

TEST(BlockBuilder, BlobTransactionsAreRefused) {
    Chain c(dev_genesis(kChainId));
    Transaction t;
    t.type = TxType::kBlob;
    t.chain_id = kChainId;
    t.max_fee_per_gas = kGwei;
    t.gas_limit = 21'000;
    t.to = addr("0x4444444444444444444444444444444444444444");
    t.max_fee_per_blob_gas = kGwei;
    Hash32 h;
    h[0] = 1;
    t.blob_versioned_hashes = {h};
    ASSERT_TRUE(sign_transaction(t, dev_accounts()[0].private_key));
    BlockBuilder b(c.world, c.genesis, c.head(), c.message({}));
    auto r = b.add(encode_transaction(t));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "transaction type not supported");
}

TEST(BlockBuilder, SequencerAndValidatorPathsGiveTheSameBlockHash) {
    Chain seq(dev_genesis(kChainId));
    Chain val(dev_genesis(kChainId));
    const Address to = addr("0x5555555555555555555555555555555555555555");
    const uint256 l1_fee = uint256(50'000'000);
    std::vector<Bytes> offered = {
        make_tx(0, 0, to, uint256(1), 40'000),
        make_tx(0, 0, to, uint256(2), 40'000),  // duplicate nonce
        make_tx(1, 0, to, uint256(3), 60'000), make_tx(4, 9, to, uint256(4), 40'000),  // nonce gap
        make_tx(0, 1, std::nullopt, uint256(0), 100'000, Bytes{0x60, 0x00, 0x60, 0x00, 0xf3})};
    // Sequencer: offer one at a time, keep the accepted ones as the message.
    Message m = seq.message({}, 3, l1_fee, 11);
    BlockBuilder b(seq.world, seq.genesis, seq.head(), m, seq.hashes());
    for (const Bytes& raw : offered)
        if (b.add(raw)) m.txs.push_back(raw);
    ASSERT_EQ(m.txs.size(), 3u);
    const Block sealed = b.finish().value();
    // Validator: the message as posted, and the message with the invalid ones left in.
    const Block replay = val.execute(m);
    EXPECT_EQ(replay.hash, sealed.hash);
    EXPECT_EQ(replay.header.state_root, sealed.header.state_root);
    Chain val2(dev_genesis(kChainId));
    Message noisy = m;
    noisy.txs = offered;
    const Block replay2 = val2.execute(noisy);
    EXPECT_EQ(replay2.hash, sealed.hash);
    EXPECT_EQ(replay2.txs.size(), 3u);
    ASSERT_TRUE(sealed.txs[2].contract_address);
    EXPECT_EQ(sealed.txs[2].first_log_index, 0u);
}

/// `raw` (a signed transaction) with its signature's r replaced: r = 0 recovers no sender,
/// the r of another signature recovers some other address.
Bytes with_r(const Bytes& raw, const uint256& r) {
    Transaction t = decode_transaction(raw).value();
    t.r = r;
    return encode_transaction(t);
}

TEST(BlockBuilder, PreparedTransactionsGiveTheSameInclusionsRefusalsAndBlock) {
    const Address to = addr("0x6666666666666666666666666666666666666666");
    Transaction blob;
    blob.type = TxType::kBlob;
    blob.chain_id = kChainId;
    blob.max_fee_per_gas = kGwei;
    blob.gas_limit = 21'000;
    blob.to = to;
    blob.max_fee_per_blob_gas = kGwei;
    blob.blob_versioned_hashes = {Hash32{}};
    ASSERT_TRUE(sign_transaction(blob, dev_accounts()[0].private_key));
    const uint256 other_r = decode_transaction(make_tx(2, 7, to, uint256(9))).value().r;
    const std::vector<Bytes> offered = {
        make_tx(0, 0, to, uint256(1), 60'000),
        with_r(make_tx(1, 0, to, uint256(2)), uint256(0)),  // no sender recovers
        with_r(make_tx(1, 0, to, uint256(3)), other_r),     // another sender: no funds
        make_tx(0, 0, to, uint256(4)),                      // duplicate nonce
        Bytes{0x02, 0xc0},                                  // does not decode
        Bytes{},                                            // empty
        encode_transaction(blob),                           // type refused
        make_tx(2, 0, to, uint256(5), 21'000, {}, uint256(0), uint256(0), kChainId + 1),
        make_tx(1, 0, std::nullopt, uint256(0), 100'000, Bytes{0x60, 0x00, 0x60, 0x00, 0xf3}),
        make_tx(0, 1, to, uint256(6), 60'000),
    };
    Chain a(dev_genesis(kChainId));
    Chain b(dev_genesis(kChainId));
    const Message m = a.message(offered, 2, uint256(1'000), 5);  // a small L1 fee
    BlockBuilder serial(a.world, a.genesis, a.head(), m, a.hashes());
    BlockBuilder ahead(b.world, b.genesis, b.head(), m, b.hashes());
    size_t included = 0, no_sender = 0;
    for (const Bytes& raw : offered) {
        const PreparedTx p = prepare_tx(raw);
        if (p.tx) {
            EXPECT_EQ(p.hash, tx_hash(*p.tx));
            EXPECT_EQ(p.l1_bytes, compressed_size(raw));
            if (p.sender) {
                EXPECT_EQ(*p.sender, recover_sender(*p.tx).value());
            } else {
                ++no_sender;
            }
        }
        auto x = serial.add(raw);
        auto y = ahead.add(p, raw);
        ASSERT_EQ(bool(x), bool(y));
        if (x) {
            ++included;
            EXPECT_EQ((*x)->hash, (*y)->hash);
            EXPECT_EQ((*x)->sender, (*y)->sender);
            EXPECT_EQ((*x)->gas_used_for_l1, (*y)->gas_used_for_l1);
        } else {
            EXPECT_EQ(x.error().reason, y.error().reason);
            EXPECT_EQ(x.error().message, y.error().message);
        }
    }
    EXPECT_EQ(included, 3u);
    EXPECT_EQ(no_sender, 1u);
    const Block x = serial.finish().value();
    const Block y = ahead.finish().value();
    EXPECT_EQ(x.hash, y.hash);
    EXPECT_GT(y.txs[0].gas_used_for_l1, 0u);  // the prepared L1 size was charged
    // The validator's path: the whole message with and without prepared transactions.
    Chain c(dev_genesis(kChainId));
    Chain d(dev_genesis(kChainId));
    std::vector<PreparedTx> prepared;
    for (const Bytes& raw : offered)
        prepared.push_back(prepare_tx(raw));
    const Block plain = c.execute(m);
    const Block fast =
        execute_message(d.world, d.genesis, d.head(), m, nullptr, d.hashes(), {}, prepared);
    EXPECT_EQ(plain.hash, x.hash);
    EXPECT_EQ(fast.hash, x.hash);
    EXPECT_EQ(fast.txs.size(), 3u);
    prepared.pop_back();
    EXPECT_THROW(
        execute_message(d.world, d.genesis, d.head(), m, nullptr, d.hashes(), {}, prepared),
        std::invalid_argument);
}

}  // namespace

namespace {

TEST(BlockBuilder, EvmSeesTheL2BlockEnvironment) {
    Genesis g = dev_genesis(kChainId);
    GenesisAccount probe;
    // slot0 = BLOCKHASH(NUMBER-1), 1 = NUMBER, 2 = COINBASE, 3 = BASEFEE, 4 = TIMESTAMP,
    // 5 = GASPRICE, 6 = CHAINID, 7 = PREVRANDAO.
    probe.code = from_hex(
                     "0x600143034060005543600155416002554860035542600455"
                     "3a600555466006554460075500")
                     .value();
    const Address at = addr("0x0000000000000000000000000000000000abcdef");
    g.alloc[at] = probe;
    Chain c(g);
    c.execute(c.message({}));
    c.execute(c.message({}));
    const Block& b = c.execute(
        c.message({make_tx(0, 0, at, uint256(0), 300'000, {}, uint256(2) * kGwei, kGwei)}, 5));
    ASSERT_EQ(b.txs.size(), 1u);
    ASSERT_TRUE(b.txs[0].receipt.success);
    auto slot = [&](uint64_t i) { return c.world.read_storage(at, uint256(i)).value(); };
    EXPECT_EQ(slot(0).to_hash(), c.blocks[2].hash);
    EXPECT_EQ(slot(1), uint256(3));
    EXPECT_EQ(slot(2), uint256::from_be(c.genesis.fees.l1_fee_account.view()));
    EXPECT_EQ(slot(3), c.genesis.fees.min_base_fee);
    EXPECT_EQ(slot(4), uint256(b.header.timestamp));
    EXPECT_EQ(slot(5), c.genesis.fees.min_base_fee);  // the tip is dropped
    EXPECT_EQ(slot(6), uint256(kChainId));
    EXPECT_EQ(slot(7), uint256(1));
}

}  // namespace
