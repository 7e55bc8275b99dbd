#include "precompiles/bn254.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "precompiles/bn254_curve.hpp"

namespace fuse::precompiles {

using namespace bn254;

namespace {

/// Copies `input` into a fixed buffer, right-padding with zeros (EIP-196 input rule).
template <size_t N>
std::array<uint8_t, N> padded(ByteView input) {
    std::array<uint8_t, N> buf{};
    if (!input.empty()) std::memcpy(buf.data(), input.data(), std::min(input.size(), N));
    return buf;
}

bool all_zero(const uint8_t* p, size_t n) {
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

Result<G1Affine, PrecompileError> decode_g1(const uint8_t* in) {
    const auto x = Fp::from_be32(in);
    const auto y = Fp::from_be32(in + 32);
    if (!x || !y) return Unexpected{PrecompileError::kCoordinateTooLarge};
    if (x->is_zero() && y->is_zero()) return G1Affine{};
    const G1Affine p{*x, *y, false};
    if (!is_on_curve(p)) return Unexpected{PrecompileError::kPointNotOnCurve};
    return p;
}

/// EIP-197 encodes an Fp2 element a*i + b as (a, b): imaginary part first.
Result<G2Affine, PrecompileError> decode_g2(const uint8_t* in) {
    const auto x_im = Fp::from_be32(in);
    const auto x_re = Fp::from_be32(in + 32);
    const auto y_im = Fp::from_be32(in + 64);
    const auto y_re = Fp::from_be32(in + 96);
    if (!x_im || !x_re || !y_im || !y_re) return Unexpected{PrecompileError::kCoordinateTooLarge};
    if (all_zero(in, 128)) return G2Affine{};
    const G2Affine q{{*x_re, *x_im}, {*y_re, *y_im}, false};
    if (!is_on_curve(q)) return Unexpected{PrecompileError::kPointNotOnCurve};
    if (!is_in_subgroup(q)) return Unexpected{PrecompileError::kPointNotInSubgroup};
    return q;
}

Bytes encode_g1(const G1& p) {
    Bytes out(64, 0);
    const G1Affine a = to_affine(p);
    if (!a.infinity) {
        a.x.to_be32(out.data());
        a.y.to_be32(out.data() + 32);
    }
    return out;
}

Limbs scalar_from_be32(const uint8_t* in) {
    Limbs k{};
    for (int i = 0; i < 4; ++i)
        for (int b = 0; b < 8; ++b)
            k[3 - i] = (k[3 - i] << 8) | in[i * 8 + b];
    return k;
}

}  // namespace

Result<Bytes, PrecompileError> bn254_add(ByteView input) {
    const auto buf = padded<128>(input);
    const auto p = decode_g1(buf.data());
    if (!p) return Unexpected{p.error()};
    const auto q = decode_g1(buf.data() + 64);
    if (!q) return Unexpected{q.error()};
    return encode_g1(add(G1::from_affine(*p), G1::from_affine(*q)));
}

Result<Bytes, PrecompileError> bn254_mul(ByteView input) {
    const auto buf = padded<96>(input);
    const auto p = decode_g1(buf.data());
    if (!p) return Unexpected{p.error()};
    return encode_g1(mul_wnaf(*p, scalar_from_be32(buf.data() + 64)));
}

Result<Bytes, PrecompileError> bn254_pairing(ByteView input) {
    if (input.size() % kBn254PairSize != 0) return Unexpected{PrecompileError::kInvalidInputLength};
    const size_t n = input.size() / kBn254PairSize;
    std::vector<G1Affine> ps(n);
    std::vector<G2Affine> qs(n);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* pair = input.data() + i * kBn254PairSize;
        const auto p = decode_g1(pair);
        if (!p) return Unexpected{p.error()};
        const auto q = decode_g2(pair + 64);
        if (!q) return Unexpected{q.error()};
        ps[i] = *p;
        qs[i] = *q;
    }
    Bytes out(32, 0);
    out[31] = pairing_product_is_one(ps.data(), qs.data(), n) ? 1 : 0;
    return out;
}

}  // namespace fuse::precompiles
