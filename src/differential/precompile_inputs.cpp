#include "differential/precompile_inputs.hpp"

#include "bls12_381/curve.hpp"
#include "bls12_381/encoding.hpp"
#include "core/hash.hpp"
#include "core/secp256k1.hpp"
#include "core/uint256.hpp"

namespace fuse::differential {
namespace {

using bls12_381::G1;
using bls12_381::G2;

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b)
        x = static_cast<uint8_t>(rng());
    return b;
}

void append(Bytes& out, ByteView b) {
    out.insert(out.end(), b.begin(), b.end());
}

void append_word(Bytes& out, const uint256& v) {
    uint8_t w[32];
    v.to_be(w);
    out.insert(out.end(), w, w + 32);
}

Hash32 random_hash(std::mt19937_64& rng) {
    Hash32 h;
    for (auto& x : h.bytes)
        x = static_cast<uint8_t>(rng());
    return h;
}

/// A BN254 G1 point: the generator (1, 2), or (1, 3) off the curve.
void append_bn_point(Bytes& out, bool on_curve) {
    append_word(out, uint256(1));
    append_word(out, uint256(on_curve ? 2 : 3));
}

Bytes enc_g1(const G1& p) {
    Bytes out(bls12_381::kG1EncodedSize);
    bls12_381::encode_g1(p.to_affine(), out.data());
    return out;
}

Bytes enc_g2(const G2& p) {
    Bytes out(bls12_381::kG2EncodedSize);
    bls12_381::encode_g2(p.to_affine(), out.data());
    return out;
}

/// [k] of a generator for a random nonzero 64-bit k.
G1 random_g1(std::mt19937_64& rng) {
    const uint64_t k = rng() | 1;
    return G1::from_affine(bls12_381::g1_generator()).mul(&k, 1);
}
G2 random_g2(std::mt19937_64& rng) {
    const uint64_t k = rng() | 1;
    return G2::from_affine(bls12_381::g2_generator()).mul(&k, 1);
}

/// An encoded point moved off the curve (its last y byte changed).
Bytes off_curve(Bytes encoded) {
    encoded.back() ^= 0x01;
    return encoded;
}

/// A field element below p (the top byte of p is 0x1a): 16 zero bytes then 48 bytes.
Bytes fp_element(std::mt19937_64& rng, bool below_p) {
    Bytes b(64, 0);
    for (size_t i = 16; i < 64; ++i)
        b[i] = below_p ? static_cast<uint8_t>(rng()) : 0xff;
    if (below_p) b[16] = static_cast<uint8_t>(rng() % 0x1a);
    return b;
}

/// A recoverable signature; an invalid one (v not 27/28, or r = 0), which ECRECOVER answers with
/// empty output and success, one time in five for `good` and always otherwise.
Bytes ecrecover_input(std::mt19937_64& rng, bool good) {
    const Hash32 msg = random_hash(rng);
    Hash32 key = random_hash(rng);
    key.bytes[0] = 0x01;  // below the curve order
    const Signature sig = sign(msg, key).value();
    const bool invalid = !good || rng() % 5 == 0;
    Bytes in(msg.bytes.begin(), msg.bytes.end());
    append_word(in, uint256(27 + sig.y_parity + (invalid && rng() % 2 ? 2 + rng() % 3 : 0)));
    append_word(in, invalid && rng() % 2 ? uint256(0) : sig.r);
    append_word(in, sig.s);
    return in;
}

Bytes modexp_input(std::mt19937_64& rng, bool good) {
    const uint64_t b = 1 + rng() % 48, e = 1 + rng() % 32, m = 1 + rng() % 48;
    Bytes in;
    append_word(in, uint256(b));
    // A 2^40-byte exponent makes the gas cost far more than any call has.
    append_word(in, good ? uint256(e) : uint256(uint64_t{1} << 40));
    append_word(in, uint256(m));
    append(in, random_bytes(rng, b + e + m));
    return in;
}

Bytes blake2f_input(std::mt19937_64& rng, bool good) {
    Bytes in;
    const uint32_t rounds = static_cast<uint32_t>(rng() % 64);
    for (int i = 3; i >= 0; --i)
        in.push_back(static_cast<uint8_t>(rounds >> (8 * i)));
    append(in, random_bytes(rng, 64 + 128 + 16));
    in.push_back(good ? static_cast<uint8_t>(rng() % 2) : 2);
    if (!good && rng() % 2) in.pop_back();  // 212 bytes
    return in;
}

/// EIP-4844 point evaluation for the zero polynomial: commitment and proof are the point at
/// infinity (0xc0 ‖ 47 zero bytes), p(z) = 0 for every z. Bad: y = 1, or a wrong versioned hash.
Bytes point_evaluation_input(std::mt19937_64& rng, bool good) {
    Bytes infinity(48, 0);
    infinity[0] = 0xc0;
    Hash32 versioned = sha256(infinity);
    versioned.bytes[0] = 0x01;
    const int bad = good ? -1 : static_cast<int>(rng() % 2);
    if (bad == 0) versioned.bytes[31] ^= 1;
    Bytes in;
    in.reserve(192);
    append(in, versioned.bytes);
    Hash32 z = random_hash(rng);
    z.bytes[0] = 0;  // below the BLS12-381 scalar field modulus
    append(in, z.bytes);
    append_word(in, uint256(bad == 1 ? 1 : 0));
    append(in, infinity);
    append(in, infinity);
    return in;
}

Bytes bls_input(uint8_t addr, std::mt19937_64& rng, bool good) {
    Bytes in;
    const bool corrupt_point = !good && rng() % 2;  // else a wrong length
    auto g1 = [&](bool last) {
        Bytes p = enc_g1(random_g1(rng));
        append(in, corrupt_point && last ? off_curve(p) : p);
    };
    auto g2 = [&](bool last) {
        Bytes p = enc_g2(random_g2(rng));
        append(in, corrupt_point && last ? off_curve(p) : p);
    };
    switch (addr) {
        case 0x0b:  // G1ADD
            g1(false);
            g1(true);
            break;
        case 0x0d:  // G2ADD
            g2(false);
            g2(true);
            break;
        case 0x0c:    // G1MSM
        case 0x0e: {  // G2MSM
            const size_t k = 1 + rng() % 3;
            for (size_t i = 0; i < k; ++i) {
                if (addr == 0x0c)
                    g1(i + 1 == k);
                else
                    g2(i + 1 == k);
                append(in, random_hash(rng).bytes);
            }
            break;
        }
        case 0x0f: {  // PAIRING_CHECK: e(P, Q) * e(-P, Q) == 1, and random pairs (result 0)
            const G1 p = random_g1(rng);
            const G2 q = random_g2(rng);
            append(in, enc_g1(p));
            append(in, enc_g2(q));
            append(in, rng() % 2 ? enc_g1(-p) : enc_g1(random_g1(rng)));
            append(in, corrupt_point ? off_curve(enc_g2(q)) : enc_g2(q));
            break;
        }
        case 0x10:  // MAP_FP_TO_G1
            append(in, fp_element(rng, !corrupt_point));
            break;
        case 0x11:  // MAP_FP2_TO_G2
            append(in, fp_element(rng, true));
            append(in, fp_element(rng, !corrupt_point));
            break;
        default:
            break;
    }
    if (!good && !corrupt_point) in.pop_back();
    return in;
}

}  // namespace

Bytes precompile_input(uint8_t addr, bool good, std::mt19937_64& rng) {
    switch (addr) {
        case 0x01:
            return ecrecover_input(rng, good);
        case 0x02:
        case 0x03:
        case 0x04:
            return random_bytes(rng, rng() % 200);
        case 0x05:
            return modexp_input(rng, good);
        case 0x06: {
            Bytes in;
            append_bn_point(in, true);
            append_bn_point(in, good);
            return in;
        }
        case 0x07: {
            Bytes in;
            append_bn_point(in, good);
            append(in, random_hash(rng).bytes);
            return in;
        }
        case 0x08: {
            if (good && rng() % 2) return {};  // the empty product: 1
            Bytes in;
            append_bn_point(in, good);
            in.resize(in.size() + 128, 0);  // G2's point at infinity
            if (!good && rng() % 2) in.pop_back();
            return in;
        }
        case 0x09:
            return blake2f_input(rng, good);
        case 0x0a:
            return point_evaluation_input(rng, good);
        default:
            return bls_input(addr, rng, good);
    }
}

}  // namespace fuse::differential
