#include "batch/tx_columns.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "batch/column_io.hpp"
#include "batch/test_util.hpp"
#include "core/hex.hpp"

namespace fuse::batch {
namespace {

using testing::signed_txs;

constexpr size_t kColumns = kColumnarColumns;  // format 0x01

std::vector<ByteView> views(const std::vector<Bytes>& txs) {
    return {txs.begin(), txs.end()};
}

Result<std::vector<Bytes>, BatchError> round(const std::vector<Bytes>& txs,
                                             const BatchLimits& limits = {}) {
    return decode_tx_columns(encode_tx_columns(views(txs)), txs.size(), limits);
}

/// The section split into its columns, and put back together.
std::vector<Bytes> split(ByteView section) {
    columns::Reader r(section);
    std::vector<Bytes> cols;
    for (size_t k = 0; k < kColumns; ++k) {
        const auto b = r.bytes(*r.varint());
        cols.emplace_back(b->begin(), b->end());
    }
    EXPECT_TRUE(r.empty());
    return cols;
}
Bytes join(const std::vector<Bytes>& cols) {
    Bytes out;
    for (const Bytes& c : cols) {
        columns::put_varint(out, c.size());
        out.insert(out.end(), c.begin(), c.end());
    }
    return out;
}
Bytes& col(std::vector<Bytes>& cols, TxColumn k) {
    return cols[static_cast<size_t>(k)];
}
BatchError edited_error(const std::vector<Bytes>& cols, size_t count) {
    auto r = decode_tx_columns(join(cols), count, {});
    EXPECT_FALSE(r);
    return r ? BatchError::kEmpty : r.error();
}

TEST(TxColumns, SignedTransactionsOfEveryShapeGoColumnarAndComeBackExactly) {
    std::mt19937_64 rng(11);
    const auto txs = signed_txs(rng, 600);
    for (const Bytes& tx : txs)
        ASSERT_TRUE(to_record(tx)) << to_hex(tx);  // all representable
    const auto back = round(txs);
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, txs);
    // Smaller than the raw bytes before any compression (tables, dictionaries, numbers).
    size_t raw = 0;
    for (const Bytes& tx : txs)
        raw += tx.size();
    EXPECT_LT(encode_tx_columns(views(txs)).size(), raw);
}

TEST(TxColumns, AnythingElseGoesRawInTheSameSection) {
    std::mt19937_64 rng(12);
    auto txs = signed_txs(rng, 20);
    const std::vector<std::string_view> odd = {
        "00",                    // one byte
        "03f8",                  // type 3 envelope
        "04c0",                  // type 4 envelope
        "7f010203",              // unknown type
        "c0",                    // empty legacy list
        "f84a8001825208",        // truncated legacy
        "c9808080808080808080",  // legacy with v = 0
        "ff",
    };
    for (auto h : odd)
        txs.push_back(from_hex(h).value());
    // A valid legacy tx with a non-canonical nonce (leading zero) and one with v = 29.
    Transaction t;
    t.chain_id = std::nullopt;
    t.gas_limit = 21'000;
    t.to = Address{};
    ASSERT_TRUE(sign_transaction(t, Hash32{{1, 2, 3}}));
    Bytes good = encode_transaction(t);
    ASSERT_TRUE(to_record(good));
    Bytes bad_v = good;
    for (size_t i = bad_v.size() - 67; i < bad_v.size(); ++i)
        if (bad_v[i] == 27 || bad_v[i] == 28) {
            bad_v[i] = 29;
            break;
        }
    EXPECT_FALSE(to_record(bad_v));
    txs.push_back(bad_v);
    Bytes trailing = txs[3];
    trailing.push_back(0);  // a byte after the RLP list
    EXPECT_FALSE(to_record(trailing));
    txs.push_back(trailing);
    for (size_t i = 20; i < txs.size(); ++i)
        EXPECT_FALSE(to_record(txs[i])) << i;
    std::shuffle(txs.begin(), txs.end(), rng);
    const auto back = round(txs);
    ASSERT_TRUE(back) << to_string(back.error());
    EXPECT_EQ(*back, txs);
}

TEST(TxColumns, EmptySectionIsZeroTransactions) {
    const Bytes section = encode_tx_columns({});
    EXPECT_EQ(section, Bytes(kColumns, 0));
    EXPECT_TRUE(decode_tx_columns(section, 0, {}).value().empty());
    EXPECT_EQ(decode_tx_columns(section, 1, {}).error(), BatchError::kBadTxColumns);
}

TEST(TxColumns, NumbersHaveOneEncoding) {
    const uint256 ten{10};
    uint256 p77{1};
    for (int i = 0; i < 77; ++i)
        p77 *= ten;
    for (const uint256& v :
         {uint256{}, uint256{1}, uint256{10}, uint256{1'500'000'000}, uint256{123456789}, p77,
          uint256::max(), uint256{0, 0, 0, 1ull << 63}}) {
        Bytes b;
        columns::put_number(b, v);
        columns::Reader r(b);
        EXPECT_EQ(r.number(), v);
        EXPECT_TRUE(r.empty());
    }
    auto bad = [](std::string_view h) {
        const Bytes b = from_hex(h).value();
        columns::Reader r(b);
        return !r.number().has_value();
    };
    EXPECT_FALSE(bad("0000"));     // zero
    EXPECT_FALSE(bad("020115"));   // 21 * 100
    EXPECT_TRUE(bad("0100"));      // zero with an exponent
    EXPECT_TRUE(bad("00020015"));  // leading zero byte
    EXPECT_TRUE(bad("00010a"));    // 10: the zero belongs in the exponent
    EXPECT_FALSE(bad("000121"));   // 33
    EXPECT_TRUE(bad("4e0102"));    // 2 * 10^78 > 2^256
    EXPECT_TRUE(bad("0021"));      // length above 32
    EXPECT_TRUE(bad("0002ff"));    // truncated
}

TEST(TxColumns, VarintsHaveOneEncoding) {
    auto read = [](std::string_view h) {
        const Bytes b = from_hex(h).value();
        columns::Reader r(b);
        return r.varint();
    };
    EXPECT_EQ(read("00"), 0u);
    EXPECT_EQ(read("7f"), 127u);
    EXPECT_EQ(read("8001"), 128u);
    EXPECT_EQ(read("ffffffffffffffffff01"), UINT64_MAX);
    EXPECT_FALSE(read("8000"));                  // redundant zero group
    EXPECT_FALSE(read("ffffffffffffffffff02"));  // 65 bits
    EXPECT_FALSE(read("80"));                    // truncated
    EXPECT_FALSE(read("8080808080808080808001"));
}

TEST(TxColumns, RejectsStructuralDamage) {
    std::mt19937_64 rng(13);
    const auto txs = signed_txs(rng, 40);
    const Bytes section = encode_tx_columns(views(txs));
    const auto cols = split(section);
    // Counts and framing.
    EXPECT_EQ(decode_tx_columns(section, 39, {}).error(), BatchError::kBadTxColumns);
    Bytes longer = section;
    longer.push_back(0);
    EXPECT_EQ(decode_tx_columns(longer, 40, {}).error(), BatchError::kBadTxColumns);
    EXPECT_EQ(decode_tx_columns(ByteView{section}.first(section.size() - 1), 40, {}).error(),
              BatchError::kBadTxColumns);
    // A byte left over in (or missing from) any per-transaction column.
    for (TxColumn k :
         {TxColumn::kNonces, TxColumn::kValues, TxColumn::kValueMantissas, TxColumn::kSignatures,
          TxColumn::kAddressIndices, TxColumn::kGasCodes, TxColumn::kChainIds}) {
        auto c = cols;
        col(c, k).push_back(0);
        EXPECT_EQ(edited_error(c, 40), BatchError::kBadTxColumns) << static_cast<int>(k);
        c = cols;
        col(c, k).pop_back();
        const auto e = edited_error(c, 40);
        EXPECT_TRUE(e == BatchError::kBadTxColumns || e == BatchError::kBadTxValue)
            << static_cast<int>(k);
    }
    auto c = cols;
    col(c, TxColumn::kAddresses).push_back(0);  // not a multiple of 20
    EXPECT_EQ(edited_error(c, 40), BatchError::kBadTxColumns);
    c = cols;  // an empty table written as "0 repeated, no entries"
    c[static_cast<size_t>(TxColumn::kAddresses)] = {0};
    EXPECT_EQ(edited_error(c, 40), BatchError::kBadTxColumns);
}

TEST(TxColumns, RejectsNonCanonicalValues) {
    std::mt19937_64 rng(14);
    const auto txs = signed_txs(rng, 60);
    auto cols = split(encode_tx_columns(views(txs)));
    ASSERT_FALSE(col(cols, TxColumn::kGasDict).empty());

    auto c = cols;  // an unused dictionary entry
    columns::put_varint(col(c, TxColumn::kGasDict), 987'654'321);
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;  // a duplicated dictionary entry
    {
        auto first = col(c, TxColumn::kGasDict);
        columns::Reader r(first);
        const uint64_t v = *r.varint();
        columns::put_varint(col(c, TxColumn::kGasDict), v);
    }
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;  // an unused (extra) single-use address
    col(c, TxColumn::kAddresses).insert(col(c, TxColumn::kAddresses).end(), 20, 0xee);
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;  // a duplicated address (the last entry twice)
    {
        Bytes& a = col(c, TxColumn::kAddresses);
        const Bytes last(a.end() - 20, a.end());
        a.insert(a.end(), last.begin(), last.end());
    }
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;  // the table's repeated count beyond its entries
    {
        Bytes& a = col(c, TxColumn::kAddresses);
        Bytes fixed;
        columns::put_varint(fixed, a.size() / 20 + 1);
        columns::Reader r(a);
        r.varint();
        const auto rest = r.bytes(r.size());
        fixed.insert(fixed.end(), rest->begin(), rest->end());
        a = fixed;
    }
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxColumns);
    c = cols;  // a gas code past the dictionary
    col(c, TxColumn::kGasCodes)[0] = 250;
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;  // reserved kind: raw with flags, data form 3
    col(c, TxColumn::kKinds)[0] = static_cast<uint8_t>(col(c, TxColumn::kKinds)[0] | 0x30);
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
    c = cols;
    col(c, TxColumn::kKinds)[0] = 0x04;
    EXPECT_EQ(edited_error(c, 60), BatchError::kBadTxValue);
}

TEST(TxColumns, LiteralThatIsADictionaryEntryIsRejected) {
    // Two txs with gas 21000 (an entry), then a third written as the literal 21000.
    std::mt19937_64 rng(15);
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = 7;
    t.gas_limit = 21'000;
    t.to = Address{};
    std::vector<Bytes> txs;
    for (int i = 0; i < 3; ++i) {
        t.nonce = static_cast<uint64_t>(i);
        t.gas_limit = i < 2 ? 21'000 : 30'000;
        ASSERT_TRUE(sign_transaction(t, Hash32{{9}}));
        txs.push_back(encode_transaction(t));
    }
    auto cols = split(encode_tx_columns(views(txs)));
    ASSERT_EQ(col(cols, TxColumn::kGasCodes), (Bytes{1, 1, 0}));
    col(cols, TxColumn::kGasCodes)[1] = 0;
    Bytes lit;
    columns::put_varint(lit, 21'000);
    lit.insert(lit.end(), col(cols, TxColumn::kGasLiterals).begin(),
               col(cols, TxColumn::kGasLiterals).end());
    col(cols, TxColumn::kGasLiterals) = lit;
    // Entry 1 is now unused too, but the literal is seen first.
    EXPECT_EQ(edited_error(cols, 3), BatchError::kBadTxValue);
}

TEST(TxColumns, AbiWordKindMustMatchTheWord) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = 7;
    t.gas_limit = 50'000;
    t.to = Address{};
    t.data = {1, 2, 3, 4};
    t.data.resize(36);
    t.data[35] = 5;  // a number word: 5
    ASSERT_TRUE(sign_transaction(t, Hash32{{9}}));
    const std::vector<Bytes> txs{encode_transaction(t)};
    auto cols = split(encode_tx_columns(views(txs)));
    ASSERT_EQ(col(cols, TxColumn::kWordKinds), Bytes{0});
    // The same word written raw decodes to the same bytes but is not the canonical form.
    col(cols, TxColumn::kWordKinds)[0] = 2;
    col(cols, TxColumn::kWordNumbers).clear();
    col(cols, TxColumn::kWordRaw) = Bytes(32, 0);
    col(cols, TxColumn::kWordRaw)[31] = 5;
    EXPECT_EQ(edited_error(cols, 1), BatchError::kBadTxValue);
}

TEST(TxColumns, EnforcesTheTransactionSizeLimit) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = 7;
    t.gas_limit = 5'000'000;
    t.data.assign(1000, 0x60);
    ASSERT_TRUE(sign_transaction(t, Hash32{{9}}));
    const std::vector<Bytes> txs{encode_transaction(t)};
    EXPECT_TRUE(round(txs, BatchLimits{.max_tx_size = txs[0].size()}));
    EXPECT_EQ(round(txs, BatchLimits{.max_tx_size = txs[0].size() - 1}).error(),
              BatchError::kTxTooLarge);
    const std::vector<Bytes> raw{Bytes(500, 0xff)};
    EXPECT_TRUE(round(raw, BatchLimits{.max_tx_size = 500}));
    EXPECT_EQ(round(raw, BatchLimits{.max_tx_size = 499}).error(), BatchError::kTxTooLarge);
}

TEST(TxColumns, RandomDamageNeverCrashes) {
    std::mt19937_64 rng(16);
    const auto txs = signed_txs(rng, 50);
    const Bytes section = encode_tx_columns(views(txs));
    size_t ok = 0;
    for (int i = 0; i < 20'000; ++i) {
        Bytes m = section;
        m[rng() % m.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        if (decode_tx_columns(m, 50, {})) ++ok;
    }
    EXPECT_LT(ok, 20'000u);
}

// Seeds for batch_fuzz (src/batch/batch_fuzz.cpp): with FUSE_WRITE_FUZZ_CORPUS=dir, writes
// batches of both formats, their decompressed streams, and tx lists in the fuzzer's u16 framing.
TEST(TxColumns, WritesFuzzSeedsOnRequest) {
    const char* dir = std::getenv("FUSE_WRITE_FUZZ_CORPUS");
    if (!dir) GTEST_SKIP() << "set FUSE_WRITE_FUZZ_CORPUS=dir to write the seeds";
    std::mt19937_64 rng(17);
    int n = 0;
    auto write = [&](const Bytes& b) {
        std::ofstream(std::string(dir) + "/seed" + std::to_string(n++), std::ios::binary)
            .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    };
    for (int i = 0; i < 12; ++i) {
        std::vector<L2Message> msgs;
        for (int m = 0; m < 1 + i % 4; ++m)
            msgs.push_back(L2Message{10 + static_cast<uint64_t>(m), uint256{7},
                                     100 + static_cast<uint64_t>(m), signed_txs(rng, rng() % 4)});
        if (i % 3 == 1)  // some seeds with a deposits segment (0x03)
            msgs.back().deposit_ref = DepositRef{static_cast<uint64_t>(i), 2, Hash32{}};
        for (uint8_t format : {kBrotliFormat, kColumnarFormat}) {
            write(encode_batch(msgs, 5, format).value());
            write(make_stream(msgs, format).value());
        }
        Bytes framed;
        for (const Bytes& tx : signed_txs(rng, 1 + rng() % 3)) {
            framed.push_back(static_cast<uint8_t>(tx.size() >> 8));
            framed.push_back(static_cast<uint8_t>(tx.size()));
            framed.insert(framed.end(), tx.begin(), tx.end());
        }
        write(framed);
    }
}

}  // namespace
}  // namespace fuse::batch
