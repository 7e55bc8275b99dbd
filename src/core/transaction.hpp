#pragma once
/// Ethereum transactions: legacy (with and without EIP-155 replay protection), EIP-2930 access
/// lists (type 1), EIP-1559 dynamic fees (type 2), EIP-4844 blobs (type 3: decode/encode/hash
/// only, for the official state tests; the L2 refuses them) and EIP-7702 set-code (type 4).
/// Typed transactions use the EIP-2718 envelope `type ‖ rlp(fields)`; legacy ones are a bare
/// RLP list. Decoding is strict (canonical RLP, exact field counts, no trailing bytes) so that
/// `encode_transaction(decode_transaction(b)) == b` for every accepted `b`.
/// Blocks also hold ArbOS's unsigned deposit transactions, Arbitrum's ArbitrumDepositTx (0x64)
/// and ArbitrumContractTx (0x66) (docs/arbos.md "Deposits"): `decode_block_transaction` reads
/// them; `decode_transaction`, what users' bytes go through, refuses them.

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/secp256k1.hpp"
#include "core/uint256.hpp"

namespace fuse {

/// EIP-2718 transaction type.
enum class TxType : uint8_t {
    kLegacy = 0,
    kAccessList = 1,
    kDynamicFee = 2,
    kBlob = 3,
    kSetCode = 4,
    /// Arbitrum's ArbitrumDepositTx: rlp([chainId, requestId, from, to, value]), unsigned.
    kArbitrumDeposit = 0x64,
    /// Arbitrum's ArbitrumContractTx: rlp([chainId, requestId, from, gasFeeCap, gas, to, value,
    /// data]), unsigned.
    kArbitrumContract = 0x66,
};

/// The unsigned types ArbOS puts at the start of a block for L1 deposits (0x64, 0x66).
constexpr bool is_deposit_type(TxType t) {
    return t == TxType::kArbitrumDeposit || t == TxType::kArbitrumContract;
}

/// One EIP-2930 access-list entry.
struct AccessListEntry {
    Address address;
    std::vector<Hash32> storage_keys;
    friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

/// One EIP-7702 authorization tuple [chain_id, address, nonce, y_parity, r, s].
struct Authorization {
    uint256 chain_id;
    Address address;
    uint64_t nonce = 0;
    uint8_t y_parity = 0;
    uint256 r;
    uint256 s;

    /// keccak256(0x05 ‖ rlp([chain_id, address, nonce])) (EIP-7702 MAGIC = 0x05).
    Hash32 signing_hash() const;
    /// The signer, or nullopt when the signature is invalid: y_parity not 0/1, r or s outside
    /// [1, n-1], s above n/2 (EIP-2) or nothing recovers. Per EIP-7702 such a tuple is skipped.
    std::optional<Address> recover_authority() const;
    /// The other EIP-7702 skip rules that need no state: chain_id is 0 or `chain_id`, and the
    /// nonce is below 2^64 - 1.
    bool valid_for_chain(uint64_t chain_id) const;

    friend bool operator==(const Authorization&, const Authorization&) = default;
};

/// A signed transaction of any supported type. Fields a type does not have stay zero/empty.
struct Transaction {
    TxType type = TxType::kLegacy;
    /// EIP-155 chain id; nullopt only for legacy transactions without replay protection.
    std::optional<uint64_t> chain_id;
    uint64_t nonce = 0;
    uint256 gas_price;  ///< legacy and EIP-2930
    uint256 max_priority_fee_per_gas;
    uint256 max_fee_per_gas;
    uint64_t gas_limit = 0;
    std::optional<Address> to;  ///< nullopt: contract creation (legacy, 1, 2, 0x66 only)
    uint256 value;
    Bytes data;
    std::vector<AccessListEntry> access_list;
    uint256 max_fee_per_blob_gas;
    std::vector<Hash32> blob_versioned_hashes;
    std::vector<Authorization> authorization_list;
    /// Deposit types (0x64, 0x66): Arbitrum's request id (here the 32-byte big-endian deposit
    /// index) and the sender the transaction names (it has no signature).
    Hash32 request_id;
    Address from;
    uint8_t y_parity = 0;
    /// Legacy: the raw v (27/28, or chain_id * 2 + 35/36); typed: equal to y_parity (as JSON-RPC
    /// reports it). The encoder derives v from chain_id and y_parity, never from this field.
    uint256 v;
    uint256 r;
    uint256 s;

    /// The fee cap per gas: gas_price for legacy/2930, max_fee_per_gas otherwise.
    const uint256& max_fee() const {
        return type == TxType::kLegacy || type == TxType::kAccessList ? gas_price : max_fee_per_gas;
    }
    /// The tip cap per gas: gas_price for legacy/2930, max_priority_fee_per_gas otherwise.
    const uint256& max_priority_fee() const {
        return type == TxType::kLegacy || type == TxType::kAccessList ? gas_price
                                                                      : max_priority_fee_per_gas;
    }

    friend bool operator==(const Transaction&, const Transaction&) = default;
};

enum class TxError {
    kEmptyInput,              ///< no bytes at all
    kUnsupportedType,         ///< EIP-2718 type byte other than 1-4 (0x00, 0x05-0x7f); for
                              ///< decode_block_transaction other than 1-4, 0x64, 0x66
    kNotAList,                ///< the transaction (or a field that must be a list) is not a list
    kUnexpectedList,          ///< a field that must be a string is a list
    kRlpTruncated,            ///< an item runs past the end of its input
    kRlpNonCanonical,         ///< a non-canonical RLP length or integer encoding
    kRlpTrailingBytes,        ///< bytes after the transaction
    kRlpTooLarge,             ///< lengths or nesting beyond the decoder limits
    kWrongFieldCount,         ///< the list has too few or too many fields for its type
    kIntegerOverflow,         ///< an integer too wide for its field (RLP_INVALID_VALUE)
    kBadFieldLength,          ///< an address not 20 bytes, a hash not 32 bytes
    kCreationNotAllowed,      ///< empty `to` in a type 3 or 4 transaction
    kInvalidV,                ///< legacy v not 27/28 or >= 35, or y_parity above 1
    kInvalidSignatureValues,  ///< r or s outside [1, n-1]
    kHighS,                   ///< s above n/2 (EIP-2)
    kRecoveryFailed,          ///< no public key recovers from the signature
    kBadAuthorization,        ///< an EIP-7702 tuple with a field out of its bounds
};

/// Human-readable reason for a transaction error.
const char* to_string(TxError e);

/// Decodes an EIP-2718 transaction: `type ‖ rlp(fields)` for types 1-4, a bare RLP list for
/// legacy. Checks structure only (no signature recovery). The deposit types 0x64 and 0x66 are
/// kUnsupportedType: only ArbOS creates them, never a user.
Result<Transaction, TxError> decode_transaction(ByteView eip2718);

/// Any transaction a block may hold: what `decode_transaction` accepts, plus the deposit types
/// 0x64 and 0x66 (strict as well: canonical RLP, exact field counts, 32-byte request id,
/// 20-byte addresses, no trailing bytes). For stored blocks, never for users' bytes.
Result<Transaction, TxError> decode_block_transaction(ByteView eip2718);

/// The EIP-2718 encoding; byte-identical to the input for decoded transactions.
Bytes encode_transaction(const Transaction& txn);

/// The hash a sender signs: keccak of the unsigned fields (EIP-155 form when legacy has a
/// chain id; `type ‖ rlp(...)` for typed transactions).
Hash32 signing_hash(const Transaction& txn);

/// keccak256 of the EIP-2718 encoding.
Hash32 tx_hash(const Transaction& txn);

/// Recovers the sender: checks r, s in range, EIP-2 low s, and y_parity. A deposit type has no
/// signature (kUnsupportedType; its sender is `txn.from`).
Result<Address, TxError> recover_sender(const Transaction& txn);

/// Signs `txn` in place with `private_key` (sets y_parity, r, s and, for legacy, v).
Result<void, TxError> sign_transaction(Transaction& txn, const Hash32& private_key);

}  // namespace fuse
