#include "core/receipt.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/block.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"

namespace fuse {
namespace {

Log make_log(uint8_t seed, size_t topics, size_t data) {
    Log log;
    log.address[0] = seed;
    for (size_t i = 0; i < topics; ++i) {
        Hash32 t;
        t[31] = static_cast<uint8_t>(seed + i);
        log.topics.push_back(t);
    }
    log.data.assign(data, seed);
    return log;
}

// The state tests' `logs` of a transaction without logs is keccak(rlp([])).
TEST(Receipt, LogsHashOfNothingIsEmptyListHash) {
    EXPECT_EQ(logs_hash({}), kEmptyListHash);
    EXPECT_EQ(to_hex(logs_hash({}).view()),
              "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
}

TEST(Receipt, LogsHashIsKeccakOfTheLogList) {
    const std::vector<Log> logs = {make_log(1, 0, 0), make_log(2, 4, 100)};
    // Built by hand: [[address, [], ""], [address, [t0..t3], data]].
    Bytes l0 = {0xd7, 0x94};
    l0.insert(l0.end(), logs[0].address.bytes.begin(), logs[0].address.bytes.end());
    l0.push_back(0xc0);
    l0.push_back(0x80);
    rlp::Encoder e;
    e.begin_list().add_raw(l0);
    append_log(e, logs[1]);
    e.end_list();
    EXPECT_EQ(logs_hash(logs), keccak256(e.bytes()));
    EXPECT_NE(logs_hash(logs), logs_hash(std::span<const Log>(logs.data(), 1)));
}

TEST(Receipt, EncodesAndDecodesEveryType) {
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee, TxType::kBlob,
                        TxType::kSetCode}) {
        Receipt r;
        r.type = type;
        r.success = type != TxType::kAccessList;
        r.cumulative_gas_used = 21000 * (1 + static_cast<uint64_t>(type));
        r.logs = {make_log(3, 2, 40), make_log(4, 0, 0)};
        r.bloom = logs_bloom(r.logs);
        const Bytes enc = encode_receipt(r);
        if (type == TxType::kLegacy) {
            EXPECT_GE(enc[0], 0xc0);
        } else {
            EXPECT_EQ(enc[0], static_cast<uint8_t>(type));
        }
        auto back = decode_receipt(enc);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, r);
    }
}

// A failed legacy receipt without logs: rlp([0x80, 0x5208, bloom, []]).
TEST(Receipt, FailedStatusIsEmptyString) {
    Receipt r;
    r.cumulative_gas_used = 21000;
    const Bytes enc = encode_receipt(r);
    ASSERT_EQ(enc.size(), 3u + 1 + 3 + 3 + 256 + 1);
    EXPECT_EQ(to_hex(ByteView{enc}.subspan(0, 8)), "0xf9010880825208b9");
}

TEST(Receipt, RejectsHostileInput) {
    Receipt r;
    r.success = true;
    r.logs = {make_log(5, 1, 3)};
    const Bytes enc = encode_receipt(r);
    EXPECT_EQ(decode_receipt(ByteView{}).error(), ReceiptError::kEmptyInput);
    EXPECT_EQ(decode_receipt(Bytes{0x05, 0xc0}).error(), ReceiptError::kUnsupportedType);
    Bytes trunc(enc.begin(), enc.end() - 1);
    EXPECT_EQ(decode_receipt(trunc).error(), ReceiptError::kMalformedRlp);
    Bytes trailing = enc;
    trailing.push_back(0);
    EXPECT_EQ(decode_receipt(trailing).error(), ReceiptError::kMalformedRlp);

    auto with_fields = [](std::vector<Bytes> fields) {
        rlp::Encoder e;
        e.begin_list();
        for (auto& f : fields)
            e.add_raw(f);
        e.end_list();
        return e.take();
    };
    const Bytes bloom = rlp::encode(Bytes(256, 0));
    EXPECT_EQ(decode_receipt(with_fields({rlp::encode(uint64_t{2}), rlp::encode(uint64_t{1}), bloom,
                                          Bytes{0xc0}}))
                  .error(),
              ReceiptError::kBadStatus);
    EXPECT_EQ(decode_receipt(with_fields({rlp::encode(Bytes(32, 1)), rlp::encode(uint64_t{1}),
                                          bloom, Bytes{0xc0}}))
                  .error(),
              ReceiptError::kBadStatus);
    EXPECT_EQ(decode_receipt(with_fields({rlp::encode(uint64_t{1}), rlp::encode(uint64_t{1}),
                                          rlp::encode(Bytes(255, 0)), Bytes{0xc0}}))
                  .error(),
              ReceiptError::kBadFieldLength);
    EXPECT_EQ(
        decode_receipt(with_fields({rlp::encode(uint64_t{1}), rlp::encode(uint64_t{1}), bloom}))
            .error(),
        ReceiptError::kWrongFieldCount);
    EXPECT_EQ(decode_receipt(with_fields({rlp::encode(uint64_t{1}), rlp::encode(Bytes(9, 1)), bloom,
                                          Bytes{0xc0}}))
                  .error(),
              ReceiptError::kIntegerOverflow);
    EXPECT_EQ(decode_receipt(with_fields({rlp::encode(uint64_t{1}), rlp::encode(uint64_t{1}), bloom,
                                          Bytes{0xc1, 0xc0}}))
                  .error(),
              ReceiptError::kWrongFieldCount);

    std::mt19937_64 rng(5);
    for (int i = 0; i < 5000; ++i) {
        Bytes b = enc;
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (rng() % 2) b.resize(rng() % b.size());
        auto d = decode_receipt(b);
        if (d) {
            EXPECT_EQ(encode_receipt(*d), b);
        }
    }
}

}  // namespace
}  // namespace fuse
