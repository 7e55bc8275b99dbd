#pragma once
/// The L1 posting pipeline (Nitro's `dataposter`): one owner's ordered queue of in-flight L1
/// transactions from one key, on top of `TxSender` (which handles each transaction's nonce, fees,
/// replacement, re-sending and nonce gaps). The batch poster posts SequencerInbox batches through
/// it and the proposer RollupCore roots; both contracts take their transactions strictly in order,
/// so a transaction sent behind an unconfirmed one only works if that one lands.
///
/// What it guarantees (docs/l1-client.md "Posting pipeline"):
/// - **order**: transactions settle and are reported in the order they were submitted (= nonce
///   order), each once it has the sender's K confirmations (`SenderConfig::confirmations`);
/// - **revert → resync**: a transaction that failed is reported `kReverted`; from then on nothing
///   new is taken (`next() == kSettling`) and nothing still in flight is reported as landed
///   (`kDiscarded`, whatever its receipt says) until all have settled; then `next() == kFromL1`:
///   the owner reads from L1 where to continue;
/// - **gas**: with nothing in flight the gas limit is estimated; behind unconfirmed transactions
///   (whose estimate would revert on the current L1 state) it is the owner's computed limit when
///   given, else the limit of the last estimated transaction is reused;
/// - **max in flight**: at most `max_in_flight` transactions unconfirmed (`next() == kFull`).
/// Single-threaded, like the sender it drives.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "l1/rpc_client.hpp"
#include "l1/tx_sender.hpp"

namespace fuse::l1 {

struct PipelineConfig {
    /// Transactions sent and not yet confirmed, at most (0 counts as 1).
    size_t max_in_flight = 1;
};

/// What became of one transaction; reported in submission order.
enum class Outcome {
    kLanded,    ///< confirmed and succeeded
    kReverted,  ///< confirmed and failed (or no longer known to the sender): resync from L1
    /// Settled while the pipeline was resyncing (after a revert or `resync()`): not landed for
    /// the owner's bookkeeping of what comes next, whatever the receipt says.
    kDiscarded,
};
const char* to_string(Outcome outcome);

/// Where the owner's next transaction starts.
enum class Next {
    kFromL1,     ///< nothing in flight: read from L1 where to continue (after a revert: resync)
    kAfterLast,  ///< right after the last transaction submitted
    kFull,       ///< `max_in_flight` transactions unconfirmed: wait
    kSettling,   ///< resyncing: wait until every transaction in flight has settled
};
const char* to_string(Next next);

/// One transaction to post.
struct PostRequest {
    Address to;
    Bytes data;
    uint256 value;
    /// Gas limit to use when sent behind unconfirmed transactions; unset: the limit of the last
    /// estimated transaction. Ignored with nothing in flight (the limit is estimated).
    std::optional<uint64_t> gas_behind;
};

/// The queue of sender ids and its rules; `PostingPipeline<Item>` attaches the owner's items.
class PipelineQueue {
public:
    struct Settled {
        Outcome outcome = Outcome::kLanded;
        std::optional<TxReceipt> receipt;  ///< unset when the sender no longer knows it
    };

    PipelineQueue(TxSender& sender, PipelineConfig config);

    Next next() const;
    bool can_submit() const {
        const Next n = next();
        return n == Next::kFromL1 || n == Next::kAfterLast;
    }
    size_t in_flight() const { return ids_.size(); }
    /// The gas limit of the last transaction whose gas was estimated (0: none yet).
    uint64_t estimated_gas_limit() const { return estimated_gas_limit_; }

    /// Sends `request` through the sender; returns its id. Throws L1Error (an estimate that
    /// reverts, L1 down: nothing was queued) and std::logic_error when `next()` says wait.
    uint64_t submit(PostRequest request);
    /// Polls the sender and removes the leading transactions that have settled, oldest first.
    /// Does nothing with nothing in flight. Throws L1Error (nothing removed).
    std::vector<Settled> poll();
    /// The owner's view of L1 changed (e.g. its chain was rewound): settle what is in flight
    /// without counting it as landed, then continue from L1.
    void resync();

private:
    TxSender& sender_;
    PipelineConfig cfg_;
    std::deque<uint64_t> ids_;
    bool settling_ = false;
    uint64_t estimated_gas_limit_ = 0;
};

/// The pipeline with an owner's `Item` (what the transaction carries, e.g. a batch's sequence
/// number and message range) kept beside each transaction and handed back when it settles.
template <class Item>
class PostingPipeline {
public:
    struct Settled {
        Item item;
        Outcome outcome = Outcome::kLanded;
        std::optional<TxReceipt> receipt;
    };

    explicit PostingPipeline(TxSender& sender, PipelineConfig config = {})
        : queue_(sender, config) {}

    Next next() const { return queue_.next(); }
    /// next() is kFromL1 or kAfterLast.
    bool can_submit() const { return queue_.can_submit(); }
    bool empty() const { return items_.empty(); }
    size_t in_flight() const { return items_.size(); }
    /// The item of the last transaction submitted; only while something is in flight.
    const Item& last() const { return items_.back(); }
    uint64_t estimated_gas_limit() const { return queue_.estimated_gas_limit(); }

    /// See PipelineQueue::submit.
    uint64_t submit(PostRequest request, Item item) {
        const uint64_t id = queue_.submit(std::move(request));
        items_.push_back(std::move(item));
        return id;
    }

    /// See PipelineQueue::poll.
    std::vector<Settled> poll() {
        std::vector<Settled> out;
        for (auto& s : queue_.poll()) {
            out.push_back({std::move(items_.front()), s.outcome, std::move(s.receipt)});
            items_.pop_front();
        }
        return out;
    }

    void resync() { queue_.resync(); }

private:
    PipelineQueue queue_;
    std::deque<Item> items_;  ///< one per transaction in `queue_`, oldest first
};

}  // namespace fuse::l1
