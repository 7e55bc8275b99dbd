#include "core/secp256k1.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/address.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"

namespace fuse {
namespace {

uint256 u(std::string_view hex) {
    return uint256::from_be(from_hex(hex).value());
}

Hash32 random_hash(std::mt19937_64& rng) {
    Hash32 h;
    for (auto& b : h.bytes)
        b = static_cast<uint8_t>(rng());
    return h;
}

TEST(Secp256k1, AddressOfKnownKeys) {
    Hash32 one;
    one[31] = 1;
    EXPECT_EQ(to_checksum_hex(*address_from_private_key(one)),
              "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    // EIP-155's example key 0x4646...46.
    Hash32 k46;
    k46.bytes.fill(0x46);
    EXPECT_EQ(to_hex(address_from_private_key(k46)->view()),
              "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
    EXPECT_FALSE(address_from_private_key(Hash32{}));
    EXPECT_FALSE(address_from_private_key(kSecp256k1N.to_hash()));
}

// The ECRECOVER vector of go-ethereum's precompile tests (v = 28).
TEST(Secp256k1, RecoversKnownSignature) {
    const Hash32 h =
        hash_from_hex("456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3").value();
    const uint256 r = u("9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac8038825608");
    const uint256 s = u("4f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada");
    auto a = ecrecover(h, r, s, 1);
    ASSERT_TRUE(a);
    EXPECT_EQ(to_hex(a->view()), "0x7156526fbd7a3c72969b54f64e42c10fbb768c8a");
    // The other parity recovers a different key; out-of-range values recover nothing.
    auto other = ecrecover(h, r, s, 0);
    EXPECT_TRUE(!other || *other != *a);
    EXPECT_FALSE(ecrecover(h, r, s, 2));
    EXPECT_FALSE(ecrecover(h, r, s, 27));
    EXPECT_FALSE(ecrecover(h, uint256{}, s, 1));
    EXPECT_FALSE(ecrecover(h, r, uint256{}, 1));
    EXPECT_FALSE(ecrecover(h, kSecp256k1N, s, 1));
    EXPECT_FALSE(ecrecover(h, r, kSecp256k1N, 1));
}

// EIP-155's worked example: the signature is deterministic (RFC 6979).
TEST(Secp256k1, SignsDeterministically) {
    Hash32 k46;
    k46.bytes.fill(0x46);
    const Hash32 h =
        hash_from_hex("daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53").value();
    auto sig = sign(h, k46);
    ASSERT_TRUE(sig);
    EXPECT_EQ(sig->r, u("28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276"));
    EXPECT_EQ(sig->s, u("67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"));
    EXPECT_EQ(sig->y_parity, 0);
    EXPECT_EQ(*sign(h, k46), *sig);
    EXPECT_FALSE(sign(h, Hash32{}));
}

TEST(Secp256k1, SignRecoverRoundTripAndHighS) {
    std::mt19937_64 rng(99);
    for (int i = 0; i < 200; ++i) {
        const Hash32 key = random_hash(rng);
        const Hash32 msg = random_hash(rng);
        auto addr = address_from_private_key(key);
        ASSERT_TRUE(addr);
        auto sig = sign(msg, key);
        ASSERT_TRUE(sig);
        EXPECT_TRUE(is_low_s(sig->s));
        EXPECT_EQ(ecrecover(msg, sig->r, sig->s, sig->y_parity), addr);
        // (r, n - s, 1 - v) is the same signature with high s: ecrecover must accept it.
        const uint256 high_s = kSecp256k1N - sig->s;
        EXPECT_FALSE(is_low_s(high_s));
        EXPECT_EQ(ecrecover(msg, sig->r, high_s, static_cast<uint8_t>(1 - sig->y_parity)), addr);
        // A different message recovers a different address.
        Hash32 other = msg;
        other[0] ^= 1;
        EXPECT_NE(ecrecover(other, sig->r, sig->s, sig->y_parity), addr);
    }
}

TEST(Secp256k1, LowSBoundary) {
    EXPECT_TRUE(is_low_s(kSecp256k1HalfN));
    EXPECT_FALSE(is_low_s(kSecp256k1HalfN + uint256{1}));
    EXPECT_TRUE(is_valid_signature_values(uint256{1}, kSecp256k1N - uint256{1}));
    EXPECT_FALSE(is_valid_signature_values(uint256{1}, kSecp256k1N));
}

}  // namespace
}  // namespace fuse
