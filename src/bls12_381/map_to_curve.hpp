#pragma once
/// Deterministic maps from field elements to the BLS12-381 subgroups, as EIP-2537 uses them
/// for BLS12_MAP_FP_TO_G1 / BLS12_MAP_FP2_TO_G2: the simplified SWU map onto an isogenous curve
/// (RFC 9380 section 6.6.2), the isogeny to E (RFC 9380 section 6.6.3, Appendix E.2 / E.3)
/// and cofactor clearing by h_eff (RFC 9380 section 8.8.1 / 8.8.2). No hashing is involved.

#include "bls12_381/curve.hpp"

namespace fuse::bls12_381 {

/// map_to_curve(u) followed by clear_cofactor, onto G1.
G1 map_to_g1(const Fp& u);
/// map_to_curve(u) followed by clear_cofactor, onto G2.
G2 map_to_g2(const Fp2& u);

}  // namespace fuse::bls12_381
