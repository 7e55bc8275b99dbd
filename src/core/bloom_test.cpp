#include "core/bloom.hpp"

#include <gtest/gtest.h>

#include <bit>

#include "core/hex.hpp"
#include "core/receipt.hpp"

namespace fuse {
namespace {

int popcount(const Bloom& b) {
    int n = 0;
    for (uint8_t x : b.bytes)
        n += std::popcount(x);
    return n;
}

// The ERC-20 Transfer topic sets bytes 75, 123 and 195 (the value go-ethereum produces).
TEST(Bloom, MatchesGethForTransferTopic) {
    Bloom b;
    b.add(
        hash_from_hex("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef").value());
    Bloom expected;
    expected[75] = 0x08;
    expected[123] = 0x10;
    expected[195] = 0x02;
    EXPECT_EQ(b, expected);
}

TEST(Bloom, AddsAddressAndTopicsAndOrs) {
    Log log;
    log.address[19] = 0x01;
    log.topics.resize(2);
    log.topics[1][0] = 0xff;
    log.data = {1, 2, 3};
    Bloom b;
    b.add(log);
    EXPECT_TRUE(b.may_contain(log.address.view()));
    EXPECT_TRUE(b.may_contain(log.topics[0].view()));
    EXPECT_TRUE(b.may_contain(log.topics[1].view()));
    EXPECT_LE(popcount(b), 9);
    EXPECT_GE(popcount(b), 3);
    EXPECT_EQ(logs_bloom(std::span<const Log>(&log, 1)), b);

    Bloom a;
    a.add(log.address.view());
    Bloom t;
    t.add(log.topics[0].view());
    t.add(log.topics[1].view());
    a |= t;
    EXPECT_EQ(a, b);
    EXPECT_FALSE(Bloom{}.may_contain(log.address.view()));
}

}  // namespace
}  // namespace fuse
