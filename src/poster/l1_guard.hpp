#pragma once
/// The sequencer's check of its own chain against L1 (docs/sequencer.md "When L1 goes back in
/// time"). The sequencer's blocks are soft: validators derive the chain from L1 alone, so when
/// L1 no longer supports what the sequencer built (an L1 reorg deeper than `l1.lag`, an L1
/// restored from an older state, a posted batch that L1 now decodes as invalid, a message naming
/// an L1 block whose base fee changed), the sequencer must follow L1, never the other way.
///
/// Two checks, with the validators' own code and rule:
/// - **posted**: the guard reads the inbox exactly as a validator does (inbox::InboxReader, same
///   confirmations, same `batch::check_l1_message` rule) and compares every message L1 derives
///   with the sequencer's stored message of that number. The first difference is a divergence:
///   keep the blocks before it, adopt L1's messages from there (filler included).
/// - **unposted**: every message after the inbox's totalMessageCount is checked against the
///   current L1 head with the same rule (`check_l1_message`, the head as inclusion block): the
///   first message naming a block the L1 no longer has, or whose base fee changed, is a
///   divergence (keep the blocks before it, adopt nothing). So is a message whose L1 deposits the
///   Bridge no longer has as the message references them (an L1 reorg deeper than `l1.lag` that
///   removed or replaced a deposit after the sequencer included it), checked with the deposit
///   reader of `reader.deposits`. Seen on two checks in a row before it counts, so a lagging
///   load-balanced L1 node does not cause a rewind.
/// `verified_through()` bounds what the batch poster may post: never a message the current L1
/// view does not support.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "batch/address_registry.hpp"
#include "batch/batch.hpp"
#include "inbox/inbox_reader.hpp"
#include "l1/rpc_client.hpp"
#include "storage/database.hpp"

namespace fuse::poster {

struct GuardConfig {
    /// The inbox as validators read it (inbox, deploy block, confirmations, genesis header).
    inbox::InboxReaderConfig reader;
    /// The posted check and the re-check of referenced L1 blocks run at most this often; new
    /// messages are checked on every call.
    std::chrono::milliseconds poll_interval{1'000};
    std::function<void(const std::string&)> log;
};

/// Where L1 and the sequencer's chain part: keep blocks up to `keep_through`, then L1's
/// derivation `adopt` of posted messages (empty when only unposted blocks go).
struct Divergence {
    uint64_t keep_through = 0;
    std::vector<batch::L2Message> adopt;
    std::string reason;
};

struct GuardStatus {
    uint64_t posted_checked = 0;    ///< messages L1 derives that equal the sequencer's (confirmed)
    uint64_t verified_through = 0;  ///< messages checked against the current L1 view
    uint64_t divergences = 0;
    std::string last_divergence;
};

class L1Guard {
public:
    /// Resumes from the cursor it saved in `db` (meta); a first start reads from the inbox's
    /// deployment block.
    L1Guard(storage::Database& db, l1::RpcClient& rpc, GuardConfig config);
    ~L1Guard();

    /// One round of both checks. Throws l1::L1Error or inbox::InboxError when L1 cannot be read
    /// (nothing moves; call again).
    std::optional<Divergence> check();
    /// The caller applied the divergence `check()` returned (the chain now follows L1): the
    /// reader's position is saved. Without this call the next check reads those batches again.
    void applied();
    /// The last message number checked against the current L1 view: the batch poster posts no
    /// further.
    uint64_t verified_through() const { return verified_through_.load(std::memory_order_acquire); }
    /// The next deposit index after the posted batches the guard has read: it may need any
    /// deposit from here on again (the deposit reader keeps them). Any thread.
    uint64_t next_deposit_checked() const {
        return next_deposit_checked_.load(std::memory_order_acquire);
    }
    GuardStatus status() const;

private:
    /// An L1 block some unposted message names, as the L1 had it when last checked.
    struct Referenced {
        Hash32 hash;
        uint256 base_fee;
        uint64_t first_message = 0;  ///< the first message naming it
        uint64_t last_message = 0;
    };
    std::optional<Divergence> check_posted();
    std::optional<Divergence> check_unposted();
    /// The first unposted message L1 does not support and why; nullopt when all are supported.
    std::optional<std::pair<uint64_t, std::string>> first_unsupported(uint64_t posted,
                                                                      uint64_t latest,
                                                                      bool recheck);
    /// Why unposted message `n`'s deposit ref is not what the Bridge has now, or nullopt.
    std::optional<std::string> deposits_unsupported(uint64_t n, const batch::DepositRef& ref,
                                                    uint64_t l1_block);
    void reset_reader();
    void save_reader();
    /// The reader's cursor alone (L1 read further, no batch): the RPC layer's batch index
    /// counts NodeInterface.getL1Confirmations from it (ethrpc/batch_index.hpp).
    void save_cursor();
    void note(const std::string& line) const;

    storage::Database& db_;
    l1::RpcClient& rpc_;
    GuardConfig cfg_;
    std::unique_ptr<inbox::InboxReader> reader_;
    /// Format 0x02's address registry as of the reader (kept under kGuardRegistryPrefix, saved
    /// before the reader's cursor: a saved registry is never behind the saved cursor).
    batch::AddressRegistry registry_;
    bool registry_saved_nonempty_ = false;
    std::chrono::steady_clock::time_point last_posted_check_{};
    std::chrono::steady_clock::time_point last_recheck_{};
    std::map<uint64_t, Referenced> referenced_;  ///< L1 block number -> what was checked
    /// Unposted messages with a deposit ref (number -> ref, L1 block), re-checked each round.
    std::map<uint64_t, std::pair<batch::DepositRef, uint64_t>> with_deposits_;
    uint64_t checked_through_ = 0;  ///< unposted messages checked up to here
    uint64_t posted_seen_ = 0;      ///< the inbox's totalMessageCount last time
    /// An unposted divergence seen once (message number, reason); acted on when seen again.
    std::optional<std::pair<uint64_t, std::string>> suspect_;
    std::atomic<uint64_t> verified_through_{0};
    std::atomic<uint64_t> next_deposit_checked_{0};
    mutable std::mutex mu_;
    GuardStatus status_;
};

}  // namespace fuse::poster
