#include "bls12_381/precompiles.hpp"

#include <algorithm>
#include <vector>

#include "bls12_381/encoding.hpp"
#include "bls12_381/map_to_curve.hpp"
#include "bls12_381/msm.hpp"
#include "bls12_381/pairing.hpp"

namespace fuse::bls12_381 {

std::string_view to_string(Error e) {
    switch (e) {
        case Error::kInvalidInputLength:
            return "invalid input length for this BLS12-381 precompile";
        case Error::kInvalidFieldElement:
            return "field element not canonical: top 16 padding bytes must be zero and the "
                   "value below the field modulus p";
        case Error::kPointNotOnCurve:
            return "point is not on the BLS12-381 curve";
        case Error::kPointNotInSubgroup:
            return "point is not in the prime-order subgroup";
        case Error::kInvalidEncoding:
            return "invalid compressed point encoding (flag bits)";
        case Error::kInvalidVersionedHash:
            return "versioned hash does not match 0x01 || sha256(commitment)[1:]";
        case Error::kScalarOutOfRange:
            return "field element z or y is not below the BLS scalar modulus";
        case Error::kProofVerificationFailed:
            return "KZG proof does not verify";
    }
    return "unknown BLS12-381 error";
}

namespace {

constexpr size_t kScalarSize = 32;
constexpr size_t kG1MsmPairSize = kG1EncodedSize + kScalarSize;
constexpr size_t kG2MsmPairSize = kG2EncodedSize + kScalarSize;
constexpr size_t kPairingPairSize = kG1EncodedSize + kG2EncodedSize;

/// EIP-2537 MSM discount tables (per mille), indexed by k - 1; k > 128 uses the last entry.
constexpr uint16_t kG1MsmDiscount[128] = {
    1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665,
    661,  658, 654, 651, 648, 645, 642, 640, 637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615,
    613,  611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589, 588, 586, 585,
    584,  582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563,
    562,  561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545,
    544,  543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534, 533, 532, 532, 531, 530, 529,
    528,  528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519};
constexpr uint16_t kG2MsmDiscount[128] = {
    1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699,
    693,  688,  683, 679, 674, 670, 666, 663, 659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629,
    627,  624,  622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597, 595, 593, 592,
    590,  589,  587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567,
    566,  565,  563, 562, 561, 560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548,
    547,  546,  545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537, 537, 536, 535, 535, 534, 533,
    532,  532,  531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524};

int64_t msm_gas(size_t k, const uint16_t (&discount)[128], int64_t mul_gas) {
    if (k == 0) return 0;
    const uint64_t d = discount[std::min<size_t>(k, 128) - 1];
    // k <= input size / 160, so k * mul_gas * 1000 fits in 128 bits; saturate to int64.
    const unsigned __int128 g = (unsigned __int128)k * uint64_t(mul_gas) * d / 1000;
    return g > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(g);
}

/// 32-byte big-endian scalar -> 4 little-endian limbs.
void read_scalar(const uint8_t* in, uint64_t out[4]) {
    for (int i = 0; i < 4; ++i) {
        uint64_t w = 0;
        for (int j = 0; j < 8; ++j)
            w = (w << 8) | in[(3 - i) * 8 + j];
        out[i] = w;
    }
}

template <typename P>
Bytes encode_out(const P& p) {
    if constexpr (std::is_same_v<P, G1Affine>) {
        Bytes out(kG1EncodedSize);
        encode_g1(p, out.data());
        return out;
    } else {
        Bytes out(kG2EncodedSize);
        encode_g2(p, out.data());
        return out;
    }
}

template <typename F>
Result<Bytes, Error> run_msm(ByteView input, size_t point_size,
                             Result<Affine<F>, Error> (*decode)(const uint8_t*, bool)) {
    const size_t pair_size = point_size + kScalarSize;
    if (input.empty() || input.size() % pair_size != 0)
        return Unexpected{Error::kInvalidInputLength};
    const size_t k = input.size() / pair_size;
    std::vector<Affine<F>> points;
    std::vector<Scalar> scalars;
    points.reserve(k);
    scalars.reserve(k);
    for (size_t off = 0; off < input.size(); off += pair_size) {
        const auto p = decode(input.data() + off, true);
        if (!p) return Unexpected{p.error()};
        Scalar s;
        read_scalar(input.data() + off + point_size, s.data());
        if (p->infinity || (s[0] | s[1] | s[2] | s[3]) == 0) continue;
        points.push_back(*p);
        scalars.push_back(s);
    }
    return encode_out(msm<F>(points, scalars).to_affine());
}

}  // namespace

Result<Bytes, Error> g1_add(ByteView input) {
    if (input.size() != 2 * kG1EncodedSize) return Unexpected{Error::kInvalidInputLength};
    const auto a = decode_g1(input.data(), false);
    if (!a) return Unexpected{a.error()};
    const auto b = decode_g1(input.data() + kG1EncodedSize, false);
    if (!b) return Unexpected{b.error()};
    return encode_out((G1::from_affine(*a) + G1::from_affine(*b)).to_affine());
}

Result<Bytes, Error> g2_add(ByteView input) {
    if (input.size() != 2 * kG2EncodedSize) return Unexpected{Error::kInvalidInputLength};
    const auto a = decode_g2(input.data(), false);
    if (!a) return Unexpected{a.error()};
    const auto b = decode_g2(input.data() + kG2EncodedSize, false);
    if (!b) return Unexpected{b.error()};
    return encode_out((G2::from_affine(*a) + G2::from_affine(*b)).to_affine());
}

Result<Bytes, Error> g1_msm(ByteView input) {
    return run_msm<Fp>(input, kG1EncodedSize, &decode_g1);
}

Result<Bytes, Error> g2_msm(ByteView input) {
    return run_msm<Fp2>(input, kG2EncodedSize, &decode_g2);
}

Result<Bytes, Error> pairing_check(ByteView input) {
    if (input.empty() || input.size() % kPairingPairSize != 0)
        return Unexpected{Error::kInvalidInputLength};
    std::vector<PairingInput> pairs;
    pairs.reserve(input.size() / kPairingPairSize);
    for (size_t off = 0; off < input.size(); off += kPairingPairSize) {
        const auto p = decode_g1(input.data() + off, true);
        if (!p) return Unexpected{p.error()};
        const auto q = decode_g2(input.data() + off + kG1EncodedSize, true);
        if (!q) return Unexpected{q.error()};
        pairs.emplace_back(*p, *q);
    }
    Bytes out(32, 0);
    out[31] = pairing_product_is_one(pairs) ? 1 : 0;
    return out;
}

Result<Bytes, Error> map_fp_to_g1(ByteView input) {
    if (input.size() != kFpEncodedSize) return Unexpected{Error::kInvalidInputLength};
    const auto u = decode_fp(input.data());
    if (!u) return Unexpected{u.error()};
    return encode_out(map_to_g1(*u).to_affine());
}

Result<Bytes, Error> map_fp2_to_g2(ByteView input) {
    if (input.size() != 2 * kFpEncodedSize) return Unexpected{Error::kInvalidInputLength};
    const auto u = decode_fp2(input.data());
    if (!u) return Unexpected{u.error()};
    return encode_out(map_to_g2(*u).to_affine());
}

int64_t g1_msm_gas(size_t input_size) {
    return msm_gas(input_size / kG1MsmPairSize, kG1MsmDiscount, kG1MulGas);
}

int64_t g2_msm_gas(size_t input_size) {
    return msm_gas(input_size / kG2MsmPairSize, kG2MsmDiscount, kG2MulGas);
}

int64_t pairing_gas(size_t input_size) {
    const uint64_t k = input_size / kPairingPairSize;
    const unsigned __int128 g = (unsigned __int128)k * kPairingPerPairGas + kPairingBaseGas;
    return g > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(g);
}

}  // namespace fuse::bls12_381
