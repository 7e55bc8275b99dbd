// Rewinds of the soft chain when L1 no longer supports it (docs/sequencer.md "When L1 goes back
// in time"): drop blocks, execute L1's derivation of what is posted, re-sequence the dropped
// transactions in their order, and never lose one across a crash.

#include <chrono>
#include <cstddef>
#include <deque>
#include <utility>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "sequencer/sequencer_impl.hpp"

namespace fuse::sequencer {
namespace {

uint64_t unix_seconds() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

Bytes encode_raw_list(const std::vector<Bytes>& raws) {
    Bytes out;
    for (const Bytes& raw : raws) {
        const auto n = static_cast<uint32_t>(raw.size());
        for (int i = 3; i >= 0; --i)
            out.push_back(static_cast<uint8_t>(n >> (8 * i)));
        out.insert(out.end(), raw.begin(), raw.end());
    }
    return out;
}

/// The inverse of encode_raw_list; stops at a truncated entry (the record is written whole, so
/// that only happens to a damaged database: what decodes is still re-sequenced).
std::vector<Bytes> decode_raw_list(ByteView data) {
    std::vector<Bytes> out;
    size_t at = 0;
    while (data.size() - at >= 4) {
        const uint32_t n = uint32_t{data[at]} << 24 | uint32_t{data[at + 1]} << 16 |
                           uint32_t{data[at + 2]} << 8 | uint32_t{data[at + 3]};
        at += 4;
        if (data.size() - at < n) break;
        out.emplace_back(data.begin() + static_cast<ptrdiff_t>(at),
                         data.begin() + static_cast<ptrdiff_t>(at + n));
        at += n;
    }
    return out;
}

}  // namespace

using Impl = Sequencer::Impl;

Result<RewindReport, std::string> Impl::rewind(const RewindPlan& plan) {
    std::lock_guard one_at_a_time(rewind_mu);
    {
        std::unique_lock lock(mu);
        if (halt_reason) return Unexpected{"the sequencer is halted: " + *halt_reason};
        if (stopping) return Unexpected{std::string("the sequencer is stopping")};
        paused = true;
        rewinding = true;
        // Every sealed block durable and announced, and the sealer out of its block.
        idle_cv.wait(lock, [&] { return !in_seal && unannounced == 0; });
    }
    std::vector<std::unique_ptr<PoolTx>> pooled;
    Result<RewindReport, std::string> result = Unexpected{std::string()};
    try {
        result = rewind_paused(plan, pooled);
    } catch (const storage::ReadError& e) {
        // A block read failed (the state reads return their faults): nothing of the rewind is
        // trusted, sealing stops; a restart rewinds again from what is durable.
        const std::string reason =
            std::string("storage: a read failed during a rewind: ") + e.what() +
            ". Check the database, then restart (docs/storage.md \"Errors\")";
        storage_halt(reason, false);
        result = Unexpected{reason};
    }
    std::vector<std::pair<CheckedTx, SubmitCallback>> waiting;
    {
        std::lock_guard lock(mu);
        rewinding = false;
        waiting.swap(deferred);
    }
    // After the re-sequenced ones, in their order: what was pooled (never acknowledged), then
    // what was submitted during the rewind; checked against the new state.
    for (auto& tx : pooled)
        admit(std::move(tx->checked), std::move(tx->done));
    for (auto& [checked, done] : waiting)
        admit(std::move(checked), std::move(done));
    {
        std::lock_guard lock(mu);
        paused = halt_reason.has_value();
        if (deposit_source) ++deposits_gen;  // dropped blocks' deposits go in again
    }
    seal_cv.notify_all();
    return result;
}

Result<RewindReport, std::string> Impl::rewind_paused(
    const RewindPlan& plan, std::vector<std::unique_ptr<PoolTx>>& clients) {
    RewindReport report;
    report.reason = plan.reason;
    report.unix_time = unix_seconds();
    report.from_head = db.head(storage::Head::kLatest).value_or(0);
    report.kept_through = plan.keep_through;
    if (plan.keep_through > report.from_head)
        return Unexpected{"cannot rewind to block " + std::to_string(plan.keep_through) +
                          ": the chain ends at " + std::to_string(report.from_head)};

    // What leaves the chain: the dropped blocks' transactions, in block order, then those a
    // previous rewind put back in the pool and that are not sealed again yet.
    std::vector<arbos::Block> dropped;
    std::vector<Bytes> raws;
    std::vector<Hash32> hashes;
    for (uint64_t n = plan.keep_through + 1; n <= report.from_head; ++n) {
        auto block = db.block_by_number(n);
        if (!block) return Unexpected{"cannot rewind: block " + std::to_string(n) + " is missing"};
        for (const auto& tx : block->txs) {
            // A dropped block's deposits are not re-sequenced as transactions: ArbOS's deposit
            // index goes back with the state and the sealer includes them again.
            if (is_deposit_type(tx.tx.type)) continue;
            raws.push_back(tx.raw);
            hashes.push_back(tx.hash);
        }
        dropped.push_back(std::move(*block));
    }
    report.dropped_blocks = dropped.size();
    report.dropped_txs = raws.size();
    std::vector<std::unique_ptr<PoolTx>> released;
    {
        std::lock_guard lock(mu);
        released = pool.release_all();
    }
    {
        std::lock_guard lock(reseq_mu);
        for (auto& tx : released) {
            if (resequencing.count(tx->checked.hash)) {
                raws.push_back(tx->checked.raw);
                hashes.push_back(tx->checked.hash);
            } else {
                clients.push_back(std::move(tx));
            }
        }
        resequencing.clear();
    }
    // Durable before the blocks go: from here on a crash re-sequences them at start.
    if (auto saved = save_resequence(raws); !saved) {
        storage_halt(saved.error(), true);
        return Unexpected{saved.error()};
    }

    // The adopted messages' deposits, read before the rewind drops the stored ones.
    std::vector<std::vector<Deposit>> contents;
    for (const auto& msg : plan.adopt)
        contents.push_back(msg.deposit_ref ? deposits_for(*msg.deposit_ref)
                                           : std::vector<Deposit>{});
    if (auto r = db.rewind_to(plan.keep_through); !r) {
        // One write batch: the chain is still what it was; the record above lists
        // transactions still in blocks, which a restart finds there.
        const std::string reason = "storage: rewinding to block " +
                                   std::to_string(plan.keep_through) + " failed: " + r.error() +
                                   ". Fix the disk, then restart (docs/storage.md \"Errors\")";
        storage_halt(reason, true);
        return Unexpected{reason};
    }
    auto adopted = adopt(plan.adopt, contents);
    if (!adopted) {
        const std::string reason = "storage: " + adopted.error() +
                                   ". Fix the disk, then restart: the L1 guard rewinds again "
                                   "(docs/storage.md \"Errors\")";
        storage_halt(reason, true);
        return Unexpected{reason};
    }
    report.adopted_blocks = adopted->size();
    if (auto r = load_head(); !r) {
        const std::string reason = "storage: after the rewind: " + r.error() +
                                   ". Check the database, then restart (docs/storage.md "
                                   "\"Errors\")";
        storage_halt(reason, false);
        return Unexpected{reason};
    }
    {
        std::lock_guard lock(mu);
        commit_gen.fetch_add(1, std::memory_order_release);
    }
    report.new_head = plan.keep_through + report.adopted_blocks;

    // Back into the pool in their order, ahead of everything submitted later.
    std::vector<Bytes> still_waiting;
    for (size_t i = 0; i < raws.size(); ++i) {
        if (db.tx_location(hashes[i])) {
            ++report.included_again;
            continue;
        }
        if (requeue(raws[i], hashes[i])) {
            ++report.requeued;
            still_waiting.push_back(raws[i]);
        }
    }
    Result<void, std::string> saved;
    {
        std::lock_guard lock(reseq_mu);
        // Only what is still waiting (and was not sealed meanwhile: the sealer is paused).
        saved = save_resequence(resequencing.empty() ? std::vector<Bytes>{} : still_waiting);
    }
    if (!saved) storage_halt(saved.error(), true);
    {
        std::lock_guard lock(commit_mu);
        ++stats.rewinds;
        stats.rewound_blocks += report.dropped_blocks;
        stats.adopted_blocks += report.adopted_blocks;
        stats.last_block_number = report.new_head;
    }
    {
        std::lock_guard lock(reseq_mu);
        last_rewind = report;
    }
    warn("rewound from block " + std::to_string(report.from_head) + " to " +
         std::to_string(report.kept_through) + " (" + report.reason +
         "): " + std::to_string(report.dropped_blocks) + " blocks dropped, " +
         std::to_string(report.adopted_blocks) + " adopted from L1; of their " +
         std::to_string(report.dropped_txs) + " transactions " + std::to_string(report.requeued) +
         " are re-sequenced in order and " + std::to_string(report.included_again) +
         " are already in adopted blocks");
    for (const auto& cb : rewind_callbacks)
        cb(report, dropped);
    for (const auto& block : *adopted)
        for (const auto& cb : block_callbacks)
            cb(block);
    return report;
}

std::vector<Deposit> Impl::deposits_for(const batch::DepositRef& ref) const {
    if (auto stored = db.deposits(ref.first_index, ref.count)) return std::move(*stored);
    if (!deposit_source) return {};
    auto got = deposit_source(ref.first_index, UINT64_MAX, ref.count);
    if (got.size() < ref.count)
        warn("deposits " + std::to_string(ref.first_index) + ".." +
             std::to_string(ref.first_index + ref.count - 1) +
             " of a block adopted from L1 are not known: the block executes without them");
    return got;
}

Result<std::vector<arbos::Block>, std::string> Impl::adopt(
    const std::vector<arbos::Message>& msgs, const std::vector<std::vector<Deposit>>& contents) {
    std::vector<arbos::Block> blocks;
    if (msgs.empty()) return blocks;
    const uint64_t head = db.head(storage::Head::kLatest).value_or(0);
    auto parent_block = db.block_by_number(head);
    if (!parent_block)
        return Unexpected{"adopting L1's blocks: block " + std::to_string(head) + " is missing"};
    std::deque<state::StateDiff> diffs;
    blocks.reserve(msgs.size());
    auto hashes = [&](int64_t number) -> Hash32 {
        if (number < 0) return Hash32{};
        const uint64_t n = static_cast<uint64_t>(number);
        if (n > head && n - head - 1 < blocks.size()) return blocks[n - head - 1].hash;
        return db.block_hash(n).value_or(Hash32{});
    };
    const arbos::Block* prev = &*parent_block;
    for (const auto& msg : msgs) {
        diffs.emplace_back();
        const auto& deposits = contents[blocks.size()];
        auto block = arbos::try_execute_message(db.world(), genesis, *prev, msg, &diffs.back(),
                                                hashes, deposits);
        if (!block) {
            db.discard_staged();
            return Unexpected{"adopting L1's blocks: reading the state failed: " +
                              state::to_string(block.error())};
        }
        blocks.push_back(std::move(*block));
        if (const auto e = blocks.back().deposit_error)
            warn("block " + std::to_string(blocks.back().header.number) +
                 " adopted from L1 executes without its deposits: " + arbos::to_string(*e));
        prev = &blocks.back();
    }
    std::vector<storage::BlockCommit> commits;
    for (size_t i = 0; i < blocks.size(); ++i) {
        std::span<const Deposit> stored;
        if (!blocks[i].deposit_error) stored = contents[i];
        commits.push_back({&blocks[i], &diffs[i], &msgs[i], stored});
    }
    if (auto r = db.commit(commits); !r) {
        db.discard_staged();
        return Unexpected{"adopting L1's blocks: commit failed: " + r.error()};
    }
    return blocks;
}

bool Impl::requeue(Bytes raw, const Hash32& hash) {
    {
        std::lock_guard lock(reseq_mu);
        if (resequencing.count(hash)) return true;  // already waiting in the pool
    }
    auto done = [this, hash](SubmitResult r) { requeue_done(hash, r); };
    auto checked = check_transaction(std::move(raw), rules, fee_view());
    if (!checked) {
        record_dropped(hash, checked.error().message);
        return false;
    }
    const auto account = committed_state()->read_account(checked->sender);
    std::vector<Completion> completions;
    Result<void, Rejection> added;
    {
        std::lock_guard lock(reseq_mu);
        resequencing.insert(hash);  // kept in the durable record until sealed again
    }
    if (!account) {
        // Not the transaction's fault: it stays recorded and a restart re-sequences it.
        storage_halt("storage: reading the committed state while re-sequencing failed: " +
                         state::to_string(account.error()) +
                         ". Check the database, then restart (docs/storage.md \"Errors\")",
                     false);
        return true;
    }
    {
        std::lock_guard lock(mu);
        added = pool.add(std::move(checked).value(), done, *account, completions);
    }
    run_all(completions);
    if (!added) {
        {
            std::lock_guard lock(reseq_mu);
            resequencing.erase(hash);
        }
        record_dropped(hash, added.error().message);
        return false;
    }
    return true;
}

void Impl::requeue_done(const Hash32& hash, const SubmitResult& r) {
    // A stop or a halt before it is sealed again: it stays recorded and the next start
    // re-sequences it.
    if (!r && (r.error().reason == Rejection::Reason::kShuttingDown ||
               r.error().reason == Rejection::Reason::kHalted))
        return;
    if (!r) record_dropped(hash, r.error().message);
    Result<void, std::string> saved;
    {
        std::lock_guard lock(reseq_mu);
        if (resequencing.erase(hash) == 0) return;
        if (resequencing.empty()) saved = save_resequence({});
    }
    if (!saved) storage_halt(saved.error(), true);
    if (r) {
        std::lock_guard lock(commit_mu);
        ++stats.resequenced_txs;
    }
}

Result<void, std::string> Impl::save_resequence(const std::vector<Bytes>& raws) {
    if (auto r = db.put_meta(kResequenceKey, encode_raw_list(raws)); !r)
        return Unexpected{"storage: cannot record the transactions to re-sequence: " + r.error() +
                          ". Fix the disk, then restart (docs/storage.md \"Errors\")"};
    return {};
}

void Impl::resume_resequence() {
    const auto record = db.get_meta(kResequenceKey);
    if (!record || record->empty()) return;
    size_t requeued = 0, included = 0;
    std::vector<Bytes> waiting;
    for (Bytes& raw : decode_raw_list(*record)) {
        const Hash32 hash = keccak256(raw);
        if (db.tx_location(hash)) {
            ++included;
            continue;
        }
        Bytes copy = raw;
        if (requeue(std::move(raw), hash)) {
            ++requeued;
            waiting.push_back(std::move(copy));
        }
    }
    Result<void, std::string> saved;
    {
        std::lock_guard lock(reseq_mu);
        saved = save_resequence(resequencing.empty() ? std::vector<Bytes>{} : waiting);
    }
    if (!saved) storage_halt(saved.error(), true);
    warn("re-sequencing " + std::to_string(requeued) +
         " transactions of blocks a rewind dropped before the restart (" +
         std::to_string(included) + " were already in blocks)");
}

void Impl::record_dropped(const Hash32& hash, const std::string& reason) {
    warn("transaction " + to_hex(hash) + " of a dropped block is no longer valid: " + reason);
    {
        std::lock_guard stats_lock(commit_mu);
        ++stats.dropped_txs;
    }
    std::lock_guard lock(reseq_mu);
    recent_dropped.push_back(DroppedTx{hash, reason});
    if (recent_dropped.size() > kRecentDropped) recent_dropped.pop_front();
}

void Impl::warn(const std::string& line) const {
    if (config.warn) config.warn(line);
}

void Impl::halt(const std::string& reason) {
    std::vector<Completion> left;
    {
        std::lock_guard lock(mu);
        if (halt_reason) return;
        halt_reason = reason;
        paused = true;
        left = pool.drain(Rejection{Rejection::Reason::kHalted, reason});
    }
    seal_cv.notify_all();
    warn("HALTED: " + reason);
    run_all(left);
}

void Impl::storage_halt(const std::string& reason, bool write) {
    {
        std::lock_guard lock(commit_mu);
        ++stats.storage_errors;
    }
    std::vector<Completion> left;
    bool first = false;
    bool discard_now = false;
    {
        std::lock_guard lock(mu);
        if (!halt_reason) {
            halt_reason = reason;
            paused = true;
            first = true;
            left = pool.drain(Rejection{Rejection::Reason::kHalted, reason});
        }
        if (write) {
            write_failed = true;
            // The world belongs to the sealer while it builds a block: it drops the staged
            // state when it leaves it; idle (and paused from now on), it is dropped here.
            if (in_seal)
                discard_pending = true;
            else
                discard_now = true;
        }
    }
    seal_cv.notify_all();
    idle_cv.notify_all();
    warn(std::string(first ? "HALTED: " : "") + reason);
    if (discard_now) db.discard_staged();
    run_all(left);
}

}  // namespace fuse::sequencer
