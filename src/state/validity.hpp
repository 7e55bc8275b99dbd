#pragma once
/// Transaction validity, once for the whole node: one reason enum, one message table (geth's texts,
/// go-ethereum core/error.go and core/txpool/errors.go), and the checks, split as geth splits
/// them:
///  - *stateless* checks need only the transaction and the chain's fixed rules (size, decoding,
///    type allowed, chain id (EIP-155), signature (EIP-2), gas cap, tip, intrinsic gas
///    (Yellow Paper eq. 64, EIP-7623 floor));
///  - *stateful* checks need the sender's account or the block (nonce, balance, fee cap against
///    the base fee (EIP-1559), block gas left, sender without code (EIP-3607));
///  - the pool's own refusals (duplicates, replacement, bounds) and the node's (shutting down).
/// The pool (sequencer/checks, pool), the block builder (arbos) and `apply_transaction` all
/// answer with these reasons; the RPC layer alone maps them to JSON-RPC codes (ethrpc).
///
/// A message is the table's text, then details after ": " in the format geth uses where the
/// check runs: the pool says "intrinsic gas too low: gas G, minimum needed N", execution says
/// "intrinsic gas too low: have G, want N" (geth's txpool/validation.go and
/// core/state_transition.go), and clients see exactly that.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/address.hpp"
#include "core/result.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"
#include "state/storage_fault.hpp"

namespace fuse::state {

/// Why a transaction is refused. Ordered by stage (see `stage`).
enum class TxReason : uint8_t {
    // Stateless: the transaction and the chain's fixed rules.
    kOversized,             ///< raw size above the pool's cap (geth ErrOversizedData)
    kMalformed,             ///< not a canonical EIP-2718 encoding ("rlp: ...")
    kUnsupportedType,       ///< blob txs (Fuse has none), set-code before Prague
    kNotReplayProtected,    ///< legacy without an EIP-155 chain id, refused over RPC
    kWrongChainId,          ///< EIP-155 chain id of another chain
    kInvalidSignature,      ///< EIP-2 high s, bad v, unrecoverable (geth ErrInvalidSender)
    kGasLimit,              ///< compute gas above the per-tx cap (geth txpool ErrGasLimit)
    kTipAboveFeeCap,        ///< EIP-1559 max priority fee > max fee
    kIntrinsicGas,          ///< gas limit below intrinsic gas (+ ArbOS's L1 poster gas)
    kFloorDataGas,          ///< gas limit below the EIP-7623 calldata floor
    kInitcodeSizeExceeded,  ///< EIP-3860
    kGasPriceOverflow,      ///< gas limit × price above 2^256
    kBlobCreate,            ///< EIP-4844 blob tx without `to`
    kMissingBlobHashes,     ///< EIP-4844 blob tx without blobs
    kInvalidBlobHash,       ///< EIP-4844 versioned hash not starting with 0x01
    kTooManyBlobs,          ///< EIP-4844 / EIP-7691 more blobs than a block may carry
    kSetCodeCreate,         ///< EIP-7702 set-code tx without `to`
    kEmptyAuthList,         ///< EIP-7702 set-code tx without authorizations
    // Stateful: the sender's account or the block.
    kFeeCapTooLow,       ///< EIP-1559 max fee (or gas price) below the base fee
    kBlobFeeCapTooLow,   ///< EIP-4844 max fee per blob gas below the blob base fee
    kGasLimitReached,    ///< gas limit above what the block has left
    kSenderNotEoa,       ///< EIP-3607 (delegated EOAs allowed, EIP-7702)
    kNonceMax,           ///< EIP-2681
    kNonceTooLow,        ///< below the account's (or the pool's next) nonce
    kNonceTooHigh,       ///< above the account's nonce (execution; the pool queues it)
    kInsufficientFunds,  ///< balance below gas limit × max fee + value
    // The pool's and the node's own refusals.
    kAlreadyKnown,            ///< the same hash is pooled or sealed-not-durable
    kReplacementUnderpriced,  ///< same sender and nonce without the price bump
    kNonceGapTooLarge,        ///< too many queued future nonces (geth ErrAccountLimitExceeded)
    kPoolFull,                ///< pending + queued at the pool's bound
    kReplaced,                ///< a pooled tx replaced by a higher-fee one
    kShuttingDown,            ///< the sequencer stopped before the tx was sealed
    kHalted,                  ///< the sequencer halted: L1 no longer supports its chain
    kBlockSealed,             ///< offered to a block builder after `finish`
    /// The state could not be read (docs/storage.md "Errors"): the message is the fault's text
    /// alone (`storage_fault_refusal`), e.g. geth's "missing trie node <hash> (path ...)".
    kStorageFault,
};
inline constexpr size_t kTxReasonCount = static_cast<size_t>(TxReason::kStorageFault) + 1;

/// Which checks find a reason.
enum class TxStage : uint8_t {
    kStateless,  ///< the transaction alone (the pool runs these before taking its lock)
    kStateful,   ///< the sender's account, the block's base fee and gas left
    kPool,       ///< the pool's contents and the node's state
};

/// geth's text for `r` ("nonce too low", "intrinsic gas too low", ...).
std::string_view message(TxReason r);
/// Stable metric label ("nonce_too_low", ...).
const char* to_label(TxReason r);
/// The name the official fixtures use (e.g. "TransactionException.INTRINSIC_GAS_TOO_LOW");
/// "TransactionException.UNKNOWN" for reasons execution never returns.
const char* exception_name(TxReason r);
TxStage stage(TxReason r);

/// A refusal: the reason and the full text a client sees.
struct TxRefusal {
    TxReason reason = TxReason::kMalformed;
    std::string message;
};

/// `message(r)` alone.
TxRefusal make_refusal(TxReason r);
/// "`message(r)`: `detail`".
TxRefusal make_refusal(TxReason r, std::string_view detail);
/// kStorageFault with the fault's own text (as geth answers a call on a state it cannot read).
TxRefusal storage_fault_refusal(const StorageFault& fault);

/// The chain's fixed rules (the pool's and the block builder's).
struct TxRules {
    uint64_t chain_id = 0;
    evm::Revision revision = evm::Revision::kCancun;
};

// ---- Stateless checks. Each returns the refusal, or nothing when the transaction passes.

/// geth's txMaxSize: the raw size, before decoding (DoS protection).
std::optional<TxRefusal> check_size(size_t raw_size, size_t max_size);
/// A decoding failure as a refusal: signature faults are kInvalidSignature, an unknown type
/// kUnsupportedType, the rest kMalformed.
TxRefusal decode_error(TxError e);
/// Fuse L2 has no blob transactions (DESIGN.md §1); set-code (EIP-7702) ones from Prague on.
std::optional<TxRefusal> check_type(const Transaction& tx, evm::Revision rev);
/// EIP-155: the chain id must be `chain_id`. Without one the tx is refused when
/// `require_protected` (geth's RPC default), else accepted (pre-EIP-155 legacy).
std::optional<TxRefusal> check_chain_id(const Transaction& tx, uint64_t chain_id,
                                        bool require_protected);
/// EIP-1559: max priority fee ≤ max fee (the pool's text, with both values).
std::optional<TxRefusal> check_tip(const Transaction& tx);
/// Intrinsic gas g0 (Yellow Paper eq. 64; EIP-2028, 2930, 3860, 7702) and the EIP-7623 floor
/// (zero before Prague).
struct IntrinsicGas {
    int64_t intrinsic = 0;
    int64_t floor = 0;
};
IntrinsicGas intrinsic_gas(const Transaction& txn, evm::Revision rev);

/// The per-transaction cap bounds compute gas (gas limit − `poster_gas`), the L1 part comes on
/// top (docs/arbos.md "Limits"); the pool's text.
std::optional<TxRefusal> check_gas_cap(const Transaction& tx, uint64_t poster_gas, uint64_t cap);
/// Intrinsic gas plus `poster_gas` (ArbOS's L1 data gas), then the EIP-7623 floor; the pool's
/// texts ("gas G, minimum needed N (L1 data P)").
std::optional<TxRefusal> check_intrinsic_gas(const Transaction& tx, evm::Revision rev,
                                             uint64_t poster_gas);

// ---- Stateful checks (the pool's texts).

/// EIP-1559: max fee (or gas price) ≥ the base fee.
std::optional<TxRefusal> check_fee_cap(const Transaction& tx, const Address& sender,
                                       const uint256& base_fee);
/// The nonce against the sender's next one (account nonce + pending pool transactions).
std::optional<TxRefusal> check_nonce(const Transaction& tx, uint64_t next_nonce);
/// The balance against the most the tx can cost (`max_tx_cost`).
std::optional<TxRefusal> check_balance(const uint256& balance, const uint256& cost);

/// gas × max fee + value, saturating at 2^256 - 1 instead of wrapping.
uint256 max_tx_cost(const Transaction& tx);

// ---- The pool's and the node's refusals with details.

/// "replaced by transaction <hash> with higher fees" (the replaced tx's answer).
TxRefusal replaced_by(const Hash32& hash);
/// The answer to transactions still pooled when the sequencer stops.
TxRefusal stopped_before_sealed();

}  // namespace fuse::state
