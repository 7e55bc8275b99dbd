#pragma once
// Helpers shared by the batch tests (header only, not part of the library's API).

#include <brotli/encode.h>

#include <random>

#include "batch/batch.hpp"

namespace fuse::batch::testing {

/// format byte 0x00 ‖ brotli(stream) at `quality`.
inline Bytes brotli_batch(ByteView stream, int quality = 5) {
    size_t size = BrotliEncoderMaxCompressedSize(stream.size());
    if (size == 0) size = stream.size() + 1024;
    Bytes out(1 + size);
    out[0] = kBrotliFormat;
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, stream.size(),
                               stream.data(), &size, out.data() + 1))
        return {};
    out.resize(1 + size);
    return out;
}

/// `count` random messages with non-decreasing headers and up to `max_txs` random txs each.
inline std::vector<L2Message> random_messages(std::mt19937_64& rng, size_t count, size_t max_txs,
                                              size_t max_tx_len) {
    std::vector<L2Message> msgs;
    uint64_t ts = 1'700'000'000 + rng() % 1000, block = 1 + rng() % 100'000;
    uint256 fee{rng() % 100'000'000'000};
    for (size_t i = 0; i < count; ++i) {
        if (rng() % 3 == 0) ts += 1 + rng() % 20;
        if (rng() % 4 == 0) {
            block += 1 + rng() % 5;
            fee = uint256{rng(), rng() % 2 ? rng() : 0, 0, 0};
        }
        L2Message m{block, fee, ts, {}};
        const size_t ntx = max_txs ? rng() % (max_txs + 1) : 0;
        for (size_t t = 0; t < ntx; ++t) {
            Bytes tx(1 + rng() % max_tx_len);
            for (auto& b : tx)
                b = static_cast<uint8_t>(rng() % 7 == 0 ? rng() : rng() % 4);  // compressible
            m.txs.push_back(std::move(tx));
        }
        msgs.push_back(std::move(m));
    }
    return msgs;
}

}  // namespace fuse::batch::testing
