// libFuzzer differential target: every uint256 arithmetic operation against GMP on the three
// 32-byte operands a, b, m taken from the input (missing bytes are zero). Build with the
// `fuzz` preset (scripts/fuzz.sh runs it as core_uint256_fuzz).
#include <cstdlib>

#include "core/fuzz_seeds.hpp"

#include "core/uint256.hpp"
#include "core/uint256_gmp_ref.hpp"

namespace {

using fuse::Mpz;
using fuse::uint256;

void check(bool ok) {
    if (!ok) std::abort();
}

uint256 operand(const uint8_t* data, size_t size, size_t index) {
    uint8_t buf[32] = {};
    for (size_t i = 0; i < 32 && 32 * index + i < size; ++i)
        buf[i] = data[32 * index + i];
    return uint256::from_be32(buf);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuse::fuzz::seed_dir()) {  // edge operands: 0, 1, 2^255, 2^256 - 1, mixed limbs
        fuse::Bytes b(96, 0);
        fuse::fuzz::write_seed(fuse::ByteView(b));
        b[31] = 1, b[32] = 0x80, b[95] = 3;
        fuse::fuzz::write_seed(fuse::ByteView(b));
        for (auto& x : b)
            x = 0xff;
        fuse::fuzz::write_seed(fuse::ByteView(b));
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = static_cast<uint8_t>(i * 37 + 11);
        fuse::fuzz::write_seed(fuse::ByteView(b));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const uint256 a = operand(data, size, 0), b = operand(data, size, 1),
                  m = operand(data, size, 2);
    Mpz ma(a), mb(b), mm(m), r, q;

    mpz_add(r.get(), ma.get(), mb.get());
    check(a + b == r.to_u256());
    mpz_sub(r.get(), ma.get(), mb.get());
    check(a - b == r.to_u256());
    mpz_mul(r.get(), ma.get(), mb.get());
    check(a * b == r.to_u256());
    mpz_fdiv_q_2exp(q.get(), r.get(), 256);
    check(fuse::umul(a, b).hi() == q.to_u256());

    if (b.is_zero()) {
        check(a / b == uint256{} && a % b == uint256{});
        check(sdiv(a, b) == uint256{} && smod(a, b) == uint256{});
    } else {
        mpz_tdiv_qr(q.get(), r.get(), ma.get(), mb.get());
        check(a / b == q.to_u256() && a % b == r.to_u256());
        Mpz sa, sb;
        fuse::to_signed(sa, a);
        fuse::to_signed(sb, b);
        mpz_tdiv_qr(q.get(), r.get(), sa.get(), sb.get());
        check(sdiv(a, b) == q.to_u256() && smod(a, b) == r.to_u256());
    }

    if (m.is_zero()) {
        check(addmod(a, b, m) == uint256{} && mulmod(a, b, m) == uint256{});
    } else {
        mpz_add(r.get(), ma.get(), mb.get());
        mpz_mod(r.get(), r.get(), mm.get());
        check(addmod(a, b, m) == r.to_u256());
        mpz_mul(r.get(), ma.get(), mb.get());
        mpz_mod(r.get(), r.get(), mm.get());
        check(mulmod(a, b, m) == r.to_u256());
        // Again with the same modulus: a repeated 4-limb modulus takes the Barrett path.
        check(mulmod(a, b, m) == r.to_u256());
    }

    Mpz two256;
    mpz_ui_pow_ui(two256.get(), 2, 256);
    mpz_powm(r.get(), ma.get(), mb.get(), two256.get());
    check(exp(a, b) == r.to_u256());

    const uint64_t n = m.low64() % 300;
    mpz_mul_2exp(r.get(), ma.get(), n);
    check((a << n) == r.to_u256());
    mpz_fdiv_q_2exp(r.get(), ma.get(), n);
    check((a >> n) == r.to_u256());
    Mpz sa;
    fuse::to_signed(sa, a);
    mpz_fdiv_q_2exp(r.get(), sa.get(), n);
    check(sar(uint256{n}, a) == r.to_u256());
    check(uint256::from_dec(a.to_dec()).value_or(uint256{}) == a);
    check(uint256::from_hex(a.to_hex()).value_or(uint256{}) == a);
    return 0;
}
