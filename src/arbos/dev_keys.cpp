// BIP-39 seed and BIP-32 key derivation for the development accounts (genesis.hpp).
#include <cryptopp/hmac.h>
#include <cryptopp/pwdbased.h>
#include <cryptopp/sha.h>
#include <secp256k1.h>

#include <cstring>
#include <mutex>

#include "arbos/genesis.hpp"
#include "core/secp256k1.hpp"

namespace fuse::arbos {

namespace {

constexpr const char* kTestMnemonic = "test test test test test test test test test test test junk";
constexpr uint32_t kHardened = 0x8000'0000u;

const secp256k1_context* context() {
    static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

/// BIP-39: PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" ‖ passphrase(empty), 2048 rounds, 64 bytes).
void bip39_seed(std::string_view mnemonic, uint8_t out[64]) {
    CryptoPP::PKCS5_PBKDF2_HMAC<CryptoPP::SHA512> kdf;
    const std::string salt = "mnemonic";
    kdf.DeriveKey(out, 64, 0, reinterpret_cast<const uint8_t*>(mnemonic.data()), mnemonic.size(),
                  reinterpret_cast<const uint8_t*>(salt.data()), salt.size(), 2048);
}

void hmac_sha512(const uint8_t* key, size_t key_len, const uint8_t* data, size_t len,
                 uint8_t out[64]) {
    CryptoPP::HMAC<CryptoPP::SHA512> mac(key, key_len);
    mac.CalculateDigest(out, data, len);
}

/// One BIP-32 CKDpriv step; false when the child key is invalid.
bool derive_child(uint8_t key[32], uint8_t chain[32], uint32_t index) {
    uint8_t data[37];
    if (index & kHardened) {
        data[0] = 0;
        std::memcpy(data + 1, key, 32);
    } else {
        secp256k1_pubkey pub;
        if (!secp256k1_ec_pubkey_create(context(), &pub, key)) return false;
        size_t len = 33;
        secp256k1_ec_pubkey_serialize(context(), data, &len, &pub, SECP256K1_EC_COMPRESSED);
    }
    data[33] = static_cast<uint8_t>(index >> 24);
    data[34] = static_cast<uint8_t>(index >> 16);
    data[35] = static_cast<uint8_t>(index >> 8);
    data[36] = static_cast<uint8_t>(index);
    uint8_t i[64];
    hmac_sha512(chain, 32, data, sizeof(data), i);
    // child = IL + parent (mod n); IL >= n or a zero result make the index invalid.
    if (!secp256k1_ec_seckey_verify(context(), i)) return false;
    if (!secp256k1_ec_seckey_tweak_add(context(), key, i)) return false;
    std::memcpy(chain, i + 32, 32);
    return true;
}

/// "m/44'/60'/0'/0/3" -> indexes; nullopt when malformed.
std::optional<std::vector<uint32_t>> parse_path(std::string_view path) {
    if (path.size() < 1 || path[0] != 'm') return std::nullopt;
    std::vector<uint32_t> out;
    size_t pos = 1;
    while (pos < path.size()) {
        if (path[pos] != '/') return std::nullopt;
        ++pos;
        uint64_t v = 0;
        size_t digits = 0;
        while (pos < path.size() && path[pos] >= '0' && path[pos] <= '9') {
            v = v * 10 + static_cast<uint64_t>(path[pos] - '0');
            if (v >= kHardened) return std::nullopt;
            ++pos;
            ++digits;
        }
        if (digits == 0) return std::nullopt;
        if (pos < path.size() && path[pos] == '\'') {
            v |= kHardened;
            ++pos;
        }
        out.push_back(static_cast<uint32_t>(v));
    }
    return out;
}

}  // namespace

std::optional<Hash32> derive_private_key(std::string_view mnemonic, std::string_view path) {
    const auto indexes = parse_path(path);
    if (!indexes) return std::nullopt;
    uint8_t seed[64];
    bip39_seed(mnemonic, seed);
    uint8_t i[64];
    const char* kSeedKey = "Bitcoin seed";
    hmac_sha512(reinterpret_cast<const uint8_t*>(kSeedKey), std::strlen(kSeedKey), seed, 64, i);
    if (!secp256k1_ec_seckey_verify(context(), i)) return std::nullopt;
    uint8_t key[32], chain[32];
    std::memcpy(key, i, 32);
    std::memcpy(chain, i + 32, 32);
    for (uint32_t index : *indexes)
        if (!derive_child(key, chain, index)) return std::nullopt;
    Hash32 out;
    std::memcpy(out.data(), key, 32);
    return out;
}

const std::vector<DevAccount>& dev_accounts() {
    static const std::vector<DevAccount> accounts = [] {
        std::vector<DevAccount> v;
        // The seed and m/44'/60'/0'/0 are shared; derive that prefix once.
        uint8_t seed[64];
        bip39_seed(kTestMnemonic, seed);
        uint8_t i[64];
        const char* kSeedKey = "Bitcoin seed";
        hmac_sha512(reinterpret_cast<const uint8_t*>(kSeedKey), std::strlen(kSeedKey), seed, 64, i);
        uint8_t key[32], chain[32];
        std::memcpy(key, i, 32);
        std::memcpy(chain, i + 32, 32);
        for (uint32_t index : {44 | kHardened, 60 | kHardened, 0 | kHardened, 0u})
            derive_child(key, chain, index);
        for (uint32_t n = 0; n < 10; ++n) {
            uint8_t k[32], c[32];
            std::memcpy(k, key, 32);
            std::memcpy(c, chain, 32);
            derive_child(k, c, n);
            DevAccount d;
            std::memcpy(d.private_key.data(), k, 32);
            d.address = *address_from_private_key(d.private_key);
            v.push_back(d);
        }
        return v;
    }();
    return accounts;
}

}  // namespace fuse::arbos
