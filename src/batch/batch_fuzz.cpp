// libFuzzer target: the batch decoder on arbitrary calldata must return a value or a
// BatchError, never crash, and never allocate beyond its decompression cap; anything that
// decodes must re-encode to a batch that decodes to the same messages.
#include <cstdlib>

#include "batch/batch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fuse::batch;
    const BatchLimits limits{.max_decompressed_size = size_t{1} << 20};
    fuse::ByteView in(data, size);
    auto msgs = decode_batch(in, limits);
    // Also feed the raw bytes as an already-decompressed segment stream.
    auto direct = parse_segments(in, limits);
    for (const auto* r : {&msgs, &direct}) {
        if (!*r) continue;
        auto again = encode_batch(r->value(), 1);
        if (!again) std::abort();
        auto back = decode_batch(*again, BatchLimits{.max_compressed_size = again->size(),
                                                     .max_decompressed_size = size_t{1} << 30});
        if (!back || *back != r->value()) std::abort();
    }
    return 0;
}
