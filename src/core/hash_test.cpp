#include "core/hash.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/hex.hpp"

namespace fuse {
namespace {

ByteView str(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Hash, KeccakKnownVectors) {
    EXPECT_EQ(keccak256({}), kEmptyCodeHash);
    EXPECT_EQ(to_hex(keccak256(str("abc"))),
              "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    const uint8_t rlp_empty[] = {0x80};
    EXPECT_EQ(keccak256(rlp_empty), kEmptyTrieRoot);
    // Function selector of transfer(address,uint256).
    EXPECT_EQ(to_hex(keccak256(str("transfer(address,uint256)"))).substr(0, 10), "0xa9059cbb");
}

TEST(Hash, KeccakSpansBlockBoundary) {
    // 136 bytes is Keccak-256's rate; check lengths around it hash distinctly and stably.
    std::string a(135, 'a'), b(136, 'a'), c(137, 'a');
    EXPECT_NE(keccak256(str(a)), keccak256(str(b)));
    EXPECT_NE(keccak256(str(b)), keccak256(str(c)));
    EXPECT_EQ(keccak256(str(b)), keccak256(str(std::string(136, 'a'))));
}

TEST(Hash, Sha256AndRipemd160) {
    EXPECT_EQ(to_hex(sha256(str("abc"))),
              "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(to_hex(ripemd160(str("abc"))), "0x8eb208f7e05d987a9b044a8e98c6b087f15a0bfc");
    EXPECT_EQ(to_hex(ripemd160({})), "0x9c1185a5c5e9fc54612808977ee8f548b2258d31");
}

}  // namespace
}  // namespace fuse
