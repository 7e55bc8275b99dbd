#include "evm/opcodes.hpp"

#include <gtest/gtest.h>

#include "evm/host.hpp"

namespace fuse::evm {
namespace {

constexpr size_t index(Revision r) {
    return static_cast<size_t>(r);
}

TEST(Opcodes, RevisionGasIsTheBaseRowsPlusEachRevisionsChanges) {
    static_assert(kRevisionCount == index(Revision::kPrague) + 1);
    for (size_t op = 0; op < 256; ++op) {
        for (size_t rev = 0; rev < kRevisionCount; ++rev)
            EXPECT_EQ(kOpTable[op].gas[rev], kGasCosts[rev][op]) << op;
        // Prague changes no static cost (EIP-7702's delegation access is dynamic).
        EXPECT_EQ(kGasCosts[index(Revision::kPrague)][op], kGasCosts[index(Revision::kCancun)][op])
            << op;
    }
    EXPECT_EQ(kGasCosts[index(Revision::kCancun)][0x5c], 100);   // TLOAD (EIP-1153)
    EXPECT_EQ(kGasCosts[index(Revision::kCancun)][0x5e], 3);     // MCOPY (EIP-5656)
    EXPECT_EQ(kGasCosts[index(Revision::kCancun)][0x0c], -1);    // unassigned
    EXPECT_EQ(kGasCosts[index(Revision::kPrague)][0xff], 5000);  // SELFDESTRUCT
}

}  // namespace
}  // namespace fuse::evm
