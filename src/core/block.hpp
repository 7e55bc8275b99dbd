#pragma once
/// The Ethereum block header (Yellow Paper, section 4.3) with the fields later forks append:
/// base fee (EIP-1559, London), withdrawals root (EIP-4895, Shanghai), blob gas used and excess
/// blob gas (EIP-4844, Cancun), parent beacon block root (EIP-4788, Cancun) and requests hash
/// (EIP-7685, Prague). Optional fields are appended in that order; a later one may be present
/// only when all earlier ones are.

#include <array>
#include <optional>

#include "core/bloom.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"

namespace fuse {

/// keccak256(rlp([])): the ommers hash of every post-merge block.
inline constexpr Hash32 kEmptyListHash = {
    {{0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
      0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
      0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47}}};

/// EIP-7685's hash of an empty request list: sha256("") (geth's types.EmptyRequestsHash).
inline constexpr Hash32 kEmptyRequestsHash = {
    {{0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
      0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
      0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55}}};

struct BlockHeader {
    Hash32 parent_hash;
    Hash32 ommers_hash = kEmptyListHash;
    Address beneficiary;
    Hash32 state_root;
    Hash32 transactions_root;
    Hash32 receipts_root;
    Bloom logs_bloom;
    uint256 difficulty;
    uint64_t number = 0;
    uint64_t gas_limit = 0;
    uint64_t gas_used = 0;
    uint64_t timestamp = 0;
    Bytes extra_data;
    Hash32 mix_hash;  ///< prev_randao after the merge (EIP-4399)
    std::array<uint8_t, 8> nonce{};
    std::optional<uint256> base_fee_per_gas;
    std::optional<Hash32> withdrawals_root;
    std::optional<uint64_t> blob_gas_used;
    std::optional<uint64_t> excess_blob_gas;
    std::optional<Hash32> parent_beacon_block_root;
    std::optional<Hash32> requests_hash;

    friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

enum class HeaderError {
    kMalformedRlp,     ///< not one canonical RLP list of strings
    kWrongFieldCount,  ///< fewer than 15 or more than 21 fields
    kBadFieldLength,   ///< a hash not 32 bytes, address not 20, bloom not 256, nonce not 8
    kIntegerOverflow,  ///< an integer wider than its field
    kMissingField,     ///< an optional field present while an earlier one is missing (encoder)
};

/// Human-readable reason for a header error.
const char* to_string(HeaderError e);

/// rlp([parent_hash, ommers_hash, ..., nonce, base_fee?, ..., requests_hash?]). The optional
/// fields are written up to the last present one; a gap makes the header unencodable.
Result<Bytes, HeaderError> encode_header(const BlockHeader& h);

/// Strict decoding (15 to 21 fields).
Result<BlockHeader, HeaderError> decode_header(ByteView rlp);

/// keccak256(rlp(header)), the block hash; a header with a gap in its optional fields has no
/// hash (Unexpected kMissingField).
Result<Hash32, HeaderError> header_hash(const BlockHeader& h);

}  // namespace fuse
