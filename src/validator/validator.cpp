#include "validator/validator.hpp"

#include <time.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <thread>

#include "core/hex.hpp"
#include "core/stop_wait.hpp"
#include "inbox/registry_store.hpp"
#include "l1/contracts.hpp"
#include "validator/prepare.hpp"

namespace fuse::validator {

namespace {

constexpr std::string_view kCursorKey = "validator.cursor";
constexpr std::string_view kHistoryKey = "validator.history";
constexpr const char* kRegistryPrefix = "validator.registry";
constexpr size_t kPersistedHistory = 128;

Bytes be64(uint64_t v) {
    Bytes out(8);
    for (int i = 0; i < 8; ++i)
        out[static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * (7 - i)));
    return out;
}

uint64_t read_be64(ByteView b) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < b.size(); ++i)
        v = v << 8 | b[i];
    return v;
}

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

/// CPU seconds this thread has used (its share of the cores, whatever else the machine runs).
double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Bytes text_bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

/// A storage failure that halts the validator (docs/storage.md "Errors"); `step` catches it.
class StorageFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A condition that halts the validator although the disk works (docs/validator.md "Halts"):
/// the database and the saved inbox cursor, or the database and the Bridge, disagree. Retrying
/// derives the same disagreement; `step` halts with the reason.
class Inconsistency : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Nothing when the write `r` succeeded, else the StorageFailure "<what> failed: <error>".
void must(const Result<void, std::string>& r, const std::string& what) {
    if (!r) throw StorageFailure(what + " failed: " + r.error());
}

/// What of RollupCore's record differs from the derived block `number` ("" if nothing).
std::string root_difference(const l1::StateRootRecord& rec, uint64_t number,
                            const arbos::Block& blk) {
    if (rec.l2_block_number != number)
        return "L2 block number " + std::to_string(rec.l2_block_number);
    if (rec.l2_block_hash != blk.hash) return "block hash " + to_hex(rec.l2_block_hash);
    if (rec.state_root != blk.header.state_root) return "state root " + to_hex(rec.state_root);
    if (rec.send_root != blk.send_root) return "send root " + to_hex(rec.send_root);
    return "";
}

}  // namespace

std::string batch_block_key(uint64_t seq) {
    return "validator.batch." + std::to_string(seq);
}

Validator::Validator(storage::Database& db, const arbos::Genesis& genesis, l1::RpcClient& l1,
                     l1::TxSender* proposer, Config config)
    : db_(db), genesis_(genesis), l1_(l1), cfg_(std::move(config)) {
    if (cfg_.mode == Mode::kPropose) {
        if (!proposer) throw std::invalid_argument("validator: propose mode needs a proposer key");
        roots_.emplace(*proposer, l1::PipelineConfig{.max_in_flight = cfg_.max_roots_in_flight});
    }
    // The header before batch 0 is the genesis block's.
    if (auto g = db_.block_by_number(0)) {
        cfg_.reader.genesis_header.timestamp = g->header.timestamp;
        cfg_.reader.genesis_header.l1_block_number = g->l1_block_number;
    }
    batches_per_step_ = std::max<size_t>(1, cfg_.reader.max_batches_per_poll);
    open_reader();
    if (cfg_.mode == Mode::kWatch && !cfg_.sequencer_url.empty()) {
        l1::RpcClientConfig rc;
        rc.url = cfg_.sequencer_url;
        rc.max_attempts = 2;
        sequencer_ = std::make_unique<l1::RpcClient>(rc);
    }
}

void Validator::open_reader() {
    inbox::InboxCursor cursor;
    std::vector<inbox::BatchRef> history;
    if (auto c = db_.get_meta(kCursorKey))
        cursor = inbox::cursor_from_json(std::string(c->begin(), c->end()));
    if (auto h = db_.get_meta(kHistoryKey))
        history = inbox::history_from_json(std::string(h->begin(), h->end()));
    // Blocks committed after the last saved cursor (a crash between the two writes) are derived
    // again: drop them.
    const uint64_t derived = cursor.last ? cursor.last->message_count : 0;
    if (db_.head(storage::Head::kLatest).value_or(0) > derived) {
        note("dropping blocks above " + std::to_string(derived) +
             " (derived after the last saved inbox cursor)");
        must(db_.rewind_to(derived), "dropping the blocks above " + std::to_string(derived));
    }
    {
        std::lock_guard lock(mu_);
        status_.batches_derived = cursor.last ? cursor.last->sequence_number + 1 : 0;
        status_.derived_block = derived;
        status_.next_deposit = cursor.last ? cursor.last->next_deposit_index : 0;
        if (auto f = db_.head(storage::Head::kFinalized)) status_.finalized_block = *f;
    }
    saved_scanned_block_ = cursor.scanned_block;
    registry_ = inbox::load_saved_registry(db_, kRegistryPrefix, "validator");
    registry_saved_nonempty_ = registry_.size() > 0;
    inbox::InboxReaderConfig reader_cfg = cfg_.reader;
    reader_cfg.registry = &registry_;
    if (cfg_.prefetch)
        reader_cfg.max_batches_per_poll =
            std::clamp<size_t>(cfg_.prefetch_batches, 1, batches_per_step_);
    reader_ = std::make_unique<inbox::InboxReader>(l1_, reader_cfg, cursor, std::move(history));
}

Validator::~Validator() {
    if (next_.valid()) next_.wait();  // (its poll uses reader_)
}

void Validator::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

Status Validator::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

void Validator::on_block(std::function<void(const arbos::Block&)> callback) {
    on_block_.push_back(std::move(callback));
}

std::optional<uint64_t> Validator::batch_last_block(uint64_t seq) const {
    auto v = db_.get_meta(batch_block_key(seq));
    if (!v) return std::nullopt;
    return read_be64(*v);
}

void Validator::step() {
    {
        std::lock_guard lock(mu_);
        if (status_.halted) return;
    }
    try {
        try {
            derive();
        } catch (const storage::ReadError& e) {
            // The reader's position is ahead of what was made durable: only a restart from the
            // saved cursor is sure to derive every batch once.
            throw StorageFailure(std::string("reading the database while deriving failed: ") +
                                 e.what());
        }
        if (cfg_.mode == Mode::kPropose) propose();
        if (cfg_.mode == Mode::kWatch) watch();
    } catch (const StorageFailure& e) {
        halt(HaltCause::kStorage, e.what());
    } catch (const Inconsistency& e) {
        halt(HaltCause::kInconsistent, e.what());
    } catch (const storage::ReadError& e) {
        // Proposing or watching only reads what is derived: the next round reads it again.
        std::lock_guard lock(mu_);
        ++status_.storage_errors;
        status_.last_error = std::string("storage: ") + e.what();
        note(std::string("database read failed (will retry): ") + e.what());
    } catch (const l1::L1Error& e) {
        std::lock_guard lock(mu_);
        ++status_.l1_errors;
        status_.last_error = e.what();
        note(std::string("L1 error (will retry): ") + e.what());
    } catch (const inbox::InboxError& e) {
        std::lock_guard lock(mu_);
        ++status_.l1_errors;
        status_.last_error = e.what();
        note(std::string(e.retryable() ? "inbox (will retry): " : "inbox error: ") + e.what());
    } catch (const inbox::DepositError& e) {
        std::lock_guard lock(mu_);
        ++status_.l1_errors;
        status_.last_error = e.what();
        note(std::string(e.retryable() ? "Bridge deposits (will retry): "
                                       : "Bridge deposits error: ") +
             e.what());
    } catch (const std::exception& e) {
        // Nothing else is expected here (a thread that cannot start, memory): what was derived
        // may be half applied, so stop as a storage failure does; a restart resumes from what
        // is durable.
        halt(HaltCause::kInternal, e.what());
    } catch (...) {
        halt(HaltCause::kInternal, "an exception of unknown type");
    }
}

void Validator::run(const std::atomic<bool>& stop) {
    while (!stop.load(std::memory_order_acquire)) {
        step();
        wait_unless_stopped(stop, cfg_.poll_interval);
    }
}

void Validator::interrupt() {
    if (sequencer_) sequencer_->stop();
}

Validator::Fetched Validator::fetch(bool ahead) {
    Fetched f;
    const auto t0 = Clock::now();
    f.poll = reader_->poll();
    f.cursor = reader_->cursor();
    if (f.poll.rollback || !f.poll.batches.empty()) {
        // Before this poll's cursor is saved (after its batches are applied).
        must(
            inbox::save_registry_if_used(registry_, db_, kRegistryPrefix, registry_saved_nonempty_),
            "saving the address registry");
    }
    if (f.poll.rollback || !f.poll.batches.empty())
        f.history_json = inbox::history_to_json(reader_->history(), kPersistedHistory);
    const auto t1 = Clock::now();
    const double cpu1 = thread_cpu_seconds();
    // Ahead of execution the executing thread has a core: one recovery thread fewer.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    unsigned threads = cfg_.recovery_threads ? cfg_.recovery_threads : cores;
    if (ahead && !cfg_.recovery_threads) threads = std::max(1u, threads - 1);
    f.prepared = prepare_batches(f.poll.batches, threads, &f.cpu_recovering);
    f.cpu_recovering += thread_cpu_seconds() - cpu1;
    f.seconds_polling = seconds_between(t0, t1);
    f.seconds_recovering = seconds_between(t1, Clock::now());
    return f;
}

void Validator::derive() {
    size_t applied = 0;
    for (;;) {
        const auto tw = Clock::now();
        // A failure of the prefetched poll is thrown here, after the batches before it are
        // durable. A poll that throws leaves the reader's cursor where it was, but a failure
        // after it (saving the registry, preparing) leaves the reader past batches nobody will
        // apply: start it again at the saved cursor, as after a failure below.
        Fetched f;
        try {
            f = next_.valid() ? next_.get() : fetch(false);
        } catch (...) {
            restart_reader();
            throw;
        }
        const double waited = seconds_between(tw, Clock::now());
        {
            std::lock_guard lock(mu_);
            status_.seconds_polling += f.seconds_polling;
            status_.seconds_recovering += f.seconds_recovering;
            status_.cpu_recovering += f.cpu_recovering;
            status_.seconds_waiting += waited;
        }
        const inbox::PollResult& r = f.poll;
        try {
            // Read on while these execute, unless this poll reached L1's safe block (then the
            // next round polls after the poll interval, as without prefetching).
            if (cfg_.prefetch && !f.poll.caught_up)
                next_ = std::async(std::launch::async, [this] { return fetch(true); });
            // A rollback, or a cursor without batches, comes after every batch before is
            // durable.
            if (r.rollback || r.batches.empty()) finish_in_flight();
            if (r.rollback) rollback(*r.rollback);
            for (size_t i = 0; i < r.batches.size(); ++i)
                apply_batch(r.batches[i], r.batches[i].deposits, f.prepared[i]);
            if (!r.batches.empty())
                // Saved once the last of them is durable (finish_in_flight).
                in_flight_->cursor.emplace(f.cursor, std::move(f.history_json));
            else if (r.rollback)
                save_cursor(f.cursor, f.history_json);
            else if (f.cursor.scanned_block != saved_scanned_block_)
                // L1 read further without a batch: the cursor alone (the RPC layer's batch index
                // counts NodeInterface.getL1Confirmations from it, ethrpc/batch_index.hpp).
                must(db_.put_meta(kCursorKey, text_bytes(inbox::to_json(f.cursor))),
                     "saving the inbox cursor");
        } catch (...) {
            restart_reader();
            throw;
        }
        saved_scanned_block_ = f.cursor.scanned_block;
        applied += r.batches.size();
        if (r.caught_up && r.safe_block > 0) check_deposit_wait(r.safe_block);
        // One round derives about as much as one poll did before prefetching, so that a long
        // catch-up still proposes or watches between rounds.
        if (!next_.valid() || applied >= batches_per_step_) break;
    }
    // Proposing and watching read what is derived: all of it durable.
    finish_in_flight();
}

void Validator::restart_reader() {
    // The reader is past batches that are not durable: drop what it read ahead and start it
    // again at the saved cursor, as a restart would (if the database still answers; a storage
    // failure halts anyway).
    std::exception_ptr commit_failure;
    if (in_flight_) {
        try {
            finish_in_flight();
        } catch (...) {
            commit_failure = std::current_exception();
        }
    }
    if (next_.valid()) next_.wait();
    next_ = {};
    try {
        open_reader();
    } catch (const std::exception& e) {
        note(std::string("reopening the inbox reader failed: ") + e.what());
    }
    if (commit_failure) std::rethrow_exception(commit_failure);
}

void Validator::check_deposit_wait(uint64_t safe) {
    inbox::DepositReader* reader = cfg_.reader.deposits;
    if (!reader) return;
    const uint64_t next = reader_->cursor().last ? reader_->cursor().last->next_deposit_index : 0;
    {
        std::lock_guard lock(mu_);
        status_.next_deposit = next;
    }
    reader->ensure(next, safe);
    reader->prune_below(next);
    const auto d = reader->get(next);
    if (!d || d->deposit.l1_block_number >= safe ||
        safe - d->deposit.l1_block_number <= cfg_.max_deposit_wait)
        return;
    if (late_deposit_ == next) return;
    late_deposit_ = next;
    const std::string text =
        "deposit " + std::to_string(next) + " (L1 block " +
        std::to_string(d->deposit.l1_block_number) + ", tx " + to_hex(d->tx_hash) + ", to " +
        to_hex(d->deposit.to) + ", value " + d->deposit.value.to_dec() + " wei) has waited " +
        std::to_string(safe - d->deposit.l1_block_number) + " L1 blocks: no batch up to L1 block " +
        std::to_string(safe) +
        " includes it (validator.max-deposit-wait = " + std::to_string(cfg_.max_deposit_wait) + ")";
    if (cfg_.mode == Mode::kWatch) {
        alarm(text);
    } else {
        note(text);
    }
}

void Validator::rollback(const inbox::Rollback& rb) {
    const uint64_t target =
        rb.last_common_batch ? batch_last_block(*rb.last_common_batch).value_or(0) : 0;
    note("L1 reorg: batches from " + std::to_string(rb.first_removed_batch) +
         " replaced; rolling back to L2 block " + std::to_string(target));
    must(db_.rewind_to(target), "rolling back to L2 block " + std::to_string(target));
    for (auto h : {storage::Head::kSafe, storage::Head::kFinalized})
        if (db_.head(h).value_or(0) > target)
            must(db_.set_head(h, target), "lowering a head to L2 block " + std::to_string(target));
    std::lock_guard lock(mu_);
    ++status_.reorgs;
    status_.batches_derived = rb.last_common_batch ? *rb.last_common_batch + 1 : 0;
    status_.derived_block = target;
    status_.finalized_block = std::min(status_.finalized_block, target);
    watched_batches_ = std::min<uint64_t>(watched_batches_, status_.batches_derived);
    watched_block_ = std::min(watched_block_, target);
}

void Validator::apply_batch(const inbox::DeliveredBatch& b,
                            const std::vector<std::vector<Deposit>>& contents,
                            const std::vector<std::vector<arbos::PreparedTx>>& prepared) {
    // The batch before may still be committing: its blocks come from memory.
    const InFlight* before = in_flight_.get();
    const uint64_t head = before ? before->last : db_.head(storage::Head::kLatest).value_or(0);
    if (head != b.prev_message_count)
        throw Inconsistency("batch " + std::to_string(b.sequence_number) +
                            " starts after L2 block " + std::to_string(b.prev_message_count) +
                            " but the database's chain ends at block " + std::to_string(head) +
                            " (the database does not match its saved inbox cursor, e.g. a "
                            "database restored from another time; re-derive from an empty "
                            "datadir)");
    if (b.resolved.invalid != batch::ResolveError::kNone) {
        std::string why = batch::to_string(b.resolved.invalid);
        if (!b.deposit_problem.empty()) why += ": " + b.deposit_problem;
        note("batch " + std::to_string(b.sequence_number) + " is invalid (" + why +
             "): " + std::to_string(b.resolved.messages.size()) + " filler blocks");
        {
            std::lock_guard lock(mu_);
            ++status_.invalid_batches;
        }
        // A batch whose deposits L1 does not support: the watchers' alarm names the deposit.
        if (b.resolved.invalid == batch::ResolveError::kDepositRef && cfg_.mode == Mode::kWatch)
            alarm("batch " + std::to_string(b.sequence_number) + " (L1 block " +
                  std::to_string(b.l1_block_number) + ", tx " + to_hex(b.tx_hash) +
                  ") is invalid: " + b.deposit_problem + "; L2 blocks " +
                  std::to_string(b.prev_message_count + 1) + ".." +
                  std::to_string(b.new_message_count) + " are filler");
    }
    std::optional<arbos::Block> parent;
    if (!before) {
        parent = db_.block_by_number(head);
        if (!parent)
            throw Inconsistency("the database has no block " + std::to_string(head) +
                                ", its latest head (re-derive from an empty datadir)");
    }

    auto next = std::make_unique<InFlight>();
    std::deque<arbos::Block>& blocks = next->blocks;
    std::deque<state::StateDiff>& diffs = next->diffs;
    auto hashes = [&](int64_t number) -> Hash32 {
        if (number < 0) return Hash32{};
        const uint64_t n = static_cast<uint64_t>(number);
        if (n > head && n - head - 1 < blocks.size()) return blocks[n - head - 1].hash;
        if (before && n >= before->first && n <= before->last)
            return before->blocks[n - before->first].hash;
        return db_.block_hash(n).value_or(Hash32{});
    };
    // A failure before this batch commits: nothing of it is durable, the blocks staged before
    // it go too (after the batch before has finished committing, whatever its outcome).
    auto drop_staged = [&] {
        try {
            finish_in_flight();
        } catch (...) {
        }
        db_.discard_staged();
    };
    const arbos::Block* prev = before ? &before->blocks.back() : &*parent;
    const auto te = Clock::now();
    const double cpu_e = thread_cpu_seconds();
    for (const auto& msg : b.resolved.messages) {
        diffs.emplace_back();
        const size_t i = blocks.size();
        auto blk = arbos::try_execute_message(db_.world(), genesis_, *prev, msg, &diffs.back(),
                                              hashes, contents[i], prepared[i]);
        if (!blk) {
            const std::string what = "reading the state for L2 block " +
                                     std::to_string(prev->header.number + 1) + " of batch " +
                                     std::to_string(b.sequence_number) +
                                     " failed: " + state::to_string(blk.error());
            drop_staged();
            throw StorageFailure(what);
        }
        blocks.push_back(std::move(*blk));
        if (const auto e = blocks.back().deposit_error) {
            // The inbox reader's checks are ArbOS's: they disagree only when this database and
            // the saved cursor do (the deposits ArbOS executed are not the Bridge's).
            drop_staged();
            throw Inconsistency(
                "L2 block " + std::to_string(blocks.back().header.number) + " of batch " +
                std::to_string(b.sequence_number) + ": ArbOS refused deposits " +
                std::to_string(msg.deposit_ref->first_index) + "..: " + arbos::to_string(*e) +
                " (the chain in the database does not match the Bridge; re-derive from an "
                "empty datadir)");
        }
        prev = &blocks.back();
    }
    const double seconds_executing = seconds_between(te, Clock::now());
    const double cpu_executing = thread_cpu_seconds() - cpu_e;
    {
        std::lock_guard lock(mu_);
        status_.seconds_executing += seconds_executing;
        status_.cpu_executing += cpu_executing;
    }
    // One commit in flight at a time, in batch order: the one before first.
    finish_in_flight();
    next->sequence_number = b.sequence_number;
    next->first = head + 1;
    next->last = head + blocks.size();
    next->next_deposit_index = b.next_deposit_index;
    next->messages = b.resolved.messages;
    next->deposits = contents;
    std::vector<storage::BlockCommit> commits;
    for (size_t i = 0; i < blocks.size(); ++i)
        commits.push_back({&blocks[i], &diffs[i], &next->messages[i], next->deposits[i]});
    next->done =
        std::async(std::launch::async,
                   [this, commits = std::move(commits), seq = next->sequence_number,
                    first = next->first, last = next->last]() -> std::pair<double, double> {
                       const auto tc = Clock::now();
                       const double cpu_c = thread_cpu_seconds();
                       if (auto r = db_.commit(commits); !r)
                           throw StorageFailure("committing L2 blocks " + std::to_string(first) +
                                                ".." + std::to_string(last) + " of batch " +
                                                std::to_string(seq) + " failed: " + r.error());
                       // (A failure from here on leaves blocks above the saved cursor: a restart
                       // drops them and derives them again.)
                       must(db_.put_meta(batch_block_key(seq), be64(last)),
                            "recording the last block of batch " + std::to_string(seq));
                       must(db_.set_head(storage::Head::kSafe, last),
                            "setting the safe head to L2 block " + std::to_string(last));
                       return {seconds_between(tc, Clock::now()), thread_cpu_seconds() - cpu_c};
                   });
    in_flight_ = std::move(next);
}

void Validator::finish_in_flight() {
    if (!in_flight_) return;
    const std::unique_ptr<InFlight> f = std::move(in_flight_);
    try {
        const auto tw = Clock::now();
        const std::pair<double, double> spent = f->done.get();
        const double waited = seconds_between(tw, Clock::now());
        for (const auto& blk : f->blocks)
            for (auto& cb : on_block_)
                cb(blk);
        {
            std::lock_guard lock(mu_);
            status_.seconds_committing += spent.first;
            status_.cpu_committing += spent.second;
            status_.seconds_commit_waiting += waited;
            status_.batches_derived = f->sequence_number + 1;
            status_.derived_block = f->last;
            status_.next_deposit = f->next_deposit_index;
        }
        if (f->cursor) save_cursor(f->cursor->first, f->cursor->second);
    } catch (...) {
        // The blocks staged after it (the next batch, executed meanwhile) are not durable
        // either.
        db_.discard_staged();
        throw;
    }
}

void Validator::save_cursor(const inbox::InboxCursor& cursor, const std::string& history_json) {
    must(db_.put_meta(kCursorKey, text_bytes(inbox::to_json(cursor))), "saving the inbox cursor");
    must(db_.put_meta(kHistoryKey, text_bytes(history_json)), "saving the inbox history");
}

bool Validator::settle_roots() {
    bool ok = true;
    for (const auto& s : roots_->poll()) {
        if (s.outcome == l1::Outcome::kReverted) {
            // Another proposer was first, or a reorg changed the batch: the later roots build
            // on this one; the pipeline lets them settle, then RollupCore decides.
            note("state root for batch " + std::to_string(s.item) +
                 " reverted; rechecking RollupCore");
            ok = false;
        } else if (s.outcome == l1::Outcome::kLanded) {
            root_confirmed(s.item);
        }
    }
    set_roots_in_flight();
    return ok;
}

void Validator::root_confirmed(uint64_t batch) {
    // A root posted before an L1 reorg rolled its batch back may land after the rollback: that
    // batch is not derived (its record is stale, its blocks are gone) until the new chain
    // brings it again, so it says nothing about this node's blocks.
    if (batch >= batches_derived()) {
        note("state root for batch " + std::to_string(batch) +
             " landed after an L1 reorg rolled that batch back; ignored (the batch is derived "
             "again from the new L1 chain and its root rechecked)");
        return;
    }
    if (auto blk = batch_last_block(batch)) {
        must(db_.set_head(storage::Head::kFinalized, *blk),
             "setting the finalized head to L2 block " + std::to_string(*blk));
        std::lock_guard lock(mu_);
        status_.finalized_block = *blk;
        status_.roots_posted = std::max(status_.roots_posted, batch + 1);
    }
    note("state root for batch " + std::to_string(batch) + " confirmed");
}

void Validator::set_roots_in_flight() {
    std::lock_guard lock(mu_);
    status_.roots_in_flight = roots_->in_flight();
}

uint64_t Validator::batches_derived() const {
    std::lock_guard lock(mu_);
    return status_.batches_derived;
}

void Validator::propose() {
    if (!settle_roots()) return;
    uint64_t next = 0;
    switch (roots_->next()) {
        case l1::Next::kSettling:
        case l1::Next::kFull:
            return;
        case l1::Next::kFromL1: {
            next = l1::call_u64(l1_, cfg_.rollup, l1::encode_call(l1::sig::kPostedBatchCount),
                                "RollupCore postedBatchCount()");
            std::lock_guard lock(mu_);
            status_.roots_posted = next;
            break;
        }
        case l1::Next::kAfterLast:
            next = roots_->last() + 1;
            break;
    }
    const uint64_t derived = batches_derived();
    for (; next < derived && roots_->can_submit(); ++next)
        if (!post_root(next)) break;
    set_roots_in_flight();
}

bool Validator::post_root(uint64_t batch) {
    auto last = batch_last_block(batch);
    if (!last) return false;
    auto blk = db_.block_by_number(*last);
    if (!blk) return false;
    l1::PostRequest root;
    root.to = cfg_.rollup;
    root.data = l1::encode_post_state_root(uint256(batch), *last, blk->hash, blk->header.state_root,
                                           blk->send_root);
    roots_->submit(std::move(root), batch);  // behind one in flight: the last estimated limit
    note("posting state root of batch " + std::to_string(batch) + ": L2 block " +
         std::to_string(*last) + " " + to_hex(blk->hash));
    return true;
}

std::string Validator::batch_of_block(uint64_t block) const {
    const uint64_t derived = batches_derived();
    for (uint64_t seq = 0; seq < derived; ++seq)
        if (auto last = batch_last_block(seq); last && *last >= block) return std::to_string(seq);
    return "?";
}

void Validator::alarm(const std::string& text) {
    {
        std::lock_guard lock(mu_);
        if (status_.mismatch) return;
        status_.mismatch = true;
        status_.alarm = text;
    }
    note("ALARM: " + text);
    if (cfg_.on_mismatch) cfg_.on_mismatch(text);
}

void Validator::halt(HaltCause cause, const std::string& reason) {
    // Nothing runs on the other threads any more: the commit in flight ends (whatever its
    // outcome, nothing after it is saved), the poll reading ahead is dropped.
    if (in_flight_ && in_flight_->done.valid()) in_flight_->done.wait();
    in_flight_.reset();
    if (next_.valid()) next_.wait();
    next_ = {};
    db_.discard_staged();  // (needs no read)
    const bool storage = cause == HaltCause::kStorage;
    const char* prefix = "internal error: ";
    if (storage) prefix = "storage: ";
    if (cause == HaltCause::kInconsistent) prefix = "inconsistent data: ";
    const std::string text = prefix + reason;
    {
        std::lock_guard lock(mu_);
        if (status_.halted) return;
        status_.halted = text;
        status_.last_error = text;
        if (storage) ++status_.storage_errors;
    }
    note("HALTED: " + text +
         ". Nothing derived after the last durable write is posted or compared; the node keeps "
         "serving what is in the database. " +
         (storage ? "Fix the disk (space, permissions, hardware), then restart: the validator "
                    "resumes from its last saved inbox cursor and derives the rest again."
                  : "Restart after acting on the reason above: the validator resumes from its "
                    "last saved inbox cursor and derives the rest again."));
}

void Validator::watch() {
    if (watch_roots() && sequencer_) watch_sequencer();
}

bool Validator::watch_roots() {
    const uint64_t derived = batches_derived();
    const uint64_t posted =
        l1::call_u64(l1_, cfg_.rollup, l1::encode_call(l1::sig::kPostedBatchCount),
                     "RollupCore postedBatchCount()");
    while (watched_batches_ < std::min(posted, derived)) {
        const uint64_t seq = watched_batches_;
        const l1::StateRootRecord rec = l1::call_decoded(
            l1_, cfg_.rollup, l1::encode_call(l1::sig::kGetRecord, uint256(seq)),
            "RollupCore getRecord(" + std::to_string(seq) + ")", l1::decode_state_root_record);
        const auto last = batch_last_block(seq);
        auto blk = last ? db_.block_by_number(*last) : std::nullopt;
        if (!blk) break;
        if (const std::string what = root_difference(rec, *last, *blk); !what.empty()) {
            alarm("RollupCore root of batch " + std::to_string(seq) + " (L2 block " +
                  std::to_string(*last) + ") differs: L1 has " + what + ", derived block " +
                  to_hex(blk->hash) + " state root " + to_hex(blk->header.state_root));
            return false;
        }
        must(db_.set_head(storage::Head::kFinalized, *last),
             "setting the finalized head to L2 block " + std::to_string(*last));
        ++watched_batches_;
        std::lock_guard lock(mu_);
        status_.roots_posted = posted;
        status_.finalized_block = *last;
    }
    return true;
}

void Validator::watch_sequencer() {
    const uint64_t top = db_.head(storage::Head::kLatest).value_or(0);
    while (watched_block_ < top) {
        const uint64_t n = watched_block_ + 1;
        auto theirs = sequencer_->get_block(l1::block_tag(n));
        if (!theirs) break;  // the sequencer does not have it (yet)
        auto ours = db_.block_hash(n);
        if (!ours) break;
        if (theirs->hash != *ours) {
            alarm("sequencer block " + std::to_string(n) + " (batch " + batch_of_block(n) +
                  ") differs: sequencer " + to_hex(theirs->hash) + ", derived from L1 " +
                  to_hex(*ours));
            return;
        }
        watched_block_ = n;
    }
}

}  // namespace fuse::validator
