#include "poster/poster.hpp"

#include <algorithm>
#include <thread>

#include "batch/builder.hpp"
#include "core/hex.hpp"
#include "core/stop_wait.hpp"
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
    : db_(db), rpc_(rpc), sender_(sender), cfg_(std::move(config)) {}

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
        if (!max_size_checked_) {
            const uint64_t max_data = l1::call_u64(
                rpc_, cfg_.inbox, l1::encode_call(l1::sig::kMaxDataSize), "inbox maxDataSize()");
            if (max_data < cfg_.max_batch_size) {
                note("max-batch-size lowered to the inbox's maxDataSize " +
                     std::to_string(max_data));
                cfg_.max_batch_size = static_cast<size_t>(max_data);
            }
            max_size_checked_ = true;
        }
        const Step confirmed = in_flight_.empty() ? Step::kIdle : confirm_in_flight();
        if (confirmed == Step::kL1Error) return confirmed;
        if (resync_) {
            if (!in_flight_.empty()) return Step::kInFlight;
            resync_ = false;
        }
        if (in_flight_.size() >= std::max<size_t>(cfg_.max_in_flight, 1))
            return confirmed == Step::kConfirmed ? confirmed : Step::kInFlight;
        const Step posted = post_next();
        if (posted != Step::kIdle) return posted;
        if (confirmed == Step::kConfirmed) return confirmed;
        return in_flight_.empty() ? Step::kIdle : Step::kInFlight;
    } catch (const l1::L1Error& e) {
        std::lock_guard lock(mu_);
        ++status_.l1_errors;
        status_.last_error = e.what();
        problem(std::string("L1 error (will retry): ") + e.what());
        return Step::kL1Error;
    }
}

Step BatchPoster::confirm_in_flight() {
    sender_.poll();
    Step result = Step::kInFlight;
    while (!in_flight_.empty()) {
        const l1::InFlightTx* tx = sender_.find(in_flight_.front().sender_id);
        if (!tx) {  // pruned: cannot happen while we hold the id; resync from L1
            in_flight_.clear();
            set_in_flight_count();
            return Step::kIdle;
        }
        if (tx->state != l1::InFlightTx::State::kConfirmed) break;
        const InFlight f = in_flight_.front();
        const std::optional<l1::TxReceipt> receipt = tx->receipt;  // prune frees `tx`
        in_flight_.pop_front();
        set_in_flight_count();
        if (!receipt || !receipt->success) {
            // Reverted (e.g. a batch from an earlier run landed first): the later in-flight
            // batches build on this one and will revert too; once they have settled, L1 state
            // decides what comes next.
            problem("batch " + std::to_string(f.sequence_number) +
                    " transaction reverted; resyncing from the inbox");
            resync_ = true;
            sender_.prune_confirmed();
            std::lock_guard lock(mu_);
            ++status_.l1_errors;
            status_.last_error = "batch transaction reverted";
            return Step::kL1Error;
        }
        record_confirmed(f, *receipt);
        result = Step::kConfirmed;
    }
    sender_.prune_confirmed();  // after the loop: the later batches' receipts are still needed
    return result;
}

void BatchPoster::record_confirmed(const InFlight& f, const l1::TxReceipt& receipt) {
    Bytes meta;
    put_be64(meta, f.prev_count);
    put_be64(meta, f.new_count);
    meta.insert(meta.end(), receipt.tx_hash.bytes.begin(), receipt.tx_hash.bytes.end());
    if (auto r = db_.put_meta(batch_meta_key(f.sequence_number), meta); !r)
        problem("recording batch " + std::to_string(f.sequence_number) + " failed: " + r.error());
    note("batch " + std::to_string(f.sequence_number) + " confirmed: messages " +
         std::to_string(f.prev_count + 1) + ".." + std::to_string(f.new_count) + ", " +
         std::to_string(f.data_size) + " bytes, L1 block " + std::to_string(receipt.block_number) +
         ", tx " + to_hex(receipt.tx_hash));
    std::lock_guard lock(mu_);
    ++status_.batches_posted;
    status_.bytes_posted += f.data_size;
    status_.messages_posted = std::max(status_.messages_posted, f.new_count);
    status_.next_sequence_number = std::max(status_.next_sequence_number, f.sequence_number + 1);
}

void BatchPoster::set_in_flight_count() {
    std::lock_guard lock(mu_);
    status_.in_flight = in_flight_.size();
}

Step BatchPoster::post_next() {
    // Where to continue: what L1 has (the single source of truth) when nothing is in flight,
    // else right after the last batch sent.
    uint64_t seq = 0, posted = 0;
    uint64_t sealed = db_.head(storage::Head::kLatest).value_or(0);
    if (cfg_.postable_through) sealed = std::min(sealed, cfg_.postable_through());
    if (in_flight_.empty()) {
        seq = l1::call_u64(rpc_, cfg_.inbox, l1::encode_call(l1::sig::kBatchCount),
                           "inbox batchCount()");
        posted = l1::call_u64(rpc_, cfg_.inbox, l1::encode_call(l1::sig::kTotalMessageCount),
                              "inbox totalMessageCount()");
        std::lock_guard lock(mu_);
        status_.next_sequence_number = seq;
        status_.messages_posted = posted;
        status_.messages_sealed = sealed;
    } else {
        seq = in_flight_.back().sequence_number + 1;
        posted = in_flight_.back().new_count;
        std::lock_guard lock(mu_);
        status_.messages_sealed = sealed;
    }
    if (sealed <= posted) {
        waiting_since_.reset();
        return Step::kIdle;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!waiting_since_ || waiting_from_message_ != posted + 1) {
        waiting_since_ = now;
        waiting_from_message_ = posted + 1;
    }
    const bool delay_due = now - *waiting_since_ >= cfg_.max_batch_delay;

    batch::BatchLimits limits;
    limits.max_compressed_size = cfg_.max_batch_size;
    const uint64_t backlog = sealed - posted;
    // Cheap check before compressing: if the raw messages cannot fill a batch yet and the
    // delay has not passed, wait.
    if (!delay_due) {
        size_t raw = 0;
        for (uint64_t n = posted + 1; n <= sealed && raw <= cfg_.max_batch_size; ++n) {
            auto msg = db_.message(n);
            if (!msg) break;
            for (const auto& t : msg->txs)
                raw += t.size();
            raw += 16;
        }
        if (raw <= cfg_.max_batch_size) return Step::kIdle;
    }

    // A batch compressed last round and found not full: rebuild only once ~10% more messages
    // are waiting (or the delay is due), not every round.
    if (!delay_due && last_not_full_sealed_ != 0 && posted < last_not_full_sealed_ &&
        sealed < last_not_full_sealed_ + std::max<uint64_t>(1, (sealed - posted) / 10))
        return Step::kIdle;

    batch::BatchBuilder builder(limits, quality_for_backlog(backlog), cfg_.batch_format);
    uint64_t count = 0;
    bool full = false;
    for (uint64_t n = posted + 1; n <= sealed; ++n) {
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
            if (count == 0) return Step::kL1Error;
            break;
        }
        if (!*added) {
            full = true;
            break;
        }
        ++count;
    }
    if (count == 0) return Step::kIdle;
    if (!full && !delay_due) {
        last_not_full_sealed_ = sealed;
        return Step::kIdle;
    }
    last_not_full_sealed_ = 0;

    Bytes data = builder.finish(true);
    const size_t size = data.size();
    l1::AddSequencerL2Batch call;
    call.sequence_number = seq;
    call.data = std::move(data);
    call.prev_message_count = posted;
    call.new_message_count = posted + count;
    Bytes calldata = l1::encode_add_sequencer_l2_batch(call);
    // Behind an unconfirmed batch the gas estimate would revert (wrong sequence number on the
    // current L1 state), so the limit is computed; the 1st batch of a run is estimated.
    std::optional<uint64_t> gas;
    if (!in_flight_.empty()) gas = batch_gas_limit(calldata);
    const uint64_t id = sender_.submit(cfg_.inbox, std::move(calldata), {}, gas);
    in_flight_.push_back(InFlight{id, seq, posted, posted + count, size});
    set_in_flight_count();
    waiting_since_.reset();
    note("batch " + std::to_string(seq) + " sent: messages " + std::to_string(posted + 1) + ".." +
         std::to_string(posted + count) + ", " + std::to_string(size) + " bytes" +
         (full ? " (full)" : " (delay)"));
    return Step::kPosted;
}

void BatchPoster::chain_rewound() {
    resync_ = true;
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
