#pragma once
/// The EVM's only window on the world (EVMC-like): the interpreter executes one call frame's
/// code and asks the Host for everything else (accounts, storage, nested calls, logs).
/// What happens *inside* a call (value transfer, snapshots, precompiles, create address
/// derivation, code deposit) is the host's business; opcode-level gas is the interpreter's.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/bytes.hpp"
#include "core/uint256.hpp"

namespace fuse::evm {

/// Fork rules the interpreter distinguishes.
enum class Revision : uint8_t {
    kCancun,  ///< EIP-1153, EIP-4844 (BLOBHASH/BLOBBASEFEE), EIP-5656, EIP-6780, EIP-7516.
    kPrague,  ///< Adds EIP-7702 delegation designators (extra access cost in CALL*).
};

/// Kind of a message call; STATICCALL is `kCall` with `Message::is_static`.
enum class CallKind : uint8_t { kCall, kDelegateCall, kCallCode, kCreate, kCreate2 };

/// Outcome of executing a frame. Every status other than kSuccess and kRevert consumes all gas.
enum class Status : uint8_t {
    kSuccess,
    kRevert,  ///< REVERT: state reverted, gas left returned, output kept.
    kOutOfGas,
    kInvalidInstruction,    ///< The designated INVALID opcode 0xfe.
    kUndefinedInstruction,  ///< An opcode not defined in this revision.
    kStackOverflow,
    kStackUnderflow,
    kBadJumpDestination,
    kInvalidMemoryAccess,  ///< RETURNDATACOPY/RETURNDATALOAD past the return data (EIP-211).
    kCallDepthExceeded,
    kStaticModeViolation,  ///< State change inside STATICCALL (EIP-214).
    kPrecompileFailure,
    kFailure,  ///< Any other failure (e.g. host-side create errors).
    kInsufficientBalance,
    kContractValidationFailure,  ///< EIP-3541 0xEF prefix or code over EIP-170's limit.
    kArgumentOutOfRange,         ///< Operand too large to be meaningful (e.g. memory offset).
    /// Should not happen: a bug, resource exhaustion, or the host could not read the world (a
    /// storage fault, which the host's owner reports; the frame's outcome is discarded).
    kInternalError,
};

/// Human-readable name of a status, for logs and test output.
constexpr std::string_view to_string(Status s) noexcept {
    switch (s) {
        case Status::kSuccess:
            return "success";
        case Status::kRevert:
            return "revert";
        case Status::kOutOfGas:
            return "out of gas";
        case Status::kInvalidInstruction:
            return "invalid instruction (0xfe)";
        case Status::kUndefinedInstruction:
            return "undefined instruction";
        case Status::kStackOverflow:
            return "stack overflow";
        case Status::kStackUnderflow:
            return "stack underflow";
        case Status::kBadJumpDestination:
            return "bad jump destination";
        case Status::kInvalidMemoryAccess:
            return "invalid memory access";
        case Status::kCallDepthExceeded:
            return "call depth exceeded";
        case Status::kStaticModeViolation:
            return "state modification in static call";
        case Status::kPrecompileFailure:
            return "precompile failure";
        case Status::kFailure:
            return "failure";
        case Status::kInsufficientBalance:
            return "insufficient balance";
        case Status::kContractValidationFailure:
            return "contract validation failure";
        case Status::kArgumentOutOfRange:
            return "argument out of range";
        case Status::kInternalError:
            return "internal error";
    }
    return "unknown status";
}

/// A message call or create (Yellow Paper §8, §7).
struct Message {
    CallKind kind = CallKind::kCall;
    bool is_static = false;
    int32_t depth = 0;  ///< 0 for the transaction's top frame; CALL* fails beyond 1024.
    int64_t gas = 0;
    Address recipient;  ///< Whose storage/balance the code acts on (ADDRESS).
    Address sender;     ///< CALLER.
    ByteView input;     ///< Calldata, or initcode for creates.
    uint256 value;      ///< CALLVALUE (for DELEGATECALL: the parent's value, not transferred).
    Hash32 create2_salt;
    Address code_address;  ///< Whose code runs (differs from recipient for DELEGATECALL/CALLCODE).
};

/// Result of executing a frame or a nested call.
struct ExecResult {
    Status status = Status::kSuccess;
    int64_t gas_left = 0;
    int64_t gas_refund = 0;  ///< Accumulated SSTORE refund (EIP-3529), may be negative in a frame.
    Bytes output;
    Address create_address;  ///< Set by the host for successful CREATE/CREATE2.
};

/// EIP-2929 access-list status before the access.
enum class AccessStatus : uint8_t { kCold, kWarm };

/// What an SSTORE did, relative to the original (tx start) and current values; the
/// interpreter prices EIP-2200/2929/3529 from it. Same meaning as EVMC's evmc_storage_status.
/// Naming: X -> Y -> Z is original -> current -> new; 0 means zero, X/Y/Z nonzero distinct.
enum class StorageStatus : uint8_t {
    kAssigned,          ///< Any other case (no-op write or already-dirty slot): warm read cost.
    kAdded,             ///< 0 -> 0 -> Z.
    kDeleted,           ///< X -> X -> 0.
    kModified,          ///< X -> X -> Z.
    kDeletedAdded,      ///< X -> 0 -> Z.
    kModifiedDeleted,   ///< X -> Y -> 0.
    kDeletedRestored,   ///< X -> 0 -> X.
    kAddedDeleted,      ///< 0 -> Y -> 0.
    kModifiedRestored,  ///< X -> Y -> X.
};

/// Transaction and block context (the parts opcodes can read).
struct TxContext {
    uint256 gas_price;  ///< Effective gas price (GASPRICE).
    Address origin;
    Address coinbase;
    int64_t number = 0;
    int64_t timestamp = 0;
    int64_t gas_limit = 0;
    uint256 prev_randao;  ///< PREVRANDAO / DIFFICULTY (EIP-4399).
    uint256 chain_id;
    uint256 base_fee;                     ///< EIP-3198.
    uint256 blob_base_fee;                ///< EIP-7516.
    std::span<const Hash32> blob_hashes;  ///< EIP-4844 BLOBHASH.
};

/// The world as the interpreter sees it. Implemented by `state` (and by a test host).
class Host {
public:
    virtual ~Host() = default;

    virtual bool account_exists(const Address& addr) const noexcept = 0;
    virtual uint256 get_storage(const Address& addr, const uint256& key) const noexcept = 0;
    virtual StorageStatus set_storage(const Address& addr, const uint256& key,
                                      const uint256& value) noexcept = 0;
    virtual uint256 get_balance(const Address& addr) const noexcept = 0;
    virtual size_t get_code_size(const Address& addr) const noexcept = 0;
    /// keccak256 of the code; zero hash for accounts that do not exist (EIP-1052).
    virtual Hash32 get_code_hash(const Address& addr) const noexcept = 0;
    /// Copies up to `size` bytes of code starting at `offset`; returns the number copied.
    virtual size_t copy_code(const Address& addr, size_t offset, uint8_t* buf,
                             size_t size) const noexcept = 0;
    /// Registers the SELFDESTRUCT (EIP-6780 semantics are the host's). Returns true if this is
    /// the first selfdestruct of `addr` in the transaction (pre-London refund semantics only).
    virtual bool selfdestruct(const Address& addr, const Address& beneficiary) noexcept = 0;
    /// Executes a nested call or create. `msg.gas` is what the callee gets (after 63/64,
    /// including the stipend); the host does depth/balance checks, value transfer, snapshots.
    virtual ExecResult call(const Message& msg) noexcept = 0;
    virtual const TxContext& get_tx_context() const noexcept = 0;
    /// Hash of block `number`; zero hash when out of the 256-block window (BLOCKHASH).
    virtual Hash32 get_block_hash(int64_t number) const noexcept = 0;
    virtual void emit_log(const Address& addr, ByteView data,
                          std::span<const uint256> topics) noexcept = 0;
    /// Marks the account warm; returns its status before (EIP-2929).
    virtual AccessStatus access_account(const Address& addr) noexcept = 0;
    /// Marks the slot warm; returns its status before (EIP-2929).
    virtual AccessStatus access_storage(const Address& addr, const uint256& key) noexcept = 0;
    /// EIP-1153 transient storage.
    virtual uint256 get_transient_storage(const Address& addr,
                                          const uint256& key) const noexcept = 0;
    virtual void set_transient_storage(const Address& addr, const uint256& key,
                                       const uint256& value) noexcept = 0;
};

}  // namespace fuse::evm
