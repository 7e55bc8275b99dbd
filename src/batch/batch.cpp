#include "batch/batch.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "batch/address_registry.hpp"
#include "batch/column_io.hpp"
#include "batch/tx_columns.hpp"
#include "core/rlp.hpp"

namespace fuse::batch {

const char* to_string(BatchError e) {
    switch (e) {
        case BatchError::kEmpty:
            return "batch data is empty (no format byte)";
        case BatchError::kUnknownFormat:
            return "unknown batch format byte (0x00 = brotli, 0x01 = brotli with tx columns, 0x02 "
                   "= tx columns with the address registry)";
        case BatchError::kCompressedTooLarge:
            return "batch data exceeds the maximum data size";
        case BatchError::kBrotliCorrupt:
            return "brotli stream is malformed";
        case BatchError::kBrotliTruncated:
            return "brotli stream is truncated";
        case BatchError::kTrailingBytes:
            return "bytes follow the end of the brotli stream";
        case BatchError::kDecompressedTooLarge:
            return "batch decompresses beyond the maximum decompressed size";
        case BatchError::kUnknownSegment:
            return "unknown segment kind byte";
        case BatchError::kBadRlp:
            return "segment RLP is malformed, non-canonical or truncated";
        case BatchError::kTooManySegments:
            return "batch has too many segments";
        case BatchError::kTooManyTxs:
            return "message has too many transactions";
        case BatchError::kTxTooLarge:
            return "transaction exceeds the maximum transaction size";
        case BatchError::kEmptyTx:
            return "zero-length transaction";
        case BatchError::kZeroAdvance:
            return "advance segment with delta 0";
        case BatchError::kHeaderOverflow:
            return "timestamp or L1 block number overflows 64 bits";
        case BatchError::kHeaderNotSet:
            return "message before the timestamp and L1 block were set in this batch";
        case BatchError::kTrailingAdvance:
            return "advance segment after the last message";
        case BatchError::kBaseFeeChangedInBlock:
            return "L1 base fee changes without the L1 block number advancing";
        case BatchError::kTimestampBackwards:
            return "timestamp goes backwards";
        case BatchError::kL1BlockBackwards:
            return "L1 block number goes backwards";
        case BatchError::kMessageTooLarge:
            return "message does not fit in an empty batch";
        case BatchError::kBadTxColumns:
            return "transaction columns are truncated, left over or of the wrong size";
        case BatchError::kBadTxValue:
            return "a transaction column holds an out-of-range or non-canonical value";
        case BatchError::kZeroDepositCount:
            return "deposits segment with count 0";
        case BatchError::kDepositRangeOverflow:
            return "deposits segment's last index passes 2^64-1";
        case BatchError::kDuplicateDepositRef:
            return "two deposits segments before one message";
        case BatchError::kDanglingDepositRef:
            return "deposits segment with no message after it";
        case BatchError::kUnknownRegistryIndex:
            return "an address registry index beyond the registry built from the earlier batches";
        case BatchError::kRegisteredLiteral:
            return "a literal address that is already in the address registry (must be named by "
                   "index)";
    }
    return "unknown batch error";
}

namespace {

/// The advance segments that take the running header from `prev` to `msg`'s header, then
/// `msg`'s deposits segment (the encoder's order; the decoder accepts any order before the
/// message).
Result<void, BatchError> append_advances(Bytes& stream, const L2Message& prev,
                                         const L2Message& msg) {
    if (msg.timestamp < prev.timestamp) return Unexpected{BatchError::kTimestampBackwards};
    if (msg.l1_block_number < prev.l1_block_number)
        return Unexpected{BatchError::kL1BlockBackwards};
    if (msg.l1_block_number == prev.l1_block_number && msg.l1_base_fee != prev.l1_base_fee)
        return Unexpected{BatchError::kBaseFeeChangedInBlock};
    if (msg.timestamp > prev.timestamp) {
        stream.push_back(static_cast<uint8_t>(SegmentKind::kAdvanceTimestamp));
        const Bytes delta = rlp::encode(msg.timestamp - prev.timestamp);
        stream.insert(stream.end(), delta.begin(), delta.end());
    }
    if (msg.l1_block_number > prev.l1_block_number) {
        stream.push_back(static_cast<uint8_t>(SegmentKind::kAdvanceL1Block));
        rlp::Encoder enc;
        enc.begin_list()
            .add(msg.l1_block_number - prev.l1_block_number)
            .add(msg.l1_base_fee)
            .end_list();
        stream.insert(stream.end(), enc.bytes().begin(), enc.bytes().end());
    }
    if (msg.deposit_ref) {
        const DepositRef& ref = *msg.deposit_ref;
        if (ref.count == 0) return Unexpected{BatchError::kZeroDepositCount};
        if (ref.count - 1 > UINT64_MAX - ref.first_index)
            return Unexpected{BatchError::kDepositRangeOverflow};
        stream.push_back(static_cast<uint8_t>(SegmentKind::kDeposits));
        rlp::Encoder enc;
        enc.begin_list().add(ref.first_index).add(ref.count).add(ref.acc).end_list();
        stream.insert(stream.end(), enc.bytes().begin(), enc.bytes().end());
    }
    return {};
}

}  // namespace

DepositRef make_deposit_ref(const Hash32& prev_acc, std::span<const Deposit> deposits) {
    DepositRef ref;
    if (deposits.empty()) return ref;
    ref.first_index = deposits.front().index;
    ref.count = deposits.size();
    ref.acc = chain_acc(prev_acc, deposits);
    return ref;
}

Result<void, BatchError> append_message_segments(Bytes& stream, const L2Message& prev,
                                                 const L2Message& msg) {
    if (auto r = append_advances(stream, prev, msg); !r) return r;
    stream.push_back(static_cast<uint8_t>(SegmentKind::kL2Message));
    rlp::Encoder enc;
    enc.begin_list();
    for (const Bytes& tx : msg.txs)
        enc.add(ByteView{tx});
    enc.end_list();
    stream.insert(stream.end(), enc.bytes().begin(), enc.bytes().end());
    return {};
}

Result<void, BatchError> append_counted_segments(Bytes& stream, const L2Message& prev,
                                                 const L2Message& msg) {
    if (auto r = append_advances(stream, prev, msg); !r) return r;
    stream.push_back(static_cast<uint8_t>(SegmentKind::kL2Message));
    const Bytes count = rlp::encode(uint64_t{msg.txs.size()});
    stream.insert(stream.end(), count.begin(), count.end());
    return {};
}

Result<Bytes, BatchError> make_stream(const std::vector<L2Message>& msgs, uint8_t format,
                                      const AddressRegistry* registry,
                                      std::vector<Address>* literals) {
    Bytes segments;
    L2Message prev;
    std::vector<ByteView> txs;
    const bool columnar = format == kColumnarFormat || format == kRegistryFormat;
    if (literals) literals->clear();
    for (const L2Message& m : msgs) {
        auto r = columnar ? append_counted_segments(segments, prev, m)
                          : append_message_segments(segments, prev, m);
        if (!r) return Unexpected{r.error()};
        prev.timestamp = m.timestamp;
        prev.l1_block_number = m.l1_block_number;
        prev.l1_base_fee = m.l1_base_fee;
        for (const Bytes& tx : m.txs)
            txs.emplace_back(tx);
    }
    if (!columnar) return segments;
    Bytes stream;
    columns::put_varint(stream, segments.size());
    stream.insert(stream.end(), segments.begin(), segments.end());
    const AddressRegistry empty;
    const Bytes section = format == kRegistryFormat
                              ? encode_tx_columns(txs, registry ? registry : &empty, literals)
                              : encode_tx_columns(txs);
    stream.insert(stream.end(), section.begin(), section.end());
    return stream;
}

Bytes compress_stream(ByteView stream, int quality, uint8_t format) {
    size_t out_size = BrotliEncoderMaxCompressedSize(stream.size());
    if (out_size == 0) out_size = stream.size() + 1024;
    Bytes out(1 + out_size);
    out[0] = format;
    if (!BrotliEncoderCompress(std::clamp(quality, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY),
                               BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, stream.size(),
                               stream.data(), &out_size, out.data() + 1))
        return {};
    out.resize(1 + out_size);
    return out;
}

Result<Bytes, BatchError> encode_batch(const std::vector<L2Message>& msgs, int quality,
                                       uint8_t format, const AddressRegistry* registry,
                                       std::vector<Address>* literals) {
    auto stream = make_stream(msgs, format, registry, literals);
    if (!stream) return Unexpected{stream.error()};
    Bytes out = compress_stream(*stream, quality, format);
    if (out.empty()) return Unexpected{BatchError::kMessageTooLarge};
    return out;
}

namespace {
struct DecoderDeleter {
    void operator()(BrotliDecoderState* s) const { BrotliDecoderDestroyInstance(s); }
};
}  // namespace

Result<Bytes, BatchError> decompress_batch(ByteView data, const BatchLimits& limits) {
    if (data.empty()) return Unexpected{BatchError::kEmpty};
    if (data.size() > limits.max_compressed_size)
        return Unexpected{BatchError::kCompressedTooLarge};
    if (data[0] != kBrotliFormat && data[0] != kColumnarFormat && data[0] != kRegistryFormat)
        return Unexpected{BatchError::kUnknownFormat};
    std::unique_ptr<BrotliDecoderState, DecoderDeleter> dec(
        BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
    if (!dec) return Unexpected{BatchError::kBrotliCorrupt};
    // The output grows geometrically but never past the cap: a bomb stops at the cap.
    Bytes out(std::min<size_t>(limits.max_decompressed_size, 4 * data.size() + 4096));
    size_t avail_in = data.size() - 1;
    const uint8_t* next_in = data.data() + 1;
    size_t produced = 0;
    for (;;) {
        size_t avail_out = out.size() - produced;
        uint8_t* next_out = out.data() + produced;
        const BrotliDecoderResult r = BrotliDecoderDecompressStream(dec.get(), &avail_in, &next_in,
                                                                    &avail_out, &next_out, nullptr);
        produced = out.size() - avail_out;
        switch (r) {
            case BROTLI_DECODER_RESULT_SUCCESS:
                if (avail_in != 0) return Unexpected{BatchError::kTrailingBytes};
                out.resize(produced);
                return out;
            case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
                return Unexpected{BatchError::kBrotliTruncated};  // all input was given
            case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
                if (out.size() >= limits.max_decompressed_size)
                    return Unexpected{BatchError::kDecompressedTooLarge};
                out.resize(std::min(limits.max_decompressed_size, out.size() * 2));
                break;
            case BROTLI_DECODER_RESULT_ERROR:
            default:
                return Unexpected{BatchError::kBrotliCorrupt};
        }
    }
}

namespace {

Result<uint64_t, BatchError> checked_add(uint64_t a, uint64_t b) {
    if (b > UINT64_MAX - a) return Unexpected{BatchError::kHeaderOverflow};
    return a + b;
}

/// Format 0x00 (`counts` null: message items are lists of txs) or 0x01 (`counts` receives
/// each message's tx count, its item being an RLP integer).
Result<std::vector<L2Message>, BatchError> parse_segment_stream(ByteView stream,
                                                                const BatchLimits& limits,
                                                                std::vector<uint64_t>* counts) {
    std::vector<L2Message> msgs;
    L2Message cur;  // running header; txs stay empty
    bool time_set = false, block_set = false, advance_pending = false;
    std::optional<DepositRef> ref;  // a deposits segment waiting for its message
    size_t segments = 0;
    while (!stream.empty()) {
        if (++segments > limits.max_segments) return Unexpected{BatchError::kTooManySegments};
        const uint8_t kind = stream[0];
        if (kind > static_cast<uint8_t>(SegmentKind::kDeposits))
            return Unexpected{BatchError::kUnknownSegment};
        auto item = rlp::peek_item(stream.subspan(1));
        if (!item) return Unexpected{BatchError::kBadRlp};
        stream = stream.subspan(1 + item->encoded.size());
        switch (static_cast<SegmentKind>(kind)) {
            case SegmentKind::kL2Message: {
                if (item->is_list != (counts == nullptr)) return Unexpected{BatchError::kBadRlp};
                if (!time_set || !block_set) return Unexpected{BatchError::kHeaderNotSet};
                L2Message m;
                m.timestamp = cur.timestamp;
                m.l1_block_number = cur.l1_block_number;
                m.l1_base_fee = cur.l1_base_fee;
                m.deposit_ref = std::exchange(ref, std::nullopt);
                if (counts) {
                    auto n = rlp::parse_u64(item->payload);
                    if (!n) return Unexpected{BatchError::kBadRlp};
                    if (*n > limits.max_txs_per_message) return Unexpected{BatchError::kTooManyTxs};
                    counts->push_back(*n);
                    msgs.push_back(std::move(m));
                    advance_pending = false;
                    break;
                }
                rlp::Decoder txs(item->payload);
                while (!txs.empty()) {
                    if (m.txs.size() >= limits.max_txs_per_message)
                        return Unexpected{BatchError::kTooManyTxs};
                    auto tx = txs.read_bytes();
                    if (!tx) return Unexpected{BatchError::kBadRlp};
                    if (tx->empty()) return Unexpected{BatchError::kEmptyTx};
                    if (tx->size() > limits.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
                    m.txs.emplace_back(tx->begin(), tx->end());
                }
                msgs.push_back(std::move(m));
                advance_pending = false;
                break;
            }
            case SegmentKind::kAdvanceTimestamp: {
                if (item->is_list) return Unexpected{BatchError::kBadRlp};
                auto delta = rlp::parse_u64(item->payload);
                if (!delta) return Unexpected{BatchError::kBadRlp};
                if (*delta == 0) return Unexpected{BatchError::kZeroAdvance};
                auto ts = checked_add(cur.timestamp, *delta);
                if (!ts) return Unexpected{ts.error()};
                cur.timestamp = *ts;
                time_set = advance_pending = true;
                break;
            }
            case SegmentKind::kAdvanceL1Block: {
                if (!item->is_list) return Unexpected{BatchError::kBadRlp};
                rlp::Decoder d(item->payload);
                auto delta = d.read_u64();
                if (!delta) return Unexpected{BatchError::kBadRlp};
                auto fee = d.read_uint256();
                if (!fee || !d.finish()) return Unexpected{BatchError::kBadRlp};
                if (*delta == 0) return Unexpected{BatchError::kZeroAdvance};
                auto block = checked_add(cur.l1_block_number, *delta);
                if (!block) return Unexpected{block.error()};
                cur.l1_block_number = *block;
                cur.l1_base_fee = *fee;
                block_set = advance_pending = true;
                break;
            }
            case SegmentKind::kDeposits: {
                if (!item->is_list) return Unexpected{BatchError::kBadRlp};
                rlp::Decoder d(item->payload);
                auto first = d.read_u64();
                if (!first) return Unexpected{BatchError::kBadRlp};
                auto count = d.read_u64();
                if (!count) return Unexpected{BatchError::kBadRlp};
                auto acc = d.read_hash();
                if (!acc || !d.finish()) return Unexpected{BatchError::kBadRlp};
                if (*count == 0) return Unexpected{BatchError::kZeroDepositCount};
                if (*count - 1 > UINT64_MAX - *first)
                    return Unexpected{BatchError::kDepositRangeOverflow};
                if (ref) return Unexpected{BatchError::kDuplicateDepositRef};
                ref = DepositRef{*first, *count, *acc};
                break;
            }
        }
    }
    if (ref) return Unexpected{BatchError::kDanglingDepositRef};
    if (advance_pending) return Unexpected{BatchError::kTrailingAdvance};
    return msgs;
}

}  // namespace

Result<std::vector<L2Message>, BatchError> parse_segments(ByteView stream,
                                                          const BatchLimits& limits) {
    return parse_segment_stream(stream, limits, nullptr);
}

Result<std::vector<L2Message>, BatchError> parse_columnar_stream(ByteView stream,
                                                                 const BatchLimits& limits,
                                                                 const AddressRegistry* registry,
                                                                 std::vector<Address>* literals) {
    columns::Reader in(stream);
    auto len = in.varint();
    if (!len) return Unexpected{BatchError::kBadTxColumns};
    auto segments = in.bytes(*len);
    if (!segments) return Unexpected{BatchError::kBadTxColumns};
    std::vector<uint64_t> counts;
    auto msgs = parse_segment_stream(*segments, limits, &counts);
    if (!msgs) return msgs;
    size_t total = 0;  // <= max_segments * max_txs_per_message: no overflow
    for (uint64_t n : counts)
        total += n;
    auto txs = decode_tx_columns(stream.subspan(stream.size() - in.size()), total, limits, registry,
                                 literals);
    if (!txs) return Unexpected{txs.error()};
    size_t next = 0;
    for (size_t i = 0; i < msgs->size(); ++i) {
        auto& m = (*msgs)[i];
        m.txs.reserve(counts[i]);
        for (uint64_t k = 0; k < counts[i]; ++k)
            m.txs.push_back(std::move((*txs)[next++]));
    }
    return msgs;
}

Result<std::vector<L2Message>, BatchError> decode_batch(ByteView data, const BatchLimits& limits,
                                                        const AddressRegistry* registry,
                                                        std::vector<Address>* registered) {
    if (registered) registered->clear();
    auto stream = decompress_batch(data, limits);
    if (!stream) return Unexpected{stream.error()};
    if (data[0] == kColumnarFormat) return parse_columnar_stream(*stream, limits);
    if (data[0] == kRegistryFormat) {
        const AddressRegistry empty;
        std::vector<Address> literals;
        auto msgs = parse_columnar_stream(*stream, limits, registry ? registry : &empty, &literals);
        if (msgs && registered) *registered = std::move(literals);
        return msgs;
    }
    return parse_segments(*stream, limits);
}

}  // namespace fuse::batch
