#include "l1/posting_pipeline.hpp"

#include <algorithm>
#include <stdexcept>

namespace fuse::l1 {

const char* to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::kLanded:
            return "landed";
        case Outcome::kReverted:
            return "reverted";
        case Outcome::kDiscarded:
            return "discarded";
    }
    return "?";
}

const char* to_string(Next next) {
    switch (next) {
        case Next::kFromL1:
            return "from L1";
        case Next::kAfterLast:
            return "after the last";
        case Next::kFull:
            return "full";
        case Next::kSettling:
            return "settling";
    }
    return "?";
}

PipelineQueue::PipelineQueue(TxSender& sender, PipelineConfig config)
    : sender_(sender), cfg_(config) {
    cfg_.max_in_flight = std::max<size_t>(cfg_.max_in_flight, 1);
}

Next PipelineQueue::next() const {
    if (settling_) return Next::kSettling;
    if (ids_.empty()) return Next::kFromL1;
    if (ids_.size() >= cfg_.max_in_flight) return Next::kFull;
    return Next::kAfterLast;
}

uint64_t PipelineQueue::submit(PostRequest request) {
    if (!can_submit())
        throw std::logic_error(std::string("L1 posting pipeline: submit while ") +
                               to_string(next()));
    // Behind an unconfirmed transaction the estimate would run on an L1 state without it (and
    // revert): use the owner's limit, or the last estimated one.
    std::optional<uint64_t> gas;
    if (!ids_.empty()) {
        gas = request.gas_behind;
        if (!gas && estimated_gas_limit_ != 0) gas = estimated_gas_limit_;
    }
    const uint64_t id = sender_.submit(request.to, std::move(request.data), request.value, gas);
    if (!gas) {
        if (const InFlightTx* tx = sender_.find(id)) estimated_gas_limit_ = tx->txn.gas_limit;
    }
    ids_.push_back(id);
    return id;
}

std::vector<PipelineQueue::Settled> PipelineQueue::poll() {
    std::vector<Settled> out;
    if (ids_.empty()) return out;
    sender_.poll();
    while (!ids_.empty()) {
        const InFlightTx* tx = sender_.find(ids_.front());
        if (tx && tx->state != InFlightTx::State::kConfirmed) break;  // later ones wait for it
        Settled s;
        if (tx) s.receipt = tx->receipt;
        ids_.pop_front();
        if (!s.receipt || !s.receipt->success) {
            // The later transactions were built on this one: let them settle, then resync.
            s.outcome = Outcome::kReverted;
            settling_ = true;
        } else {
            s.outcome = settling_ ? Outcome::kDiscarded : Outcome::kLanded;
        }
        out.push_back(std::move(s));
    }
    // After the loop: the receipts of the later transactions were still needed. None of ours
    // still queued is pruned: a later one (higher nonce) never confirms before an earlier one.
    sender_.prune_confirmed();
    if (ids_.empty()) settling_ = false;
    return out;
}

void PipelineQueue::resync() {
    if (!ids_.empty()) settling_ = true;
}

}  // namespace fuse::l1
