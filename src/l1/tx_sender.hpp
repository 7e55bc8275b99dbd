#pragma once
/// Sends L1 transactions for the batch poster and the proposer: nonces (pending count at start,
/// then local), EIP-1559 fees when the L1 has a base fee (Fuse is London) else legacy, fee
/// bumping and same-nonce replacement of transactions not included for `stuck_blocks` blocks,
/// confirmation tracking (K blocks), re-sending when a transaction is dropped or reorged out,
/// and filling a nonce gap left when confirmed ones were reorged out.
/// Single-threaded: call `poll()` (or `wait()`) from the thread that owns the sender.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/transaction.hpp"
#include "l1/rpc_client.hpp"
#include "l1/signer.hpp"

namespace fuse::l1 {

struct SenderConfig {
    uint64_t confirmations = 1;  ///< K: blocks including the receipt's (1 = just included)
    uint64_t stuck_blocks = 3;   ///< bump fees after this many new blocks without inclusion
    /// Replacement bump in per mille of the previous fees (nodes need >= 100 = 10%; 125 = 12.5%).
    uint64_t bump_per_mille = 125;
    /// Highest max fee (wei/gas) the sender will offer; 0 = no cap.
    uint256 max_fee_cap;
    /// Gas limit = estimate * (100 + margin) / 100.
    uint64_t gas_margin_percent = 20;
    std::chrono::milliseconds poll_interval{100};
    /// Receives one line per notable event (sent, bumped, re-sent, confirmed). Never the key.
    std::function<void(const std::string&)> log;
};

/// One logical transaction and every version of it that was broadcast (same nonce).
struct InFlightTx {
    enum class State { kPending, kIncluded, kConfirmed };
    uint64_t id = 0;
    State state = State::kPending;
    Transaction txn;                  ///< the latest signed version
    std::vector<Hash32> sent_hashes;  ///< every version broadcast, oldest first
    uint64_t sent_at_block = 0;       ///< L1 head when the latest version was broadcast
    std::optional<TxReceipt> receipt;
    unsigned bumps = 0;    ///< fee replacements
    unsigned resends = 0;  ///< re-broadcasts after a drop or reorg
};

class TxSender {
public:
    /// Reads the chain id, whether the L1 has a base fee, and the signer's pending nonce.
    TxSender(RpcClient& rpc, Signer signer, SenderConfig config = {});

    const Address& address() const { return signer_.address(); }
    uint64_t next_nonce() const { return next_nonce_; }
    bool uses_eip1559() const { return eip1559_; }

    /// Builds, signs and broadcasts a transaction (to = nullopt creates a contract). The gas limit
    /// is estimated when not given: an estimate that reverts throws L1Error(kReverted) with the
    /// revert data (decode it with decode_revert) and uses no nonce. Returns the sender's id.
    uint64_t submit(std::optional<Address> to, Bytes data, const uint256& value = {},
                    std::optional<uint64_t> gas_limit = std::nullopt);

    /// One round: looks for receipts, checks they are still canonical, counts confirmations,
    /// bumps stuck transactions, re-sends dropped or reorged-out ones.
    void poll();

    /// Polls until `id` has K confirmations; returns its receipt (which may say failed).
    /// Throws L1Error(kTimeout) after `timeout`.
    TxReceipt wait(uint64_t id, std::chrono::milliseconds timeout);

    const InFlightTx* find(uint64_t id) const;
    /// Transactions not yet confirmed (what a caller persists to resume after a restart).
    std::vector<InFlightTx> pending() const;
    /// Forgets confirmed transactions.
    void prune_confirmed();

private:
    struct Fees {
        uint256 tip, max_fee;  // legacy: both = gas price
    };
    Fees current_fees();
    /// A new unsigned transaction of this sender (next id, the L1's fee style).
    InFlightTx make_tx(uint64_t nonce, uint64_t gas_limit, std::optional<Address> to,
                       const uint256& value, Bytes data, const Fees& fees);
    void broadcast(InFlightTx& tx, uint64_t head, const char* why, bool first = false);
    void bump(InFlightTx& tx, uint64_t head);
    /// When nonces below an open transaction are neither on the chain nor in flight (confirmed
    /// ones of ours were reorged out), sends empty self-transfers there; true if it did.
    bool fill_nonce_gap(uint64_t head);
    void note(const std::string& line) const;

    RpcClient& rpc_;
    Signer signer_;
    SenderConfig cfg_;
    uint64_t chain_id_ = 0;
    bool eip1559_ = false;
    uint64_t next_nonce_ = 0;
    uint64_t next_id_ = 1;
    std::vector<InFlightTx> txs_;
};

}  // namespace fuse::l1
