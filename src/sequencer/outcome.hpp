#pragma once
/// The outcome of a submitted transaction: included (durably) or refused, with the JSON-RPC
/// error to answer. Messages follow
/// go-ethereum's (core/txpool/errors.go, core/error.go) so that wallets and libraries that match
/// on them (ethers' `NONCE_EXPIRED`, `INSUFFICIENT_FUNDS`, `REPLACEMENT_UNDERPRICED`) behave as
/// against geth.

#include <cstdint>
#include <functional>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::sequencer {

/// Why a transaction was refused, with the JSON-RPC error to answer (geth's messages).
struct Rejection {
    enum class Reason {
        kMalformed,               ///< not a decodable EIP-2718 transaction ("rlp: ...")
        kOversized,               ///< "oversized data"
        kWrongChainId,            ///< "invalid chain id for signer"
        kNotReplayProtected,      ///< legacy without EIP-155 chain id ("only replay-protected ...")
        kInvalidSignature,        ///< "invalid sender"
        kNonceTooLow,             ///< "nonce too low: next nonce N, tx nonce M"
        kNonceGapTooLarge,        ///< too many queued future nonces ("account limit exceeded")
        kInsufficientFunds,       ///< "insufficient funds for gas * price + value"
        kIntrinsicGas,            ///< "intrinsic gas too low" (L1 poster gas included)
        kGasLimit,                ///< "exceeds block gas limit"
        kUnderpriced,             ///< max fee below the base-fee floor
        kTipAboveFeeCap,          ///< "max priority fee per gas higher than max fee per gas"
        kAlreadyKnown,            ///< "already known"
        kReplacementUnderpriced,  ///< same sender+nonce without a 10% fee bump
        kReplaced,                ///< a pooled tx replaced by a higher-fee one (its callback)
        kPoolFull,                ///< "txpool is full"
        kUnsupportedType,         ///< blob transactions ("transaction type not supported")
        kExecution,               ///< rejected by ArbOS at execution (message carries the reason)
        kShuttingDown,            ///< the sequencer stopped before the tx was sealed
        kHalted,                  ///< the sequencer halted: L1 no longer supports its chain
    };
    Reason reason = Reason::kMalformed;
    std::string message;
    int code = -32000;  ///< geth answers every pool error with -32000
};

/// Stable metric label of a reason ("nonce_too_low", ...).
const char* to_label(Rejection::Reason r);

/// The acknowledgement: the tx is in a durable sealed block.
struct Inclusion {
    Hash32 tx_hash;
    uint64_t block_number = 0;
    uint32_t index = 0;
};

/// What `Sequencer::submit` reports, exactly once per transaction.
using SubmitResult = Result<Inclusion, Rejection>;
using SubmitCallback = std::function<void(SubmitResult)>;

}  // namespace fuse::sequencer
