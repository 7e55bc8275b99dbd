#include "bls12_381/encoding.hpp"

#include <cstring>

namespace fuse::bls12_381 {

Result<Fp, Error> decode_fp(const uint8_t* in) {
    for (size_t i = 0; i < 16; ++i) {
        if (in[i] != 0) return Unexpected{Error::kInvalidFieldElement};
    }
    const auto v = Fp::from_be48(in + 16);
    if (!v) return Unexpected{Error::kInvalidFieldElement};
    return *v;
}

Result<Fp2, Error> decode_fp2(const uint8_t* in) {
    const auto c0 = decode_fp(in);
    if (!c0) return Unexpected{c0.error()};
    const auto c1 = decode_fp(in + kFpEncodedSize);
    if (!c1) return Unexpected{c1.error()};
    return Fp2{*c0, *c1};
}

namespace {
template <typename F>
Result<Affine<F>, Error> check_point(const F& x, const F& y, bool check_subgroup) {
    if (x.is_zero() && y.is_zero()) return Affine<F>{};
    const Affine<F> p{x, y, false};
    if (!p.is_on_curve()) return Unexpected{Error::kPointNotOnCurve};
    if (check_subgroup && !in_subgroup(Jacobian<F>::from_affine(p)))
        return Unexpected{Error::kPointNotInSubgroup};
    return p;
}
}  // namespace

Result<G1Affine, Error> decode_g1(const uint8_t* in, bool check_subgroup) {
    const auto x = decode_fp(in);
    if (!x) return Unexpected{x.error()};
    const auto y = decode_fp(in + kFpEncodedSize);
    if (!y) return Unexpected{y.error()};
    return check_point(*x, *y, check_subgroup);
}

Result<G2Affine, Error> decode_g2(const uint8_t* in, bool check_subgroup) {
    const auto x = decode_fp2(in);
    if (!x) return Unexpected{x.error()};
    const auto y = decode_fp2(in + 2 * kFpEncodedSize);
    if (!y) return Unexpected{y.error()};
    return check_point(*x, *y, check_subgroup);
}

void encode_fp(const Fp& v, uint8_t* out) {
    std::memset(out, 0, 16);
    v.to_be48(out + 16);
}

void encode_g1(const G1Affine& p, uint8_t* out) {
    if (p.infinity) {
        std::memset(out, 0, kG1EncodedSize);
        return;
    }
    encode_fp(p.x, out);
    encode_fp(p.y, out + kFpEncodedSize);
}

void encode_g2(const G2Affine& p, uint8_t* out) {
    if (p.infinity) {
        std::memset(out, 0, kG2EncodedSize);
        return;
    }
    encode_fp(p.x.c0, out);
    encode_fp(p.x.c1, out + kFpEncodedSize);
    encode_fp(p.y.c0, out + 2 * kFpEncodedSize);
    encode_fp(p.y.c1, out + 3 * kFpEncodedSize);
}

namespace {
constexpr uint8_t kCompressedFlag = 0x80;
constexpr uint8_t kInfinityFlag = 0x40;
constexpr uint8_t kSignFlag = 0x20;

/// Reads the flags and the first 48-byte field element (flags masked off). Returns false on a
/// flag combination the format forbids; sets `infinity` when the identity is encoded
/// (then all other bits of the `total` bytes must be zero).
Result<bool, Error> read_flags(const uint8_t* in, size_t total, bool& sign) {
    const uint8_t flags = in[0];
    if (!(flags & kCompressedFlag)) return Unexpected{Error::kInvalidEncoding};
    sign = flags & kSignFlag;
    if (flags & kInfinityFlag) {
        if (sign || (flags & 0x1f)) return Unexpected{Error::kInvalidEncoding};
        for (size_t i = 1; i < total; ++i) {
            if (in[i]) return Unexpected{Error::kInvalidEncoding};
        }
        return true;
    }
    return false;
}

Result<Fp, Error> read_masked_fp(const uint8_t* in) {
    uint8_t buf[48];
    std::memcpy(buf, in, 48);
    buf[0] &= 0x1f;
    const auto v = Fp::from_be48(buf);
    if (!v) return Unexpected{Error::kInvalidFieldElement};
    return *v;
}
}  // namespace

Result<G1Affine, Error> decompress_g1(const uint8_t* in) {
    bool sign = false;
    const auto inf = read_flags(in, 48, sign);
    if (!inf) return Unexpected{inf.error()};
    if (*inf) return G1Affine{};
    const auto x = read_masked_fp(in);
    if (!x) return Unexpected{x.error()};
    const auto y = (x->square() * *x + curve_b(static_cast<const Fp*>(nullptr))).sqrt();
    if (!y) return Unexpected{Error::kPointNotOnCurve};
    const G1Affine p{*x, y->is_lexicographically_largest() == sign ? *y : -*y, false};
    if (!in_subgroup(G1::from_affine(p))) return Unexpected{Error::kPointNotInSubgroup};
    return p;
}

Result<G2Affine, Error> decompress_g2(const uint8_t* in) {
    bool sign = false;
    const auto inf = read_flags(in, 96, sign);
    if (!inf) return Unexpected{inf.error()};
    if (*inf) return G2Affine{};
    const auto c1 = read_masked_fp(in);
    if (!c1) return Unexpected{c1.error()};
    const auto c0 = Fp::from_be48(in + 48);
    if (!c0) return Unexpected{Error::kInvalidFieldElement};
    const Fp2 x{*c0, *c1};
    const auto y = (x.square() * x + curve_b(static_cast<const Fp2*>(nullptr))).sqrt();
    if (!y) return Unexpected{Error::kPointNotOnCurve};
    const G2Affine p{x, y->is_lexicographically_largest() == sign ? *y : -*y, false};
    if (!in_subgroup(G2::from_affine(p))) return Unexpected{Error::kPointNotInSubgroup};
    return p;
}

void compress_g1(const G1Affine& p, uint8_t* out) {
    if (p.infinity) {
        std::memset(out, 0, 48);
        out[0] = kCompressedFlag | kInfinityFlag;
        return;
    }
    p.x.to_be48(out);
    out[0] |= kCompressedFlag;
    if (p.y.is_lexicographically_largest()) out[0] |= kSignFlag;
}

}  // namespace fuse::bls12_381
