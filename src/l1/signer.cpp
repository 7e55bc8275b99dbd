#include "l1/signer.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "l1/rpc_client.hpp"

namespace fuse::l1 {

Signer Signer::from_hex(std::string_view hex, std::string_view source) {
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.front())))
        hex.remove_prefix(1);
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back())))
        hex.remove_suffix(1);
    auto key = hash_from_hex(hex);
    if (!key)
        throw L1Error(L1Error::Kind::kConfig, "private key from " + std::string(source) +
                                                  " is not 32 bytes of hex (" +
                                                  to_string(key.error()) +
                                                  "): write the key as 64 hex digits, 0x optional");
    auto addr = address_from_private_key(*key);
    if (!addr)
        throw L1Error(L1Error::Kind::kConfig, "private key from " + std::string(source) +
                                                  " is not a valid secp256k1 key (zero or >= n)");
    Signer s;
    s.key_ = *key;
    s.address_ = *addr;
    return s;
}

Signer Signer::from_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw L1Error(L1Error::Kind::kConfig,
                      "cannot read key file '" + path + "': check the path and permissions");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    return from_hex(text, "key file '" + path + "'");
}

Signer Signer::from_env(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0')
        throw L1Error(L1Error::Kind::kConfig,
                      "environment variable " + name + " with the L1 private key is not set");
    return from_hex(v, "environment variable " + name);
}

Signer::~Signer() {
    volatile uint8_t* p = key_.data();
    for (size_t i = 0; i < key_.size(); ++i)
        p[i] = 0;
}

Result<void, TxError> Signer::sign(Transaction& txn) const {
    return sign_transaction(txn, key_);
}

}  // namespace fuse::l1
