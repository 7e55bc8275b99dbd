#pragma once
/// The L2 batch format (docs/batch-format.md): the one encoding of sequenced messages that the
/// batch poster writes into SequencerInbox calldata and the validator reads back.
///
/// data    = format byte ‖ body; body = one brotli stream (RFC 7932) of
///   format 0x00: stream  = segment*; segment = kind byte ‖ one canonical RLP item
///     0x00 L2 message       RLP list of byte strings (opaque EIP-2718 transactions)
///     0x01 advance time     RLP uint64 delta (>= 1) added to the running timestamp
///     0x02 advance L1 block RLP list [uint64 delta (>= 1), uint256 new L1 base fee]
///     0x03 deposits         RLP list [uint64 first_index, uint64 count (>= 1), 32-byte acc]:
///                           a reference to L1 Bridge deposits, attached to the next message
///   format 0x01: stream  = varint(len(segments)) ‖ segments ‖ tx section, where a message
///     segment's item is the RLP integer count of its txs and the txs of all messages follow
///     in columns (tx_columns.hpp), raw bytes for those the columns cannot carry exactly.
///   format 0x02: as 0x01 with one column more: the address table may name addresses of the
///     address registry (address_registry.hpp), the literal entries of earlier 0x02 batches.
/// The running header starts at (timestamp 0, L1 block 0, base fee 0) in every batch.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/deposit.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse::batch {

/// Format byte of a brotli-compressed segment stream (SequencerInbox `BROTLI_FORMAT`).
inline constexpr uint8_t kBrotliFormat = 0x00;
/// Format byte of a brotli-compressed stream whose transactions are in columns
/// (SequencerInbox `BROTLI_COLUMNAR_FORMAT`).
inline constexpr uint8_t kColumnarFormat = 0x01;
/// Format byte of format 0x01 plus references into the cross-batch address registry
/// (SequencerInbox `BROTLI_REGISTRY_FORMAT`).
inline constexpr uint8_t kRegistryFormat = 0x02;

class AddressRegistry;

/// Segment kinds (the byte before each segment's RLP item).
enum class SegmentKind : uint8_t {
    kL2Message = 0x00,
    kAdvanceTimestamp = 0x01,
    kAdvanceL1Block = 0x02,
    kDeposits = 0x03,
};

/// A message's reference to L1 Bridge deposits (segment 0x03): deposits `first_index` to
/// `first_index + count - 1`, and the Bridge's accumulator after the last of them
/// (`depositAccs(first_index + count - 1)` on L1). The batch never carries the deposits
/// themselves; ArbOS checks the contents the sequencer or validator read from L1 against it.
struct DepositRef {
    uint64_t first_index = 0;
    uint64_t count = 0;  ///< >= 1
    Hash32 acc;
    friend bool operator==(const DepositRef&, const DepositRef&) = default;
};

/// The reference to `deposits` (consecutive, in order; at least one), given the Bridge's
/// accumulator before the first of them (`prev_acc`: zero before deposit 0).
DepositRef make_deposit_ref(const Hash32& prev_acc, std::span<const Deposit> deposits);

/// One L2 block's worth: the header the sequencer built on and its ordered transactions.
struct L2Message {
    uint64_t l1_block_number = 0;
    uint256 l1_base_fee;
    uint64_t timestamp = 0;
    /// Signed EIP-2718 transactions, opaque to the format (ArbOS decides what is valid).
    std::vector<Bytes> txs;
    /// L1 deposits ArbOS executes at the start of this message's block, before `txs`.
    std::optional<DepositRef> deposit_ref = std::nullopt;
    friend bool operator==(const L2Message&, const L2Message&) = default;
};

/// Bounds every decoder enforces (defaults are the consensus values; see the doc).
struct BatchLimits {
    /// SequencerInbox `maxDataSize` default, format byte included.
    size_t max_compressed_size = 122'880;
    /// Cap on the decompressed segment stream; the decoder never allocates beyond it.
    size_t max_decompressed_size = size_t{16} << 20;
    size_t max_segments = 65'536;
    size_t max_txs_per_message = 16'384;
    /// Largest single transaction (geth's txMaxSize).
    size_t max_tx_size = 131'072;
};

/// Why a batch does not decode. Every rejection is one of these, never a crash.
enum class BatchError {
    kEmpty,                  ///< no format byte
    kUnknownFormat,          ///< format byte is not 0x00, 0x01 or 0x02
    kCompressedTooLarge,     ///< data longer than max_compressed_size
    kBrotliCorrupt,          ///< the brotli stream is malformed
    kBrotliTruncated,        ///< the brotli stream ends before its last meta-block
    kTrailingBytes,          ///< bytes follow the end of the brotli stream
    kDecompressedTooLarge,   ///< the stream inflates beyond max_decompressed_size
    kUnknownSegment,         ///< a segment kind byte other than 0x00-0x03
    kBadRlp,                 ///< a segment's RLP is malformed, non-canonical or truncated
    kTooManySegments,        ///< more than max_segments segments
    kTooManyTxs,             ///< a message with more than max_txs_per_message transactions
    kTxTooLarge,             ///< a transaction longer than max_tx_size
    kEmptyTx,                ///< a zero-length transaction
    kZeroAdvance,            ///< an advance segment with delta 0
    kHeaderOverflow,         ///< the running timestamp or L1 block number passes 2^64-1
    kHeaderNotSet,           ///< a message before both the timestamp and the L1 block were set
    kTrailingAdvance,        ///< advance segments after the last message
    kBaseFeeChangedInBlock,  ///< (builder) a message changes the base fee but not the L1 block
    kTimestampBackwards,     ///< (builder/resolve) a timestamp lower than the one before
    kL1BlockBackwards,       ///< (builder/resolve) an L1 block number lower than the one before
    kMessageTooLarge,        ///< (builder) one message does not fit in an empty batch
    kBadTxColumns,           ///< (0x01) a tx column is truncated, left over or mis-sized
    kBadTxValue,             ///< (0x01) a tx column value is out of range or non-canonical
    kZeroDepositCount,       ///< a deposits segment with count 0
    kDepositRangeOverflow,   ///< first_index + count - 1 passes 2^64-1
    kDuplicateDepositRef,    ///< a second deposits segment before the same message
    kDanglingDepositRef,     ///< a deposits segment with no message after it
    kUnknownRegistryIndex,   ///< (0x02) a registry ref at or beyond the registry's size
    kRegisteredLiteral,      ///< (0x02) a literal address table entry that is registered
};

/// Human-readable reason for a batch error.
const char* to_string(BatchError e);

/// Appends the segments that take the running header `prev` to `msg`'s header, `msg`'s
/// deposits segment if it has a deposit ref, and the message segment itself. Fails with
/// kTimestampBackwards / kL1BlockBackwards / kBaseFeeChangedInBlock, or kZeroDepositCount /
/// kDepositRangeOverflow for a ref the decoder would refuse.
Result<void, BatchError> append_message_segments(Bytes& stream, const L2Message& prev,
                                                 const L2Message& msg);

/// Appends the format-0x01 segments for `msg` (as append_message_segments, but the message
/// segment carries only the RLP integer count of its txs).
Result<void, BatchError> append_counted_segments(Bytes& stream, const L2Message& prev,
                                                 const L2Message& msg);

/// The decompressed stream of `msgs` in `format` (0x00 segments, or 0x01/0x02 segments +
/// columns). Format 0x02 names the addresses of `registry` (null: an empty registry) by index
/// and puts its literal address entries, in table order, into `literals` (when given).
Result<Bytes, BatchError> make_stream(const std::vector<L2Message>& msgs, uint8_t format,
                                      const AddressRegistry* registry = nullptr,
                                      std::vector<Address>* literals = nullptr);

/// Encodes a whole batch (format byte + brotli at `quality` 0-11) of `msgs` in one go (format
/// 0x02 against `registry`, see make_stream).
Result<Bytes, BatchError> encode_batch(const std::vector<L2Message>& msgs, int quality = 11,
                                       uint8_t format = kBrotliFormat,
                                       const AddressRegistry* registry = nullptr,
                                       std::vector<Address>* literals = nullptr);

/// `format` ‖ brotli(stream) at `quality` in one pass (the whole stream fits in memory).
Bytes compress_stream(ByteView stream, int quality, uint8_t format);

/// Decompresses `data` (format byte included, 0x00-0x02) under the limits, into the stream.
Result<Bytes, BatchError> decompress_batch(ByteView data, const BatchLimits& limits = {});

/// Parses a decompressed format-0x00 segment stream into messages (strict; see the doc).
Result<std::vector<L2Message>, BatchError> parse_segments(ByteView stream,
                                                          const BatchLimits& limits = {});

/// Parses a decompressed format-0x01 stream (segments with tx counts, then the tx columns), or
/// with `registry` a format-0x02 stream (`literals`: its literal address entries, in order).
Result<std::vector<L2Message>, BatchError> parse_columnar_stream(
    ByteView stream, const BatchLimits& limits = {}, const AddressRegistry* registry = nullptr,
    std::vector<Address>* literals = nullptr);

/// decompress_batch + the parser of its format: what the validator calls on a batch's calldata
/// `data`. Format 0x02 decodes against `registry` (null: an empty one) and puts the batch's
/// literal address entries into `registered` (cleared first; empty for other formats and on
/// failure): what AddressRegistry::apply_batch adds. Old formats ignore the registry.
Result<std::vector<L2Message>, BatchError> decode_batch(ByteView data,
                                                        const BatchLimits& limits = {},
                                                        const AddressRegistry* registry = nullptr,
                                                        std::vector<Address>* registered = nullptr);

}  // namespace fuse::batch
