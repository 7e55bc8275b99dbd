#pragma once
/// The transaction pool (docs/sequencer.md): the checks that need the sender's account (nonce,
/// balance) and the pool's own contents (duplicates, replacement, queue and pool bounds), and
/// the per-sender nonce ordering the sealing loop takes transactions in.
///
/// Each sender has a *next nonce* (its account nonce plus the transactions already taken into
/// blocks). Its transactions from the next nonce on without a gap are *pending*; those after a
/// gap are *queued* (at most `max_queued_per_sender`) and promoted when the gap fills. Only a
/// sender's lowest pending transaction is *ready*; the sealing loop takes ready transactions in
/// arrival order. Not thread-safe: the Sequencer guards it with its lock.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "sequencer/checks.hpp"
#include "sequencer/outcome.hpp"
#include "state/account.hpp"

namespace fuse::sequencer {

struct PoolLimits {
    size_t max_pool_txs = 50'000;       ///< pending + queued, all senders
    size_t max_queued_per_sender = 64;  ///< future nonces kept per sender
    uint64_t price_bump_percent = 10;   ///< geth's txpool.pricebump
};

/// One pooled transaction and whom to tell about it.
struct PoolTx {
    CheckedTx checked;
    uint64_t seq = 0;  ///< arrival order
    SubmitCallback done;
};

/// A callback to run (outside the lock) with its result.
struct Completion {
    SubmitCallback done;
    SubmitResult result;
};

class TxPool {
public:
    explicit TxPool(PoolLimits limits) : limits_(limits) {}

    /// Admits `tx` given its sender's committed `account` (nullopt: no account). A replaced
    /// transaction's callback is appended to `completions` (kReplaced).
    Result<void, Rejection> add(CheckedTx tx, SubmitCallback done,
                                const std::optional<state::Account>& account,
                                std::vector<Completion>& completions);

    /// Takes the earliest-arrived ready transaction whose compute gas limit (gas limit minus
    /// its L1 poster gas, as estimated at admission) is at most `gas_left`, the block's compute
    /// gas left (scanning a bounded number of candidates); null when none. The sender's next nonce
    /// advances and its following pending transaction becomes ready.
    std::unique_ptr<PoolTx> take_ready(uint64_t gas_left);
    /// Undoes `take_ready` for a transaction ArbOS refused: the sender's next nonce goes back
    /// to its nonce and its later transactions wait (queued) for that nonce again.
    void untake(const PoolTx& tx);
    /// Undoes `take_ready` for a valid transaction that did not fit in the block: it is the
    /// sender's next (ready, in its original arrival place) again.
    void put_back(std::unique_ptr<PoolTx> tx);
    /// A taken transaction's block is durable: forget its hash and, when the sender has
    /// nothing left in the pool, the sender (the committed state now has its nonce).
    void committed(const Address& sender, const Hash32& hash);

    bool has_ready() const { return !ready_.empty(); }
    /// Pending + queued transactions (not those taken into blocks).
    size_t size() const { return size_; }
    /// The sender's next nonce counting pending pool transactions, or nullopt when the pool
    /// does not track the sender (then the account nonce is the answer).
    std::optional<uint64_t> pending_nonce(const Address& sender) const;
    /// Removes every pooled transaction, returning their callbacks with `why`.
    std::vector<Completion> drain(const Rejection& why);
    /// Removes every pooled transaction and returns them in arrival order, callbacks included,
    /// and forgets every sender (a rewind re-admits them against the new state). Nothing may
    /// be taken into a block that is not durable yet.
    std::vector<std::unique_ptr<PoolTx>> release_all();

private:
    struct Sender {
        uint64_t next_nonce = 0;   ///< nonce the next block expects
        uint64_t pending_end = 0;  ///< first nonce >= next_nonce missing from `txs`
        uint32_t taken = 0;        ///< transactions in blocks not yet durable
        std::map<uint64_t, std::unique_ptr<PoolTx>> txs;  ///< nonce -> tx, all >= next_nonce
    };
    void make_ready(const Address& addr, Sender& s);
    void erase_if_idle(const Address& addr);

    PoolLimits limits_;
    std::unordered_map<Address, Sender, FixedBytesHasher> senders_;
    /// Hashes of pooled and taken-but-not-durable transactions ("already known").
    std::unordered_map<Hash32, Address, FixedBytesHasher> known_;
    std::map<uint64_t, Address> ready_;  ///< arrival seq of the sender's next tx -> sender
    uint64_t next_seq_ = 0;
    size_t size_ = 0;
};

}  // namespace fuse::sequencer
