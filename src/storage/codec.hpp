#pragma once
/// Key and value encodings of the storage layer's column families (docs/storage.md). Values use
/// a plain length-prefixed binary layout (fixed-width big-endian integers, u32 lengths); headers
/// and receipts keep their Ethereum RLP so they are hashed/served as is.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "arbos/arbos.hpp"
#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "state/account.hpp"

namespace fuse::storage {

/// An account as the flat state keeps it: the header plus its storage root, so the account
/// trie leaf can be rebuilt and `has_storage` answered without touching the storage trie.
struct AccountRecord {
    state::Account account;
    Hash32 storage_root = kEmptyTrieRoot;
    friend bool operator==(const AccountRecord&, const AccountRecord&) = default;
};

/// Storage slot key: address ‖ big-endian slot key (also the flat `storage` CF key).
using SlotKey = FixedBytes<52>;
SlotKey make_slot_key(const Address& addr, const uint256& key);

struct SlotKeyHasher {
    size_t operator()(const SlotKey& k) const noexcept;
};

/// What a block changed, in its previous values: enough to restore the flat state exactly.
struct UndoRecord {
    std::vector<std::pair<Address, std::optional<AccountRecord>>> accounts;
    std::vector<std::pair<SlotKey, uint256>> slots;  ///< zero = the slot was absent
};

/// Big-endian block number key (sorts numerically).
std::array<uint8_t, 8> number_key(uint64_t n);
uint64_t read_be64(const uint8_t* p);

Bytes encode_account_record(const AccountRecord& r);
std::optional<AccountRecord> decode_account_record(ByteView in);

/// The state trie's leaf: rlp([nonce, balance, storageRoot, codeHash]) (YP eq. 8); nullopt when
/// malformed.
std::optional<AccountRecord> decode_account_rlp(ByteView rlp_bytes);

/// Everything of an arbos::Block except the header (kept in its own family) and the receipts.
Bytes encode_body(const arbos::Block& b);
/// Fills `b.txs` (receipts empty) and the ArbOS fields; false when malformed.
bool decode_body(ByteView in, arbos::Block& b);

Bytes encode_receipts(const arbos::Block& b);
/// Puts the receipts into `b.txs` (which `decode_body` filled).
bool decode_receipts(ByteView in, arbos::Block& b);
/// Receipts alone (log queries).
bool decode_receipt_list(ByteView in, std::vector<Receipt>& out);

/// The message (header, txs) and, if it has one, its deposit ref after the txs. Records
/// written before deposit refs existed (nothing after the txs) decode with no ref.
///
/// Given the block built from it, a transaction the block's body holds is written as
/// u32 0xffffffff ‖ u32 index into the body's transactions instead of its bytes (the body
/// already stores them: ~40 % of a transfer's permanent bytes); decoding such a record needs
/// that block (its body), else it fails.
Bytes encode_message(const arbos::Message& m, const arbos::Block* block = nullptr);
std::optional<arbos::Message> decode_message(ByteView in, const arbos::Block* block = nullptr);
/// Whether a message record holds references into its block's body.
bool message_refers_to_body(ByteView in);
/// The length value that marks a reference into the body.
inline constexpr uint32_t kBodyTxRef = 0xffffffffu;

/// A deposit's record in the `deposits` family (its index is the key).
Bytes encode_deposit(const Deposit& d);
std::optional<Deposit> decode_deposit(uint64_t index, ByteView in);

Bytes encode_undo(const UndoRecord& u);
std::optional<UndoRecord> decode_undo(ByteView in);

/// Tx index value: block number ‖ index.
Bytes encode_tx_location(uint64_t block_number, uint32_t index);

}  // namespace fuse::storage
