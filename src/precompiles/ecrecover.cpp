#include "precompiles/ecrecover.hpp"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"

namespace fuse::precompiles {

namespace {

const secp256k1_context* context() {
    static const secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
    return ctx;
}

}  // namespace

Bytes ecrecover(ByteView input) {
    uint8_t in[128] = {};
    std::memcpy(in, input.data(), std::min<size_t>(input.size(), 128));
    const uint8_t* v = in + 32;
    if (!std::all_of(v, v + 31, [](uint8_t b) { return b == 0; })) return {};
    if (v[31] != 27 && v[31] != 28) return {};
    const int recid = v[31] - 27;

    // parse_compact rejects r or s >= n; recovery rejects r = 0 or s = 0.
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, in + 64, recid))
        return {};
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(context(), &pubkey, &sig, in)) return {};
    uint8_t serialized[65];
    size_t len = sizeof(serialized);
    secp256k1_ec_pubkey_serialize(context(), serialized, &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
    const Hash32 h = keccak256(ByteView(serialized + 1, 64));
    Bytes out(32, 0);
    std::memcpy(out.data() + 12, h.data() + 12, 20);
    return out;
}

}  // namespace fuse::precompiles
