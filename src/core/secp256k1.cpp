#include "core/secp256k1.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>

#include "core/hash.hpp"

namespace fuse {

namespace {

// One context for the process: creation is expensive (it builds signing tables) and a context
// used through const pointers is safe to share between threads.
const secp256k1_context* context() {
    static const secp256k1_context* const ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

}  // namespace

bool is_valid_signature_values(const uint256& r, const uint256& s) {
    return !r.is_zero() && !s.is_zero() && r < kSecp256k1N && s < kSecp256k1N;
}

bool is_low_s(const uint256& s) {
    return s <= kSecp256k1HalfN;
}

Address address_from_public_key(ByteView xy64) {
    const Hash32 h = keccak256(xy64);
    Address a;
    std::memcpy(a.data(), h.data() + 12, 20);
    return a;
}

namespace {

Address address_of(const secp256k1_pubkey& pk) {
    uint8_t out[65];
    size_t len = sizeof(out);
    secp256k1_ec_pubkey_serialize(context(), out, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
    return address_from_public_key(ByteView{out + 1, 64});
}

}  // namespace

std::optional<Address> ecrecover(const Hash32& msg_hash, const uint256& r, const uint256& s,
                                 uint8_t y_parity) {
    if (y_parity > 1 || !is_valid_signature_values(r, s)) return std::nullopt;
    uint8_t rs[64];
    r.to_be(rs);
    s.to_be(rs + 32);
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, rs, y_parity))
        return std::nullopt;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(context(), &pk, &sig, msg_hash.data())) return std::nullopt;
    return address_of(pk);
}

std::optional<Signature> sign(const Hash32& msg_hash, const Hash32& private_key) {
    if (!secp256k1_ec_seckey_verify(context(), private_key.data())) return std::nullopt;
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, msg_hash.data(), private_key.data(),
                                          nullptr, nullptr))
        return std::nullopt;
    uint8_t rs[64];
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), rs, &recid, &sig);
    return Signature{uint256::from_be32(rs), uint256::from_be32(rs + 32),
                     static_cast<uint8_t>(recid)};
}

std::optional<Address> address_from_private_key(const Hash32& private_key) {
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(context(), &pk, private_key.data())) return std::nullopt;
    return address_of(pk);
}

}  // namespace fuse
