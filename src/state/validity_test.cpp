#include "state/validity.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fuse::state {
namespace {

using R = TxReason;

/// Every reason's text and where it comes from. geth: go-ethereum core/error.go (core),
/// core/txpool/errors.go (txpool), core/types (types), internal/ethapi (ethapi).
const std::vector<std::pair<R, std::string>> kGethTexts = {
    {R::kOversized, "oversized data"},                        // txpool ErrOversizedData
    {R::kMalformed, "rlp"},                                   // rlp package's prefix
    {R::kUnsupportedType, "transaction type not supported"},  // types ErrTxTypeNotSupported
    {R::kNotReplayProtected,
     "only replay-protected (EIP-155) transactions allowed over RPC"},  // ethapi SubmitTransaction
    {R::kWrongChainId, "invalid chain id for signer"},                  // types ErrInvalidChainId
    {R::kInvalidSignature, "invalid sender"},                           // txpool ErrInvalidSender
    {R::kGasLimit, "exceeds block gas limit"},                          // txpool ErrGasLimit
    {R::kTipAboveFeeCap, "max priority fee per gas higher than max fee per gas"},  // core
    {R::kIntrinsicGas, "intrinsic gas too low"},                           // core ErrIntrinsicGas
    {R::kFloorDataGas, "insufficient gas for floor data gas cost"},        // core ErrFloorDataGas
    {R::kInitcodeSizeExceeded, "max initcode size exceeded"},              // core
    {R::kGasPriceOverflow, "insufficient funds for gas * price + value"},  // core (buyGas)
    {R::kBlobCreate, "blob transaction of type create"},                   // core ErrBlobTxCreate
    {R::kMissingBlobHashes, "blob transaction missing blob hashes"},       // core
    {R::kInvalidBlobHash, "blob has invalid hash version"},     // core state_transition preCheck
    {R::kTooManyBlobs, "blob transaction has too many blobs"},  // core ErrTooManyBlobs
    {R::kSetCodeCreate, "EIP-7702 transaction cannot be used to create contract"},  // core
    {R::kEmptyAuthList, "EIP-7702 transaction with empty auth list"},               // core
    {R::kFeeCapTooLow, "max fee per gas less than block base fee"},  // core ErrFeeCapTooLow
    {R::kBlobFeeCapTooLow, "max fee per blob gas less than block blob gas fee"},  // core
    {R::kGasLimitReached, "gas limit reached"},                                   // core
    {R::kSenderNotEoa, "sender not an eoa"},                                // core ErrSenderNoEOA
    {R::kNonceMax, "nonce has max value"},                                  // core ErrNonceMax
    {R::kNonceTooLow, "nonce too low"},                                     // core
    {R::kNonceTooHigh, "nonce too high"},                                   // core
    {R::kInsufficientFunds, "insufficient funds for gas * price + value"},  // core
    {R::kAlreadyKnown, "already known"},                                    // txpool
    {R::kReplacementUnderpriced, "replacement transaction underpriced"},    // txpool
    {R::kNonceGapTooLarge, "account limit exceeded"},  // txpool ErrAccountLimitExceeded
    {R::kPoolFull, "txpool is full"},                  // txpool ErrTxPoolOverflow
    // Fuse's own: geth has no such refusal.
    {R::kReplaced, "replaced by transaction"},
    {R::kShuttingDown, "the sequencer is shutting down"},
    {R::kHalted, "the sequencer halted"},
    {R::kBlockSealed, "block already sealed"},
    {R::kStorageFault, "storage fault"},
};

TEST(Validity, EveryReasonHasItsListedMessageAndADistinctLabel) {
    ASSERT_EQ(kGethTexts.size(), kTxReasonCount);
    std::set<std::string> labels;
    for (size_t i = 0; i < kTxReasonCount; ++i) {
        const auto& [reason, text] = kGethTexts[i];
        EXPECT_EQ(static_cast<size_t>(reason), i);
        EXPECT_EQ(message(reason), text);
        labels.insert(to_label(reason));
    }
    EXPECT_EQ(labels.size(), kTxReasonCount);
}

TEST(Validity, StatelessAndStatefulReasonsAreSplit) {
    const std::set<R> stateful = {R::kFeeCapTooLow, R::kBlobFeeCapTooLow, R::kGasLimitReached,
                                  R::kSenderNotEoa, R::kNonceMax,         R::kNonceTooLow,
                                  R::kNonceTooHigh, R::kInsufficientFunds};
    const std::set<R> pool = {
        R::kAlreadyKnown, R::kReplacementUnderpriced, R::kNonceGapTooLarge, R::kPoolFull,
        R::kReplaced,     R::kShuttingDown,           R::kHalted,           R::kBlockSealed,
        R::kStorageFault};
    for (size_t i = 0; i < kTxReasonCount; ++i) {
        const R r = static_cast<R>(i);
        const TxStage want = stateful.contains(r) ? TxStage::kStateful
                             : pool.contains(r)   ? TxStage::kPool
                                                  : TxStage::kStateless;
        EXPECT_EQ(stage(r), want) << to_label(r);
    }
}

TEST(Validity, FixtureNamesOfExecutionReasons) {
    EXPECT_STREQ(exception_name(R::kIntrinsicGas), "TransactionException.INTRINSIC_GAS_TOO_LOW");
    EXPECT_STREQ(exception_name(R::kNonceTooLow), "TransactionException.NONCE_MISMATCH_TOO_LOW");
    EXPECT_STREQ(exception_name(R::kGasLimitReached),
                 "TransactionException.GAS_ALLOWANCE_EXCEEDED");
    EXPECT_STREQ(exception_name(R::kAlreadyKnown), "TransactionException.UNKNOWN");
}

Transaction tx_with(uint64_t gas_limit, uint64_t max_fee, uint64_t tip) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = 7;
    t.gas_limit = gas_limit;
    t.max_fee_per_gas = max_fee;
    t.max_priority_fee_per_gas = tip;
    t.to = Address{};
    return t;
}

TEST(Validity, StatelessChecksWithThePoolsTexts) {
    EXPECT_FALSE(check_size(10, 10));
    EXPECT_EQ(check_size(11, 10)->message, "oversized data: transaction size 11, limit 10");

    EXPECT_EQ(decode_error(TxError::kHighS).reason, R::kInvalidSignature);
    EXPECT_EQ(decode_error(TxError::kUnsupportedType).message, "transaction type not supported");
    EXPECT_EQ(decode_error(TxError::kRlpTruncated).message.rfind("rlp: ", 0), 0u);

    Transaction t = tx_with(21'000, 10, 1);
    EXPECT_FALSE(check_chain_id(t, 7, true));
    EXPECT_EQ(check_chain_id(t, 8, true)->message, "invalid chain id for signer: have 7 want 8");
    t.chain_id.reset();
    EXPECT_EQ(check_chain_id(t, 7, true)->reason, R::kNotReplayProtected);
    EXPECT_FALSE(check_chain_id(t, 7, false));

    t = tx_with(21'000, 10, 11);
    EXPECT_EQ(check_tip(t)->message,
              "max priority fee per gas higher than max fee per gas: maxPriorityFeePerGas: 11, "
              "maxFeePerGas: 10");
    EXPECT_EQ(check_gas_cap(tx_with(1'500, 1, 1), 500, 999)->message,
              "exceeds block gas limit: gas 1500 (L1 data 500), limit 999 + L1 data");
    EXPECT_FALSE(check_gas_cap(tx_with(1'500, 1, 1), 501, 999));

    EXPECT_EQ(check_intrinsic_gas(tx_with(21'499, 1, 1), evm::Revision::kCancun, 500)->message,
              "intrinsic gas too low: gas 21499, minimum needed 21500 (L1 data 500)");
    EXPECT_FALSE(check_intrinsic_gas(tx_with(21'500, 1, 1), evm::Revision::kCancun, 500));
    // EIP-7623 (Prague): 100 zero bytes cost 21000 + 400 intrinsic, 21000 + 1000 floor.
    Transaction calldata = tx_with(21'400, 1, 1);
    calldata.data.assign(100, 0);
    EXPECT_FALSE(check_intrinsic_gas(calldata, evm::Revision::kCancun, 0));
    const auto floor = check_intrinsic_gas(calldata, evm::Revision::kPrague, 0);
    ASSERT_TRUE(floor);
    EXPECT_EQ(floor->reason, R::kFloorDataGas);
    EXPECT_EQ(floor->message,
              "insufficient gas for floor data gas cost: gas 21400, minimum needed 22000");

    Transaction blob = tx_with(21'000, 1, 1);
    blob.type = TxType::kBlob;
    EXPECT_EQ(check_type(blob, evm::Revision::kPrague)->reason, R::kUnsupportedType);
    Transaction set_code = tx_with(21'000, 1, 1);
    set_code.type = TxType::kSetCode;
    EXPECT_TRUE(check_type(set_code, evm::Revision::kCancun));
    EXPECT_FALSE(check_type(set_code, evm::Revision::kPrague));
}

TEST(Validity, StatefulChecksWithThePoolsTexts) {
    Address sender;
    sender[19] = 0xab;
    EXPECT_EQ(check_fee_cap(tx_with(21'000, 9, 1), sender, 10)->message,
              "max fee per gas less than block base fee: address "
              "0x00000000000000000000000000000000000000ab, maxFeePerGas: 9, baseFee: 10");
    EXPECT_FALSE(check_fee_cap(tx_with(21'000, 10, 1), sender, 10));

    Transaction t = tx_with(21'000, 1, 1);
    t.nonce = 4;
    EXPECT_EQ(check_nonce(t, 5)->message, "nonce too low: next nonce 5, tx nonce 4");
    EXPECT_FALSE(check_nonce(t, 4));
    EXPECT_FALSE(check_nonce(t, 3));  // a future nonce: the pool queues it

    EXPECT_EQ(check_balance(uint256{5}, uint256{8})->message,
              "insufficient funds for gas * price + value: balance 5, tx cost 8, overshot 3");
    EXPECT_FALSE(check_balance(uint256{8}, uint256{8}));
}

TEST(Validity, MessagesAreTheTableTextWithDetails) {
    EXPECT_EQ(make_refusal(R::kAlreadyKnown).message, "already known");
    EXPECT_EQ(make_refusal(R::kNonceTooHigh, "address 0x01, tx: 3 state: 2").message,
              "nonce too high: address 0x01, tx: 3 state: 2");
    const TxRefusal replaced = replaced_by(Hash32{});
    EXPECT_EQ(replaced.reason, R::kReplaced);
    EXPECT_EQ(
        replaced.message,
        "replaced by transaction "
        "0x0000000000000000000000000000000000000000000000000000000000000000 with higher fees");
    EXPECT_EQ(stopped_before_sealed().reason, R::kShuttingDown);
    EXPECT_EQ(stopped_before_sealed().message,
              "the sequencer stopped before the transaction was sealed");
}

}  // namespace
}  // namespace fuse::state
