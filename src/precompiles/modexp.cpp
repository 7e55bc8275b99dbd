#include "precompiles/modexp.hpp"

#include <gmp.h>

#include <algorithm>
#include <bit>
#include <limits>

namespace fuse::precompiles {

namespace {

using u128 = unsigned __int128;

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();
/// Any length above this costs far more gas than a block holds (with Mlen >= 1 the iteration
/// count alone is 8 * Elen; with Blen or Mlen this large the complexity is ~2^54).
constexpr uint64_t kMaxRunLength = uint64_t(1) << 30;

uint8_t byte_at(ByteView in, uint64_t pos) {
    return pos < in.size() ? in[pos] : 0;
}

/// The 32-byte big-endian word at `offset`, saturated to UINT64_MAX when it does not fit.
uint64_t read_length(ByteView in, uint64_t offset) {
    for (uint64_t i = 0; i < 24; ++i)
        if (byte_at(in, offset + i) != 0) return kSaturated;
    uint64_t v = 0;
    for (uint64_t i = 24; i < 32; ++i)
        v = (v << 8) | byte_at(in, offset + i);
    return v;
}

struct Header {
    uint64_t base_len, exp_len, mod_len;
};

Header read_header(ByteView in) {
    return {read_length(in, 0), read_length(in, 32), read_length(in, 64)};
}

/// Bit length of the first min(exp_len, 32) bytes of the exponent.
unsigned exp_head_bit_length(ByteView in, const Header& h) {
    if (h.base_len > in.size()) return 0;  // exponent starts beyond the input: all zeros
    const uint64_t start = 96 + h.base_len;
    const uint64_t n = std::min<uint64_t>(h.exp_len, 32);
    for (uint64_t i = 0; i < n; ++i) {
        const uint8_t b = byte_at(in, start + i);
        if (b != 0) return unsigned((n - i - 1) * 8 + std::bit_width(b));
    }
    return 0;
}

/// Imports `len` big-endian bytes starting at `offset`, zero-padded past the input's end.
void import_be(mpz_t out, ByteView in, uint64_t offset, uint64_t len) {
    mpz_set_ui(out, 0);
    if (offset >= in.size() || len == 0) return;
    const uint64_t avail = std::min<uint64_t>(len, in.size() - offset);
    mpz_import(out, avail, 1, 1, 0, 0, in.data() + offset);
    if (avail < len) mpz_mul_2exp(out, out, 8 * (len - avail));
}

}  // namespace

int64_t modexp_gas(ByteView input) {
    const Header h = read_header(input);
    const uint64_t max_len = std::max(h.base_len, h.mod_len);
    if (max_len == 0) return kModExpMinGas;
    if (max_len > (uint64_t(1) << 32)) return std::numeric_limits<int64_t>::max();
    const u128 words = (u128(max_len) + 7) / 8;
    const u128 complexity = words * words;  // <= 2^58

    u128 iterations;
    const unsigned head_bits = exp_head_bit_length(input, h);
    const u128 head_iters = head_bits > 0 ? head_bits - 1 : 0;
    if (h.exp_len <= 32)
        iterations = head_iters;
    else
        iterations = u128(8) * (h.exp_len - 32) + head_iters;  // < 2^68
    iterations = std::max<u128>(iterations, 1);

    u128 gas;
    if (__builtin_mul_overflow(complexity, iterations, &gas))
        return std::numeric_limits<int64_t>::max();
    gas /= 3;
    if (gas > u128(std::numeric_limits<int64_t>::max())) return std::numeric_limits<int64_t>::max();
    return std::max<int64_t>(int64_t(gas), kModExpMinGas);
}

Result<Bytes, PrecompileError> modexp(ByteView input) {
    const Header h = read_header(input);
    if (h.mod_len == 0) return Bytes{};
    if (h.base_len > kMaxRunLength || h.exp_len > kMaxRunLength || h.mod_len > kMaxRunLength)
        return Unexpected{PrecompileError::kInvalidInputLength};

    mpz_t base, exp, mod, result;
    mpz_inits(base, exp, mod, result, nullptr);
    import_be(base, input, 96, h.base_len);
    import_be(exp, input, 96 + h.base_len, h.exp_len);
    import_be(mod, input, 96 + h.base_len + h.exp_len, h.mod_len);

    Bytes out(h.mod_len, 0);
    if (mpz_sgn(mod) != 0) {
        mpz_powm(result, base, exp, mod);
        const size_t n = (mpz_sizeinbase(result, 2) + 7) / 8;
        if (mpz_sgn(result) != 0) {
            size_t written = 0;
            mpz_export(out.data() + (h.mod_len - n), &written, 1, 1, 0, 0, result);
        }
    }
    mpz_clears(base, exp, mod, result, nullptr);
    return out;
}

}  // namespace fuse::precompiles
