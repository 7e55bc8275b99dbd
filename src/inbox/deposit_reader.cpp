#include "inbox/deposit_reader.hpp"

#include <algorithm>

#include "core/hex.hpp"
#include "l1/bridge.hpp"

namespace fuse::inbox {
namespace {

using K = DepositError::Kind;

[[noreturn]] void fail(K kind, const std::string& msg) {
    throw DepositError(kind, msg);
}

std::string num(uint64_t v) {
    return std::to_string(v);
}

std::string range_text(uint64_t first, uint64_t count) {
    return count == 1 ? num(first) : num(first) + ".." + num(first + count - 1);
}

}  // namespace

/// One poll's working state: the cursor it moves and the deposits it adds, applied at the end.
struct DepositReader::Poll {
    Cursor c;
    uint64_t keep_below = 0;  ///< deposits from this index on are dropped (a reorg)
    std::vector<L1Deposit> added;
    std::map<uint64_t, l1::BlockHeader> headers;
};

DepositReader::DepositReader(l1::RpcClient& rpc, DepositReaderConfig config, uint64_t next_index)
    : rpc_(rpc), cfg_(std::move(config)) {
    if (cfg_.max_log_range == 0) cfg_.max_log_range = 1;
    if (cfg_.max_ranges_per_poll == 0) cfg_.max_ranges_per_poll = 1;
    log_range_ = cfg_.max_log_range;
    restart_locked(next_index);
}

void DepositReader::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

void DepositReader::restart_locked(uint64_t next_index) {
    deposits_.clear();
    cursor_ = Cursor{};
    cursor_.first_index = cursor_.next_index = next_index;
    cursor_.start_block = cfg_.deploy_block;
    if (next_index == 0) {
        cursor_.prev_acc = Hash32{};
    } else if (cfg_.block_of) {
        // Deposit next_index - 1's block: later deposits are in it or after it.
        if (auto b = cfg_.block_of(next_index - 1)) cursor_.start_block = *b;
    }
}

uint64_t DepositReader::scanned_block() const {
    std::lock_guard lock(mu_);
    if (!cursor_.scanned_hash.is_zero()) return cursor_.scanned_block;
    // Nothing read yet: the deposits from first_index on are all at the start block or after.
    return cursor_.start_block > 0 ? cursor_.start_block - 1 : 0;
}

uint64_t DepositReader::next_index() const {
    std::lock_guard lock(mu_);
    return cursor_.next_index;
}

uint64_t DepositReader::first_index() const {
    std::lock_guard lock(mu_);
    return cursor_.first_index;
}

std::optional<L1Deposit> DepositReader::get(uint64_t index) const {
    std::lock_guard lock(mu_);
    if (index < cursor_.first_index || index >= cursor_.next_index) return std::nullopt;
    return deposits_[index - cursor_.first_index];
}

std::vector<Deposit> DepositReader::pending(uint64_t first, uint64_t max_l1_block,
                                            size_t max) const {
    std::vector<Deposit> out;
    std::lock_guard lock(mu_);
    if (first < cursor_.first_index) return out;
    for (uint64_t i = first; i < cursor_.next_index && out.size() < max; ++i) {
        const Deposit& d = deposits_[i - cursor_.first_index].deposit;
        if (d.l1_block_number > max_l1_block) break;
        out.push_back(d);
    }
    return out;
}

std::optional<std::vector<Deposit>> DepositReader::range(uint64_t first, uint64_t count) const {
    std::lock_guard lock(mu_);
    if (first < cursor_.first_index || count > cursor_.next_index - first ||
        first > cursor_.next_index)
        return std::nullopt;
    std::vector<Deposit> out;
    out.reserve(count);
    for (uint64_t i = first; i < first + count; ++i)
        out.push_back(deposits_[i - cursor_.first_index].deposit);
    return out;
}

void DepositReader::prune_below(uint64_t index) {
    std::lock_guard lock(mu_);
    while (!deposits_.empty() && cursor_.first_index < index) {
        deposits_.pop_front();
        ++cursor_.first_index;
    }
}

void DepositReader::ensure(uint64_t from_index, uint64_t target) {
    std::lock_guard one_poll(poll_mu_);
    {
        std::lock_guard lock(mu_);
        if (from_index < cursor_.first_index) {
            note("deposit " + num(from_index) + " is needed again: reading the Bridge from there");
            restart_locked(from_index);
        }
    }
    // poll() stops after max_ranges_per_poll ranges; every round moves forward or throws (a
    // reorg may move back once).
    for (int round = 0; scanned_block() < target; ++round) {
        if (round == 100'000)
            fail(K::kL1Inconsistent, "the Bridge's deposits cannot be read up to L1 block " +
                                         num(target) + " (reading makes no progress)");
        poll_locked(target);
    }
}

size_t DepositReader::poll(uint64_t target) {
    std::lock_guard one_poll(poll_mu_);
    return poll_locked(target);
}

size_t DepositReader::poll_locked(uint64_t target) {
    Poll p;
    {
        std::lock_guard lock(mu_);
        p.c = cursor_;
    }
    p.keep_below = p.c.next_index;
    auto header = [&](uint64_t number) -> const l1::BlockHeader& {
        if (auto it = p.headers.find(number); it != p.headers.end()) return it->second;
        auto h = rpc_.get_block(l1::block_tag(number));
        if (!h)
            fail(K::kL1Inconsistent,
                 "L1 block " + num(number) + " is not known to the L1 node (reorg under way?)");
        return p.headers.emplace(number, std::move(*h)).first->second;
    };
    auto canonical = [&](uint64_t number) -> std::optional<Hash32> {
        const auto h = rpc_.get_block(l1::block_tag(number));
        if (!h) return std::nullopt;
        return h->hash;
    };

    // 1. Reorg check: the last block read must still be canonical, else go back to the newest
    //    deposit whose block still is (same block hash: same block, same logs up to it).
    if (!p.c.scanned_hash.is_zero() && canonical(p.c.scanned_block) != p.c.scanned_hash) {
        std::optional<L1Deposit> kept;
        for (uint64_t i = p.c.next_index; i > p.c.first_index; --i) {
            auto d = get(i - 1);
            if (!d) break;
            if (canonical(d->deposit.l1_block_number) == d->l1_block_hash) {
                kept = std::move(d);
                break;
            }
        }
        if (kept) {
            p.keep_below = kept->deposit.index + 1;
            p.c.scanned_block = kept->deposit.l1_block_number;
            p.c.scanned_hash = kept->l1_block_hash;
            p.c.prev_acc = kept->acc;
        } else {
            // Nothing read is canonical: read again from the Bridge's deployment.
            p.keep_below = p.c.first_index;
            p.c.scanned_hash = Hash32{};
            p.c.start_block = cfg_.deploy_block;
            p.c.prev_acc = p.c.first_index == 0 ? std::optional(Hash32{}) : std::nullopt;
        }
        note("L1 reorg below block " + num(p.c.scanned_block) + ": deposits from " +
             num(p.keep_below) + " on are read again");
        p.c.next_index = p.keep_below;
    }
    // The accumulator before the first deposit to read, from the Bridge at `target`.
    Hash32 prev;
    if (p.c.prev_acc) {
        prev = *p.c.prev_acc;
    } else {
        try {
            prev = l1::call_decoded(
                       rpc_, cfg_.bridge,
                       l1::encode_call(l1::sig::kDepositAccs, uint256(p.c.next_index - 1)),
                       "Bridge depositAccs(" + num(p.c.next_index - 1) + ")", l1::decode_uint,
                       l1::block_tag(target))
                       .to_hash();
        } catch (const l1::L1Error& e) {
            if (e.kind != l1::L1Error::Kind::kReverted) throw;
            // DepositNotFound: the L1 no longer has the deposit before the start (a reorg deeper
            // than the caller's view). Read every deposit again, from the first: the callers
            // then see which of theirs the L1 lost.
            note("the Bridge has no deposit " + num(p.c.next_index - 1) + " at L1 block " +
                 num(target) + ": reading every deposit again from deposit 0");
            p.c = Cursor{};
            p.c.start_block = cfg_.deploy_block;
            p.c.prev_acc = Hash32{};
            p.keep_below = 0;
            prev = Hash32{};
        }
    }

    // 2. New logs, range by range, each checked against the one before.
    static const Hash32 topic = l1::event_topic(l1::sig::kDepositQueued);
    uint64_t next = p.c.scanned_hash.is_zero() ? p.c.start_block : p.c.scanned_block + 1;
    for (size_t ranges = 0; next <= target && ranges < cfg_.max_ranges_per_poll; ++ranges) {
        uint64_t to = std::min(target, next + (log_range_ - 1));
        std::vector<l1::Log> logs;
        for (;;) {
            l1::LogFilter f;
            f.from_block = l1::block_tag(next);
            f.to_block = l1::block_tag(to);
            f.addresses = {cfg_.bridge};
            f.topics = {{topic}};
            try {
                logs = rpc_.get_logs(f);
                break;
            } catch (const l1::L1Error& e) {
                if (e.kind != l1::L1Error::Kind::kJsonRpc || to == next) throw;
                log_range_ = std::max<uint64_t>(1, (to - next + 1) / 2);
                to = next + log_range_ - 1;
                note("eth_getLogs refused a range (" + std::string(e.what()) +
                     "): range lowered to " + num(log_range_) + " blocks");
            }
        }
        const Hash32 to_hash = header(to).hash;
        std::sort(logs.begin(), logs.end(), [](const l1::Log& a, const l1::Log& b) {
            return a.block_number != b.block_number ? a.block_number < b.block_number
                                                    : a.log_index < b.log_index;
        });
        for (const l1::Log& log : logs) {
            if (log.removed || log.address != cfg_.bridge) continue;
            const std::string where = "DepositQueued in L1 block " + num(log.block_number) +
                                      " (tx " + to_hex(log.tx_hash) + ")";
            if (log.block_number < next || log.block_number > to)
                fail(K::kL1Inconsistent, "eth_getLogs returned a log of block " +
                                             num(log.block_number) + " outside " + num(next) +
                                             ".." + num(to));
            if (header(log.block_number).hash != log.block_hash)
                fail(K::kL1Inconsistent,
                     where + " has another block hash than the block " + "(reorg under way?)");
            auto ev = l1::decode_deposit_queued(log);
            if (!ev)
                fail(K::kBadEvent, where + " does not decode: " + l1::to_string(ev.error()) +
                                       " (is the bridge address right?)");
            Deposit& d = ev->deposit;
            if (d.index < p.c.next_index) continue;  // before the start, in the start block
            if (d.index > p.c.next_index) {
                if (p.added.empty() && p.c.next_index == p.c.first_index &&
                    p.c.start_block > cfg_.deploy_block) {
                    // The start block was a hint (the deposit before moved in an L1 reorg).
                    std::lock_guard lock(mu_);
                    cursor_.start_block = cfg_.deploy_block;
                    cursor_.scanned_hash = Hash32{};
                }
                fail(K::kGap, where + " is deposit " + num(d.index) + " but deposit " +
                                  num(p.c.next_index) +
                                  " was expected: the L1 node's logs are "
                                  "incomplete or a reorg is under way");
            }
            const std::string what = "deposit " + num(d.index) + " (" + where + ")";
            if (d.kind != DepositKind::kNative && d.kind != DepositKind::kMessage)
                fail(K::kBadEvent,
                     what + " has kind " + num(static_cast<uint8_t>(d.kind)) + ", not 0 or 1");
            if (d.l1_block_number != log.block_number)
                fail(K::kBadEvent, what + " says L1 block " + num(d.l1_block_number));
            if (d.deposit_hash() != ev->deposit_hash)
                fail(K::kHashMismatch, what + ": its fields hash to " + to_hex(d.deposit_hash()) +
                                           " but the event says " + to_hex(ev->deposit_hash));
            if (chain_acc(prev, ev->deposit_hash) != ev->acc)
                fail(K::kAccumulatorMismatch, what + ": acc " + to_hex(ev->acc) +
                                                  " is not keccak(previous acc " + to_hex(prev) +
                                                  " ‖ depositHash)");
            prev = ev->acc;
            ++p.c.next_index;
            p.added.push_back(L1Deposit{std::move(d), ev->acc, log.block_hash, log.tx_hash});
        }
        // The range must still be canonical after reading it: else a reorg raced the reads.
        if (canonical(to) != to_hash)
            fail(K::kL1Inconsistent,
                 "L1 block " + num(to) + " changed while reading its range (reorg under way)");
        p.c.scanned_block = to;
        p.c.scanned_hash = to_hash;
        next = to + 1;
    }

    // 3. The Bridge's own view at `target` (current state, which any node serves): as many
    //    deposits as read when the scan reached it, and the same accumulator.
    if (!p.c.scanned_hash.is_zero() && p.c.scanned_block <= target) {
        const std::string at = " at L1 block " + num(target);
        const uint256 count_word =
            l1::call_decoded(rpc_, cfg_.bridge, l1::encode_call(l1::sig::kDepositCount),
                             "Bridge depositCount()" + at, l1::decode_uint, l1::block_tag(target));
        if (!count_word.fits_u64())
            fail(K::kBadEvent, "the Bridge's depositCount()" + at + " does not fit 64 bits");
        const uint64_t count = count_word.low64();
        if (count < p.c.next_index || (p.c.scanned_block == target && count != p.c.next_index))
            fail(K::kGap, "the Bridge has " + num(count) + " deposits" + at + " but " +
                              num(p.c.next_index) + " were read up to L1 block " +
                              num(p.c.scanned_block) + " (incomplete logs or a reorg)");
        if (p.c.next_index > 0) {
            const uint64_t last = p.c.next_index - 1;
            const Hash32 onchain =
                l1::call_decoded(rpc_, cfg_.bridge,
                                 l1::encode_call(l1::sig::kDepositAccs, uint256(last)),
                                 "Bridge depositAccs(" + num(last) + ")" + at, l1::decode_uint,
                                 l1::block_tag(target))
                    .to_hash();
            if (onchain != prev)
                fail(K::kAccumulatorMismatch, "deposit " + num(last) + ": the Bridge's acc" + at +
                                                  " is " + to_hex(onchain) + " but the events " +
                                                  "chain to " + to_hex(prev));
        }
    }
    p.c.prev_acc = prev;

    std::lock_guard lock(mu_);
    // A prune may have run meanwhile: drop by absolute index.
    uint64_t first = cursor_.first_index;
    while (!deposits_.empty() && first + deposits_.size() > p.keep_below)
        deposits_.pop_back();
    if (deposits_.empty()) first = p.keep_below;
    for (auto& d : p.added)
        deposits_.push_back(std::move(d));
    cursor_ = p.c;
    cursor_.first_index = first;
    return p.added.size();
}

std::optional<std::string> check_deposit_refs(DepositReader* reader,
                                              const std::vector<batch::L2Message>& msgs,
                                              uint64_t first_message_number,
                                              uint64_t inclusion_block, uint64_t& next_index,
                                              std::vector<std::vector<Deposit>>* contents) {
    uint64_t next = next_index;
    std::vector<std::vector<Deposit>> read(msgs.size());
    for (size_t i = 0; i < msgs.size(); ++i) {
        const batch::L2Message& m = msgs[i];
        if (!m.deposit_ref) continue;
        const batch::DepositRef& ref = *m.deposit_ref;
        const std::string block = "L2 block " + num(first_message_number + i) + " (L1 block " +
                                  num(m.l1_block_number) + ")";
        const std::string refs = "deposit" + std::string(ref.count == 1 ? " " : "s ") +
                                 range_text(ref.first_index, ref.count);
        if (!reader) return block + " references " + refs + ", but this chain has no Bridge";
        if (ref.first_index > next)
            return block + " references " + refs + " and skips deposit " + num(next);
        if (ref.first_index < next)
            return block + " references " + refs + " again: deposit " + num(ref.first_index) +
                   " was already included (the next one is " + num(next) + ")";
        reader->ensure(ref.first_index, inclusion_block);
        if (reader->scanned_block() < inclusion_block)  // never a verdict on a partial read
            fail(K::kL1Inconsistent, "the Bridge's deposits are not read up to L1 block " +
                                         num(inclusion_block) + " yet");
        for (uint64_t k = ref.first_index; k < ref.first_index + ref.count; ++k) {
            const auto d = reader->get(k);
            if (!d && k < reader->first_index())  // pruned by another thread meanwhile
                fail(K::kL1Inconsistent, "deposit " + num(k) + " was dropped while checking it");
            if (!d || d->deposit.l1_block_number > inclusion_block)
                return block + " references deposit " + num(k) +
                       ", which does not exist on L1 (the Bridge's deposits up to the batch's " +
                       "L1 block " + num(inclusion_block) + " end before it)";
            if (d->deposit.l1_block_number > m.l1_block_number)
                return block + " references deposit " + num(k) + " from L1 block " +
                       num(d->deposit.l1_block_number) + ", after the message's L1 block";
            read[i].push_back(d->deposit);
        }
        const auto last = reader->get(ref.first_index + ref.count - 1);
        if (!last)
            fail(K::kL1Inconsistent, "deposit " + num(ref.first_index + ref.count - 1) +
                                         " was dropped while checking it");
        if (last->acc != ref.acc)
            return block + " references " + refs + " with accumulator " + to_hex(ref.acc) +
                   ", but the Bridge's accumulator after deposit " +
                   num(ref.first_index + ref.count - 1) + " is " + to_hex(last->acc);
        next = ref.first_index + ref.count;
    }
    next_index = next;
    if (contents) *contents = std::move(read);
    return std::nullopt;
}

}  // namespace fuse::inbox
