#include "core/hex.hpp"

#include <gtest/gtest.h>

namespace fuse {
namespace {

TEST(Hex, RoundTrip) {
    const Bytes b = {0x00, 0x01, 0xab, 0xff};
    EXPECT_EQ(to_hex(b), "0x0001abff");
    EXPECT_EQ(to_hex_raw(b), "0001abff");
    auto back = from_hex("0x0001ABff");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, b);
    EXPECT_EQ(*from_hex("0001abff"), b);
    EXPECT_TRUE(from_hex("0x")->empty());
    EXPECT_TRUE(from_hex("")->empty());
}

TEST(Hex, RejectsMalformed) {
    EXPECT_EQ(from_hex("0x123").error(), HexError::kOddLength);
    EXPECT_EQ(from_hex("0xzz").error(), HexError::kBadCharacter);
    EXPECT_EQ(from_hex("0x0g").error(), HexError::kBadCharacter);
    EXPECT_EQ(from_hex("xx").error(), HexError::kBadCharacter);
    EXPECT_STREQ(to_string(HexError::kOddLength), "hex string has an odd number of digits");
}

TEST(Hex, FixedSizes) {
    auto a = address_from_hex("0x00000000000000000000000000000000000000ff");
    ASSERT_TRUE(a);
    EXPECT_EQ((*a)[19], 0xff);
    EXPECT_EQ(address_from_hex("0x00ff").error(), HexError::kWrongLength);
    EXPECT_EQ(hash_from_hex(std::string(64, '0'))->is_zero(), true);
    EXPECT_EQ(hash_from_hex(std::string(62, '0')).error(), HexError::kWrongLength);
}

TEST(Bytes, FromViewRightPadsAndTruncates) {
    const Bytes two = {0x12, 0x34};
    Hash32 h = Hash32::from_view_right(two);
    EXPECT_EQ(h[30], 0x12);
    EXPECT_EQ(h[31], 0x34);
    EXPECT_EQ(h[0], 0);
    Bytes long_input(40, 0);
    long_input[39] = 7;
    EXPECT_EQ(Address::from_view_right(long_input)[19], 7);
}

}  // namespace
}  // namespace fuse
