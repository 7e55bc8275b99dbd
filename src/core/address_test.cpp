#include "core/address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace fuse {
namespace {

// EIP-55's own examples.
TEST(Address, Eip55Checksums) {
    for (const char* s : {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                          "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                          "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                          "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
                          "0x52908400098527886E0F7030069857D2E4169EE7",
                          "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                          "0xde709f2102306220921060314715629080e2fb77",
                          "0x27b1fdb04752bbc536007a920d24acb045561c26"}) {
        auto a = parse_address(s);
        ASSERT_TRUE(a) << s;
        EXPECT_EQ(to_checksum_hex(*a), s);
    }
}

TEST(Address, ParseChecksIt) {
    EXPECT_TRUE(parse_address("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"));
    EXPECT_TRUE(parse_address("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"));
    EXPECT_EQ(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").error(),
              AddressError::kBadChecksum);
    EXPECT_EQ(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe").error(),
              AddressError::kWrongLength);
    EXPECT_EQ(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd").error(),
              AddressError::kWrongLength);
    EXPECT_EQ(parse_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg").error(),
              AddressError::kBadCharacter);
    EXPECT_EQ(parse_address("").error(), AddressError::kWrongLength);
    EXPECT_NE(std::string(to_string(AddressError::kBadChecksum)), "unknown address error");
}

}  // namespace
}  // namespace fuse
