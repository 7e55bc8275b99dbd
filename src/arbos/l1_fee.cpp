#include "arbos/l1_fee.hpp"

#include <brotli/encode.h>

namespace fuse::arbos {

uint64_t compressed_size(ByteView raw) {
    thread_local Bytes buf;  // reused: no allocation per transaction once warm
    size_t out_size = BrotliEncoderMaxCompressedSize(raw.size());
    if (out_size == 0) out_size = raw.size() + 1024;
    if (buf.size() < out_size) buf.resize(out_size);
    if (!BrotliEncoderCompress(kL1FeeBrotliQuality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                               raw.size(), raw.data(), &out_size, buf.data()))
        return raw.size();  // cannot happen with a big enough buffer; never under-charge
    return out_size;
}

uint256 l1_fee_wei(ByteView raw, const uint256& price_per_byte) {
    return uint256(compressed_size(raw)) * price_per_byte;
}

uint64_t poster_gas(const uint256& fee, const uint256& base_fee) {
    if (base_fee.is_zero() || fee.is_zero()) return 0;
    uint256 gas = fee / base_fee;
    if (!(fee % base_fee).is_zero()) gas += uint256(1);
    constexpr uint64_t kCap = uint64_t{1} << 62;
    if (gas > uint256(kCap)) return kCap;
    return gas.w[0];
}

}  // namespace fuse::arbos
