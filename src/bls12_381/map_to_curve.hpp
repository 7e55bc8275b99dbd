#pragma once
/// Deterministic maps from field elements to the BLS12-381 subgroups, as EIP-2537 uses them
/// for BLS12_MAP_FP_TO_G1 / BLS12_MAP_FP2_TO_G2: the simplified SWU map onto an isogenous curve
/// (RFC 9380 section 6.6.2), the isogeny to E (RFC 9380 section 6.6.3, Appendix E.2 / E.3)
/// and cofactor clearing by h_eff (RFC 9380 section 8.8.1 / 8.8.2). No hashing is involved.

#include "bls12_381/curve.hpp"

namespace fuse::bls12_381 {

/// RFC 9380 section 8.8.2: h_eff for G2 (little-endian limbs).
inline constexpr uint64_t kG2HEff[10] = {
    0xe8020005aaa95551ULL, 0x59894c0adebbf6b4ULL, 0xe954cbc06689f6a3ULL, 0x2ec0ec69d7477c1aULL,
    0x6d82bf015d1212b0ULL, 0x329c2f178731db95ULL, 0x9986ff031508ffe1ULL, 0x88e2a8e9145ad768ULL,
    0x584c6a0ea91b3528ULL, 0x0bc69f08f2ee75b3ULL};

/// [h_eff] P computed with psi (Budroni-Pintore; RFC 9380 Appendix G.3).
G2 clear_cofactor_g2(const G2& p);

/// map_to_curve(u) followed by clear_cofactor, onto G1.
G1 map_to_g1(const Fp& u);
/// map_to_curve(u) followed by clear_cofactor, onto G2.
G2 map_to_g2(const Fp2& u);

}  // namespace fuse::bls12_381
