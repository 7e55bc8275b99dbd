#include "poster/l1_guard.hpp"

#include "batch/resolve.hpp"
#include "core/hex.hpp"
#include "inbox/registry_store.hpp"
#include "l1/contracts.hpp"

namespace fuse::poster {
namespace {

constexpr std::string_view kCursorKey = "guard.cursor";
constexpr std::string_view kHistoryKey = "guard.history";
constexpr const char* kRegistryPrefix = "guard.registry";
constexpr size_t kPersistedHistory = 128;

Bytes text_bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

/// Why `m` (L2 block `n`) is not supported by an L1 whose head is `l1_head`, in words.
std::string unsupported_reason(uint64_t n, const batch::L2Message& m, uint64_t l1_head,
                               const std::optional<uint256>& l1_base_fee) {
    const std::string head = "L2 block " + std::to_string(n) + " names L1 block " +
                             std::to_string(m.l1_block_number) + " with base fee " +
                             m.l1_base_fee.to_hex();
    if (m.l1_block_number > l1_head || !l1_base_fee)
        return head + ", which the L1 no longer has (its head is " + std::to_string(l1_head) +
               ": L1 went back in time)";
    return head + ", but that L1 block's base fee is now " + l1_base_fee->to_hex() +
           " (an L1 reorg deeper than l1.lag replaced it)";
}

}  // namespace

L1Guard::L1Guard(storage::Database& db, l1::RpcClient& rpc, GuardConfig config)
    : db_(db), rpc_(rpc), cfg_(std::move(config)) {
    // The header before batch 0 is the genesis block's (as the validator's).
    if (auto g = db_.block_by_number(0)) {
        cfg_.reader.genesis_header.timestamp = g->header.timestamp;
        cfg_.reader.genesis_header.l1_block_number = g->l1_block_number;
    }
    reset_reader();
}

L1Guard::~L1Guard() = default;

void L1Guard::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

GuardStatus L1Guard::status() const {
    std::lock_guard lock(mu_);
    return status_;
}

std::optional<std::string> L1Guard::deposits_unsupported(uint64_t n, const batch::DepositRef& ref,
                                                         uint64_t l1_block) {
    inbox::DepositReader* reader = cfg_.reader.deposits;
    const std::string block = "L2 block " + std::to_string(n);
    if (!reader) return block + " references L1 deposits, but this node reads no Bridge";
    try {
        reader->ensure(ref.first_index, l1_block);  // L1 failures throw: never a divergence
    } catch (const inbox::DepositError& e) {
        throw inbox::InboxError(e.retryable() ? inbox::InboxError::Kind::kL1Inconsistent
                                              : inbox::InboxError::Kind::kBadDeposits,
                                std::string("cannot read the Bridge's deposits: ") + e.what());
    }
    if (reader->scanned_block() < l1_block) return std::nullopt;
    for (uint64_t k = ref.first_index; k < ref.first_index + ref.count; ++k) {
        const auto d = reader->get(k);
        if (!d && k < reader->first_index()) return std::nullopt;  // pruned: judged next round
        if (!d || d->deposit.l1_block_number > l1_block)
            return block + " includes L1 deposit " + std::to_string(k) +
                   ", which the L1 no longer has by L1 block " + std::to_string(l1_block) +
                   " (an L1 reorg deeper than l1.lag removed it)";
    }
    const auto last = reader->get(ref.first_index + ref.count - 1);
    if (!last) return std::nullopt;
    if (last->acc != ref.acc)
        return block + " includes L1 deposits " + std::to_string(ref.first_index) + ".." +
               std::to_string(ref.first_index + ref.count - 1) +
               " that are no longer the Bridge's (accumulator now " + to_hex(last->acc) +
               "): an L1 reorg deeper than l1.lag replaced them";
    return std::nullopt;
}

void L1Guard::reset_reader() {
    inbox::InboxCursor cursor;
    std::vector<inbox::BatchRef> history;
    if (auto c = db_.get_meta(kCursorKey); c && !c->empty())
        cursor = inbox::cursor_from_json(std::string(c->begin(), c->end()));
    if (auto h = db_.get_meta(kHistoryKey); h && !h->empty())
        history = inbox::history_from_json(std::string(h->begin(), h->end()));
    next_deposit_checked_.store(cursor.last ? cursor.last->next_deposit_index : 0,
                                std::memory_order_release);
    // Format 0x02 batches decode against the registry of the batches before them; the saved one
    // may be ahead of the saved cursor (the reader rolls it back to the batch it reads next).
    registry_ = inbox::load_saved_registry(db_, kRegistryPrefix, "L1 guard");
    inbox::InboxReaderConfig reader_cfg = cfg_.reader;
    reader_cfg.registry = &registry_;
    reader_ = std::make_unique<inbox::InboxReader>(rpc_, reader_cfg, cursor, std::move(history));
    last_posted_check_ = {};
}

void L1Guard::save_reader() {
    // The registry first: a cursor saved ahead of it would not decode the next batch.
    if (auto r =
            inbox::save_registry_if_used(registry_, db_, kRegistryPrefix, registry_saved_nonempty_);
        !r) {
        note("cannot save the L1 guard's address registry (its inbox cursor stays where it was): " +
             r.error());
        return;
    }
    auto a = db_.put_meta(kCursorKey, text_bytes(inbox::to_json(reader_->cursor())));
    auto b = db_.put_meta(
        kHistoryKey, text_bytes(inbox::history_to_json(reader_->history(), kPersistedHistory)));
    // Not fatal: an unsaved cursor only means reading those batches again after a restart.
    if (!a || !b) note("cannot save the L1 guard's inbox cursor: " + (!a ? a.error() : b.error()));
    std::lock_guard lock(mu_);
    status_.posted_checked = reader_->cursor().last ? reader_->cursor().last->message_count : 0;
    next_deposit_checked_.store(
        reader_->cursor().last ? reader_->cursor().last->next_deposit_index : 0,
        std::memory_order_release);
}

void L1Guard::save_cursor() {
    if (auto a = db_.put_meta(kCursorKey, text_bytes(inbox::to_json(reader_->cursor()))); !a)
        note("cannot save the L1 guard's inbox cursor: " + a.error());
}

void L1Guard::applied() {
    save_reader();
    referenced_.clear();
    with_deposits_.clear();
    checked_through_ = 0;
    posted_seen_ = 0;
    suspect_.reset();
}

std::optional<Divergence> L1Guard::check() {
    auto d = check_posted();
    if (!d) d = check_unposted();
    if (d) {
        note("L1 no longer supports this chain after L2 block " + std::to_string(d->keep_through) +
             ": " + d->reason);
        verified_through_.store(d->keep_through, std::memory_order_release);
        std::lock_guard lock(mu_);
        ++status_.divergences;
        status_.last_divergence = d->reason;
        status_.verified_through = d->keep_through;
    }
    return d;
}

std::optional<Divergence> L1Guard::check_posted() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_posted_check_ < cfg_.poll_interval) return std::nullopt;
    const uint64_t scanned_before = reader_->cursor().scanned_block;
    inbox::PollResult r = reader_->poll();
    last_posted_check_ = now;
    if (r.rollback) {
        note("an L1 reorg replaced posted batches from " +
             std::to_string(r.rollback->first_removed_batch) + ": checking them again");
    }
    for (size_t bi = 0; bi < r.batches.size(); ++bi) {
        const inbox::DeliveredBatch& b = r.batches[bi];
        const auto& msgs = b.resolved.messages;
        for (size_t i = 0; i < msgs.size(); ++i) {
            const uint64_t n = b.prev_message_count + 1 + i;
            const auto ours = db_.message(n);
            if (ours && *ours == msgs[i]) continue;
            Divergence d;
            d.keep_through = n - 1;
            d.adopt.assign(msgs.begin() + static_cast<ptrdiff_t>(i), msgs.end());
            for (size_t later = bi + 1; later < r.batches.size(); ++later) {
                const auto& more = r.batches[later].resolved.messages;
                d.adopt.insert(d.adopt.end(), more.begin(), more.end());
            }
            const std::string where = "posted batch " + std::to_string(b.sequence_number) +
                                      " (L1 block " + std::to_string(b.l1_block_number) + ", tx " +
                                      to_hex(b.tx_hash) + ")";
            if (b.resolved.invalid != batch::ResolveError::kNone) {
                d.reason = where + " is invalid under the current L1 (" +
                           batch::to_string(b.resolved.invalid) + "): validators derive filler " +
                           "for L2 blocks " + std::to_string(b.prev_message_count + 1) + ".." +
                           std::to_string(b.new_message_count);
            } else if (!ours) {
                d.reason = where + " holds L2 block " + std::to_string(n) +
                           ", which this sequencer does not have";
            } else {
                d.reason = where + " holds another L2 block " + std::to_string(n) +
                           " than this sequencer's";
            }
            return d;  // the reader's position is saved once the caller applied it
        }
    }
    if (r.rollback || !r.batches.empty())
        save_reader();
    else if (reader_->cursor().scanned_block != scanned_before)
        save_cursor();
    return std::nullopt;
}

std::optional<Divergence> L1Guard::check_unposted() {
    const uint64_t latest = db_.head(storage::Head::kLatest).value_or(0);
    const uint64_t posted =
        l1::call_u64(rpc_, cfg_.reader.inbox, l1::encode_call(l1::sig::kTotalMessageCount),
                     "inbox totalMessageCount()");
    const auto now = std::chrono::steady_clock::now();
    const bool recheck = suspect_ || now - last_recheck_ >= cfg_.poll_interval;
    if (recheck) last_recheck_ = now;
    auto bad = first_unsupported(posted, latest, recheck);
    if (!bad) {
        suspect_.reset();
        verified_through_.store(latest, std::memory_order_release);
        std::lock_guard lock(mu_);
        status_.verified_through = latest;
        return std::nullopt;
    }
    verified_through_.store(bad->first - 1, std::memory_order_release);
    if (!suspect_ || suspect_->first != bad->first) {
        // Once is not enough (a lagging node behind a load balancer): check again first.
        suspect_ = bad;
        return std::nullopt;
    }
    suspect_.reset();
    Divergence d;
    d.keep_through = bad->first - 1;
    d.reason = bad->second;
    return d;
}

std::optional<std::pair<uint64_t, std::string>> L1Guard::first_unsupported(uint64_t posted,
                                                                           uint64_t latest,
                                                                           bool recheck) {
    // Posted messages leave the check (the posted check judges them once confirmed)... unless
    // the L1 lost their batches: then they are unposted again and checked again.
    if (posted < posted_seen_) checked_through_ = std::min(checked_through_, posted);
    posted_seen_ = posted;
    std::erase_if(referenced_, [&](const auto& e) { return e.second.last_message <= posted; });
    std::erase_if(with_deposits_,
                  [&](const auto& e) { return e.first <= posted || e.first > latest; });
    checked_through_ = std::min(std::max(checked_through_, posted), latest);
    const uint64_t l1_head = rpc_.block_number();
    auto header_of = [&](uint64_t number) -> std::optional<l1::BlockHeader> {
        if (number > l1_head) return std::nullopt;
        return rpc_.get_block(l1::block_tag(number));
    };
    if (recheck) {
        for (auto& [number, ref] : referenced_) {
            const auto header = header_of(number);
            if (header && header->hash == ref.hash) continue;
            const std::optional<uint256> fee =
                header ? std::optional(header->base_fee.value_or(uint256{})) : std::nullopt;
            const uint64_t first = std::max(ref.first_message, posted + 1);
            if (fee && *fee == ref.base_fee) {
                note("L1 block " + std::to_string(number) +
                     " was replaced with the same base fee: the L2 blocks naming it stay valid");
                ref.hash = header->hash;
                continue;
            }
            if (auto m = db_.message(first))
                return {{first, unsupported_reason(first, *m, l1_head, fee)}};
        }
        // The deposits unposted messages took, against the Bridge as the reader has it now.
        for (const auto& [n, ref] : with_deposits_)
            if (auto why = deposits_unsupported(n, ref.first, ref.second)) return {{n, *why}};
    }
    for (uint64_t n = checked_through_ + 1; n <= latest; ++n) {
        const auto m = db_.message(n);
        if (!m) break;
        auto it = referenced_.find(m->l1_block_number);
        if (it == referenced_.end()) {
            const auto header = header_of(m->l1_block_number);
            if (!header) return {{n, unsupported_reason(n, *m, l1_head, std::nullopt)}};
            it = referenced_
                     .emplace(m->l1_block_number,
                              Referenced{header->hash, header->base_fee.value_or(uint256{}), n, n})
                     .first;
        }
        batch::L1Facts facts;  // the validators' rule, with the L1 head as inclusion block
        facts.inclusion_block_number = l1_head;
        facts.base_fees[m->l1_block_number] = it->second.base_fee;
        if (batch::check_l1_message(*m, facts) != batch::ResolveError::kNone)
            return {{n, unsupported_reason(n, *m, l1_head, it->second.base_fee)}};
        if (m->deposit_ref) {
            if (auto why = deposits_unsupported(n, *m->deposit_ref, m->l1_block_number))
                return {{n, *why}};
            with_deposits_[n] = {*m->deposit_ref, m->l1_block_number};
        }
        it->second.last_message = n;
        checked_through_ = n;
    }
    return std::nullopt;
}

}  // namespace fuse::poster
