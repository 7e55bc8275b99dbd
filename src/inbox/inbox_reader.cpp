#include "inbox/inbox_reader.hpp"

#include <algorithm>
#include <thread>

#include "core/hex.hpp"

namespace fuse::inbox {
namespace {

using l1::L1Error;

[[noreturn]] void fail(InboxError::Kind kind, const std::string& msg) {
    throw InboxError(kind, msg);
}

std::string num(uint64_t v) {
    return std::to_string(v);
}

/// The cursor back at remembered batch `keep` (the scan resumes after its block), and the
/// rollback that says so.
Rollback roll_back_to(InboxCursor& c, const BatchRef& keep) {
    Rollback rb;
    rb.last_common_batch = keep.sequence_number;
    rb.first_removed_batch = keep.sequence_number + 1;
    c.last = keep;
    c.scanned_block = keep.l1_block_number;
    c.scanned_hash = keep.l1_block_hash;
    return rb;
}

/// L1 delivers, after the scanned block, a batch number the cursor is already past: the cursor's
/// batches from that number on are not on L1's chain although its block hashes say they are (an
/// L1 node that answered with a mix of the old and the new chain for a moment after a reorg).
struct Regression : InboxError {
    Regression(uint64_t seq, const Hash32& before_acc, std::string message)
        : InboxError(Kind::kSequenceGap, std::move(message)), seq(seq), before_acc(before_acc) {}
    uint64_t seq;
    Hash32 before_acc;
};

uint64_t to_u64(const uint256& v, InboxError::Kind kind, const char* what) {
    if (!v.fits_u64()) fail(kind, std::string(what) + " " + v.to_hex() + " does not fit 64 bits");
    return v.low64();
}

}  // namespace

BatchRef DeliveredBatch::ref() const {
    BatchRef r{sequence_number,   l1_block_number, l1_block_hash, after_acc, new_message_count, {},
               next_deposit_index};
    if (!resolved.messages.empty()) {
        const auto& m = resolved.messages.back();
        r.last_header = batch::L2Message{m.l1_block_number, m.l1_base_fee, m.timestamp, {}};
    }
    return r;
}

InboxReader::InboxReader(l1::RpcClient& rpc, InboxReaderConfig config, InboxCursor cursor,
                         std::vector<BatchRef> history)
    : rpc_(rpc), cfg_(std::move(config)), cursor_(std::move(cursor)) {
    if (cfg_.max_log_range == 0) cfg_.max_log_range = 1;
    if (cfg_.history_size == 0) cfg_.history_size = 1;
    log_range_ = cfg_.max_log_range;
    for (auto& r : history)
        history_.push_back(std::move(r));
    if (cursor_.last && (history_.empty() || !(history_.back() == *cursor_.last))) {
        history_.clear();  // history that does not end at the cursor is useless
        history_.push_back(*cursor_.last);
    }
    while (history_.size() > cfg_.history_size)
        history_.pop_front();
}

void InboxReader::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

std::optional<Hash32> InboxReader::canonical_hash(uint64_t number) {
    const auto h = rpc_.get_block(l1::block_tag(number));
    if (!h) return std::nullopt;
    return h->hash;
}

const l1::BlockHeader& InboxReader::header(uint64_t number) {
    if (auto it = headers_.find(number); it != headers_.end()) return it->second;
    auto h = rpc_.get_block(l1::block_tag(number));
    if (!h)
        fail(InboxError::Kind::kL1Inconsistent,
             "L1 block " + num(number) + " is not known to the L1 node (reorg under way?)");
    return headers_.emplace(number, std::move(*h)).first->second;
}

std::optional<Rollback> InboxReader::check_reorg(State& st) {
    InboxCursor& c = st.cursor;
    if (c.scanned_hash.is_zero()) return std::nullopt;
    if (canonical_hash(c.scanned_block) == c.scanned_hash) return std::nullopt;
    // The last scanned block changed. Batches are only affected if the last one's block did.
    if (!c.last) {
        note("L1 reorg below block " + num(c.scanned_block) + " (no batch yet): rescanning");
        c.scanned_block = 0;
        c.scanned_hash = Hash32{};
        return std::nullopt;
    }
    if (canonical_hash(c.last->l1_block_number) == c.last->l1_block_hash) {
        note("L1 reorg after batch " + num(c.last->sequence_number) + "'s block " +
             num(c.last->l1_block_number) + ": rescanning from there, no batch lost");
        c.scanned_block = c.last->l1_block_number;
        c.scanned_hash = c.last->l1_block_hash;
        return std::nullopt;
    }
    // Walk back to the newest remembered batch whose L1 block is still canonical: the same block
    // hash means the same block, hence the same batches and accumulators up to it.
    const uint64_t last_seq = c.last->sequence_number;
    auto& h = st.history;
    while (!h.empty() && canonical_hash(h.back().l1_block_number) != h.back().l1_block_hash)
        h.pop_back();
    if (!h.empty()) {
        const Rollback rb = roll_back_to(c, h.back());
        note("L1 reorg replaced batches " + num(rb.first_removed_batch) + ".." + num(last_seq) +
             ": roll back to batch " + num(*rb.last_common_batch));
        return rb;
    }
    // Nothing remembered is canonical. Fine if the history reached batch 0, else too deep.
    const bool knew_batch0 =
        st.history.empty() && history_.size() > 0 && history_.front().sequence_number == 0;
    if (!knew_batch0)
        fail(InboxError::Kind::kReorgTooDeep,
             "L1 reorg replaced batch " + num(last_seq) +
                 " and every remembered batch before it (history of " + num(history_.size()) +
                 "): re-derive from the inbox's deployment block (empty cursor)");
    c.last.reset();
    c.scanned_block = 0;
    c.scanned_hash = Hash32{};
    note("L1 reorg replaced every batch 0.." + num(last_seq) + ": roll back to genesis");
    return Rollback{std::nullopt, 0};
}

Rollback InboxReader::rollback_before(State& st, uint64_t seq, const Hash32& before_acc,
                                      const std::string& why) {
    // Keep the newest remembered batch below `seq` that L1 still has: its block canonical and,
    // for batch seq - 1, the accumulator the batch read builds on.
    InboxCursor& c = st.cursor;
    const uint64_t last_seq = c.last ? c.last->sequence_number : 0;
    auto& h = st.history;
    while (!h.empty() &&
           (h.back().sequence_number >= seq ||
            (h.back().sequence_number + 1 == seq && h.back().after_acc != before_acc) ||
            canonical_hash(h.back().l1_block_number) != h.back().l1_block_hash))
        h.pop_back();
    Rollback rb;
    if (!h.empty()) {
        rb = roll_back_to(c, h.back());
    } else {
        const bool knew_batch0 = history_.size() > 0 && history_.front().sequence_number == 0;
        if (seq > 0 && !knew_batch0)
            fail(InboxError::Kind::kReorgTooDeep,
                 why + "; and no remembered batch before " + num(seq) +
                     " is on L1: re-derive from the inbox's deployment block (empty cursor)");
        c.last.reset();
        c.scanned_block = 0;
        c.scanned_hash = Hash32{};
    }
    note("L1 reorg replaced batches " + num(rb.first_removed_batch) + ".." + num(last_seq) + " (" +
         why + "): roll back to " +
         (rb.last_common_batch ? "batch " + num(*rb.last_common_batch) : std::string("genesis")));
    return rb;
}

PollResult InboxReader::poll() {
    headers_.clear();
    State st{cursor_, history_};
    PollResult out;
    try {
        const uint64_t head = rpc_.block_number();
        out.rollback = check_reorg(st);
        out.caught_up = head < cfg_.confirmations;
        if (!out.caught_up) {
            const uint64_t safe = head - cfg_.confirmations;
            out.safe_block = safe;
            uint64_t next =
                st.cursor.scanned_hash.is_zero() ? cfg_.deploy_block : st.cursor.scanned_block + 1;
            for (size_t ranges = 0; next <= safe && ranges < cfg_.max_ranges_per_poll &&
                                    out.batches.size() < cfg_.max_batches_per_poll;
                 ++ranges) {
                // Each range is all or nothing; ranges completed before a failure are kept and
                // returned (the failure repeats, and is thrown, at the next poll).
                State work = st;
                const size_t before = out.batches.size();
                try {
                    read_range(work, next, std::min(safe, next + (log_range_ - 1)), out);
                } catch (const Regression& e) {
                    out.batches.erase(out.batches.begin() + static_cast<std::ptrdiff_t>(before),
                                      out.batches.end());
                    if (ranges > 0 || out.rollback) {
                        // Delivered first; the next poll reads the regression again.
                        note(std::string("inbox poll stopped early: ") + e.what());
                        break;
                    }
                    out.rollback = rollback_before(st, e.seq, e.before_acc, e.what());
                    break;
                } catch (const std::exception& e) {
                    out.batches.erase(out.batches.begin() + static_cast<std::ptrdiff_t>(before),
                                      out.batches.end());
                    if (ranges == 0 && !out.rollback) throw;
                    note(std::string("inbox poll stopped early: ") + e.what());
                    break;
                }
                st = std::move(work);
                next = st.cursor.scanned_block + 1;
            }
            out.caught_up = next > safe;
        }
    } catch (...) {
        headers_.clear();
        ++failures_;
        throw;
    }
    headers_.clear();
    cursor_ = std::move(st.cursor);
    history_ = std::move(st.history);
    failures_ = 0;
    return out;
}

void InboxReader::read_range(State& st, uint64_t from, uint64_t to, PollResult& out) {
    static const Hash32 topic = l1::event_topic(l1::sig::kSequencerBatchDelivered);
    std::vector<l1::Log> logs;
    for (;;) {
        l1::LogFilter f;
        f.from_block = l1::block_tag(from);
        f.to_block = l1::block_tag(to);
        f.addresses = {cfg_.inbox};
        f.topics = {{topic}};
        try {
            logs = rpc_.get_logs(f);
            break;
        } catch (const L1Error& e) {
            // Public nodes cap eth_getLogs ranges/results with a JSON-RPC error: ask for less.
            if (e.kind != L1Error::Kind::kJsonRpc || to == from) throw;
            log_range_ = std::max<uint64_t>(1, (to - from + 1) / 2);
            to = from + log_range_ - 1;
            note("eth_getLogs refused blocks " + num(from) + ".." + num(to) + " (" + e.what() +
                 "): range lowered to " + num(log_range_));
        }
    }
    std::sort(logs.begin(), logs.end(), [](const l1::Log& a, const l1::Log& b) {
        return a.block_number != b.block_number ? a.block_number < b.block_number
                                                : a.log_index < b.log_index;
    });
    // At most what is left of max_batches_per_poll (an L1 block's batches all together): the
    // range ends at the block of the last batch it delivers, the rest is read by the next poll.
    // A validator catching up then gets a few batches per poll and can execute them while the
    // next poll reads on (docs/validator.md "Catch-up").
    const size_t room = cfg_.max_batches_per_poll > out.batches.size()
                            ? cfg_.max_batches_per_poll - out.batches.size()
                            : 1;
    size_t counted = 0;
    for (size_t i = 0; i < logs.size(); ++i) {
        const l1::Log& log = logs[i];
        if (log.removed || log.address != cfg_.inbox) continue;
        if (counted++ < room || log.block_number > to ||
            log.block_number == logs[i - 1].block_number)
            continue;
        to = std::max(from, logs[i - 1].block_number);
        logs.erase(logs.begin() + static_cast<std::ptrdiff_t>(i), logs.end());
        break;
    }
    const Hash32 to_hash = header(to).hash;
    for (const l1::Log& log : logs) {
        if (log.removed || log.address != cfg_.inbox) continue;
        if (log.block_number < from || log.block_number > to)
            fail(InboxError::Kind::kL1Inconsistent, "eth_getLogs returned a log of block " +
                                                        num(log.block_number) + " outside " +
                                                        num(from) + ".." + num(to));
        const l1::BlockHeader& block = header(log.block_number);
        if (block.hash != log.block_hash)
            fail(InboxError::Kind::kL1Inconsistent,
                 "log of block " + num(log.block_number) + " has block hash " +
                     to_hex(log.block_hash) + " but the block is " + to_hex(block.hash) +
                     " (reorg under way?)");
        out.batches.push_back(read_batch(st, log, block));
    }
    // The range must still be canonical after reading it: else a reorg raced the reads.
    if (canonical_hash(to) != to_hash)
        fail(InboxError::Kind::kL1Inconsistent,
             "L1 block " + num(to) + " changed while reading its range (reorg under way)");
    st.cursor.scanned_block = to;
    st.cursor.scanned_hash = to_hash;
}

DeliveredBatch InboxReader::read_batch(State& st, const l1::Log& log,
                                       const l1::BlockHeader& block) {
    using K = InboxError::Kind;
    auto ev = l1::decode_sequencer_batch_delivered(log);
    if (!ev)
        fail(K::kBadEvent, "SequencerBatchDelivered in tx " + to_hex(log.tx_hash) +
                               " does not decode: " + l1::to_string(ev.error()) +
                               " (is the inbox address right?)");
    DeliveredBatch d;
    d.sequence_number = to_u64(ev->batch_sequence_number, K::kBadEvent, "batch number");
    d.prev_message_count = to_u64(ev->prev_message_count, K::kBadEvent, "prevMessageCount");
    d.new_message_count = to_u64(ev->new_message_count, K::kBadEvent, "newMessageCount");
    d.l1_block_number = log.block_number;
    d.l1_block_hash = log.block_hash;
    d.tx_hash = log.tx_hash;
    d.time_bounds = ev->time_bounds;
    d.before_acc = ev->before_acc;
    d.after_acc = ev->after_acc;
    d.data_hash = ev->data_hash;
    const std::string what = "batch " + num(d.sequence_number) + " (L1 block " +
                             num(d.l1_block_number) + ", tx " + to_hex(d.tx_hash) + ")";

    const auto& last = st.cursor.last;
    const uint64_t expected = last ? last->sequence_number + 1 : 0;
    if (d.sequence_number < expected)
        throw Regression(d.sequence_number, d.before_acc,
                         "expected batch " + num(expected) + " but read " + what +
                             ": batches from " + num(d.sequence_number) +
                             " on were replaced on L1");
    if (d.sequence_number != expected)
        fail(K::kSequenceGap, "expected batch " + num(expected) + " but read " + what +
                                  ": the L1 node's logs are incomplete or a reorg is under way");
    const uint64_t expected_prev = last ? last->message_count : 0;
    if (d.prev_message_count != expected_prev || d.new_message_count <= d.prev_message_count)
        fail(K::kSequenceGap, what + " has message counts " + num(d.prev_message_count) + ".." +
                                  num(d.new_message_count) + ", expected to start at " +
                                  num(expected_prev));
    const Hash32 expected_before = last ? last->after_acc : Hash32{};
    if (d.before_acc != expected_before)
        fail(K::kL1Inconsistent, what + " has beforeAcc " + to_hex(d.before_acc) + " but batch " +
                                     num(expected - 1) + " ended with " + to_hex(expected_before) +
                                     " (reorg under way?)");

    const auto txn = rpc_.get_transaction(log.tx_hash);
    if (!txn || txn->block_hash != log.block_hash)
        fail(K::kL1Inconsistent, what + ": transaction not found in that block");
    auto call = l1::decode_add_sequencer_l2_batch(txn->input);
    if (!call)
        fail(K::kBadCalldata, what + ": input is not an addSequencerL2Batch call (" +
                                  l1::to_string(call.error()) + ")");
    if (call->sequence_number != ev->batch_sequence_number ||
        call->prev_message_count != ev->prev_message_count ||
        call->new_message_count != ev->new_message_count)
        fail(K::kBadCalldata, what + ": call arguments differ from the event");
    const Hash32 data_hash =
        l1::batch_data_hash(d.time_bounds, d.prev_message_count, d.new_message_count, call->data);
    if (data_hash != d.data_hash)
        fail(K::kDataHashMismatch, what + ": keccak(header ‖ data) = " + to_hex(data_hash) +
                                       " but the event says " + to_hex(d.data_hash));
    if (l1::next_accumulator(d.before_acc, d.data_hash) != d.after_acc)
        fail(K::kAccumulatorMismatch, what + ": afterAcc != keccak(beforeAcc ‖ dataHash)");

    // Resolve under the L1 checks; header lookups that fail throw, never invalidate the batch.
    // --- format 0x02 (branch `registry`): decode against the address registry as of this
    // batch; dropping what a reorg or a failed range left in it beyond `expected`.
    std::vector<Address> registered;
    batch::AddressRegistry* registry = cfg_.registry;
    if (registry && (!registry->rollback_to_batch(expected) ||
                     (registry->next_batch() != expected &&
                      !(registry->marks().empty() && registry->next_batch() == 0))))
        fail(K::kBadCursor, what + ": the address registry covers batches before " +
                                num(registry->next_batch()) + ", not before this one");
    auto decoded = batch::decode_batch(call->data, cfg_.limits, registry, &registered);
    if (registry) registry->apply_batch(expected, registered);
    // --- end format 0x02
    batch::BatchContext ctx;
    ctx.bounds = {d.time_bounds.min_timestamp, d.time_bounds.max_timestamp,
                  d.time_bounds.min_block_number, d.time_bounds.max_block_number};
    ctx.prev_message_count = d.prev_message_count;
    ctx.new_message_count = d.new_message_count;
    ctx.prev_header = last ? last->last_header : cfg_.genesis_header;
    ctx.prev_header.txs.clear();
    batch::L1Facts facts;
    facts.inclusion_block_number = block.number;
    if (decoded) {
        // Blocks below the batch's bounds fail kOutOfBlockBounds first: no lookup needed.
        for (uint64_t n : batch::referenced_l1_blocks(*decoded, block.number))
            if (n >= ctx.bounds.min_block_number)
                facts.base_fees[n] = header(n).base_fee.value_or(uint256{});
    }
    ctx.l1 = std::move(facts);
    auto resolved = batch::resolve_decoded(std::move(decoded), ctx, cfg_.limits);
    if (!resolved)
        fail(K::kHalt, what + " claims " + num(d.new_message_count - d.prev_message_count) +
                           " messages, more than a batch can hold: the chain halts here "
                           "(docs/batch-format.md rule 1; pause the inbox, rotate the sequencer)");
    d.resolved = std::move(*resolved);
    d.next_deposit_index = last ? last->next_deposit_index : 0;
    if (d.resolved.invalid == batch::ResolveError::kNone) {
        // Rule 2's deposit checks, against the Bridge's deposits up to the inclusion block.
        std::optional<std::string> problem;
        try {
            problem =
                check_deposit_refs(cfg_.deposits, d.resolved.messages, d.prev_message_count + 1,
                                   block.number, d.next_deposit_index, &d.deposits);
        } catch (const DepositError& e) {
            fail(e.retryable() ? K::kL1Inconsistent : K::kBadDeposits,
                 what + ": cannot check its deposits: " + e.what());
        }
        if (problem) {
            d.deposit_problem = *problem;
            d.resolved.messages = batch::filler_messages(ctx);
            d.resolved.invalid = batch::ResolveError::kDepositRef;
        }
    }
    if (d.resolved.invalid != batch::ResolveError::kNone) d.deposits.clear();
    d.deposits.resize(d.resolved.messages.size());
    if (d.resolved.invalid != batch::ResolveError::kNone) {
        std::string why = batch::to_string(d.resolved.invalid);
        if (d.resolved.decode_error)
            why += std::string(": ") + batch::to_string(*d.resolved.decode_error);
        if (!d.deposit_problem.empty()) why += ": " + d.deposit_problem;
        note("invalid " + what + " (" + why + "): " + num(d.resolved.messages.size()) +
             " filler messages");
    }
    st.cursor.last = d.ref();
    st.history.push_back(*st.cursor.last);
    while (st.history.size() > cfg_.history_size)
        st.history.pop_front();
    return d;
}

std::optional<PollResult> InboxReader::poll_retrying(const std::function<bool()>& keep_going) {
    auto backoff = cfg_.retry_initial;
    while (keep_going()) {
        std::string why;
        try {
            return poll();
        } catch (const L1Error& e) {
            why = e.what();
        } catch (const InboxError& e) {
            if (!e.retryable()) throw;
            why = e.what();
        }
        note("inbox poll failed (" + std::to_string(failures_) + " in a row), retrying in " +
             std::to_string(backoff.count()) + " ms: " + why);
        const auto until = std::chrono::steady_clock::now() + backoff;
        while (keep_going() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(
                std::min<std::chrono::milliseconds>(std::chrono::milliseconds(50), backoff));
        backoff = std::min(backoff * 2, cfg_.retry_max);
    }
    return std::nullopt;
}

}  // namespace fuse::inbox
