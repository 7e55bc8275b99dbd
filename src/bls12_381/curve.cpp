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

bool in_subgroup(const G1& p) {
    return p.mul(kGroupOrder, 4).is_identity();
}

bool in_subgroup(const G2& p) {
    return p.mul(kGroupOrder, 4).is_identity();
}

}  // namespace fuse::bls12_381
