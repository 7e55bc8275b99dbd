// libFuzzer target: the batch decoder on arbitrary calldata must return a value or a
// BatchError, never crash, and never allocate beyond its decompression cap; anything that
// decodes must re-encode, in both formats, to a batch that decodes to the same messages.
// The same bytes are also read as a format-0x00 segment stream, a format-0x01 stream, and as
// a list of transactions (u16 big-endian length ‖ bytes, repeated) that the columnar encoder
// must carry through exactly (seeds: batch_test's TxColumns.WritesFuzzSeedsOnRequest with
// FUSE_WRITE_FUZZ_CORPUS=dir, which scripts/fuzz.sh runs, plus this target's own with
// FUSE_FUZZ_SEEDS=dir).
#include <cstdlib>

#include "core/fuzz_seeds.hpp"

#include "batch/batch.hpp"
#include "batch/tx_columns.hpp"

namespace {

using namespace fuse::batch;

void check_reencodes(const std::vector<L2Message>& msgs) {
    for (uint8_t format : {kBrotliFormat, kColumnarFormat}) {
        auto again = encode_batch(msgs, 1, format);
        if (!again) std::abort();
        auto back = decode_batch(*again, BatchLimits{.max_compressed_size = again->size(),
                                                     .max_decompressed_size = size_t{1} << 30});
        if (!back || *back != msgs) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuse::fuzz::seed_dir()) {
        std::vector<L2Message> msgs = {
            L2Message{10, fuse::uint256{7}, 100, {fuse::Bytes{0x02, 0xc1, 0x01}}},
            L2Message{11, fuse::uint256{7}, 102, {}, DepositRef{0, 2, fuse::Hash32{}}}};
        for (uint8_t format : {kBrotliFormat, kColumnarFormat})
            fuse::fuzz::write_seed(fuse::ByteView(encode_batch(msgs, 5, format).value()));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const BatchLimits limits{.max_decompressed_size = size_t{1} << 20};
    fuse::ByteView in(data, size);
    auto msgs = decode_batch(in, limits);
    // Also feed the raw bytes as already-decompressed streams of both formats.
    auto direct = parse_segments(in, limits);
    auto columnar = parse_columnar_stream(in, limits);
    for (const auto* r : {&msgs, &direct, &columnar})
        if (*r) check_reencodes(r->value());

    // The bytes as transactions: the columnar section must give back every byte exactly.
    std::vector<fuse::Bytes> txs;
    for (fuse::ByteView rest = in; rest.size() >= 2 && txs.size() < 256;) {
        const size_t n = std::min<size_t>(rest.size() - 2, size_t{rest[0]} << 8 | rest[1]);
        if (n == 0) break;
        txs.emplace_back(rest.begin() + 2, rest.begin() + 2 + static_cast<ptrdiff_t>(n));
        rest = rest.subspan(2 + n);
    }
    std::vector<fuse::ByteView> views(txs.begin(), txs.end());
    auto back = decode_tx_columns(encode_tx_columns(views), txs.size(), BatchLimits{});
    if (!back || *back != txs) std::abort();
    return 0;
}
