#include "batch/builder.hpp"

#include <algorithm>

namespace fuse::batch {

namespace {
/// Brotli's encoding of an empty last meta-block (ISLAST=1, ISLASTEMPTY=1, padded): appended
/// to a stream that a flush left byte aligned, it ends the stream (RFC 7932 §9.2).
constexpr uint8_t kEmptyLastMetaBlock = 0x03;
/// Brotli quality of the trial compressions of format 0x01 (30-40x cheaper than 11).
constexpr int kTrialQuality = 5;
/// Trials at the batch's own quality once near the limit (each costs a full compression); then
/// the batch is full, within a few messages of the limit.
constexpr int kMaxFinalTrials = 3;

/// Segments `append_message_segments` writes for `msg` after `prev`.
size_t segments_for(const L2Message& prev, const L2Message& msg) {
    return 1 + (msg.timestamp > prev.timestamp ? 1 : 0) +
           (msg.l1_block_number > prev.l1_block_number ? 1 : 0) + (msg.deposit_ref ? 1 : 0);
}
}  // namespace

BatchBuilder::BatchBuilder(const BatchLimits& limits, int quality, uint8_t format,
                           const AddressRegistry* registry)
    : limits_(limits),
      quality_(std::clamp(quality, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY)),
      format_(format),
      registry_(registry) {
    enc_ = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    BrotliEncoderSetParameter(enc_, BROTLI_PARAM_QUALITY, static_cast<uint32_t>(quality_));
    BrotliEncoderSetParameter(enc_, BROTLI_PARAM_LGWIN, BROTLI_DEFAULT_WINDOW);
}

BatchBuilder::~BatchBuilder() {
    if (enc_) BrotliEncoderDestroyInstance(enc_);
}

bool BatchBuilder::compress_flush(ByteView in) {
    size_t avail_in = in.size();
    const uint8_t* next_in = in.data();
    for (;;) {
        size_t avail_out = 0;
        if (!BrotliEncoderCompressStream(enc_, BROTLI_OPERATION_FLUSH, &avail_in, &next_in,
                                         &avail_out, nullptr, nullptr))
            return false;
        size_t n = 0;
        const uint8_t* out = BrotliEncoderTakeOutput(enc_, &n);
        scratch_.insert(scratch_.end(), out, out + n);
        if (avail_in == 0 && !BrotliEncoderHasMoreOutput(enc_)) return true;
    }
}

Result<bool, BatchError> BatchBuilder::add(const L2Message& msg) {
    if (msg.txs.size() > limits_.max_txs_per_message) return Unexpected{BatchError::kTooManyTxs};
    for (const Bytes& tx : msg.txs) {
        if (tx.empty()) return Unexpected{BatchError::kEmptyTx};
        if (tx.size() > limits_.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
    }
    if (full_) return false;
    if (columnar()) return add_columnar(msg);
    const size_t old_size = stream_.size();
    if (auto r = append_message_segments(stream_, prev_, msg); !r) return Unexpected{r.error()};
    const size_t new_segments = segments_for(prev_, msg);
    const ByteView added = ByteView{stream_}.subspan(old_size);
    bool fits = segments_ + new_segments <= limits_.max_segments &&
                stream_.size() <= limits_.max_decompressed_size;
    scratch_.clear();
    if (fits)
        fits = compress_flush(added) &&
               1 + committed_.size() + scratch_.size() + 1 <= limits_.max_compressed_size;
    if (!fits) {
        stream_.resize(old_size);
        full_ = true;  // the encoder saw the refused bytes: only `committed_` is usable now
        if (messages_ == 0) return Unexpected{BatchError::kMessageTooLarge};
        return false;
    }
    committed_.insert(committed_.end(), scratch_.begin(), scratch_.end());
    segments_ += new_segments;
    ++messages_;
    prev_.timestamp = msg.timestamp;
    prev_.l1_block_number = msg.l1_block_number;
    prev_.l1_base_fee = msg.l1_base_fee;
    return true;
}

Result<bool, BatchError> BatchBuilder::add_columnar(const L2Message& msg) {
    const size_t old_size = stream_.size();
    if (auto r = append_counted_segments(stream_, prev_, msg); !r) return Unexpected{r.error()};
    const size_t new_segments = segments_for(prev_, msg);
    size_t tx_bytes = 0;
    for (const Bytes& tx : msg.txs)
        tx_bytes += tx.size();
    // What the message can add to the compressed batch, generously: its raw bytes plus the
    // per-tx overhead of the columns (kind byte, lengths, index widths).
    const size_t growth = stream_.size() - old_size + tx_bytes + 16 * msg.txs.size() + 64;
    // The decompressed stream is at most segments + raw txs + that overhead + column headers.
    const size_t stream_bound =
        stream_.size() + raw_tx_bytes_ + tx_bytes + 16 * (tx_count_ + msg.txs.size()) + 512;
    bool fits = segments_ + new_segments <= limits_.max_segments &&
                stream_bound <= limits_.max_decompressed_size;
    bool checked = false;
    if (fits && checked_size_ + grown_ + growth > limits_.max_compressed_size) {
        // The bound passes the limit: compress everything and look, at a cheaper quality until
        // that no longer fits, then at the batch's own quality (what finish() will produce).
        msgs_.push_back(msg);
        auto try_at = [&](int q) {
            auto trial = encode_batch(msgs_, q, format_, registry_);
            if (!trial || trial->size() > limits_.max_compressed_size) return false;
            checked_size_ = trial->size();
            trial_ = std::move(*trial);
            trial_quality_ = q;
            return true;
        };
        const int cheap = std::min(quality_, kTrialQuality);
        if (cheap == quality_) {
            fits = try_at(quality_);
        } else {
            fits = !near_limit_ && try_at(cheap);
            near_limit_ = !fits;  // from now on only the final quality decides
            if (!fits && final_trials_ < kMaxFinalTrials) {
                ++final_trials_;
                fits = try_at(quality_);
            }
        }
        checked = fits;
        msgs_.pop_back();
    }
    if (!fits) {
        stream_.resize(old_size);
        full_ = true;
        if (messages_ == 0) return Unexpected{BatchError::kMessageTooLarge};
        return false;
    }
    if (checked) {
        grown_ = 0;
    } else {
        grown_ += growth;
        trial_.clear();  // no longer covers every message
    }
    msgs_.push_back(msg);
    raw_tx_bytes_ += tx_bytes;
    tx_count_ += msg.txs.size();
    segments_ += new_segments;
    ++messages_;
    prev_.timestamp = msg.timestamp;
    prev_.l1_block_number = msg.l1_block_number;
    prev_.l1_base_fee = msg.l1_base_fee;
    return true;
}

Bytes BatchBuilder::finish(bool recompress) {
    if (columnar()) {
        full_ = true;
        // The last trial, if it covers every message and was made at `quality_`, is the answer.
        if (!trial_.empty() && trial_quality_ == quality_) return std::move(trial_);
        auto best = encode_batch(msgs_, quality_, format_, registry_);
        Bytes out = best ? std::move(*best) : Bytes{};
        if (!trial_.empty() && (out.empty() || trial_.size() < out.size())) out = trial_;
        if (out.size() > limits_.max_compressed_size) {
            // Not expected (the growth bound is generous); try the trial quality as well.
            auto again = encode_batch(msgs_, std::min(quality_, kTrialQuality), format_, registry_);
            if (again && again->size() < out.size()) out = std::move(*again);
        }
        return out;
    }
    Bytes out;
    out.reserve(compressed_size());
    out.push_back(kBrotliFormat);
    out.insert(out.end(), committed_.begin(), committed_.end());
    out.push_back(kEmptyLastMetaBlock);
    // With nothing flushed yet there is no stream header to close: only the one-pass encoding
    // is a valid stream.
    if (recompress || committed_.empty()) {
        size_t size = BrotliEncoderMaxCompressedSize(stream_.size());
        if (size == 0) size = stream_.size() + 1024;
        Bytes one(1 + size);
        one[0] = kBrotliFormat;
        if (BrotliEncoderCompress(quality_, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC,
                                  stream_.size(), stream_.data(), &size, one.data() + 1) &&
            (1 + size < out.size() || committed_.empty())) {
            one.resize(1 + size);
            out = std::move(one);
        }
    }
    full_ = true;
    return out;
}

std::vector<Address> BatchBuilder::literals() const {
    std::vector<Address> out;
    if (format_ == kRegistryFormat) (void)make_stream(msgs_, format_, registry_, &out);
    return out;
}

}  // namespace fuse::batch
