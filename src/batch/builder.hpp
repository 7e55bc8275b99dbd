#pragma once
/// Incremental batch encoder for the batch poster (docs/batch-format.md, "Building a batch").

#include <brotli/encode.h>

#include <cstddef>
#include <memory>

#include "batch/batch.hpp"

namespace fuse::batch {

/// Adds messages one at a time to a streaming brotli encoder that is flushed after each one, so
/// the exact size of the batch if closed now is always known; refuses (returns false for) the
/// first message that would push the batch past `limits.max_compressed_size` or any other
/// decoder limit, so every batch it finishes decodes under the same limits.
///
/// With `format` kColumnarFormat (0x01) the transactions are rearranged into columns, so the
/// stream cannot be flushed message by message: the builder keeps the messages, bounds the
/// batch size by the last trial compression plus the raw size of what was added since, runs a
/// trial only when that bound passes the limit (at quality min(quality, 5) until such a trial
/// fails, then at `quality`), and compresses the whole batch at `finish`.
class BatchBuilder {
public:
    /// `quality` is brotli's 0-11 (Arbitrum posts at 11 and lowers it under backlog); `format`
    /// kBrotliFormat (0x00), kColumnarFormat (0x01) or kRegistryFormat (0x02, built like 0x01
    /// against `registry`: the registry as of the batches before this one, null = empty; it
    /// must not change while the builder is in use).
    explicit BatchBuilder(const BatchLimits& limits = {}, int quality = 11,
                          uint8_t format = kBrotliFormat,
                          const AddressRegistry* registry = nullptr);
    ~BatchBuilder();
    BatchBuilder(const BatchBuilder&) = delete;
    BatchBuilder& operator=(const BatchBuilder&) = delete;

    /// Appends `msg`: true when added, false when the batch is full (msg not added; start a new
    /// batch with it). Errors: the message itself is invalid (timestamp/L1 block backwards,
    /// base fee change within an L1 block, too many txs, empty or oversized tx) or does not fit
    /// even in an empty batch (kMessageTooLarge).
    Result<bool, BatchError> add(const L2Message& msg);

    size_t message_count() const { return messages_; }
    uint8_t format() const { return format_; }
    /// Format 0x00: size of `finish(false)`'s result if called now (format byte included);
    /// exact once a message was added. Format 0x01: an upper bound of `finish`'s size.
    size_t compressed_size() const {
        return columnar() ? checked_size_ + grown_ : 1 + committed_.size() + 1;
    }
    /// Size of the decompressed segment stream so far (0x01: segments plus raw tx bytes).
    size_t stream_size() const { return stream_.size() + raw_tx_bytes_; }
    bool full() const { return full_; }

    /// The batch data (format byte ‖ brotli stream). With `recompress`, the whole stream is
    /// also compressed in one pass (better ratio than the flushed stream) and the smaller of
    /// the two is returned; both decode to the same messages. The builder is spent afterwards.
    /// Format 0x01 always compresses in one pass at `quality` (or returns the last trial if
    /// that is smaller).
    Bytes finish(bool recompress = true);

    /// Format 0x02: the literal address entries of the batch of the accepted messages, in table
    /// order (what it adds to the registry once posted); empty for other formats.
    std::vector<Address> literals() const;

private:
    bool columnar() const { return format_ == kColumnarFormat || format_ == kRegistryFormat; }
    bool compress_flush(ByteView in);
    Result<bool, BatchError> add_columnar(const L2Message& msg);

    BatchLimits limits_;
    int quality_;
    BrotliEncoderState* enc_ = nullptr;
    Bytes stream_;     // decompressed segments of the accepted messages
    Bytes committed_;  // brotli output up to the last accepted flush (byte aligned)
    Bytes scratch_;
    L2Message prev_;  // running header (txs unused)
    size_t messages_ = 0;
    size_t segments_ = 0;
    bool full_ = false;
    // Format 0x01 only.
    uint8_t format_ = kBrotliFormat;
    const AddressRegistry* registry_ = nullptr;
    std::vector<L2Message> msgs_;  // accepted messages
    size_t raw_tx_bytes_ = 0;
    size_t tx_count_ = 0;
    size_t checked_size_ = 2;  // size of the last trial compression (empty batch: <= 2 bytes)
    size_t grown_ = 0;         // bound on what was added since that trial
    Bytes trial_;              // that trial's data, when it covers all accepted messages
    bool near_limit_ = false;  // a cheap trial failed: trials run at `quality_` only
    int final_trials_ = 0;     // trials at `quality_` so far (at most kMaxFinalTrials)
    int trial_quality_ = 0;    // quality of `trial_`
};

}  // namespace fuse::batch
