#include "core/deposit.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/receipt.hpp"

namespace fuse {
namespace {

Bytes hx(std::string_view s) {
    return from_hex(s).value();
}
Address addr(std::string_view s) {
    Address a;
    const Bytes b = hx(s);
    std::copy(b.begin(), b.end(), a.data());
    return a;
}
Hash32 h32(std::string_view s) {
    Hash32 h;
    const Bytes b = hx(s);
    std::copy(b.begin(), b.end(), h.data());
    return h;
}

constexpr uint64_t kChainId = 412346;

/// The deposits of scripts/deposit-vectors.mjs.
std::vector<Deposit> vector_deposits() {
    Deposit a;
    a.kind = DepositKind::kNative;
    a.index = 0;
    a.l2_from = addr("f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    a.to = addr("70997970c51812dc3a010c7d01b50e0d17dc79c8");
    a.value = uint256(1'000'000'000'000'000'000ull);
    a.l1_block_number = 1000;
    a.l1_timestamp = 1700000000;
    Deposit b;
    b.kind = DepositKind::kMessage;
    b.index = 1;
    b.l2_from = addr("2222000000000000000000000000000000003333");
    b.to = addr("3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
    b.l2_gas_limit = 100000;
    b.l1_block_number = 1001;
    b.l1_timestamp = 1700000012;
    b.data = hx("a9059cbb0000000000000000000000000000000000000000000000000000000000000001");
    Deposit c;
    c.kind = DepositKind::kMessage;
    c.index = 2;
    c.l2_from = addr("90f79bf6eb2c4f870365e785982e1f101e93b906");
    c.to = addr("15d34aaf54267db7d7c367839aaf71a00a2c6a65");
    c.value = uint256(123456789);
    c.l2_gas_limit = 21000;
    c.l1_block_number = 1001;
    c.l1_timestamp = 1700000012;
    return {a, b, c};
}

struct Expected {
    const char* deposit_hash;
    const char* acc;
    const char* raw;
    const char* tx_hash;
};

// Output of `node scripts/deposit-vectors.mjs` (ethers 6: AbiCoder, encodeRlp, keccak256).
constexpr Expected kExpected[] = {
    {"8452912680fd63cd5f3222386d5718ce4cef3303ea6f9c463d18770d4f58462e",
     "2d5a4a8e292f3302b4270ad626f4908bdbf6b5aa9b0d2bfa1b78d4468ed6d278",
     "64f85883064abaa0000000000000000000000000000000000000000000000000000000000000000094f39fd6e5"
     "1aad88f6f4ce6ab8827279cfffb922669470997970c51812dc3a010c7d01b50e0d17dc79c8880de0b6b3a76400"
     "00",
     "94916768e21f778934235acaf5c476394fab640e52546738b46c386bc2ebfd68"},
    {"76f8b9bb3b748d469fd599b79b40631af33813946d30bcea9edf79aa218fedf4",
     "5ae9c9b1004a71dd4db290e4b71c5bd87917b46c27d4d4aa5fe9c85e17429219",
     "66f87a83064abaa0000000000000000000000000000000000000000000000000000000000000000194222200"
     "000000000000000000000000000000333380830186a0943c44cdddb6a900fa2b585dd299e03d12fa4293bc80a4"
     "a9059cbb0000000000000000000000000000000000000000000000000000000000000001",
     "852e7c2a2bccc1e82a77a613501700a4d63452464891bce14f0d38d27f18065c"},
    {"e7ebe8446a6178391c55c307399b11a5675164e68c6aa0cc2c87821c8428ceb0",
     "a0d579c41bbd5a61eb0d2f61738dccc9b8d8bbbf9ef1778dd19e1fac4a5d4e4e",
     "66f85983064abaa000000000000000000000000000000000000000000000000000000000000000029490f79bf6"
     "eb2c4f870365e785982e1f101e93b906808252089415d34aaf54267db7d7c367839aaf71a00a2c6a6584075bcd"
     "1580",
     "9a8eb67ae9f306820c0fcbe2a107c0f840a8cfef8e098f6946f701bd4179768b"},
};

TEST(Deposit, HashesAndAccumulatorMatchEthers) {
    const auto deposits = vector_deposits();
    Hash32 acc{};
    for (size_t i = 0; i < deposits.size(); ++i) {
        const Hash32 h = deposits[i].deposit_hash();
        EXPECT_EQ(h, h32(kExpected[i].deposit_hash)) << i;
        acc = chain_acc(acc, h);
        EXPECT_EQ(acc, h32(kExpected[i].acc)) << i;
    }
    EXPECT_EQ(chain_acc(Hash32{}, deposits), h32(kExpected[2].acc));
    EXPECT_EQ(chain_acc(h32(kExpected[0].acc), std::span(deposits).subspan(1)),
              h32(kExpected[2].acc));
    EXPECT_EQ(chain_acc(h32(kExpected[1].acc), std::span<const Deposit>{}), h32(kExpected[1].acc));
}

TEST(Deposit, EveryFieldChangesTheHash) {
    const Deposit base = vector_deposits()[1];
    std::vector<Deposit> variants(9, base);
    variants[0].kind = DepositKind::kNative;
    variants[1].index = 2;
    variants[2].l2_from[0] ^= 1;
    variants[3].to[19] ^= 1;
    variants[4].value = uint256(1);
    variants[5].l2_gas_limit += 1;
    variants[6].l1_block_number += 1;
    variants[7].l1_timestamp += 1;
    variants[8].data.push_back(0);
    for (size_t i = 0; i < variants.size(); ++i)
        EXPECT_NE(variants[i].deposit_hash(), base.deposit_hash()) << i;
}

TEST(Deposit, TransactionsMatchEthersAndRoundTrip) {
    const auto deposits = vector_deposits();
    for (size_t i = 0; i < deposits.size(); ++i) {
        const Transaction t = make_deposit_transaction(deposits[i], kChainId);
        const Bytes raw = encode_transaction(t);
        EXPECT_EQ(to_hex(raw), std::string("0x") + kExpected[i].raw) << i;
        EXPECT_EQ(tx_hash(t), h32(kExpected[i].tx_hash)) << i;
        auto back = decode_block_transaction(raw);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, t);
        EXPECT_EQ(back->from, deposits[i].l2_from);
        EXPECT_EQ(back->request_id, deposit_request_id(deposits[i].index));
        // Users cannot send them: the user-facing decoder refuses the types, and there is no
        // signature to recover.
        auto user = decode_transaction(raw);
        ASSERT_FALSE(user);
        EXPECT_EQ(user.error(), TxError::kUnsupportedType);
        auto sender = recover_sender(t);
        ASSERT_FALSE(sender);
        EXPECT_EQ(sender.error(), TxError::kUnsupportedType);
    }
    const Transaction native = make_deposit_transaction(deposits[0], kChainId);
    EXPECT_EQ(native.type, TxType::kArbitrumDeposit);
    EXPECT_EQ(native.gas_limit, 0u);
    const Transaction call = make_deposit_transaction(deposits[1], kChainId);
    EXPECT_EQ(call.type, TxType::kArbitrumContract);
    EXPECT_EQ(call.gas_limit, 100000u);
    EXPECT_TRUE(call.max_fee_per_gas.is_zero());
}

TEST(Deposit, RequestIdIsTheBigEndianIndex) {
    EXPECT_EQ(deposit_request_id(0), Hash32{});
    EXPECT_EQ(to_hex(deposit_request_id(0x0102030405060708ull)),
              "0x0000000000000000000000000000000000000000000000000102030405060708");
}

TEST(Deposit, DecoderRejectsMalformedDepositTransactions) {
    const Bytes native = hx(kExpected[0].raw);
    const Bytes call = hx(kExpected[1].raw);
    auto fails = [](const Bytes& b) { return !decode_block_transaction(b); };
    // Trailing byte, truncation.
    Bytes t = native;
    t.push_back(0);
    EXPECT_TRUE(fails(t));
    t = native;
    t.pop_back();
    EXPECT_TRUE(fails(t));
    // One field too many / too few: re-encode with a different arity.
    EXPECT_TRUE(fails(hx("64c3010203")));
    // A 0x64 body under the 0x66 type and vice versa (wrong field counts).
    Bytes swapped = native;
    swapped[0] = 0x66;
    EXPECT_EQ(decode_block_transaction(swapped).error(), TxError::kWrongFieldCount);
    swapped = call;
    swapped[0] = 0x64;
    EXPECT_EQ(decode_block_transaction(swapped).error(), TxError::kWrongFieldCount);
    // A 31-byte request id: [chainId 1, requestId (31 bytes), from, to, value 0].
    const Bytes short_id =
        hx("64f84c019f00000000000000000000000000000000000000000000000000000000000000"
           "94f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
           "9470997970c51812dc3a010c7d01b50e0d17dc79c880");
    EXPECT_EQ(decode_block_transaction(short_id).error(), TxError::kBadFieldLength);
    // 0x64 must name `to` (20 bytes); an empty `to` is a bad field length.
    const Bytes no_to =
        hx("64f83901a00000000000000000000000000000000000000000000000000000000000000000"
           "94f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
           "8080");
    EXPECT_EQ(decode_block_transaction(no_to).error(), TxError::kBadFieldLength);
    // The other unknown types stay unknown for the block decoder too.
    EXPECT_EQ(decode_block_transaction(hx("65c0")).error(), TxError::kUnsupportedType);
    EXPECT_EQ(decode_block_transaction(hx("6ac0")).error(), TxError::kUnsupportedType);
}

TEST(Deposit, MutatedDepositTransactionsDecodeOnlyToThemselves) {
    // Whatever the block decoder accepts re-encodes to exactly the same bytes (one encoding per
    // transaction, so one hash).
    std::mt19937_64 rng(13);
    size_t accepted = 0;
    for (const Expected& e : kExpected) {
        const Bytes raw = hx(e.raw);
        for (int i = 0; i < 5000; ++i) {
            Bytes m = raw;
            const int flips = 1 + static_cast<int>(rng() % 3);
            for (int f = 0; f < flips; ++f)
                m[1 + rng() % (m.size() - 1)] ^= static_cast<uint8_t>(1 + rng() % 255);
            if (rng() % 8 == 0) m.resize(1 + rng() % m.size());
            auto t = decode_block_transaction(m);
            if (!t) continue;
            ++accepted;
            EXPECT_EQ(encode_transaction(*t), m);
            EXPECT_TRUE(is_deposit_type(t->type));
        }
    }
    EXPECT_GT(accepted, 0u);  // flips inside addresses and values keep it decodable
}

TEST(Deposit, ReceiptsOfDepositTypesRoundTrip) {
    for (TxType type : {TxType::kArbitrumDeposit, TxType::kArbitrumContract}) {
        Receipt r;
        r.type = type;
        r.success = type == TxType::kArbitrumDeposit;
        r.cumulative_gas_used = 21000;
        const Bytes enc = encode_receipt(r);
        EXPECT_EQ(enc[0], static_cast<uint8_t>(type));
        auto back = decode_receipt(enc);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, r);
    }
    EXPECT_EQ(decode_receipt(hx("65c0")).error(), ReceiptError::kUnsupportedType);
}

}  // namespace
}  // namespace fuse
