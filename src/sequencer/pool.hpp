#pragma once
/// The transaction pool (docs/sequencer.md): the checks that need the sender's account (nonce,
/// balance) and the pool's own contents (duplicates, replacement, queue and pool bounds), and
/// the per-sender nonce ordering the sealing loop takes transactions in.
///
/// Each sender has a *next nonce* (its account nonce plus the transactions already taken into
/// blocks). Its transactions from the next nonce on without a gap are *pending*; those after a
/// gap are *queued* (at most `max_queued_per_sender`) and promoted when the gap fills; a queued
/// transaction whose gap is not filled within `nonce_gap_wait` is refused ("nonce too high:
/// next nonce N, tx nonce M", as Nitro answers after its nonce-failure wait), so nobody waits
/// for an answer that never comes. Only a sender's lowest pending transaction is *ready*; the
/// sealing loop takes ready transactions in arrival order. Not thread-safe: the Sequencer
/// guards it with its lock.

#include <chrono>
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
    /// How long a queued transaction (a nonce gap) waits for the gap to fill before it is
    /// refused with kNonceTooHigh (Nitro's nonce-failure cache waits about a second).
    std::chrono::steady_clock::duration nonce_gap_wait = std::chrono::seconds(1);
};

using PoolClock = std::chrono::steady_clock;

/// One pooled transaction and whom to tell about it.
struct PoolTx {
    CheckedTx checked;
    uint64_t seq = 0;  ///< arrival order
    SubmitCallback done;
    /// While queued behind a nonce gap: when it is refused unless the gap has filled.
    std::optional<PoolClock::time_point> queued_until;
};

/// A pooled transaction as txpool_content shows it.
struct PooledTx {
    Address sender;
    Transaction tx;
    Hash32 hash;
};

/// Everything the pool holds (txpool_content): the pending (contiguous from each sender's next
/// nonce) and the queued (behind a gap), each ordered by sender then nonce.
struct PoolContent {
    std::vector<PooledTx> pending;
    std::vector<PooledTx> queued;
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
    /// transaction's callback is appended to `completions` (kReplaced). A transaction behind a
    /// nonce gap is queued until `now + nonce_gap_wait`.
    Result<void, Rejection> add(CheckedTx tx, SubmitCallback done,
                                const std::optional<state::Account>& account,
                                std::vector<Completion>& completions,
                                PoolClock::time_point now = PoolClock::now());

    /// Takes the earliest-arrived ready transaction whose compute gas limit (gas limit minus
    /// its L1 poster gas, as estimated at admission) is at most `gas_left`, the block's compute
    /// gas left (scanning a bounded number of candidates); null when none. The sender's next nonce
    /// advances and its following pending transaction becomes ready.
    std::unique_ptr<PoolTx> take_ready(uint64_t gas_left);
    /// Undoes `take_ready` for a transaction ArbOS refused: the sender's next nonce goes back
    /// to its nonce and its later transactions wait (queued, from `now` on) for that nonce again.
    void untake(const PoolTx& tx, PoolClock::time_point now = PoolClock::now());
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
    /// Removes the queued transactions whose wait for their nonce gap ended at or before `now`
    /// and returns their callbacks with kNonceTooHigh ("nonce too high: next nonce N, tx nonce
    /// M", N the nonce that would fill the gap).
    std::vector<Completion> expire_queued(PoolClock::time_point now);
    /// When the next queued transaction's wait ends; nullopt when nothing is queued.
    std::optional<PoolClock::time_point> next_expiry() const;
    /// Pending and queued transactions (copies), by sender then nonce.
    PoolContent content() const;
    /// (pending, queued) counts.
    std::pair<size_t, size_t> counts() const;

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
    /// Starts (or restarts) the gap wait of queued `tx`.
    void queue(const Address& addr, PoolTx& tx, PoolClock::time_point until);
    /// Ends the gap wait of `tx` (promoted, replaced or removed).
    void unqueue(PoolTx& tx);

    PoolLimits limits_;
    std::unordered_map<Address, Sender, FixedBytesHasher> senders_;
    /// Hashes of pooled and taken-but-not-durable transactions ("already known").
    std::unordered_map<Hash32, Address, FixedBytesHasher> known_;
    std::map<uint64_t, Address> ready_;  ///< arrival seq of the sender's next tx -> sender
    /// Queued transactions by the end of their gap wait: (deadline, seq) -> (sender, nonce).
    std::map<std::pair<PoolClock::time_point, uint64_t>, std::pair<Address, uint64_t>> expiry_;
    uint64_t next_seq_ = 0;
    size_t size_ = 0;
};

}  // namespace fuse::sequencer
