#include <cstring>

#include "bls12_381/encoding.hpp"
#include "bls12_381/pairing.hpp"
#include "bls12_381/precompiles.hpp"
#include "core/hash.hpp"

namespace fuse::bls12_381 {
namespace {

constexpr size_t kInputSize = 192;
constexpr uint8_t kVersionedHashVersionKzg = 0x01;

/// [tau]G2 of the Ethereum KZG ceremony: g2_monomial[1] of the mainnet trusted setup
/// (ethereum/c-kzg-4844 src/trusted_setup.txt, line 4100; consensus-specs
/// presets/mainnet/trusted_setups/trusted_setup_4096.json), ZCash-compressed.
constexpr uint8_t kTauG2Compressed[96] = {
    0xb5, 0xbf, 0xd7, 0xdd, 0x8c, 0xde, 0xb1, 0x28, 0x84, 0x3b, 0xc2, 0x87, 0x23, 0x0a, 0xf3, 0x89,
    0x26, 0x18, 0x70, 0x75, 0xcb, 0xfb, 0xef, 0xa8, 0x10, 0x09, 0xa2, 0xce, 0x61, 0x5a, 0xc5, 0x3d,
    0x29, 0x14, 0xe5, 0x87, 0x0c, 0xb4, 0x52, 0xd2, 0xaf, 0xaa, 0xab, 0x24, 0xf3, 0x49, 0x9f, 0x72,
    0x18, 0x5c, 0xbf, 0xee, 0x53, 0x49, 0x27, 0x14, 0x73, 0x44, 0x29, 0xb7, 0xb3, 0x86, 0x08, 0xe2,
    0x39, 0x26, 0xc9, 0x11, 0xcc, 0xec, 0xea, 0xc9, 0xa3, 0x68, 0x51, 0x47, 0x7b, 0xa4, 0xc6, 0x0b,
    0x08, 0x70, 0x41, 0xde, 0x62, 0x10, 0x00, 0xed, 0xc9, 0x8e, 0xda, 0xda, 0x20, 0xc1, 0xde, 0xf2};

/// FIELD_ELEMENTS_PER_BLOB (4096) || BLS_MODULUS, each 32 bytes big-endian (EIP-4844).
constexpr uint8_t kSuccessOutput[64] = {
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10, 0x00,
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01};

const G2Affine& tau_g2() {
    static const G2Affine p = [] {
        const auto r = decompress_g2(kTauG2Compressed);
        return r ? *r : G2Affine{};
    }();
    return p;
}

/// 32-byte big-endian field element of Fr: limbs, or nullopt when >= r.
bool read_fr(const uint8_t* in, uint64_t out[4]) {
    for (int i = 0; i < 4; ++i) {
        uint64_t w = 0;
        for (int j = 0; j < 8; ++j)
            w = (w << 8) | in[(3 - i) * 8 + j];
        out[i] = w;
    }
    for (int i = 3; i >= 0; --i) {
        if (out[i] != kGroupOrder[i]) return out[i] < kGroupOrder[i];
    }
    return false;  // equal to r
}

}  // namespace

Result<Bytes, Error> kzg_point_evaluation(ByteView input) {
    if (input.size() != kInputSize) return Unexpected{Error::kInvalidInputLength};
    const uint8_t* versioned_hash = input.data();
    const uint8_t* z_bytes = input.data() + 32;
    const uint8_t* y_bytes = input.data() + 64;
    const uint8_t* commitment_bytes = input.data() + 96;
    const uint8_t* proof_bytes = input.data() + 144;

    // kzg_to_versioned_hash(commitment) = 0x01 || sha256(commitment)[1:]
    Hash32 h = sha256(ByteView{commitment_bytes, 48});
    h[0] = kVersionedHashVersionKzg;
    if (std::memcmp(h.data(), versioned_hash, 32) != 0)
        return Unexpected{Error::kInvalidVersionedHash};

    uint64_t z[4], y[4];
    if (!read_fr(z_bytes, z) || !read_fr(y_bytes, y)) return Unexpected{Error::kScalarOutOfRange};
    const auto commitment = decompress_g1(commitment_bytes);
    if (!commitment) return Unexpected{commitment.error()};
    const auto proof = decompress_g1(proof_bytes);
    if (!proof) return Unexpected{proof.error()};

    // verify_kzg_proof: e(C - [y]G1, -G2) * e(proof, [tau]G2 - [z]G2) == 1
    const G1 g1 = G1::from_affine(g1_generator());
    const G2 g2 = G2::from_affine(g2_generator());
    const G1Affine p_minus_y = (G1::from_affine(*commitment) + (-g1.mul(y, 4))).to_affine();
    const G2Affine x_minus_z = (G2::from_affine(tau_g2()) + (-g2.mul(z, 4))).to_affine();
    const PairingInput pairs[2] = {{p_minus_y, (-g2).to_affine()}, {*proof, x_minus_z}};
    if (!pairing_product_is_one(pairs)) return Unexpected{Error::kProofVerificationFailed};
    return Bytes(std::begin(kSuccessOutput), std::end(kSuccessOutput));
}

}  // namespace fuse::bls12_381
