// libFuzzer target: the batch decoder on arbitrary calldata must return a value or a
// BatchError, never crash, and never allocate beyond its decompression cap; anything that
// decodes must re-encode, in both formats, to a batch that decodes to the same messages.
// The same bytes are also read as a format-0x00 segment stream, a format-0x01 stream, and as
// a list of transactions (u16 big-endian length ‖ bytes, repeated) that the columnar encoder
// must carry through exactly (seeds: batch_test's TxColumns.WritesFuzzSeedsOnRequest with
// FUSE_WRITE_FUZZ_CORPUS=dir, which scripts/fuzz.sh runs, plus this target's own with
// FUSE_FUZZ_SEEDS=dir).
// Format 0x02: the bytes are also decoded against an address registry (of 0-15 addresses
// chosen by the first byte); whatever decodes re-encodes in 0x02 against the same registry
// to the same messages and the same literals, none of them registered; the transaction list
// goes through 0x02 columns twice, the second time with half of the first pass's literals
// registered, and must come back exactly.
#include <cstdlib>

#include "core/fuzz_seeds.hpp"

#include "batch/address_registry.hpp"
#include "batch/batch.hpp"
#include "batch/tx_columns.hpp"

namespace {

using namespace fuse::batch;

void check_reencodes(const std::vector<L2Message>& msgs) {
    for (uint8_t format : {kBrotliFormat, kColumnarFormat, kRegistryFormat}) {
        auto again = encode_batch(msgs, 1, format);
        if (!again) std::abort();
        auto back = decode_batch(*again, BatchLimits{.max_compressed_size = again->size(),
                                                     .max_decompressed_size = size_t{1} << 30});
        if (!back || *back != msgs) std::abort();
    }
}

/// 0-15 addresses: a few that fuzzed streams name easily (0x00..01, 0xff..ff) and others.
AddressRegistry small_registry(uint8_t selector) {
    AddressRegistry reg;
    std::vector<fuse::Address> a;
    for (unsigned i = 0; i < (selector & 0x0fu); ++i) {
        fuse::Address x;
        x.bytes.fill(static_cast<uint8_t>(i * 0x11));
        x.bytes[19] = static_cast<uint8_t>(i + 1);
        a.push_back(x);
    }
    reg.apply_batch(0, a);
    return reg;
}

void check_registry_format(fuse::ByteView in, const BatchLimits& limits) {
    const AddressRegistry reg = small_registry(in.empty() ? 0 : in[0]);
    std::vector<fuse::Address> registered;
    auto msgs = decode_batch(in, limits, &reg, &registered);
    std::vector<fuse::Address> lits;
    auto direct = parse_columnar_stream(in, limits, &reg, &lits);
    if (!msgs && !registered.empty()) std::abort();  // nothing on failure
    for (const auto* r : {&msgs, &direct}) {
        if (!*r) continue;
        std::vector<fuse::Address> literals;
        auto again = encode_batch(r->value(), 1, kRegistryFormat, &reg, &literals);
        if (!again) std::abort();
        std::vector<fuse::Address> back_lits;
        auto back = decode_batch(*again,
                                 BatchLimits{.max_compressed_size = again->size(),
                                             .max_decompressed_size = size_t{1} << 30},
                                 &reg, &back_lits);
        if (!back || *back != r->value() || back_lits != literals) std::abort();
        for (const auto& a : literals)
            if (reg.find(a)) std::abort();
    }
    if (msgs && !in.empty() && in[0] == kRegistryFormat) {
        AddressRegistry grown = reg;
        if (!grown.apply_batch(1, registered) || grown.size() != reg.size() + registered.size())
            std::abort();  // literals are distinct and unregistered
    }
}

void check_registry_columns(const std::vector<fuse::ByteView>& views,
                            const std::vector<fuse::Bytes>& txs) {
    AddressRegistry reg;
    std::vector<fuse::Address> first;
    (void)encode_tx_columns(views, &reg, &first);
    std::vector<fuse::Address> half(first.begin(), first.begin() + first.size() / 2);
    reg.apply_batch(0, half);
    std::vector<fuse::Address> literals, decoded;
    const fuse::Bytes section = encode_tx_columns(views, &reg, &literals);
    auto back = decode_tx_columns(section, txs.size(), BatchLimits{}, &reg, &decoded);
    if (!back || *back != txs || decoded != literals) std::abort();
    if (literals.size() + half.size() != first.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuse::fuzz::seed_dir()) {
        std::vector<L2Message> msgs = {
            L2Message{10, fuse::uint256{7}, 100, {fuse::Bytes{0x02, 0xc1, 0x01}}},
            L2Message{11, fuse::uint256{7}, 102, {}, DepositRef{0, 2, fuse::Hash32{}}}};
        for (uint8_t format : {kBrotliFormat, kColumnarFormat, kRegistryFormat})
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
    check_registry_format(in, limits);

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
    check_registry_columns(views, txs);
    return 0;
}
