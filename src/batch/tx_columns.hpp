#pragma once
/// The transaction section of batch format 0x01 (docs/batch-format.md, "Format 0x01"): a
/// batch's transactions split into columns (kinds, chain ids, nonces, gas and fee dictionaries,
/// an address table, decimal-scaled values, ABI words, signatures) so that brotli sees like with
/// like. Every transaction's EIP-2718 bytes come back exactly; a transaction the columns cannot
/// represent exactly travels as raw bytes in the same section.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "batch/address_registry.hpp"
#include "batch/batch.hpp"
#include "core/bytes.hpp"

namespace fuse::batch {

/// The columns of the section, in stream order (each is `varint(byte length) ‖ bytes`).
enum class TxColumn : uint8_t {
    kKinds,            ///< one kind byte per transaction
    kRaw,              ///< raw transactions: varint length ‖ bytes
    kChainIds,         ///< varint, per transaction that has a chain id
    kNonces,           ///< varint, per columnar transaction
    kGasDict,          ///< gas-limit dictionary: varints
    kGasCodes,         ///< one byte per columnar tx: 0 = literal, k = dictionary entry k-1
    kGasLiterals,      ///< varints
    kPriceDict,        ///< gas price (legacy, type 1) / max fee (type 2) dictionary: numbers
    kPriceCodes,       ///< one byte per columnar tx
    kPriceLiterals,    ///< numbers
    kTipDict,          ///< max priority fee (type 2) dictionary: numbers
    kTipCodes,         ///< one byte per type-2 tx
    kTipLiterals,      ///< numbers
    kAddresses,        ///< varint r ‖ the address table, 20 bytes per entry (r repeated first)
    kAddressIndices,   ///< varint per `to` and address word: 0 next single-use, k entry k-1
    kValues,           ///< number head (e, n), per columnar transaction
    kValueMantissas,   ///< number mantissa, per columnar transaction
    kDataLengths,      ///< byte form: varint length; ABI form: varint word count
    kDataBytes,        ///< byte-form call data
    kSelectors,        ///< the batch's selector table, 4 bytes per entry
    kSelectorIndices,  ///< varint index into the selector table, per ABI-form call data
    kWordKinds,        ///< one byte per ABI word: 0 number, 1 address, 2 raw
    kWordNumbers,      ///< number head, per number word
    kWordMantissas,    ///< number mantissa, per number word
    kWordRaw,          ///< 32 bytes, per raw word
    kAccessLists,      ///< varint length ‖ one RLP list item, per non-empty access list
    kSignatures,       ///< r ‖ s, 32 bytes each, per columnar transaction
    kRegistryRefs,     ///< (0x02 only) registry indices of the table's registered entries
    kCount,
};

/// Columns of a format-0x01 section (all but kRegistryRefs); format 0x02 has all kCount.
inline constexpr size_t kColumnarColumns = static_cast<size_t>(TxColumn::kRegistryRefs);

/// Kind byte bits.
inline constexpr uint8_t kFormMask = 0x03;  ///< 0 raw, 1 legacy, 2 EIP-2930, 3 EIP-1559
inline constexpr uint8_t kYParityBit = 0x04;
inline constexpr uint8_t kHasToBit = 0x08;
inline constexpr uint8_t kDataShift = 4;         ///< bits 4-5: 0 empty, 1 bytes, 2 ABI words
inline constexpr uint8_t kAccessListBit = 0x40;  ///< typed only: non-empty access list
inline constexpr uint8_t kChainIdBit = 0x80;     ///< legacy only: EIP-155 v

/// Most entries of a gas or fee dictionary (codes are one byte, 0 means literal).
inline constexpr size_t kMaxDictEntries = 255;

/// One transaction in columnar form (legacy, EIP-2930 or EIP-1559).
struct TxRecord {
    uint8_t form = 1;                  ///< 1 legacy, 2 EIP-2930, 3 EIP-1559
    std::optional<uint64_t> chain_id;  ///< always set for typed; legacy: EIP-155
    uint64_t nonce = 0;
    uint256 price;  ///< gas price, or max fee per gas for EIP-1559
    uint256 tip;    ///< max priority fee per gas (EIP-1559 only)
    uint64_t gas_limit = 0;
    std::optional<Address> to;
    uint256 value;
    Bytes data;
    Bytes access_list;  ///< one RLP list item; empty stands for 0xc0 (typed only)
    uint8_t y_parity = 0;
    std::array<uint8_t, 32> r{}, s{};
};

/// The EIP-2718 bytes of `rec` (legacy v = chain_id * 2 + 35 + y_parity, or 27 + y_parity).
Bytes reconstruct_tx(const TxRecord& rec);

/// `tx` in columnar form if reconstruct_tx gives back exactly `tx`; nullopt: it goes raw.
std::optional<TxRecord> to_record(ByteView tx);

/// Word kinds of ABI-form call data (docs: an address word has 12 zero bytes and a non-zero
/// byte among the next four; a number word 8 leading zero bytes; anything else is raw).
enum class WordKind : uint8_t { kNumber = 0, kAddress = 1, kRaw = 2 };
/// The kind of the 32-byte word at `word32`: the only kind the decoder accepts for it.
WordKind word_kind(const uint8_t* word32);

/// The transaction section for `txs`, in order. Never fails: what the columns cannot carry
/// exactly goes raw. With `registry` (format 0x02) the section has the registry-refs column
/// and every address already registered is named by its index; `literals` then receives the
/// table's literal entries in table order (what the batch adds to the registry).
Bytes encode_tx_columns(const std::vector<ByteView>& txs, const AddressRegistry* registry = nullptr,
                        std::vector<Address>* literals = nullptr);

/// Exactly `count` transactions from `section` (strict: every column consumed, every value
/// canonical, every table and dictionary entry distinct and used, sizes within `limits`).
/// With `registry` the section is format 0x02's (registry refs below registry->size(), no
/// literal already registered); `literals` then receives the literal table entries in order.
Result<std::vector<Bytes>, BatchError> decode_tx_columns(ByteView section, size_t count,
                                                         const BatchLimits& limits,
                                                         const AddressRegistry* registry = nullptr,
                                                         std::vector<Address>* literals = nullptr);

}  // namespace fuse::batch
