#include "ethrpc/refusal.hpp"

#include <gtest/gtest.h>

namespace fuse::ethrpc {
namespace {

// geth answers every txpool and state-transition refusal with -32000 and the text unchanged.
TEST(Refusal, EveryReasonAnswersMinus32000WithItsMessage) {
    for (size_t i = 0; i < state::kTxReasonCount; ++i) {
        const auto r = static_cast<state::TxReason>(i);
        EXPECT_EQ(refusal_code(r), -32000) << state::to_label(r);
        const rpc::RpcError e = refusal_error(r, "nonce too low: next nonce 1, tx nonce 0");
        EXPECT_EQ(e.code, -32000);
        EXPECT_EQ(e.message, "nonce too low: next nonce 1, tx nonce 0");
        EXPECT_FALSE(e.data);
    }
}

}  // namespace
}  // namespace fuse::ethrpc
