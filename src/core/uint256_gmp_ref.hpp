#pragma once
/// GMP as the reference for uint256 in tests and the fuzz target (never in the library):
/// an RAII mpz_t and the conversions. Link PkgConfig::GMP.

#include <gmp.h>

#include "core/uint256.hpp"

namespace fuse {

/// An mpz_t with RAII, just enough for the tests.
class Mpz {
public:
    Mpz() { mpz_init(v_); }
    explicit Mpz(const uint256& x) {
        mpz_init(v_);
        mpz_import(v_, 4, -1, sizeof(uint64_t), 0, 0, x.w);
    }
    Mpz(const Mpz&) = delete;
    Mpz& operator=(const Mpz&) = delete;
    ~Mpz() { mpz_clear(v_); }
    mpz_ptr get() { return v_; }
    mpz_srcptr get() const { return v_; }

    /// Value reduced mod 2^256 (two's complement for negatives), as a uint256.
    uint256 to_u256() const {
        Mpz t;
        mpz_fdiv_r_2exp(t.get(), v_, 256);
        uint256 r;
        size_t count = 0;
        mpz_export(r.w, &count, -1, sizeof(uint64_t), 0, 0, t.get());
        return r;
    }

private:
    mpz_t v_;
};

/// The two's-complement signed value of x.
inline void to_signed(Mpz& out, const uint256& x) {
    Mpz u(x);
    mpz_set(out.get(), u.get());
    if (is_negative(x)) {
        Mpz two256;
        mpz_ui_pow_ui(two256.get(), 2, 256);
        mpz_sub(out.get(), out.get(), two256.get());
    }
}

}  // namespace fuse
