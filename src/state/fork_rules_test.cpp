#include "state/fork_rules.hpp"

#include <gtest/gtest.h>

namespace fuse::state {
namespace {

TEST(ForkRules, OneRowPerRevision) {
    const ForkRules& cancun = fork_rules(evm::Revision::kCancun);
    EXPECT_EQ(cancun.max_blobs_per_block, 6u);  // EIP-4844
    EXPECT_EQ(cancun.blob_base_fee_update_fraction, 3'338'477u);
    EXPECT_FALSE(cancun.set_code_transactions);
    EXPECT_FALSE(cancun.calldata_floor);
    EXPECT_FALSE(cancun.bls12_381_precompiles);
    const ForkRules& prague = fork_rules(evm::Revision::kPrague);
    EXPECT_EQ(prague.max_blobs_per_block, 9u);  // EIP-7691
    EXPECT_EQ(prague.blob_base_fee_update_fraction, 5'007'716u);
    EXPECT_TRUE(prague.set_code_transactions);  // EIP-7702
    EXPECT_TRUE(prague.calldata_floor);         // EIP-7623
    EXPECT_TRUE(prague.bls12_381_precompiles);  // EIP-2537
}

}  // namespace
}  // namespace fuse::state
