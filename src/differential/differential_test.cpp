// The differential run in the test suite (docs/differential.md): a few thousand random
// transactions through the sequencer's path and the validator's path from decoded batches give
// the same block at every height; a changed message is caught at its block.

#include <gtest/gtest.h>

#include <filesystem>

#include "differential/harness.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::differential {
namespace {

RunOptions options(uint64_t txs, uint64_t seed, const std::string& dir) {
    RunOptions o;
    o.txs = txs;
    o.seed = seed;
    o.dir = dir;
    auto code = load_probe_initcode(source_dir());
    EXPECT_TRUE(code.has_value()) << code.error();
    if (code) o.probe_initcode = std::move(*code);
    return o;
}

TEST(Differential, ThousandsOfRandomTransactionsGiveTheSameBlocks) {
    sequencer::testing::TempDir dir;
    const auto r = run(options(3'000, 1, dir.path.string()));
    ASSERT_TRUE(r.has_value()) << r.error();
    SCOPED_TRACE(format_report(*r));
    EXPECT_EQ(r->mismatches, 0u) << r->first_mismatch;
    EXPECT_EQ(r->blocks_compared, r->blocks);
    EXPECT_EQ(r->txs_generated, 3'000u);
    EXPECT_EQ(r->txs_refused, 0u);
    EXPECT_EQ(r->txs_included, 3'000u);
    EXPECT_GT(r->blocks, 20u);
    // Every kind occurs, both batch formats are used, some transactions fail.
    for (size_t k = 0; k < kKindCount; ++k)
        EXPECT_GT(r->kinds[k], 0u) << to_string(static_cast<TxKind>(k));
    EXPECT_GT(r->batches_by_format[0], 0u);
    EXPECT_GT(r->batches_by_format[1], 0u);
    EXPECT_GT(r->deposits, 0u);
    EXPECT_EQ(r->deposits, r->kinds[static_cast<size_t>(TxKind::kDepositNative)] +
                               r->kinds[static_cast<size_t>(TxKind::kDepositMessage)]);
    EXPECT_GT(r->txs_reverted, 100u);
    // The kinds do what they are named for (so the agreement covers those paths).
    auto at = [](const auto& a, TxKind k) { return a[static_cast<size_t>(k)]; };
    for (TxKind k : {TxKind::kPrecompileGood, TxKind::kPrecompileBad, TxKind::kOutOfGas,
                     TxKind::kRevert, TxKind::kDeployProbe, TxKind::kTransfer})
        EXPECT_EQ(at(r->included_by_kind, k), at(r->kinds, k)) << to_string(k);
    EXPECT_EQ(at(r->failed_by_kind, TxKind::kPrecompileGood), 0u);
    EXPECT_EQ(at(r->failed_by_kind, TxKind::kPrecompileBad), at(r->kinds, TxKind::kPrecompileBad));
    EXPECT_GT(at(r->status0_by_kind, TxKind::kPrecompileBad), 0u);
    EXPECT_EQ(at(r->status0_by_kind, TxKind::kOutOfGas), at(r->kinds, TxKind::kOutOfGas));
    EXPECT_EQ(at(r->failed_by_kind, TxKind::kRevert), at(r->kinds, TxKind::kRevert));
    EXPECT_EQ(at(r->status0_by_kind, TxKind::kDeployProbe), 0u);
    EXPECT_EQ(at(r->status0_by_kind, TxKind::kStore), 0u);
    EXPECT_EQ(at(r->status0_by_kind, TxKind::kLog), 0u);
    // CREATE2 with few salts collides; some creations succeed.
    EXPECT_GT(r->failed_creations, 10u);
    EXPECT_GT(r->creations, r->failed_creations + 10);
}

TEST(Differential, AChangedMessageIsCaughtAtItsBlock) {
    sequencer::testing::TempDir dir;
    auto o = options(400, 2, dir.path.string());
    uint64_t changed = 0;
    o.tamper = [&](std::vector<arbos::Message>& msgs) {
        // Drop the last transaction of a block in the middle: the validator's block differs.
        for (size_t i = msgs.size() / 2; i < msgs.size(); ++i)
            if (!msgs[i].txs.empty()) {
                msgs[i].txs.pop_back();
                changed = i + 1;
                return;
            }
    };
    const auto r = run(o);
    ASSERT_TRUE(r.has_value()) << r.error();
    ASSERT_GT(changed, 0u);
    EXPECT_GE(r->mismatches, 1u);
    EXPECT_EQ(r->first_mismatch.rfind("block " + std::to_string(changed) + ": hash ", 0), 0u)
        << r->first_mismatch;
}

}  // namespace
}  // namespace fuse::differential
