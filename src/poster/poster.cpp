#include "poster/poster.hpp"

#include <algorithm>
#include <thread>

#include "batch/builder.hpp"
#include "core/hex.hpp"
#include "core/stop_wait.hpp"
#include "inbox/registry_store.hpp"
#include "l1/contracts.hpp"

namespace fuse::poster {

uint64_t batch_gas_limit(ByteView calldata) {
    uint64_t gas = 21'000;  // transaction
    for (uint8_t b : calldata)
        gas += b == 0 ? 4 : 16;  // calldata (EIP-2028)
    const uint64_t words = (calldata.size() + 31) / 32;
    gas += 3 * words + words * words / 512;  // copying the batch into memory
    gas += 6 * words;                        // keccak of header ‖ data
    gas += 150'000;  // checks, accumulator and count stores, event (measured ~70k; margin)
    return gas;
}

namespace {

void put_be64(Bytes& out, uint64_t v) {
    for (int i = 7; i >= 0; --i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

const char* to_string(Step s) {
    switch (s) {
        case Step::kIdle:
            return "idle";
        case Step::kPosted:
            return "posted";
        case Step::kInFlight:
            return "in flight";
        case Step::kConfirmed:
            return "confirmed";
        case Step::kL1Error:
            return "L1 error";
    }
    return "?";
}

std::string batch_meta_key(uint64_t sequence_number) {
    return "batcher.batch." + std::to_string(sequence_number);
}

BatchPoster::BatchPoster(storage::Database& db, l1::RpcClient& rpc, l1::TxSender& sender,
                         PosterConfig config)
    : db_(db),
      rpc_(rpc),
      sender_(sender),
      cfg_(std::move(config)),
      batches_(sender_, {.max_in_flight = cfg_.max_in_flight}) {}

void BatchPoster::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

void BatchPoster::problem(const std::string& line) const {
    if (cfg_.warn) {
        cfg_.warn(line);
    } else {
        note(line);
    }
}

PosterStatus BatchPoster::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

int BatchPoster::quality_for_backlog(uint64_t backlog) const {
    if (backlog > 4 * cfg_.backlog_threshold) return std::min(cfg_.quality, 1);
    if (backlog > cfg_.backlog_threshold) return std::min(cfg_.quality, 6);
    return cfg_.quality;
}

bool BatchPoster::wait_for_mempool(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        try {
            const Address& me = sender_.address();
            if (rpc_.get_transaction_count(me, "pending") ==
                rpc_.get_transaction_count(me, "latest"))
                return true;
        } catch (const l1::L1Error& e) {
            problem(std::string("waiting for the L1 mempool: ") + e.what());
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(cfg_.poll_interval);
    }
}

Step BatchPoster::step() {
    try {
        read_max_data_size();
        const Step settled = settle_batches();
        if (settled == Step::kL1Error) return settled;
        switch (batches_.next()) {
            case l1::Next::kSettling:  // after a revert or a rewind: nothing new until settled
                return Step::kInFlight;
            case l1::Next::kFull:
                return settled == Step::kConfirmed ? settled : Step::kInFlight;
            case l1::Next::kFromL1:
            case l1::Next::kAfterLast:
                break;
        }
        const Step posted = post_next();
        if (posted != Step::kIdle) return posted;
        if (settled == Step::kConfirmed) return settled;
        return batches_.empty() ? Step::kIdle : Step::kInFlight;
    } catch (const l1::L1Error& e) {
        count_l1_error(e.what());
        problem(std::string("L1 error (will retry): ") + e.what());
        return Step::kL1Error;
    }
}

void BatchPoster::read_max_data_size() {
    if (max_size_checked_) return;
    const uint64_t max_data = l1::call_u64(rpc_, cfg_.inbox, l1::encode_call(l1::sig::kMaxDataSize),
                                           "inbox maxDataSize()");
    if (max_data < cfg_.max_batch_size) {
        note("max-batch-size lowered to the inbox's maxDataSize " + std::to_string(max_data));
        cfg_.max_batch_size = static_cast<size_t>(max_data);
    }
    max_size_checked_ = true;
}

void BatchPoster::count_l1_error(const std::string& error) {
    std::lock_guard lock(mu_);
    ++status_.l1_errors;
    status_.last_error = error;
}

Step BatchPoster::settle_batches() {
    Step result = Step::kInFlight;
    for (const auto& s : batches_.poll()) {
        if (s.outcome == l1::Outcome::kReverted) {
            // E.g. a batch from an earlier run landed first. The later batches in flight build
            // on this one; the pipeline lets them settle, then L1 says what comes next.
            problem("batch " + std::to_string(s.item.sequence_number) + " transaction " +
                    (s.receipt ? "reverted" : "was lost by the L1 sender") +
                    "; resyncing from the inbox");
            count_l1_error("batch transaction reverted");
            result = Step::kL1Error;
        } else if (s.receipt && s.receipt->success) {
            // Landed (also while resyncing: it is on L1, though the next batch starts from L1).
            record_confirmed(s.item, *s.receipt);
            if (result != Step::kL1Error) result = Step::kConfirmed;
        }
    }
    set_in_flight_count();
    return result;
}

void BatchPoster::record_confirmed(const BatchInFlight& b, const l1::TxReceipt& receipt) {
    Bytes meta;
    put_be64(meta, b.prev_count);
    put_be64(meta, b.new_count);
    meta.insert(meta.end(), receipt.tx_hash.bytes.begin(), receipt.tx_hash.bytes.end());
    if (auto r = db_.put_meta(batch_meta_key(b.sequence_number), meta); !r)
        problem("recording batch " + std::to_string(b.sequence_number) + " failed: " + r.error());
    note("batch " + std::to_string(b.sequence_number) + " confirmed: messages " +
         std::to_string(b.prev_count + 1) + ".." + std::to_string(b.new_count) + ", " +
         std::to_string(b.data_size) + " bytes, L1 block " + std::to_string(receipt.block_number) +
         ", tx " + to_hex(receipt.tx_hash));
    std::lock_guard lock(mu_);
    ++status_.batches_posted;
    status_.bytes_posted += b.data_size;
    status_.messages_posted = std::max(status_.messages_posted, b.new_count);
    status_.next_sequence_number = std::max(status_.next_sequence_number, b.sequence_number + 1);
}

void BatchPoster::set_in_flight_count() {
    std::lock_guard lock(mu_);
    status_.in_flight = batches_.in_flight();
}

Step BatchPoster::post_next() {
    const Start at = next_start();
    if (at.sealed <= at.posted) {
        waiting_since_.reset();
        return Step::kIdle;
    }
    const bool due = delay_due(at.posted);
    if (!due && !may_fill_a_batch(at)) return Step::kIdle;
    Built built = build_batch(at, due);
    if (built.unbatchable) return Step::kL1Error;
    if (built.count == 0) return Step::kIdle;
    if (!built.full && !due) {
        last_not_full_sealed_ = at.sealed;
        return Step::kIdle;
    }
    last_not_full_sealed_ = 0;
    // The registry must hold this batch's literals (on disk) before it can land on L1.
    if (!register_batch(at.sequence_number, built.literals)) return Step::kL1Error;
    send_batch(at, std::move(built));
    return Step::kPosted;
}

BatchPoster::Start BatchPoster::next_start() {
    // What L1 has (the single source of truth) when nothing is in flight, else right after the
    // last batch sent.
    Start at;
    at.sealed = db_.head(storage::Head::kLatest).value_or(0);
    if (cfg_.postable_through) at.sealed = std::min(at.sealed, cfg_.postable_through());
    if (batches_.empty()) {
        at.sequence_number = l1::call_u64(rpc_, cfg_.inbox, l1::encode_call(l1::sig::kBatchCount),
                                          "inbox batchCount()");
        at.posted = l1::call_u64(rpc_, cfg_.inbox, l1::encode_call(l1::sig::kTotalMessageCount),
                                 "inbox totalMessageCount()");
        std::lock_guard lock(mu_);
        status_.next_sequence_number = at.sequence_number;
        status_.messages_posted = at.posted;
        status_.messages_sealed = at.sealed;
    } else {
        at.sequence_number = batches_.last().sequence_number + 1;
        at.posted = batches_.last().new_count;
        std::lock_guard lock(mu_);
        status_.messages_sealed = at.sealed;
    }
    return at;
}

bool BatchPoster::delay_due(uint64_t posted) {
    const auto now = std::chrono::steady_clock::now();
    if (!waiting_since_ || waiting_from_message_ != posted + 1) {
        waiting_since_ = now;
        waiting_from_message_ = posted + 1;
    }
    return now - *waiting_since_ >= cfg_.max_batch_delay;
}

bool BatchPoster::may_fill_a_batch(const Start& at) const {
    // The raw messages cannot fill a batch yet: no need to compress.
    size_t raw = 0;
    for (uint64_t n = at.posted + 1; n <= at.sealed && raw <= cfg_.max_batch_size; ++n) {
        auto msg = db_.message(n);
        if (!msg) break;
        for (const auto& t : msg->txs)
            raw += t.size();
        raw += 16;
    }
    if (raw <= cfg_.max_batch_size) return false;
    // A batch compressed last round and found not full: rebuild only once ~10% more messages
    // are waiting, not every round.
    return last_not_full_sealed_ == 0 || at.posted >= last_not_full_sealed_ ||
           at.sealed >= last_not_full_sealed_ + std::max<uint64_t>(1, (at.sealed - at.posted) / 10);
}

const batch::AddressRegistry* BatchPoster::registry_for(uint64_t sequence_number) {
    if (!registry_) {
        inbox::MetaRegistryStore store(db_);
        auto loaded = batch::load_registry(store, kRegistryMetaPrefix);
        if (!loaded) {
            problem("cannot build format-0x02 batches: " + loaded.error());
            return nullptr;
        }
        registry_ = std::move(*loaded);
    }
    // A registry that never saw a batch starts here (the batches before carry no 0x02 literals
    // this poster knows of); one that is ahead drops the batches built but not on L1.
    const bool fresh = registry_->marks().empty() && registry_->next_batch() == 0;
    if (fresh) {
        // Only where this database posted the batch before (or at batch 0): a poster with
        // another database cannot know the 0x02 literals already on L1, and would repeat them.
        if (sequence_number == 0 || !batches_.empty() ||
            db_.get_meta(batch_meta_key(sequence_number - 1)))
            return &*registry_;
        std::lock_guard lock(mu_);
        status_.last_error = "no address registry in this database and batch " +
                             std::to_string(sequence_number - 1) +
                             " was not posted from it: cannot build format-0x02 batches (post "
                             "format 0x01, or start from the database that posted them)";
        problem(status_.last_error);
        return nullptr;
    }
    if (!registry_->rollback_to_batch(sequence_number) ||
        registry_->next_batch() != sequence_number) {
        std::lock_guard lock(mu_);
        status_.last_error = "the address registry covers batches up to " +
                             std::to_string(registry_->next_batch()) + " but L1 expects batch " +
                             std::to_string(sequence_number) +
                             " (batches posted by another process, or a reorg deeper than its "
                             "marks): cannot build format-0x02 batches";
        problem(status_.last_error);
        return nullptr;
    }
    return &*registry_;
}

bool BatchPoster::register_batch(uint64_t sequence_number, const std::vector<Address>& literals) {
    if (cfg_.batch_format != batch::kRegistryFormat) return true;
    inbox::MetaRegistryStore store(db_);
    std::optional<std::string> error;
    if (!registry_->apply_batch(sequence_number, literals)) {
        error = "batch " + std::to_string(sequence_number) + " is out of order for the registry";
    } else if (auto r = batch::save_registry(*registry_, store, kRegistryMetaPrefix); !r) {
        error = "saving the address registry failed: " + r.error();
    }
    if (!error) return true;
    std::lock_guard lock(mu_);
    status_.last_error = *error;
    problem(*error);
    return false;
}

BatchPoster::Built BatchPoster::build_batch(const Start& at, bool delay_passed) {
    batch::BatchLimits limits;
    limits.max_compressed_size = cfg_.max_batch_size;
    Built built;
    const batch::AddressRegistry* registry = nullptr;
    if (cfg_.batch_format == batch::kRegistryFormat) {
        registry = registry_for(at.sequence_number);
        if (!registry) {
            built.unbatchable = true;
            return built;
        }
    }
    batch::BatchBuilder builder(limits, quality_for_backlog(at.sealed - at.posted),
                                cfg_.batch_format, registry);
    for (uint64_t n = at.posted + 1; n <= at.sealed; ++n) {
        auto msg = db_.message(n);
        if (!msg) {
            problem("message " + std::to_string(n) + " missing from storage");
            break;
        }
        auto added = builder.add(*msg);
        if (!added) {
            // A message the format cannot carry is a sequencer bug; never skip it silently.
            std::lock_guard lock(mu_);
            status_.last_error = "message " + std::to_string(n) +
                                 " cannot be batched: " + batch::to_string(added.error());
            problem(status_.last_error);
            built.unbatchable = built.count == 0;
            break;
        }
        if (!*added) {
            built.full = true;
            break;
        }
        ++built.count;
    }
    if (built.count > 0 && (built.full || delay_passed)) {
        built.data = builder.finish(true);
        built.literals = builder.literals();
    }
    return built;
}

void BatchPoster::send_batch(const Start& at, Built built) {
    const size_t size = built.data.size();
    const uint64_t new_count = at.posted + built.count;
    l1::AddSequencerL2Batch call;
    call.sequence_number = at.sequence_number;
    call.data = std::move(built.data);
    call.prev_message_count = at.posted;
    call.new_message_count = new_count;
    Bytes calldata = l1::encode_add_sequencer_l2_batch(call);
    // Behind an unconfirmed batch the gas estimate would revert (wrong sequence number on the
    // current L1 state): the pipeline then uses this computed limit.
    const uint64_t gas_behind = batch_gas_limit(calldata);
    batches_.submit({cfg_.inbox, std::move(calldata), {}, gas_behind},
                    BatchInFlight{at.sequence_number, at.posted, new_count, size});
    set_in_flight_count();
    waiting_since_.reset();
    note("batch " + std::to_string(at.sequence_number) + " sent: messages " +
         std::to_string(at.posted + 1) + ".." + std::to_string(new_count) + ", " +
         std::to_string(size) + " bytes" + (built.full ? " (full)" : " (delay)"));
}

void BatchPoster::chain_rewound() {
    batches_.resync();
    waiting_since_.reset();
    last_not_full_sealed_ = 0;
}

void BatchPoster::run(const std::atomic<bool>& stop, const std::function<bool()>& before_round) {
    auto backoff = cfg_.poll_interval;
    while (!stop.load(std::memory_order_acquire)) {
        const Step s = !before_round || before_round() ? step() : Step::kL1Error;
        std::chrono::milliseconds wait{0};
        if (s == Step::kL1Error) {
            wait = backoff;
            backoff = std::min(backoff * 2, cfg_.max_backoff);
        } else {
            backoff = cfg_.poll_interval;
            if (s == Step::kIdle || s == Step::kInFlight) wait = cfg_.poll_interval;
        }
        wait_unless_stopped(stop, wait);
    }
}

}  // namespace fuse::poster
