#pragma once
/// The optimal ate pairing on BLS12-381, e: G1 x G2 -> GT (a subgroup of Fp12*), with the loop
/// parameter x = -0xd201000000010000 (draft-irtf-cfrg-pairing-friendly-curves section 4.2.1).

#include <span>
#include <utility>

#include "bls12_381/curve.hpp"
#include "bls12_381/fp12.hpp"

namespace fuse::bls12_381 {

using PairingInput = std::pair<G1Affine, G2Affine>;

/// The product of the Miller loops f_{x,Q}(P) over all pairs (pairs with an infinity skipped);
/// points must be in their subgroups.
Fp12 miller_loop(std::span<const PairingInput> pairs);

/// f^(3 (p^12 - 1) / r): the final exponentiation, cubed (see pairing.cpp).
Fp12 final_exponentiation(const Fp12& f);

/// e(P, Q)^3 (a non-degenerate bilinear pairing; cubing keeps the final exponentiation short).
Fp12 pairing(const G1Affine& p, const G2Affine& q);

/// True iff the product of e(P_i, Q_i) is 1 (EIP-2537 pairing check, EIP-4844 verification).
bool pairing_product_is_one(std::span<const PairingInput> pairs);

}  // namespace fuse::bls12_381
