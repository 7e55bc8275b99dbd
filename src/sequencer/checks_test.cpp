#include "sequencer/checks.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/hash.hpp"
#include "sequencer/test_util.hpp"

namespace fuse::sequencer {
namespace {

using testing::make_raw;
using testing::make_tx;
using testing::TxSpec;
using R = Rejection::Reason;

ChainRules rules() {
    ChainRules r;
    r.chain_id = 412346;
    r.max_tx_gas = 1'000'000;
    r.max_tx_size = 4096;
    return r;
}

FeeView fees(uint64_t base_fee = 100, uint64_t poster_gas = 0) {
    FeeView f;
    f.base_fee = base_fee;
    if (poster_gas) f.poster_gas = [poster_gas](ByteView) { return poster_gas; };
    return f;
}

Rejection refused(Bytes raw, const FeeView& f = fees()) {
    auto r = check_transaction(std::move(raw), rules(), f);
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? Rejection{} : r.error();
}

TEST(Checks, AcceptsAValidTransferAndRecoversItsSender) {
    const Bytes raw = make_raw({.key = 7, .nonce = 3});
    auto r = check_transaction(raw, rules(), fees());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->sender, testing::test_address(7));
    EXPECT_EQ(r->hash, keccak256(raw));
    EXPECT_EQ(r->raw, raw);
    EXPECT_EQ(r->tx.nonce, 3u);
    // 21000 × 1 gwei + 1 wei
    EXPECT_EQ(r->max_cost, uint256{21'000ull * 1'000'000'000ull + 1});
}

TEST(Checks, LegacyAndAccessListTypesAreAccepted) {
    EXPECT_TRUE(
        check_transaction(make_raw({.type = TxType::kLegacy}), rules(), fees()).has_value());
    EXPECT_TRUE(
        check_transaction(make_raw({.type = TxType::kAccessList}), rules(), fees()).has_value());
}

TEST(Checks, OversizedIsRefusedBeforeDecoding) {
    Bytes raw(5000, 0xff);  // not even a transaction: the size is checked first
    const Rejection r = refused(raw);
    EXPECT_EQ(r.reason, R::kOversized);
    EXPECT_EQ(r.message, "oversized data: transaction size 5000, limit 4096");
}

TEST(Checks, MalformedBytes) {
    EXPECT_EQ(refused(Bytes{}).reason, R::kMalformed);
    Bytes raw = make_raw({});
    raw.push_back(0x00);  // trailing byte
    const Rejection r = refused(raw);
    EXPECT_EQ(r.reason, R::kMalformed);
    EXPECT_EQ(r.message.rfind("rlp: ", 0), 0u) << r.message;
    const Bytes full = make_raw({});
    ASSERT_GT(full.size(), 3u);
    // A truncated copy (not resize: GCC 12 at -O1 with sanitizers warns falsely on the shrink).
    const Bytes cut(full.begin(), full.end() - 3);
    EXPECT_EQ(refused(cut).reason, R::kMalformed);
}

TEST(Checks, BlobAndUnknownTypesAreUnsupported) {
    Bytes unknown = make_raw({});
    unknown[0] = 0x05;
    EXPECT_EQ(refused(unknown).reason, R::kUnsupportedType);

    Transaction blob;
    blob.type = TxType::kBlob;
    blob.chain_id = 412346;
    blob.gas_limit = 21'000;
    blob.max_fee_per_gas = 1000;
    blob.to = Address{};
    blob.max_fee_per_blob_gas = 1;
    blob.blob_versioned_hashes.push_back(Hash32{});
    blob.blob_versioned_hashes[0][0] = 0x01;
    ASSERT_TRUE(sign_transaction(blob, testing::test_key(1)).has_value());
    const Rejection r = refused(encode_transaction(blob));
    EXPECT_EQ(r.reason, R::kUnsupportedType);
    EXPECT_EQ(r.message, "transaction type not supported");
}

TEST(Checks, LegacyWithoutChainIdIsRefusedAsGethDoesOverRpc) {
    Transaction t = make_tx({.type = TxType::kLegacy});
    t.chain_id.reset();
    ASSERT_TRUE(sign_transaction(t, testing::test_key(1)).has_value());
    const Rejection r = refused(encode_transaction(t));
    EXPECT_EQ(r.reason, R::kNotReplayProtected);
    EXPECT_EQ(r.message, "only replay-protected (EIP-155) transactions allowed over RPC");
}

TEST(Checks, LegacyWithoutChainIdIsAcceptedWithAllowUnprotected) {
    Transaction t = make_tx({.type = TxType::kLegacy});
    t.chain_id.reset();
    ASSERT_TRUE(sign_transaction(t, testing::test_key(1)).has_value());
    ChainRules allow = rules();
    allow.allow_unprotected = true;
    auto r = check_transaction(encode_transaction(t), allow, fees());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_FALSE(r->tx.chain_id);
    // A chain id of another chain is still refused.
    EXPECT_FALSE(check_transaction(make_raw({.chain_id = 1}), allow, fees()).has_value());
}

TEST(Checks, SetCodeTransactionsFollowTheRevision) {
    Transaction t = make_tx({});
    t.type = TxType::kSetCode;
    t.to = Address{};
    Authorization a;
    a.chain_id = 412346;
    a.r = 1;
    a.s = 1;
    t.authorization_list.push_back(a);
    t.gas_limit = 100'000;
    ASSERT_TRUE(sign_transaction(t, testing::test_key(1)).has_value());
    const Bytes raw = encode_transaction(t);
    EXPECT_EQ(refused(raw).reason, R::kUnsupportedType);  // Cancun rules (the default)
    ChainRules prague = rules();
    prague.revision = evm::Revision::kPrague;
    auto r = check_transaction(raw, prague, fees());
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->tx.type, TxType::kSetCode);
}

TEST(Checks, WrongChainId) {
    const Rejection r = refused(make_raw({.chain_id = 1}));
    EXPECT_EQ(r.reason, R::kWrongChainId);
    EXPECT_EQ(r.message, "invalid chain id for signer: have 1 want 412346");
}

TEST(Checks, BadSignatureAndHighS) {
    Transaction t = make_tx({});
    t.r = uint256{0};  // out of [1, n-1]
    EXPECT_EQ(refused(encode_transaction(t)).reason, R::kInvalidSignature);

    Transaction high = make_tx({});
    const uint256 n =
        uint256::from_hex("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141")
            .value();
    high.s = n - high.s;  // the same signature with the high s: EIP-2 forbids it
    high.y_parity ^= 1;
    const Rejection r = refused(encode_transaction(high));
    EXPECT_EQ(r.reason, R::kInvalidSignature);
    EXPECT_EQ(r.message.rfind("invalid sender", 0), 0u) << r.message;
}

TEST(Checks, GasLimitAboveCap) {
    const Rejection r = refused(make_raw({.gas_limit = 1'000'001}));
    EXPECT_EQ(r.reason, R::kGasLimit);
    EXPECT_EQ(r.message.rfind("exceeds block gas limit", 0), 0u);
    EXPECT_TRUE(check_transaction(make_raw({.gas_limit = 1'000'000}), rules(), fees()).has_value());
}

TEST(Checks, GasCapCountsComputeGasOnly) {
    // 500 gas of L1 data: the cap (1,000,000) bounds gas limit − 500 (docs/arbos.md "Limits").
    EXPECT_TRUE(
        check_transaction(make_raw({.gas_limit = 1'000'500}), rules(), fees(100, 500)).has_value());
    const Rejection r = refused(make_raw({.gas_limit = 1'000'501}), fees(100, 500));
    EXPECT_EQ(r.reason, R::kGasLimit);
    EXPECT_EQ(r.message,
              "exceeds block gas limit: gas 1000501 (L1 data 500), limit 1000000 + L1 data");
    auto ok = check_transaction(make_raw({.gas_limit = 1'000'500}), rules(), fees(100, 500));
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->poster_gas, 500u);
    EXPECT_EQ(ok->compute_gas_limit(), 1'000'000u);
}

TEST(Checks, TipAboveFeeCap) {
    EXPECT_EQ(refused(make_raw({.max_fee = 100, .tip = 101})).reason, R::kTipAboveFeeCap);
}

TEST(Checks, MaxFeeBelowBaseFee) {
    const Rejection r = refused(make_raw({.max_fee = 99}), fees(100));
    EXPECT_EQ(r.reason, R::kFeeCapTooLow);
    EXPECT_NE(r.message.find("max fee per gas less than block base fee"), std::string::npos);
    EXPECT_TRUE(check_transaction(make_raw({.max_fee = 100}), rules(), fees(100)).has_value());
}

TEST(Checks, IntrinsicGasIncludesPosterGas) {
    EXPECT_EQ(refused(make_raw({.gas_limit = 20'999})).reason, R::kIntrinsicGas);
    // Calldata: 4 non-zero bytes = 21000 + 4 × 16.
    const Bytes data{1, 2, 3, 4};
    EXPECT_EQ(refused(make_raw({.gas_limit = 21'063, .data = data})).reason, R::kIntrinsicGas);
    EXPECT_TRUE(check_transaction(make_raw({.gas_limit = 21'064, .data = data}), rules(), fees())
                    .has_value());
    // The same tx with 500 gas of L1 data needs 21564.
    const Rejection r = refused(make_raw({.gas_limit = 21'563, .data = data}), fees(100, 500));
    EXPECT_EQ(r.reason, R::kIntrinsicGas);
    EXPECT_EQ(r.message, "intrinsic gas too low: gas 21563, minimum needed 21564 (L1 data 500)");
    EXPECT_TRUE(
        check_transaction(make_raw({.gas_limit = 21'564, .data = data}), rules(), fees(100, 500))
            .has_value());
}

TEST(Checks, MaxCostSaturates) {
    Transaction t = make_tx({});
    t.max_fee_per_gas = uint256::max() / 2;
    EXPECT_EQ(max_tx_cost(t), uint256::max());
    t.max_fee_per_gas = 2;
    t.value = uint256::max() - 10;
    EXPECT_EQ(max_tx_cost(t), uint256::max());
}

TEST(Checks, EveryReasonHasADistinctLabel) {
    std::set<std::string> labels;
    for (size_t i = 0; i < state::kTxReasonCount; ++i)
        labels.insert(to_label(Rejection{static_cast<R>(i), ""}));
    labels.insert(to_label(Rejection{R::kInsufficientFunds, "", true}));
    EXPECT_EQ(labels.size(), state::kTxReasonCount + 1);
    EXPECT_EQ(labels.count("unknown"), 0u);
    EXPECT_EQ(labels.count("execution"), 1u);
}

}  // namespace
}  // namespace fuse::sequencer
