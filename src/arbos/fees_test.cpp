#include <gtest/gtest.h>

#include <cmath>

#include "arbos/l1_fee.hpp"
#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

TEST(L2Pricing, ApproxExpMatchesNitroIntegerSeries) {
    EXPECT_EQ(approx_exp_bips(0), 10'000u);
    // 1 + x/4 (1 + x/3 (1 + x/2 (1 + x))) at x = 1, in integer basis points: 27083.
    EXPECT_EQ(approx_exp_bips(10'000), 27'083u);
    // Close to e^x for small x (within the 4-term series' error).
    for (uint64_t x : {1'000u, 5'000u, 12'000u}) {
        const double exact = std::exp(static_cast<double>(x) / 10'000) * 10'000;
        EXPECT_NEAR(static_cast<double>(approx_exp_bips(x)), exact, exact * 0.02) << x;
    }
    // Saturates instead of wrapping.
    EXPECT_GT(approx_exp_bips(UINT64_MAX / 2), 10'000u);
}

TEST(L2Pricing, BaseFeeFormula) {
    FeeParams f;
    f.min_base_fee = uint256(100'000'000);
    f.speed_limit_per_second = 1'000'000;
    f.backlog_tolerance_seconds = 10;
    f.pricing_inertia = 100;
    EXPECT_EQ(l2_base_fee_for_backlog(f, 0), f.min_base_fee);
    EXPECT_EQ(l2_base_fee_for_backlog(f, 10'000'000), f.min_base_fee);  // at tolerance
    // excess 100 × speed limit = inertia × speed limit: e^1 ≈ 2.7083 with the series.
    EXPECT_EQ(l2_base_fee_for_backlog(f, 110'000'000), uint256(270'830'000));
    EXPECT_EQ(drain_backlog(f, 5'000'000, 3), 2'000'000u);
    EXPECT_EQ(drain_backlog(f, 5'000'000, 6), 0u);
}

/// A chain whose speed limit is tiny, so a few transfers build a backlog.
Genesis slow_genesis() {
    Genesis g = dev_genesis(kChainId);
    g.fees.speed_limit_per_second = 21'000;
    g.fees.backlog_tolerance_seconds = 2;
    g.fees.pricing_inertia = 1;
    return g;
}

TEST(L2Pricing, BaseFeeRisesWithBacklogAndFallsBack) {
    Chain c(slow_genesis());
    const FeeParams& f = c.genesis.fees;
    const Address to = addr("0x6666666666666666666666666666666666666666");
    std::vector<Bytes> txs;
    for (uint64_t n = 0; n < 8; ++n)
        txs.push_back(make_tx(0, n, to, uint256(1)));
    const Block& b1 = c.execute(c.message(txs, 1));
    ASSERT_EQ(b1.txs.size(), 8u);
    EXPECT_EQ(b1.header.base_fee_per_gas, f.min_base_fee);  // backlog was empty
    EXPECT_EQ(read_system_state(c.world).value().gas_backlog, 8u * 21'000);

    // Same second: nothing drains; backlog 168000 > tolerance 42000.
    const uint256 predicted = next_base_fee(c.world, c.genesis, b1.header.timestamp).value();
    EXPECT_GT(next_base_fee(c.world, c.genesis, b1.header.timestamp).value(),
              next_base_fee(c.world, c.genesis, b1.header.timestamp + 3).value());
    const Block& b2 =
        c.execute(c.message({make_tx(1, 0, to, uint256(1), 21'000, {}, uint256(10) * kGwei)}, 0));
    const uint64_t backlog = 8 * 21'000;
    const uint64_t exponent = (backlog - 2 * 21'000) * 10'000 / (1 * 21'000);  // 60000 bips
    const uint256 expected = f.min_base_fee * uint256(approx_exp_bips(exponent)) / uint256(10'000);
    EXPECT_EQ(b2.header.base_fee_per_gas, expected);
    EXPECT_EQ(predicted, expected);
    EXPECT_GT(expected, f.min_base_fee * uint256(50));  // ~e^6 with the series: ~ 64×
    EXPECT_EQ(b2.txs[0].effective_gas_price, expected);
    EXPECT_EQ(read_system_state(c.world).value().l2_base_fee, expected);

    // Two seconds later: 42000 drained, still congested but cheaper.
    const Block& b3 = c.execute(c.message({}, 2));
    EXPECT_LT(*b3.header.base_fee_per_gas, expected);
    EXPECT_GT(*b3.header.base_fee_per_gas, f.min_base_fee);
    // A minute later the backlog is gone and the price is back at the floor.
    const Block& b4 = c.execute(c.message({}, 60));
    EXPECT_EQ(b4.header.base_fee_per_gas, f.min_base_fee);
    EXPECT_EQ(read_system_state(c.world).value().gas_backlog, 0u);
}

TEST(L2Pricing, TimestampNeverGoesBackwards) {
    Chain c(dev_genesis(kChainId));
    c.execute(c.message({}, 100));
    Message m = c.message({});
    m.timestamp = 5;  // before the parent
    const Block& b = c.execute(m);
    EXPECT_EQ(b.header.timestamp, c.blocks[1].header.timestamp);
}

TEST(Calls, EstimateGasCoversTheL1FeeAndTheTxThenSucceeds) {
    Chain c(dev_genesis(kChainId));
    const uint256 l1 = uint256(100'000'000);
    c.execute(c.message({}, 1, l1, 3));
    CallRequest req;
    req.from = dev_accounts()[3].address;
    req.to = addr("0x7777777777777777777777777777777777777777");
    req.value = uint256(1000);
    auto est = estimate_gas(c.world, c.genesis, c.head(), req);
    ASSERT_TRUE(est) << est.error().error;
    EXPECT_GT(*est, 21'000u);
    // Without the L1 part a transfer is exactly 21000.
    auto plain = simulate_call(c.world, c.genesis, c.head(), req, false);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->gas_used, 21'000u);
    EXPECT_EQ(plain->gas_used_for_l1, 0u);
    // The estimate is enough for the real, signed transaction.
    const Bytes raw = make_tx(3, 0, req.to, req.value, *est);
    {
        BlockBuilder probe(c.world, c.genesis, c.head(), c.message({}, 1, l1, 3));
        auto r = probe.add(raw);
        EXPECT_TRUE(r) << r.error().message;
    }
    const Block& b = c.execute(c.message({raw}, 1, l1, 3));
    ASSERT_EQ(b.txs.size(), 1u);
    EXPECT_LE(b.txs[0].gas_used, *est);
    EXPECT_GT(b.txs[0].gas_used_for_l1, 0u);
    // Too little gas for the L1 part: the request is refused as intrinsic gas too low.
    req.gas = 21'000;
    auto low = simulate_call(c.world, c.genesis, c.head(), req, true);
    ASSERT_FALSE(low);
    EXPECT_NE(low.error().message.find("intrinsic gas too low"), std::string::npos);
}

TEST(Calls, RevertDataIsReturnedAndEstimateFails) {
    Genesis g = dev_genesis(kChainId);
    // Runtime: REVERT with 4 bytes 0xdeadbeef from memory.
    GenesisAccount reverter;
    reverter.code = from_hex("0x63deadbeef6000526004601cfd").value();
    const Address at = addr("0x8888888888888888888888888888888888888888");
    g.alloc[at] = reverter;
    Chain c(g);
    CallRequest req;
    req.from = dev_accounts()[0].address;
    req.to = at;
    auto r = simulate_call(c.world, c.genesis, c.head(), req, false);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->success);
    EXPECT_EQ(r->error, "execution reverted");
    EXPECT_EQ(r->output, (Bytes{0xde, 0xad, 0xbe, 0xef}));
    auto est = estimate_gas(c.world, c.genesis, c.head(), req);
    ASSERT_FALSE(est);
    EXPECT_EQ(est.error().output, (Bytes{0xde, 0xad, 0xbe, 0xef}));
    // A call with a price needs the balance.
    req.from = addr("0x9999999999999999999999999999999999999999");
    req.gas_price = uint256(1'000'000'000);
    auto poor = simulate_call(c.world, c.genesis, c.head(), req, false);
    ASSERT_FALSE(poor);
    EXPECT_EQ(poor.error().message.rfind("insufficient funds", 0), 0u);
}

}  // namespace

namespace {

TEST(Limits, BlockGasLimitBoundsComputeGasNotTheL1Part) {
    Genesis g = dev_genesis(kChainId);
    g.fees.block_gas_limit = 100'000;  // four transfers of compute gas
    g.fees.max_tx_gas_limit = 100'000;
    Chain c(g);
    const Address to = addr("0x1212121212121212121212121212121212121212");
    const uint256 l1 = uint256(1'000'000'000);  // 1 gwei: ~180k poster gas per transfer
    BlockBuilder b(c.world, c.genesis, c.head(), c.message({}, 1, l1, 2), c.hashes());
    uint64_t total_l1 = 0;
    for (uint64_t n = 0; n < 4; ++n) {
        auto r = b.add(make_tx(0, n, to, uint256(1), 210'000, {}, uint256(2) * kGwei));
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_GT((*r)->gas_used_for_l1, 100'000u);  // above the per-tx cap on its own
        total_l1 += (*r)->gas_used_for_l1;
    }
    EXPECT_EQ(b.gas_left(), 100'000u - 4 * 21'000);
    // A fifth transfer's 21000 compute gas does not fit: block full, not invalid.
    auto full = b.add(make_tx(0, 4, to, uint256(1), 210'000, {}, uint256(2) * kGwei));
    ASSERT_FALSE(full);
    EXPECT_TRUE(full.error().block_full) << full.error().message;
    // Compute gas above the per-tx cap is refused whatever the L1 part.
    auto big =
        b.add(make_tx(1, 0, to, uint256(1), 100'000 + 200'000 + 21'000, {}, uint256(2) * kGwei));
    ASSERT_FALSE(big);
    EXPECT_FALSE(big.error().block_full);
    const Block blk = b.finish().value();
    EXPECT_EQ(blk.header.gas_used, 4 * 21'000 + total_l1);
    EXPECT_GT(blk.header.gas_used, g.fees.block_gas_limit);
    EXPECT_EQ(blk.header.gas_limit, uint64_t{1} << 50);
}

}  // namespace

namespace {

TEST(Calls, EstimateOnAFreshChainIncludesTheL1Fee) {
    Chain c(dev_genesis(kChainId));  // initial L1 base fee 1 gwei
    const SystemState s = read_system_state(c.world).value();
    EXPECT_EQ(s.l1_base_fee, uint256(1'000'000'000));
    EXPECT_EQ(s.l1_price_per_byte, uint256(16'000'000'000));
    CallRequest req;
    req.from = dev_accounts()[5].address;
    req.to = addr("0x1313131313131313131313131313131313131313");
    req.value = uint256(1);
    auto est = estimate_gas(c.world, c.genesis, c.head(), req);
    ASSERT_TRUE(est) << est.error().error;
    EXPECT_GT(*est, 100'000u);  // ~110 bytes × 16 gwei / 0.01 gwei
    // Block 1 carries the same L1 base fee: the estimated transaction goes in.
    const Block& b = c.execute(
        c.message({make_tx(5, 0, req.to, req.value, *est)}, 1, uint256(1'000'000'000), 1));
    ASSERT_EQ(b.txs.size(), 1u);
    EXPECT_LE(b.txs[0].gas_used, *est);
    // A caller that knows a higher L1 base fee gets a higher estimate.
    req.l1_base_fee = uint256(2'000'000'000);
    auto higher = estimate_gas(c.world, c.genesis, c.head(), req);
    ASSERT_TRUE(higher);
    EXPECT_GT(*higher, *est + 50'000);
}

}  // namespace
