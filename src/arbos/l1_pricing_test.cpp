// The L1 data backlog (ArbOS version 3, docs/arbos.md "L1 price per byte"): the L1 price per
// byte rises while the chain produces L1 bytes faster than its target and falls back as the
// backlog drains; integer math only, the same on the sequencer's and the validator's paths.
#include <gtest/gtest.h>

#include "arbos/block_context.hpp"
#include "arbos/l1_fee.hpp"
#include "arbos/system_state.hpp"
#include "arbos/test_util.hpp"

using namespace fuse;
using namespace fuse::arbos;
using namespace fuse::arbos::test;

namespace {

FeeParams small_params() {
    FeeParams f;
    f.min_base_fee = uint256(10'000'000);
    f.l1_gas_per_byte = 16;
    f.l1_target_bytes_per_second = 1'000;
    f.l1_backlog_tolerance_seconds = 2;
    f.l1_pricing_inertia = 10;
    return f;
}

TEST(L1Pricing, FactorIsOneUpToTheToleranceThenExponential) {
    const FeeParams f = small_params();
    EXPECT_EQ(l1_backlog_factor_bips(f, 0), 10'000u);
    EXPECT_EQ(l1_backlog_factor_bips(f, 2'000), 10'000u);  // at the tolerance
    EXPECT_GT(l1_backlog_factor_bips(f, 2'001), 10'000u);
    // Excess = inertia × target: the series' e ≈ 2.7083.
    EXPECT_EQ(l1_backlog_factor_bips(f, 2'000 + 10 * 1'000), 27'083u);
    // Non-decreasing over the whole range, saturating instead of wrapping.
    uint64_t prev = 0;
    for (uint64_t b = 0; b < 64; ++b) {
        const uint64_t backlog = b == 0 ? 0 : (uint64_t{1} << b) - 1;
        const uint64_t factor = l1_backlog_factor_bips(f, backlog);
        EXPECT_GE(factor, prev) << backlog;
        prev = factor;
    }
    EXPECT_GE(l1_backlog_factor_bips(f, UINT64_MAX), prev);
    EXPECT_EQ(drain_l1_backlog(f, 5'000, 3), 2'000u);
    EXPECT_EQ(drain_l1_backlog(f, 5'000, 6), 0u);
    EXPECT_EQ(drain_l1_backlog(f, UINT64_MAX, UINT64_MAX), 0u);  // saturating product
    EXPECT_EQ(add_l1_bytes(UINT64_MAX - 1, 5), UINT64_MAX);
}

TEST(L1Pricing, PriceFormulaByVersion) {
    const FeeParams f = small_params();
    const uint256 l1_fee = uint256(1'000'000'000);  // 1 gwei, above the L2 floor
    const uint64_t congested = 2'000 + 10 * 1'000;  // factor 27083
    // Versions 1 and 2: l1GasPerByte × L1 base fee, whatever the backlog.
    for (uint64_t v : {kArbosVersionCancun, kArbosVersionPrague}) {
        EXPECT_EQ(l1_price_per_byte(f, v, l1_fee, congested), uint256(16) * l1_fee);
        EXPECT_EQ(l1_price_per_byte(f, v, uint256{}, congested), uint256{});
    }
    const uint64_t v3 = kArbosVersionL1Backlog;
    // Within the tolerance: the same price as before version 3 (0 for a free L1).
    EXPECT_EQ(l1_price_per_byte(f, v3, l1_fee, 2'000), uint256(16) * l1_fee);
    EXPECT_EQ(l1_price_per_byte(f, v3, uint256{}, 2'000), uint256{});
    // Congested: 16 × (L1 fee + max(L1 fee, floor) × 1.7083).
    EXPECT_EQ(l1_price_per_byte(f, v3, l1_fee, congested),
              uint256(16) * (l1_fee + l1_fee * uint256(17'083) / uint256(10'000)));
    // L1 gas free: the surcharge is priced from the L2 floor (10^7 wei).
    EXPECT_EQ(l1_price_per_byte(f, v3, uint256{}, congested),
              uint256(16) * uint256(10'000'000) * uint256(17'083) / uint256(10'000));
}

TEST(L1Pricing, NoIntegerWrapsAtTheExtremes) {
    FeeParams f = small_params();
    const uint64_t v3 = kArbosVersionL1Backlog;
    f.l1_gas_per_byte = UINT64_MAX;
    for (const uint256& fee : {uint256{}, uint256(1), uint256(1) << 127, uint256(1) << 128,
                               uint256(1) << 200, uint256::max()}) {
        for (uint64_t backlog : {uint64_t{0}, uint64_t{1'000'000}, UINT64_MAX}) {
            const uint256 p = l1_price_per_byte(f, v3, fee, backlog);
            EXPECT_LE(p, kMaxL1PricePerByte);
            // Monotone in the backlog at a fixed L1 fee: a wrap would show as a drop.
            EXPECT_GE(l1_price_per_byte(f, v3, fee, backlog == 0 ? 1 : backlog), p);
        }
    }
    EXPECT_EQ(l1_price_per_byte(f, v3, uint256::max(), UINT64_MAX), kMaxL1PricePerByte);
    f.min_base_fee = uint256(1) << 100;  // a huge floor: the surcharge alone hits the cap
    EXPECT_EQ(l1_price_per_byte(f, v3, uint256{}, UINT64_MAX), kMaxL1PricePerByte);
    // The fee of a large transaction at the cap still fits, and poster gas saturates.
    const uint256 fee = uint256(uint64_t{1} << 32) * kMaxL1PricePerByte;
    EXPECT_EQ(fee / kMaxL1PricePerByte, uint256(uint64_t{1} << 32));
    EXPECT_EQ(poster_gas(fee, uint256(1)), uint64_t{1} << 62);
    f.l1_gas_per_byte = 0;  // a chain without an L1 fee stays free
    EXPECT_EQ(l1_price_per_byte(f, v3, uint256::max(), UINT64_MAX), uint256{});
}

/// A v3 chain with a small L1 target so that a few transactions make a backlog. L2 gas stays
/// cheap (a high speed limit) so that only the L1 side moves.
Genesis l1_genesis() {
    Genesis g = dev_genesis(kChainId);
    g.predeploys.clear();
    g.fees.speed_limit_per_second = 1'000'000'000;
    g.fees.l1_target_bytes_per_second = 200;
    g.fees.l1_backlog_tolerance_seconds = 2;
    g.fees.l1_pricing_inertia = 20;
    return g;
}

/// 1000 bytes of incompressible calldata (keccak chain), so each tx adds ~1 KB to the backlog.
Bytes noise(uint64_t seed) {
    Bytes out;
    Hash32 h = keccak256(Bytes{static_cast<uint8_t>(seed), static_cast<uint8_t>(seed >> 8)});
    while (out.size() < 1000) {
        out.insert(out.end(), h.bytes.begin(), h.bytes.end());
        h = keccak256(h.view());
    }
    out.resize(1000);
    return out;
}

TEST(L1Pricing, PriceRisesWithTheBacklogAndFallsBackWhenItDrains) {
    Chain c(l1_genesis());
    const FeeParams& f = c.genesis.fees;
    const Address to = addr("0x7777777777777777777777777777777777777777");
    const uint256 l1_fee = uint256(1'000'000'000);
    const uint256 calm = uint256(16) * l1_fee;
    EXPECT_EQ(read_system_state(c.world)->l1_backlog, 0u);
    EXPECT_EQ(read_system_state(c.world)->l1_price_per_byte, calm);  // dev: 1 gwei at genesis

    // Five blocks one second apart, each with ~2 KB of L1 data against a 200 B/s target.
    std::vector<uint256> prices;
    std::vector<uint64_t> backlogs;
    uint64_t nonce = 0;
    uint64_t added = 0, prev_backlog = 0;
    for (int i = 0; i < 5; ++i) {
        std::vector<Bytes> txs;
        for (int k = 0; k < 2; ++k, ++nonce)
            txs.push_back(
                make_tx(0, nonce, to, uint256(0), 30'000'000, noise(nonce), uint256(100) * kGwei));
        const Block& b = c.execute(c.message(txs, 1, l1_fee));
        ASSERT_EQ(b.txs.size(), 2u);
        const SystemState s = read_system_state(c.world).value();
        // The stored backlog: last block's, drained by one second, plus this block's bytes.
        added = compressed_size(b.txs[0].raw) + compressed_size(b.txs[1].raw);
        EXPECT_EQ(s.l1_backlog, drain_l1_backlog(f, prev_backlog, 1) + added);
        EXPECT_EQ(s.l1_price_per_byte, l1_price_per_byte(f, kArbosVersionL1Backlog, l1_fee,
                                                         drain_l1_backlog(f, prev_backlog, 1)));
        // Each transaction paid its size at the block's price.
        EXPECT_EQ(b.txs[0].gas_used_for_l1,
                  poster_gas(uint256(compressed_size(b.txs[0].raw)) * s.l1_price_per_byte,
                             *b.header.base_fee_per_gas));
        prev_backlog = s.l1_backlog;
        prices.push_back(s.l1_price_per_byte);
        backlogs.push_back(s.l1_backlog);
    }
    EXPECT_GT(added, 2'000u);
    // The backlog grows ~1.8 KB/s; the price is flat within the tolerance, then rises.
    EXPECT_EQ(prices[0], calm);
    for (size_t i = 1; i < prices.size(); ++i) {
        EXPECT_GT(backlogs[i], backlogs[i - 1]);
        EXPECT_GE(prices[i], prices[i - 1]);
    }
    EXPECT_GT(prices.back(), calm * uint256(3));
    // The pool's and eth_estimateGas's price: the next block's, from the stored backlog.
    const SystemState after = read_system_state(c.world).value();
    const uint64_t now = c.head().header.timestamp;
    const uint256 next = next_l1_price_per_byte(c.genesis, after, l1_fee, now);
    EXPECT_EQ(next, l1_price_per_byte(f, kArbosVersionL1Backlog, l1_fee, backlogs.back()));
    EXPECT_GT(next, prices.back());
    // The pool asks at the current time: an idle chain's price falls before the next block.
    EXPECT_EQ(next_l1_price_per_byte(c.genesis, after, l1_fee, now + 10),
              l1_price_per_byte(f, kArbosVersionL1Backlog, l1_fee,
                                drain_l1_backlog(f, backlogs.back(), 10)));
    EXPECT_LT(next_l1_price_per_byte(c.genesis, after, l1_fee, now + 10), next);
    EXPECT_EQ(next_l1_price_per_byte(c.genesis, after, l1_fee, now + 3'600), calm);
    EXPECT_EQ(next_l1_price_per_byte(c.genesis, after, l1_fee, now - 5), next);  // never back
    const BlockContext call = make_call_context(c.world, c.genesis, c.head()).value();
    EXPECT_EQ(call.info.l1_price_per_byte, next);
    const BlockContext in_block = make_call_context(c.world, c.genesis, c.head(), true).value();
    EXPECT_EQ(in_block.info.l1_price_per_byte, prices.back());

    // Idle: an empty block 10 s later drains 2000 bytes; enough seconds bring the calm price back.
    const Block& idle = c.execute(c.message({}, 10, l1_fee));
    EXPECT_EQ(read_system_state(c.world)->l1_backlog, drain_l1_backlog(f, backlogs.back(), 10));
    EXPECT_LT(read_system_state(c.world)->l1_price_per_byte, next);
    EXPECT_TRUE(idle.txs.empty());
    c.execute(c.message({}, 3'600, l1_fee));
    EXPECT_EQ(read_system_state(c.world)->l1_backlog, 0u);
    EXPECT_EQ(read_system_state(c.world)->l1_price_per_byte, calm);
}

TEST(L1Pricing, AFixedGasLimitIsRefusedOnceTheBacklogPricesItOut) {
    // What bounds the backlog: a sender whose gas limit (× its fixed max fee) covered the L1
    // part when the L1 was calm is refused, naming the L1 part, once the backlog raised it.
    Chain c(l1_genesis());
    const Address to = addr("0x7777777777777777777777777777777777777777");
    const uint256 l1_fee = uint256(1'000'000'000);
    const uint64_t limit = 21'000 + 16'000 + 2'500'000;  // ~1.5× the calm L1 part
    const Bytes first = make_tx(1, 0, to, uint256(0), limit, noise(1), uint256(100) * kGwei);
    const Block& calm = c.execute(c.message({first}, 1, l1_fee));
    ASSERT_EQ(calm.txs.size(), 1u);
    EXPECT_GT(calm.txs[0].gas_used_for_l1, 1'500'000u);
    uint64_t nonce = 0;
    for (int i = 0; i < 6; ++i) {
        std::vector<Bytes> txs;
        for (int k = 0; k < 2; ++k, ++nonce)
            txs.push_back(make_tx(0, nonce, to, uint256(0), 30'000'000, noise(100 + nonce),
                                  uint256(100) * kGwei));
        ASSERT_EQ(c.execute(c.message(txs, 1, l1_fee)).txs.size(), 2u);
    }
    BlockBuilder b(c.world, c.genesis, c.head(), c.message({}, 1, l1_fee));
    auto r = b.add(make_tx(1, 1, to, uint256(0), limit, noise(2), uint256(100) * kGwei));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().reason, state::TxReason::kIntrinsicGas);
    EXPECT_NE(r.error().message.find("(L1 data "), std::string::npos) << r.error().message;
}

TEST(L1Pricing, SequencerAndValidatorPathsAgree) {
    // The sequencer adds transactions one by one; the validator replays the message: same
    // blocks, same backlog, same prices, through a congested stretch and its drain.
    Chain seq(l1_genesis());
    Chain val(l1_genesis());
    const Address to = addr("0x7777777777777777777777777777777777777777");
    const uint256 l1_fee = uint256(1'000'000'000);
    uint64_t nonce = 0;
    for (int i = 0; i < 8; ++i) {
        std::vector<Bytes> txs;
        for (int k = 0; k < (i < 5 ? 2 : 0); ++k, ++nonce)
            txs.push_back(
                make_tx(0, nonce, to, uint256(0), 30'000'000, noise(nonce), uint256(100) * kGwei));
        const Message m = seq.message(txs, i < 5 ? 1 : 4, l1_fee);
        BlockBuilder b(seq.world, seq.genesis, seq.head(), m, seq.hashes());
        for (const Bytes& raw : m.txs)
            ASSERT_TRUE(b.add(raw));
        seq.blocks.push_back(b.finish().value());
        const Block& vb = val.execute(m);
        ASSERT_EQ(vb.hash, seq.head().hash) << "block " << i + 1;
        EXPECT_EQ(read_system_state(val.world)->l1_backlog,
                  read_system_state(seq.world)->l1_backlog);
        EXPECT_EQ(read_system_state(val.world)->l1_price_per_byte,
                  read_system_state(seq.world)->l1_price_per_byte);
    }
    EXPECT_GT(read_system_state(seq.world)->l1_backlog, 0u);
}

TEST(L1Pricing, OlderVersionsKeepTheirStateAndPrices) {
    // A version-2 chain stores no backlog and keeps pricing at l1GasPerByte × L1 base fee.
    Genesis g = l1_genesis();
    g.arbos_version = kArbosVersionPrague;
    Chain c(g);
    const Address to = addr("0x7777777777777777777777777777777777777777");
    const uint256 l1_fee = uint256(1'000'000'000);
    for (uint64_t n = 0; n < 6; ++n) {
        const Block& b = c.execute(
            c.message({make_tx(0, n, to, uint256(0), 30'000'000, noise(n), uint256(100) * kGwei)},
                      1, l1_fee));
        ASSERT_EQ(b.txs.size(), 1u);
    }
    const SystemState s = read_system_state(c.world).value();
    EXPECT_EQ(s.l1_backlog, 0u);
    EXPECT_EQ(s.l1_price_per_byte, uint256(16) * l1_fee);
    for (Slot slot : {Slot::kL1Backlog, Slot::kL1TargetBytesPerSecond,
                      Slot::kL1BacklogToleranceSeconds, Slot::kL1PricingInertia})
        EXPECT_EQ(c.world.read_storage(kArbosStateAddress, slot_key(slot)).value(), uint256{});
    EXPECT_EQ(next_l1_price_per_byte(c.genesis, s, l1_fee, s.last_timestamp + 1),
              uint256(16) * l1_fee);
}

TEST(L1Pricing, GenesisParametersAreStoredAndParsed) {
    const Genesis g = l1_genesis();
    MemoryWorld w;
    make_genesis_block(w, g);
    EXPECT_EQ(w.read_storage(kArbosStateAddress, slot_key(Slot::kL1TargetBytesPerSecond)).value(),
              uint256(200));
    EXPECT_EQ(
        w.read_storage(kArbosStateAddress, slot_key(Slot::kL1BacklogToleranceSeconds)).value(),
        uint256(2));
    EXPECT_EQ(w.read_storage(kArbosStateAddress, slot_key(Slot::kL1PricingInertia)).value(),
              uint256(20));
    auto parsed = parse_genesis(to_json(g));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(*parsed, g);
    // The parameters change the genesis hash.
    Genesis other = g;
    other.fees.l1_target_bytes_per_second = 201;
    MemoryWorld w2, w3;
    EXPECT_NE(make_genesis_block(w2, other).hash, make_genesis_block(w3, g).hash);
    // Zero target or inertia is refused, naming the field.
    std::string text = to_json(g);
    const std::string key = "\"l1PricingInertia\": 20";
    ASSERT_NE(text.find(key), std::string::npos) << text;
    text.replace(text.find(key), key.size(), "\"l1PricingInertia\": 0");
    auto bad = parse_genesis(text);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().find("fees.l1PricingInertia"), std::string::npos) << bad.error();
    EXPECT_NE(bad.error().find("must be positive"), std::string::npos) << bad.error();
    // The parameters in a version-2 file are refused, naming the field and the version.
    Genesis v2 = g;
    v2.arbos_version = kArbosVersionPrague;
    std::string v2_text = to_json(v2);
    EXPECT_EQ(v2_text.find("l1TargetBytesPerSecond"), std::string::npos);  // not written
    const std::string fees_key = "\"fees\": {";
    ASSERT_NE(v2_text.find(fees_key), std::string::npos);
    v2_text.insert(v2_text.find(fees_key) + fees_key.size(), "\"l1TargetBytesPerSecond\": 5,");
    auto early = parse_genesis(v2_text);
    ASSERT_FALSE(early);
    EXPECT_NE(early.error().find("fees.l1TargetBytesPerSecond"), std::string::npos)
        << early.error();
    EXPECT_NE(early.error().find("needs arbosVersion 3"), std::string::npos) << early.error();
}

}  // namespace
