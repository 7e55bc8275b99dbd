#include "sequencer/pool.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace fuse::sequencer {
namespace {

/// How many ready candidates `take_ready` looks at before giving up on filling the block.
constexpr size_t kMaxReadyScan = 64;

Unexpected<Rejection> refuse(state::TxRefusal r) {
    return Unexpected{Rejection::of(std::move(r))};
}

/// old × (100 + bump) / 100 exactly, saturating at 2^256 - 1.
uint256 bumped(const uint256& old, uint64_t bump_percent) {
    const uint256 b{bump_percent};
    const uint256 extra = (old / 100) * b + ((old % 100) * b) / 100;
    const uint256 sum = old + extra;
    return sum < old ? uint256::max() : sum;
}

}  // namespace

Result<void, Rejection> TxPool::add(CheckedTx tx, SubmitCallback done,
                                    const std::optional<state::Account>& account,
                                    std::vector<Completion>& completions,
                                    PoolClock::time_point at) {
    using R = Rejection::Reason;
    if (known_.contains(tx.hash)) return refuse(state::make_refusal(R::kAlreadyKnown));

    auto [it, created] = senders_.try_emplace(tx.sender);
    Sender& s = it->second;
    if (created) {
        s.next_nonce = account ? account->nonce : 0;
        s.pending_end = s.next_nonce;
    }
    const Address sender = tx.sender;
    // An init-capture, not a capture of the structured binding (clang 14, the fuzz preset's
    // compiler, has no C++20 binding captures).
    auto fail = [&, created = created](state::TxRefusal r) {
        if (created) senders_.erase(sender);
        return refuse(std::move(r));
    };

    const uint64_t nonce = tx.tx.nonce;
    if (auto bad = state::check_nonce(tx.tx, s.next_nonce)) return fail(std::move(*bad));
    const uint256 balance = account ? account->balance : uint256{};
    if (auto bad = state::check_balance(balance, tx.max_cost)) return fail(std::move(*bad));

    if (auto existing = s.txs.find(nonce); existing != s.txs.end()) {
        // Same sender and nonce: a replacement needs both fee caps raised by the price bump
        // (geth legacypool list.Add).
        const Transaction& old = existing->second->checked.tx;
        const Transaction& now = tx.tx;
        if (old.max_fee() >= now.max_fee() || old.max_priority_fee() >= now.max_priority_fee() ||
            now.max_fee() < bumped(old.max_fee(), limits_.price_bump_percent) ||
            now.max_priority_fee() < bumped(old.max_priority_fee(), limits_.price_bump_percent))
            return refuse(state::make_refusal(R::kReplacementUnderpriced));
        PoolTx& slot = *existing->second;
        known_.erase(slot.checked.hash);
        completions.push_back(
            Completion{std::move(slot.done), refuse(state::replaced_by(tx.hash))});
        known_.emplace(tx.hash, sender);
        slot.checked = std::move(tx);
        slot.done = std::move(done);
        // A queued replacement waits for the gap afresh: its submitter has just arrived.
        if (slot.queued_until) queue(sender, slot, at + limits_.nonce_gap_wait);
        return {};  // keeps its arrival seq and so its place in the ready order
    }

    if (size_ >= limits_.max_pool_txs)
        return fail(state::make_refusal(R::kPoolFull, std::to_string(size_) + " transactions"));
    if (nonce > s.pending_end) {
        const size_t queued = s.txs.size() - static_cast<size_t>(s.pending_end - s.next_nonce);
        if (nonce - s.pending_end > limits_.max_queued_per_sender ||
            queued >= limits_.max_queued_per_sender)
            return fail(state::make_refusal(
                R::kNonceGapTooLarge, "next pending nonce " + std::to_string(s.pending_end) +
                                          ", tx nonce " + std::to_string(nonce) + ", at most " +
                                          std::to_string(limits_.max_queued_per_sender) +
                                          " queued future nonces per sender"));
    }

    known_.emplace(tx.hash, sender);
    auto entry = std::make_unique<PoolTx>(PoolTx{std::move(tx), next_seq_++, std::move(done), {}});
    PoolTx& added = *entry;
    s.txs.emplace(nonce, std::move(entry));
    ++size_;
    if (nonce == s.pending_end) {
        // Fills the gap: promote every queued transaction that now follows without one.
        while (true) {
            auto next = s.txs.find(s.pending_end);
            if (next == s.txs.end()) break;
            unqueue(*next->second);
            ++s.pending_end;
        }
        if (nonce == s.next_nonce) make_ready(sender, s);
    } else {
        queue(sender, added, at + limits_.nonce_gap_wait);
    }
    return {};
}

void TxPool::make_ready(const Address& addr, Sender& s) {
    ready_.emplace(s.txs.at(s.next_nonce)->seq, addr);
}

void TxPool::queue(const Address& addr, PoolTx& tx, PoolClock::time_point until) {
    unqueue(tx);
    tx.queued_until = until;
    expiry_.emplace(std::make_pair(until, tx.seq), std::make_pair(addr, tx.checked.tx.nonce));
}

void TxPool::unqueue(PoolTx& tx) {
    if (!tx.queued_until) return;
    expiry_.erase({*tx.queued_until, tx.seq});
    tx.queued_until.reset();
}

std::vector<Completion> TxPool::expire_queued(PoolClock::time_point now) {
    std::vector<Completion> out;
    while (!expiry_.empty() && expiry_.begin()->first.first <= now) {
        const auto [addr, nonce] = expiry_.begin()->second;
        expiry_.erase(expiry_.begin());
        Sender& s = senders_.at(addr);
        auto it = s.txs.find(nonce);
        std::unique_ptr<PoolTx> tx = std::move(it->second);
        s.txs.erase(it);
        --size_;
        known_.erase(tx->checked.hash);
        // The nonce that would have filled the gap: the sender's next one counting its pending
        // pool transactions (what eth_getTransactionCount(addr, "pending") answers).
        out.push_back(
            Completion{std::move(tx->done),
                       refuse(state::make_refusal(Rejection::Reason::kNonceTooHigh,
                                                  "next nonce " + std::to_string(s.pending_end) +
                                                      ", tx nonce " + std::to_string(nonce)))});
        erase_if_idle(addr);
    }
    return out;
}

std::optional<PoolClock::time_point> TxPool::next_expiry() const {
    if (expiry_.empty()) return std::nullopt;
    return expiry_.begin()->first.first;
}

PoolContent TxPool::content() const {
    // By sender (address order), then nonce: the order txpool_content lists them in.
    std::vector<const Address*> order;
    order.reserve(senders_.size());
    for (const auto& [addr, s] : senders_)
        order.push_back(&addr);
    std::sort(order.begin(), order.end(),
              [](const Address* a, const Address* b) { return *a < *b; });
    PoolContent out;
    for (const Address* addr : order) {
        const Sender& s = senders_.at(*addr);
        for (const auto& [nonce, tx] : s.txs) {
            auto& list = nonce < s.pending_end ? out.pending : out.queued;
            list.push_back(PooledTx{*addr, tx->checked.tx, tx->checked.hash});
        }
    }
    return out;
}

std::pair<size_t, size_t> TxPool::counts() const {
    size_t pending = 0;
    for (const auto& [addr, s] : senders_)
        pending += static_cast<size_t>(s.pending_end - s.next_nonce);
    return {pending, size_ - pending};
}

std::unique_ptr<PoolTx> TxPool::take_ready(uint64_t gas_left) {
    size_t scanned = 0;
    for (auto it = ready_.begin(); it != ready_.end() && scanned < kMaxReadyScan; ++it, ++scanned) {
        Sender& s = senders_.at(it->second);
        auto first = s.txs.begin();
        if (first->second->checked.compute_gas_limit() > gas_left) continue;
        const Address addr = it->second;
        ready_.erase(it);
        std::unique_ptr<PoolTx> tx = std::move(first->second);
        s.txs.erase(first);
        --size_;
        ++s.next_nonce;
        ++s.taken;
        if (s.pending_end > s.next_nonce) make_ready(addr, s);
        return tx;
    }
    return nullptr;
}

void TxPool::untake(const PoolTx& tx, PoolClock::time_point now) {
    auto it = senders_.find(tx.checked.sender);
    if (it == senders_.end()) return;
    Sender& s = it->second;
    const uint64_t nonce = tx.checked.tx.nonce;
    if (s.pending_end > s.next_nonce) ready_.erase(s.txs.at(s.next_nonce)->seq);
    s.next_nonce = nonce;
    s.pending_end = nonce;
    // The later transactions now wait behind a gap at `nonce`: like any queued transaction,
    // for at most nonce_gap_wait.
    for (auto& [later, pooled] : s.txs)
        if (!pooled->queued_until) queue(tx.checked.sender, *pooled, now + limits_.nonce_gap_wait);
    if (s.taken > 0) --s.taken;
    known_.erase(tx.checked.hash);
    erase_if_idle(tx.checked.sender);
}

void TxPool::put_back(std::unique_ptr<PoolTx> tx) {
    const Address addr = tx->checked.sender;
    Sender& s = senders_.at(addr);
    if (s.pending_end > s.next_nonce) ready_.erase(s.txs.at(s.next_nonce)->seq);
    s.next_nonce = tx->checked.tx.nonce;
    if (s.taken > 0) --s.taken;
    s.txs.emplace(s.next_nonce, std::move(tx));
    ++size_;
    make_ready(addr, s);
}

void TxPool::committed(const Address& sender, const Hash32& hash) {
    known_.erase(hash);
    auto it = senders_.find(sender);
    if (it == senders_.end()) return;
    if (it->second.taken > 0) --it->second.taken;
    erase_if_idle(sender);
}

void TxPool::erase_if_idle(const Address& addr) {
    auto it = senders_.find(addr);
    if (it != senders_.end() && it->second.txs.empty() && it->second.taken == 0) senders_.erase(it);
}

std::optional<uint64_t> TxPool::pending_nonce(const Address& sender) const {
    auto it = senders_.find(sender);
    if (it == senders_.end()) return std::nullopt;
    return it->second.pending_end;
}

std::vector<Completion> TxPool::drain(const Rejection& why) {
    std::vector<Completion> out;
    for (auto& [addr, s] : senders_) {
        for (auto& [nonce, tx] : s.txs) {
            known_.erase(tx->checked.hash);
            out.push_back(Completion{std::move(tx->done), Unexpected{why}});
        }
        s.txs.clear();
        s.pending_end = s.next_nonce;
    }
    ready_.clear();
    expiry_.clear();
    size_ = 0;
    return out;
}

std::vector<std::unique_ptr<PoolTx>> TxPool::release_all() {
    std::vector<std::unique_ptr<PoolTx>> out;
    out.reserve(size_);
    for (auto& [addr, s] : senders_)
        for (auto& [nonce, tx] : s.txs)
            out.push_back(std::move(tx));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a->seq < b->seq; });
    for (auto& tx : out)
        tx->queued_until.reset();
    senders_.clear();
    known_.clear();
    ready_.clear();
    expiry_.clear();
    size_ = 0;
    return out;
}

}  // namespace fuse::sequencer
