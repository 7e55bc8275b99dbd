#pragma once
/// Logs and transaction receipts (Yellow Paper, section 4.3.1; EIP-658 status; EIP-2718 typed
/// receipts: `type ‖ rlp([status, cumulative_gas_used, logs_bloom, logs])`, legacy bare).

#include <span>
#include <vector>

#include "core/bloom.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/transaction.hpp"

namespace fuse {

namespace rlp {
class Encoder;
}

/// One log entry emitted by LOG0-LOG4.
struct Log {
    Address address;
    std::vector<Hash32> topics;
    Bytes data;
    friend bool operator==(const Log&, const Log&) = default;
};

/// A post-Byzantium receipt.
struct Receipt {
    TxType type = TxType::kLegacy;
    bool success = false;
    uint64_t cumulative_gas_used = 0;
    Bloom bloom;
    std::vector<Log> logs;
    friend bool operator==(const Receipt&, const Receipt&) = default;
};

enum class ReceiptError {
    kEmptyInput,       ///< no bytes
    kUnsupportedType,  ///< EIP-2718 type byte other than 1-4, 0x64, 0x66
    kMalformedRlp,     ///< not canonical RLP, truncated, trailing bytes or wrong shape
    kWrongFieldCount,  ///< not 4 receipt fields, or a log that is not [address, topics, data]
    kBadStatus,        ///< status not empty (0) or 0x01 (pre-Byzantium state roots unsupported)
    kBadFieldLength,   ///< bloom not 256 bytes, address not 20, topic not 32
    kIntegerOverflow,  ///< cumulative gas wider than 64 bits
};

/// Human-readable reason for a receipt error.
const char* to_string(ReceiptError e);

/// The bloom of a list of logs.
Bloom logs_bloom(std::span<const Log> logs);

/// Appends rlp([address, [topics...], data]).
void append_log(rlp::Encoder& e, const Log& log);

/// keccak256(rlp([log...])): the `logs` value the state tests check.
Hash32 logs_hash(std::span<const Log> logs);

/// EIP-2718 receipt encoding (as stored in the receipts trie).
Bytes encode_receipt(const Receipt& r);

/// Strict inverse of `encode_receipt`.
Result<Receipt, ReceiptError> decode_receipt(ByteView in);

}  // namespace fuse
