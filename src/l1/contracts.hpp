#pragma once
/// Typed calls, events and errors of the L1 contracts SequencerInbox and RollupCore, written by
/// hand from docs/contracts.md (contracts_test.cpp checks every selector and topic against the
/// ABI JSON in contracts/out), plus the inbox's batch hashing and revert-data decoding.

#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/uint256.hpp"
#include "l1/abi.hpp"

namespace fuse::l1 {

/// Function signatures (canonical, as hashed into selectors).
namespace sig {
inline constexpr const char* kAddSequencerL2Batch =
    "addSequencerL2Batch(uint256,bytes,uint256,uint256)";
inline constexpr const char* kBatchCount = "batchCount()";
inline constexpr const char* kInboxAccs = "inboxAccs(uint256)";
inline constexpr const char* kMessageCountAfter = "messageCountAfter(uint256)";
inline constexpr const char* kTotalMessageCount = "totalMessageCount()";
inline constexpr const char* kCurrentTimeBounds = "currentTimeBounds()";
inline constexpr const char* kMaxTimeVariation = "maxTimeVariation()";
inline constexpr const char* kMaxDataSize = "maxDataSize()";
inline constexpr const char* kIsBatchPoster = "isBatchPoster(address)";
inline constexpr const char* kPostStateRoot =
    "postStateRoot(uint256,uint256,bytes32,bytes32,bytes32)";
inline constexpr const char* kPostedBatchCount = "postedBatchCount()";
inline constexpr const char* kGetRecord = "getRecord(uint256)";
inline constexpr const char* kLatestPosted = "latestPosted()";
inline constexpr const char* kGenesisHash = "genesisHash()";
inline constexpr const char* kInbox = "inbox()";
inline constexpr const char* kIsProposer = "isProposer(address)";
/// Events (topic0 = keccak256 of these).
inline constexpr const char* kSequencerBatchDelivered =
    "SequencerBatchDelivered(uint256,bytes32,bytes32,bytes32,(uint64,uint64,uint64,uint64),uint256,"
    "uint256)";
inline constexpr const char* kStateRootPosted =
    "StateRootPosted(uint256,uint64,bytes32,bytes32,bytes32,bytes32,address)";
}  // namespace sig

/// An L1 log as eth_getLogs / receipts return it (the fields the node uses).
struct Log {
    Address address;
    std::vector<Hash32> topics;
    Bytes data;
    uint64_t block_number = 0;
    Hash32 block_hash;
    Hash32 tx_hash;
    uint64_t log_index = 0;
    bool removed = false;
};

/// ISequencerInbox.TimeBounds.
struct TimeBounds {
    uint64_t min_timestamp = 0, max_timestamp = 0, min_block_number = 0, max_block_number = 0;
    friend bool operator==(const TimeBounds&, const TimeBounds&) = default;
};

/// SequencerBatchDelivered(uint256 indexed, bytes32 indexed beforeAcc, bytes32 indexed afterAcc,
/// bytes32 dataHash, TimeBounds, uint256 prevMessageCount, uint256 newMessageCount).
struct SequencerBatchDelivered {
    uint256 batch_sequence_number;
    Hash32 before_acc, after_acc, data_hash;
    TimeBounds time_bounds;
    uint256 prev_message_count, new_message_count;
};

/// StateRootPosted(uint256 indexed batch, uint64 indexed l2BlockNumber, bytes32 l2BlockHash,
/// bytes32 stateRoot, bytes32 sendRoot, bytes32 inboxAcc, address proposer).
struct StateRootPosted {
    uint256 batch_sequence_number;
    uint64_t l2_block_number = 0;
    Hash32 l2_block_hash, state_root, send_root, inbox_acc;
    Address proposer;
};

/// RollupCore.StateRootRecord.
struct StateRootRecord {
    Hash32 l2_block_hash, state_root, send_root, inbox_acc;
    uint64_t l2_block_number = 0, posted_at_l1_block = 0, posted_at_timestamp = 0;
};

/// The arguments of addSequencerL2Batch.
struct AddSequencerL2Batch {
    uint256 sequence_number;
    Bytes data;
    uint256 prev_message_count, new_message_count;
};

/// Calldata of addSequencerL2Batch (selector 0x9feca5a0).
Bytes encode_add_sequencer_l2_batch(const AddSequencerL2Batch& call);
/// Decodes a transaction input that must be an addSequencerL2Batch call (validator, step 2).
Result<AddSequencerL2Batch, AbiError> decode_add_sequencer_l2_batch(ByteView input);
/// Calldata of postStateRoot (selector 0xe689402d).
Bytes encode_post_state_root(const uint256& batch, uint64_t l2_block_number,
                             const Hash32& l2_block_hash, const Hash32& state_root,
                             const Hash32& send_root);
/// Calldata of a function taking no argument or one uint256/address argument.
Bytes encode_call(std::string_view signature);
Bytes encode_call(std::string_view signature, const uint256& arg);
Bytes encode_call(std::string_view signature, const Address& arg);

/// Decodes the event from a log; kValueMismatch when topic0 or the topic count is wrong.
Result<SequencerBatchDelivered, AbiError> decode_sequencer_batch_delivered(const Log& log);
Result<StateRootPosted, AbiError> decode_state_root_posted(const Log& log);
/// Return data of getRecord(uint256) and latestPosted().
Result<StateRootRecord, AbiError> decode_state_root_record(ByteView output);
Result<std::pair<uint256, StateRootRecord>, AbiError> decode_latest_posted(ByteView output);
/// Return data of currentTimeBounds() / maxTimeVariation() (four uint64).
Result<TimeBounds, AbiError> decode_time_bounds(ByteView output);
/// Return data that is one word: uint256, bytes32 or address.
Result<uint256, AbiError> decode_uint(ByteView output);

/// The 48-byte batch header: be64 of the time bounds and the message counts (docs/contracts.md).
std::array<uint8_t, 48> batch_header(const TimeBounds& bounds, uint64_t prev_message_count,
                                     uint64_t new_message_count);
/// keccak256(header ‖ data).
Hash32 batch_data_hash(const TimeBounds& bounds, uint64_t prev_message_count,
                       uint64_t new_message_count, ByteView data);
/// keccak256(prev_acc ‖ data_hash).
Hash32 next_accumulator(const Hash32& prev_acc, const Hash32& data_hash);

/// A custom error as declared in a contract ABI.
struct ErrorDef {
    std::string name;
    std::vector<AbiType> inputs;
    std::string signature() const;
};

/// What revert data says: Error(string), Panic(uint256), a known custom error, or unknown.
struct RevertReason {
    enum class Kind { kEmpty, kErrorString, kPanic, kCustom, kUnknown } kind = Kind::kEmpty;
    std::string name;               ///< "Error", "Panic", the custom error's name, or "" if unknown
    std::vector<std::string> args;  ///< arguments, formatted (format_value)
    std::vector<AbiValue> values;   ///< arguments, decoded
    Bytes raw;
    /// "BadSequenceNumber(1, 5)", "Error(\"msg\")", "Panic(0x11: arithmetic overflow)",
    /// "unknown revert 0x12345678..."
    std::string to_string() const;
};

/// Custom errors by selector, filled from contract ABI JSON (`abi` arrays or whole artifacts).
class ErrorRegistry {
public:
    /// Adds every `"type": "error"` entry of an ABI (the JSON text of an artifact or of its
    /// `abi` array). Returns false if the JSON is not an ABI.
    bool add_abi_json(std::string_view json_text);
    /// Adds one error by its signature text, e.g. "BadSequenceNumber(uint256,uint256)".
    bool add(std::string_view name, std::string_view types);
    const ErrorDef* find(uint32_t selector) const;
    size_t size() const { return by_selector_.size(); }
    /// Every error of SequencerInbox and RollupCore listed in docs/contracts.md, so the node can
    /// name reverts without reading the artifacts.
    static ErrorRegistry builtin();

private:
    std::unordered_map<uint32_t, ErrorDef> by_selector_;
};

/// Decodes revert data (the `data` of an execution-reverted error or a failed eth_call).
RevertReason decode_revert(ByteView data, const ErrorRegistry& errors);

/// The reason text of a Panic code (Solidity docs, "Panic via assert").
const char* panic_reason(uint64_t code);

}  // namespace fuse::l1
