#pragma once
/// Byte encodings of field elements and points: the padded big-endian format of EIP-2537
/// ("Fine points and encoding") and the 48/96-byte compressed ZCash format that EIP-4844 KZG
/// commitments and proofs use (consensus-specs polynomial-commitments, "bytes_to_kzg_commitment").

#include "bls12_381/curve.hpp"
#include "bls12_381/precompiles.hpp"

namespace fuse::bls12_381 {

inline constexpr size_t kFpEncodedSize = 64;
inline constexpr size_t kG1EncodedSize = 128;
inline constexpr size_t kG2EncodedSize = 256;

/// 64 bytes: 16 zero bytes then the 48-byte big-endian value, which must be < p.
Result<Fp, Error> decode_fp(const uint8_t* in);
/// 128 bytes: c0 then c1.
Result<Fp2, Error> decode_fp2(const uint8_t* in);
/// x || y; all zeros is the identity. Checks the curve equation, and the subgroup when asked.
Result<G1Affine, Error> decode_g1(const uint8_t* in, bool check_subgroup);
Result<G2Affine, Error> decode_g2(const uint8_t* in, bool check_subgroup);

void encode_fp(const Fp& v, uint8_t* out);
/// Writes 128 bytes; the identity is all zeros.
void encode_g1(const G1Affine& p, uint8_t* out);
/// Writes 256 bytes; the identity is all zeros.
void encode_g2(const G2Affine& p, uint8_t* out);

/// ZCash compressed G1 (48 bytes, flags in the top 3 bits), with the subgroup check.
Result<G1Affine, Error> decompress_g1(const uint8_t* in);
/// ZCash compressed G2 (96 bytes: x.c1 || x.c0), with the subgroup check.
Result<G2Affine, Error> decompress_g2(const uint8_t* in);
/// ZCash compressed G1 encoding (the inverse of decompress_g1).
void compress_g1(const G1Affine& p, uint8_t* out);

}  // namespace fuse::bls12_381
