#pragma once
/// The batch poster (DESIGN.md §4, docs/batch-poster.md): takes the sequencer's sealed messages
/// in order from storage, packs them into brotli batches (docs/batch-format.md) until the batch
/// is full or its oldest message has waited `max_batch_delay`, and posts each with
/// SequencerInbox.addSequencerL2Batch through the L1 posting pipeline (l1/posting_pipeline.hpp).
///
/// What has been posted is read back from the inbox itself (batchCount, totalMessageCount) before
/// every new batch, so a restarted poster resumes exactly where L1 says it stopped: the contract
/// refuses a wrong sequence number or message count, so no message is ever posted twice or
/// skipped, whatever crashed when. L1 errors never reach the sequencer: the poster backs off and
/// retries while soft confirmations go on.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "batch/address_registry.hpp"
#include "batch/batch.hpp"
#include "core/bytes.hpp"
#include "l1/posting_pipeline.hpp"
#include "l1/rpc_client.hpp"
#include "l1/tx_sender.hpp"
#include "storage/database.hpp"

namespace fuse::poster {

struct PosterConfig {
    Address inbox;
    /// Largest compressed batch (format byte included); lowered to the inbox's maxDataSize.
    size_t max_batch_size = 100'000;
    /// Post a non-full batch once its oldest message has waited this long.
    std::chrono::milliseconds max_batch_delay{10'000};
    /// Batch format byte (docs/batch-format.md): 0x00 plain brotli (default), 0x01 the columnar
    /// transaction encoding before brotli, 0x02 the columns with the address registry (kept in
    /// the database under kRegistryMetaPrefix). 0x01 and 0x02 are consensus changes: every
    /// validator must decode them and the inbox must accept them before a poster turns one on.
    uint8_t batch_format = batch::kBrotliFormat;
    /// Brotli quality at no backlog (Arbitrum posts at 11)...
    int quality = 11;
    /// ...lowered to 6 when more than this many messages wait, and to 1 at 4× as many.
    size_t backlog_threshold = 2'000;
    /// Wait between rounds when idle or waiting for L1.
    std::chrono::milliseconds poll_interval{200};
    /// Longest back-off after repeated L1 errors.
    std::chrono::milliseconds max_backoff{10'000};
    /// Batches sent but not yet confirmed, at most. 1 = send, wait, send; more lets the poster
    /// keep up with a busy sequencer on a slow L1 (each batch's transaction is sent with the next
    /// nonce, numbered after the previous one; the inbox still refuses any gap or duplicate).
    size_t max_in_flight = 1;
    /// The last message the poster may post (the L1 guard's `verified_through`: never a message
    /// the current L1 view does not support); unset: every sealed message.
    std::function<uint64_t()> postable_through;
    /// Called with one line per notable event (batch sent, confirmed).
    std::function<void(const std::string&)> log;
    /// Called with one line per problem (L1 error, reverted batch, a message that cannot be
    /// batched); `log` when unset.
    std::function<void(const std::string&)> warn;

    /// Empty if usable, else what is wrong (poster_config.cpp).
    std::string validate() const;
};

/// What one round did.
enum class Step {
    kIdle,       ///< nothing to post yet (no messages, or waiting for the batch delay)
    kPosted,     ///< a batch was sent
    kInFlight,   ///< waiting for the previous batch's transaction
    kConfirmed,  ///< the previous batch's transaction was confirmed
    kL1Error,    ///< L1 unreachable or refused; retried next round
};
const char* to_string(Step s);

/// Counters and progress for metrics and `fusel2 status`.
struct PosterStatus {
    uint64_t batches_posted = 0;        ///< confirmed by this process
    uint64_t next_sequence_number = 0;  ///< per L1 (inbox batchCount) at the last sync
    uint64_t messages_posted = 0;       ///< per L1 (totalMessageCount) at the last sync
    uint64_t messages_sealed = 0;       ///< latest L2 block number
    uint64_t l1_errors = 0;
    uint64_t bytes_posted = 0;  ///< batch data bytes confirmed
    uint64_t in_flight = 0;     ///< batches sent, not yet confirmed
    std::string last_error;
};

class BatchPoster {
public:
    BatchPoster(storage::Database& db, l1::RpcClient& rpc, l1::TxSender& sender,
                PosterConfig config);

    /// One round: confirm the in-flight batch, or resync from L1 and post the next batch when
    /// it is due. Never throws for L1 trouble (returns kL1Error).
    Step step();

    /// Runs rounds until `stop` is set (sleeps poll_interval when idle, backs off on errors).
    /// `before_round`, when given, runs first in every round (the node's L1 guard); false
    /// skips the round's posting and counts as an L1 error for the back-off.
    void run(const std::atomic<bool>& stop, const std::function<bool()>& before_round = {});

    PosterStatus status() const;

    /// The sequencer's chain was rewound: the batches in flight carry messages of the old chain.
    /// Post nothing new until they have settled, then continue from what L1 says.
    void chain_rewound();

    /// Waits (bounded) until transactions this key sent before a restart have left the L1
    /// mempool, so the inbox state read next is final. Returns false on timeout.
    bool wait_for_mempool(std::chrono::milliseconds timeout);

private:
    /// What a batch in flight carries (the pipeline's item).
    struct BatchInFlight {
        uint64_t sequence_number = 0;
        uint64_t prev_count = 0;
        uint64_t new_count = 0;
        size_t data_size = 0;
    };
    /// Where the next batch starts and how far the chain goes.
    struct Start {
        uint64_t sequence_number = 0;
        uint64_t posted = 0;  ///< messages on L1 or in batches in flight
        uint64_t sealed = 0;  ///< the last message the poster may post
    };
    /// A batch built from the messages after `Start::posted`.
    struct Built {
        Bytes data;                     ///< the batch (only when it is to be sent)
        std::vector<Address> literals;  ///< format 0x02: what it adds to the address registry
        uint64_t count = 0;             ///< messages in it
        bool full = false;              ///< the next message did not fit
        bool unbatchable = false;       ///< the first message cannot be batched at all
    };
    /// Lowers max_batch_size to the inbox's maxDataSize, once.
    void read_max_data_size();
    /// Records the batches whose transactions settled; kConfirmed, kL1Error after a revert,
    /// else kInFlight.
    Step settle_batches();
    Step post_next();
    Start next_start();
    /// True when the batch delay for the oldest unposted message has passed.
    bool delay_due(uint64_t posted);
    /// Whether the messages waiting may fill a batch (checked before compressing).
    bool may_fill_a_batch(const Start& at) const;
    Built build_batch(const Start& at, bool delay_passed);
    void send_batch(const Start& at, Built built);
    void record_confirmed(const BatchInFlight& b, const l1::TxReceipt& receipt);
    void count_l1_error(const std::string& error);
    void set_in_flight_count();
    int quality_for_backlog(uint64_t backlog) const;
    /// Format 0x02: the registry as of batch `sequence_number` (loaded once, rolled back over
    /// batches built but not on L1); null with a problem logged when it cannot be.
    const batch::AddressRegistry* registry_for(uint64_t sequence_number);
    /// Registers a format-0x02 batch's literals and saves the registry, before it is sent.
    bool register_batch(uint64_t sequence_number, const std::vector<Address>& literals);
    void note(const std::string& line) const;
    void problem(const std::string& line) const;

    storage::Database& db_;
    l1::RpcClient& rpc_;
    l1::TxSender& sender_;
    PosterConfig cfg_;
    /// Batch transactions in flight, oldest first (docs/l1-client.md "Posting pipeline").
    l1::PostingPipeline<BatchInFlight> batches_;
    /// When the poster first saw unposted message `waiting_from_message_`.
    std::optional<std::chrono::steady_clock::time_point> waiting_since_;
    uint64_t waiting_from_message_ = 0;
    uint64_t last_not_full_sealed_ = 0;  ///< sealed count when a batch was last found not full
    mutable std::mutex mu_;
    PosterStatus status_;
    bool max_size_checked_ = false;
    std::optional<batch::AddressRegistry> registry_;  // format 0x02, loaded on first use
};

/// Meta key prefix of the poster's format-0x02 address registry (batch::save_registry).
inline constexpr const char* kRegistryMetaPrefix = "batcher.registry";

/// Gas limit for an addSequencerL2Batch transaction with this calldata, for batches sent
/// behind an unconfirmed one (whose estimate would revert): intrinsic + EIP-2028 calldata +
/// memory and hashing of the data + a fixed margin over the inbox's bookkeeping.
uint64_t batch_gas_limit(ByteView calldata);

/// Meta key under which the poster records which messages batch `seq` carries (8-byte BE
/// prev count ‖ 8-byte BE new count ‖ 32-byte L1 tx hash).
std::string batch_meta_key(uint64_t sequence_number);

}  // namespace fuse::poster
