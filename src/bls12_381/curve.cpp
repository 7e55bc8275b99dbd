#include "bls12_381/curve.hpp"

namespace fuse::bls12_381 {

G1Affine g1_generator() {
    static const G1Affine g{
        fp_from_hex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a"
                    "1aeffb3af00adb22c6bb"),
        fp_from_hex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a288"
                    "8ae40caa232946c5e7e1"),
        false};
    return g;
}

G2Affine g2_generator() {
    static const G2Affine g{
        {fp_from_hex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a8"
                     "05bbefd48056c8c121bdb8"),
         fp_from_hex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213"
                     "945d57e5ac7d055d042b7e")},
        {fp_from_hex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3b"
                     "aca289e193548608b82801"),
         fp_from_hex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275c"
                     "ec1da1aaa9075ff05f79be")},
        false};
    return g;
}

namespace {

/// |x| for the BLS12-381 parameter x = -0xd201000000010000.
constexpr uint64_t kAbsX = 0xd201000000010000ULL;

struct EndomorphismConstants {
    Fp beta;           ///< cube root of unity with phi(P) = [-x^2] P on G1
    Fp2 psi_x, psi_y;  ///< psi(x, y) = (conj(x) psi_x, conj(y) psi_y) on the twist
    uint64_t x2[2];    ///< x^2, little-endian

    EndomorphismConstants() {
        const unsigned __int128 sq = (unsigned __int128)kAbsX * kAbsX;
        x2[0] = uint64_t(sq);
        x2[1] = uint64_t(sq >> 64);
        // beta = (-1 + sqrt(-3)) / 2; of beta and beta^2 keep the one matching the generator.
        const Fp s = *(-Fp::from_u64(3)).sqrt();
        beta = (s - Fp::one()) * Fp::from_u64(2).inv();
        const G1 g = G1::from_affine(g1_generator());
        if (!(phi(g) == -g.mul(x2, 2))) beta = beta.square();
        // psi = twist o Frobenius o untwist with untwist (x, y) -> (x w^-2, y w^-3), w^6 = xi:
        // psi_x = xi^-((p-1)/3), psi_y = xi^-((p-1)/2).
        const Fp2 xi{Fp::one(), Fp::one()};
        const Fp2 g1 = xi.pow(fp_const::kPMinus1Div6.data(), 6);
        psi_x = g1.square().inv();
        psi_y = (g1.square() * g1).inv();
    }
    G1 phi(const G1& p) const { return {p.x * beta, p.y, p.z}; }
    G2 psi(const G2& p) const {
        // Jacobian: x = X/Z^2, y = Y/Z^3 and conj is a field automorphism, so apply it to
        // X, Y, Z and scale X and Y.
        return {p.x.conj() * psi_x, p.y.conj() * psi_y, p.z.conj()};
    }
};

const EndomorphismConstants& endo() {
    static const EndomorphismConstants c;
    return c;
}

}  // namespace

bool in_subgroup(const G1& p) {
    // Scott, "A note on group membership tests for G1, G2 and GT on BLS pairing-friendly
    // curves" (ePrint 2021/1130): P in G1 iff phi(P) == [-x^2] P.
    const EndomorphismConstants& c = endo();
    return c.phi(p) == -p.mul(c.x2, 2);
}

bool in_subgroup(const G2& p) {
    // Same reference: P in G2 iff psi(P) == [x] P.
    return endo().psi(p) == -p.mul(&kAbsX, 1);
}

bool in_subgroup_by_order(const G1& p) {
    return p.mul(kGroupOrder, 4).is_identity();
}

bool in_subgroup_by_order(const G2& p) {
    return p.mul(kGroupOrder, 4).is_identity();
}

}  // namespace fuse::bls12_381
