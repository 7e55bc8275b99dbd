#include "core/block.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"

namespace fuse {
namespace {

Hash32 h32(std::string_view hex) {
    return hash_from_hex(hex).value();
}

// Ethereum mainnet's genesis block: a 15-field header with a well-known hash.
TEST(BlockHeader, MainnetGenesisHash) {
    BlockHeader h;
    h.state_root = h32("d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544");
    h.transactions_root = h32("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
    h.receipts_root = h.transactions_root;
    h.difficulty = uint256{0x400000000};
    h.gas_limit = 5000;
    h.extra_data =
        from_hex("11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa").value();
    h.nonce[7] = 0x42;
    auto hash = header_hash(h);
    ASSERT_TRUE(hash);
    EXPECT_EQ(to_hex(hash->view()),
              "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
    const Bytes enc = encode_header(h).value();
    auto back = decode_header(enc);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, h);
}

BlockHeader prague_header() {
    BlockHeader h;
    h.parent_hash[0] = 1;
    h.beneficiary[19] = 0xba;
    h.state_root[1] = 2;
    h.logs_bloom[100] = 0x40;
    h.number = 123456;
    h.gas_limit = 30'000'000;
    h.gas_used = 21000;
    h.timestamp = 1'700'000'000;
    h.extra_data = {0xfe, 0xed};
    h.mix_hash[31] = 7;
    h.base_fee_per_gas = uint256{7};
    h.withdrawals_root = Hash32{};
    h.blob_gas_used = 0;
    h.excess_blob_gas = 131072;
    h.parent_beacon_block_root = Hash32{};
    h.requests_hash = kEmptyListHash;
    return h;
}

TEST(BlockHeader, RoundTripsEveryForkShape) {
    BlockHeader full = prague_header();
    for (int keep = 6; keep >= 0; --keep) {
        BlockHeader h = full;
        if (keep < 6) h.requests_hash.reset();
        if (keep < 5) h.parent_beacon_block_root.reset();
        if (keep < 4) h.excess_blob_gas.reset();
        if (keep < 3) h.blob_gas_used.reset();
        if (keep < 2) h.withdrawals_root.reset();
        if (keep < 1) h.base_fee_per_gas.reset();
        auto enc = encode_header(h);
        ASSERT_TRUE(enc);
        rlp::Decoder d(*enc);
        auto list = d.read_list();
        ASSERT_TRUE(list);
        size_t n = 0;
        while (!list->empty()) {
            ASSERT_TRUE(list->next());
            ++n;
        }
        EXPECT_EQ(n, 15u + static_cast<size_t>(keep));
        auto back = decode_header(*enc);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, h);
        EXPECT_EQ(*header_hash(*back), keccak256(*enc));
    }
}

TEST(BlockHeader, RejectsGapsAndHostileInput) {
    BlockHeader gap = prague_header();
    gap.withdrawals_root.reset();
    EXPECT_EQ(encode_header(gap).error(), HeaderError::kMissingField);
    EXPECT_EQ(header_hash(gap).error(), HeaderError::kMissingField);

    const Bytes enc = encode_header(prague_header()).value();
    EXPECT_EQ(decode_header(ByteView{}).error(), HeaderError::kMalformedRlp);
    EXPECT_EQ(decode_header(Bytes{0x80}).error(), HeaderError::kMalformedRlp);
    EXPECT_EQ(decode_header(Bytes{0xc0}).error(), HeaderError::kWrongFieldCount);
    Bytes trailing = enc;
    trailing.push_back(1);
    EXPECT_EQ(decode_header(trailing).error(), HeaderError::kMalformedRlp);

    // Field-level edits on the item list.
    auto fields = [&] {
        std::vector<Bytes> out;
        rlp::Decoder d(enc);
        auto list = d.read_list();
        while (!list->empty())
            out.push_back(to_bytes(list->next()->encoded));
        return out;
    }();
    auto rebuild = [](const std::vector<Bytes>& f) {
        rlp::Encoder e;
        e.begin_list();
        for (const auto& x : f)
            e.add_raw(x);
        e.end_list();
        return e.take();
    };
    auto too_many = fields;
    too_many.push_back(rlp::encode(uint64_t{0}));
    EXPECT_EQ(decode_header(rebuild(too_many)).error(), HeaderError::kWrongFieldCount);
    auto bad = fields;
    bad[0] = rlp::encode(Bytes(31, 1));
    EXPECT_EQ(decode_header(rebuild(bad)).error(), HeaderError::kBadFieldLength);
    bad = fields;
    bad[6] = rlp::encode(Bytes(255, 0));
    EXPECT_EQ(decode_header(rebuild(bad)).error(), HeaderError::kBadFieldLength);
    bad = fields;
    bad[14] = rlp::encode(Bytes(7, 0));
    EXPECT_EQ(decode_header(rebuild(bad)).error(), HeaderError::kBadFieldLength);
    bad = fields;
    bad[8] = rlp::encode(Bytes(9, 1));
    EXPECT_EQ(decode_header(rebuild(bad)).error(), HeaderError::kIntegerOverflow);
    bad = fields;
    bad[8] = Bytes{0x82, 0x00, 0x01};
    EXPECT_EQ(decode_header(rebuild(bad)).error(), HeaderError::kMalformedRlp);

    std::mt19937_64 rng(77);
    for (int i = 0; i < 5000; ++i) {
        Bytes b = enc;
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
        if (rng() % 2) b.resize(rng() % b.size());
        auto h = decode_header(b);
        if (h) {
            EXPECT_EQ(encode_header(*h).value(), b);
        }
    }
}

}  // namespace
}  // namespace fuse
