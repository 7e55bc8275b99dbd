#include "l1/tx_sender.hpp"

#include <algorithm>
#include <thread>

#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

constexpr uint64_t kDefaultTip = 1'000'000'000;  // 1 gwei when the node has no suggestion

uint256 bumped(const uint256& v, uint64_t per_mille) {
    // ceil(v * (1000 + per_mille) / 1000), and at least v + 1 so a zero fee also moves.
    const uint256 scaled = (v * uint256(1000 + per_mille) + uint256(999)) / uint256(1000);
    return scaled > v ? scaled : v + uint256(1);
}

bool is_already_known_error(const L1Error& e) {
    const std::string m = e.what();
    return m.find("already known") != std::string::npos ||
           m.find("already imported") != std::string::npos ||
           m.find("AlreadyKnown") != std::string::npos;
}

bool is_nonce_too_low_error(const L1Error& e) {
    return std::string(e.what()).find("nonce too low") != std::string::npos;
}

bool is_fee_too_low_error(const L1Error& e) {
    const std::string m = e.what();
    return m.find("underpriced") != std::string::npos || m.find("base fee") != std::string::npos ||
           m.find("fee too low") != std::string::npos ||
           m.find("FeeCapTooLow") != std::string::npos;
}

}  // namespace

TxSender::TxSender(RpcClient& rpc, Signer signer, SenderConfig config)
    : rpc_(rpc), signer_(std::move(signer)), cfg_(std::move(config)) {
    chain_id_ = rpc_.chain_id();
    const auto head = rpc_.get_block("latest");
    if (!head) throw L1Error(L1Error::Kind::kBadResponse, "L1 node has no latest block");
    eip1559_ = head->base_fee.has_value();
    next_nonce_ = rpc_.get_transaction_count(signer_.address(), "pending");
    if (cfg_.confirmations == 0) cfg_.confirmations = 1;
    if (cfg_.bump_per_mille < 100)
        cfg_.bump_per_mille = 100;  // below 10% nodes refuse replacements
}

void TxSender::note(const std::string& line) const {
    if (cfg_.log) cfg_.log(line);
}

TxSender::Fees TxSender::current_fees() {
    if (!eip1559_) {
        const uint256 p = rpc_.gas_price();
        return {p, p};
    }
    const auto head = rpc_.get_block("latest");
    const uint256 base = head && head->base_fee ? *head->base_fee : uint256(0);
    uint256 tip = kDefaultTip;
    try {
        tip = rpc_.max_priority_fee();
    } catch (const L1Error& e) {
        if (e.kind != L1Error::Kind::kJsonRpc) throw;  // method not supported: keep the default
    }
    return {tip, base * uint256(2) + tip};
}

InFlightTx TxSender::make_tx(uint64_t nonce, uint64_t gas_limit, std::optional<Address> to,
                             const uint256& value, Bytes data, const Fees& fees) {
    InFlightTx tx;
    tx.id = next_id_++;
    Transaction& t = tx.txn;
    t.type = eip1559_ ? TxType::kDynamicFee : TxType::kLegacy;
    t.chain_id = chain_id_;
    t.nonce = nonce;
    t.gas_limit = gas_limit;
    t.to = to;
    t.value = value;
    t.data = std::move(data);
    if (eip1559_) {
        t.max_priority_fee_per_gas = fees.tip;
        t.max_fee_per_gas = fees.max_fee;
    } else {
        t.gas_price = fees.max_fee;
    }
    return tx;
}

uint64_t TxSender::submit(std::optional<Address> to, Bytes data, const uint256& value,
                          std::optional<uint64_t> gas_limit) {
    if (!gas_limit) {
        CallRequest req{signer_.address(), to, data, value, std::nullopt};
        const uint64_t estimate = rpc_.estimate_gas(req);
        gas_limit = estimate + estimate * cfg_.gas_margin_percent / 100;
    }
    InFlightTx tx = make_tx(next_nonce_, *gas_limit, to, value, std::move(data), current_fees());
    const Transaction& t = tx.txn;
    if (!cfg_.max_fee_cap.is_zero() && t.max_fee() > cfg_.max_fee_cap)
        throw L1Error(L1Error::Kind::kConfig,
                      "L1 fee " + t.max_fee().to_dec() + " wei/gas is above the cap " +
                          cfg_.max_fee_cap.to_dec() + ": raise the cap or wait");
    const uint64_t head = rpc_.block_number();
    try {
        broadcast(tx, head, "sent", /*first=*/true);
    } catch (const L1Error& e) {
        // Someone else used this key's nonce: resynchronize so the caller can simply retry.
        if (e.kind == L1Error::Kind::kJsonRpc && is_nonce_too_low_error(e))
            next_nonce_ = rpc_.get_transaction_count(signer_.address(), "pending");
        throw;
    }
    ++next_nonce_;
    txs_.push_back(std::move(tx));
    return txs_.back().id;
}

void TxSender::broadcast(InFlightTx& tx, uint64_t head, const char* why, bool first) {
    if (auto r = signer_.sign(tx.txn); !r)
        throw L1Error(L1Error::Kind::kConfig,
                      std::string("cannot sign L1 transaction: ") + to_string(r.error()));
    const Bytes raw = encode_transaction(tx.txn);
    const Hash32 hash = tx_hash(tx.txn);
    try {
        rpc_.send_raw_transaction(raw);
    } catch (const L1Error& e) {
        // A retried send after a lost answer, or a re-send of a still-known transaction; for a
        // re-send, "nonce too low" means one of its versions was included meanwhile.
        const bool benign = is_already_known_error(e) || (!first && is_nonce_too_low_error(e));
        if (e.kind != L1Error::Kind::kJsonRpc || !benign) throw;
    }
    if (tx.sent_hashes.empty() || tx.sent_hashes.back() != hash) tx.sent_hashes.push_back(hash);
    tx.sent_at_block = head;
    note(std::string(why) + " L1 tx " + to_hex(hash) + " nonce " + std::to_string(tx.txn.nonce) +
         " max fee " + tx.txn.max_fee().to_dec());
}

void TxSender::bump(InFlightTx& tx, uint64_t head) {
    const Fees now = current_fees();
    Transaction& t = tx.txn;
    if (eip1559_) {
        uint256 tip = bumped(t.max_priority_fee_per_gas, cfg_.bump_per_mille);
        if (now.tip > tip) tip = now.tip;
        uint256 max_fee = bumped(t.max_fee_per_gas, cfg_.bump_per_mille);
        if (now.max_fee > max_fee) max_fee = now.max_fee;
        if (max_fee < tip) max_fee = tip;
        t.max_priority_fee_per_gas = tip;
        t.max_fee_per_gas = max_fee;
    } else {
        uint256 price = bumped(t.gas_price, cfg_.bump_per_mille);
        if (now.max_fee > price) price = now.max_fee;
        t.gas_price = price;
    }
    if (!cfg_.max_fee_cap.is_zero() && t.max_fee() > cfg_.max_fee_cap) {
        note("L1 tx nonce " + std::to_string(t.nonce) +
             " stuck but its fee is at the cap; not bumping");
        return;
    }
    ++tx.bumps;
    broadcast(tx, head, "replaced (fee bump)");
}

void TxSender::poll() {
    const uint64_t head = rpc_.block_number();
    for (auto& tx : txs_) {
        if (tx.state == InFlightTx::State::kConfirmed) continue;
        std::optional<TxReceipt> found;
        for (auto it = tx.sent_hashes.rbegin(); it != tx.sent_hashes.rend() && !found; ++it) {
            auto r = rpc_.get_receipt(*it);
            if (!r) continue;
            // A receipt whose block is no longer canonical is a reorg that the node has not
            // cleaned up yet: ignore it.
            const auto block = rpc_.get_block(block_tag(r->block_number));
            if (block && block->hash == r->block_hash) found = std::move(r);
        }
        if (found) {
            const bool confirmed = head + 1 >= found->block_number + cfg_.confirmations;
            if (tx.state == InFlightTx::State::kPending ||
                (confirmed && tx.state != InFlightTx::State::kConfirmed))
                note(std::string(confirmed ? "confirmed" : "included") + " L1 tx " +
                     to_hex(found->tx_hash) + " in block " + std::to_string(found->block_number));
            tx.state = confirmed ? InFlightTx::State::kConfirmed : InFlightTx::State::kIncluded;
            tx.receipt = std::move(found);
            continue;
        }
        if (tx.state == InFlightTx::State::kIncluded) {
            // It was in a block and is not any more: reorged out. Broadcast it again.
            note("L1 tx nonce " + std::to_string(tx.txn.nonce) + " was reorged out");
            tx.state = InFlightTx::State::kPending;
            tx.receipt.reset();
            ++tx.resends;
            broadcast(tx, head, "re-sent");
            continue;
        }
        if (head >= tx.sent_at_block + cfg_.stuck_blocks) {
            if (fill_nonce_gap(head)) return;  // txs_ changed
            bump(tx, head);
            continue;
        }
        // Not in the pool and not in a block: dropped (pool eviction, node restart). Re-send;
        // if the node now refuses its fees, replace it with current ones.
        if (!rpc_.get_transaction(tx.sent_hashes.back())) {
            if (fill_nonce_gap(head)) return;  // txs_ changed
            ++tx.resends;
            try {
                broadcast(tx, head, "re-sent (dropped)");
            } catch (const L1Error& e) {
                if (e.kind != L1Error::Kind::kJsonRpc || !is_fee_too_low_error(e)) throw;
                bump(tx, head);
            }
        }
    }
}

bool TxSender::fill_nonce_gap(uint64_t head) {
    std::vector<uint64_t> open;
    for (const auto& tx : txs_)
        if (tx.state != InFlightTx::State::kConfirmed) open.push_back(tx.txn.nonce);
    if (open.empty()) return false;
    std::sort(open.begin(), open.end());
    const uint64_t onchain = rpc_.get_transaction_count(signer_.address(), "latest");
    std::vector<uint64_t> missing;
    for (uint64_t n = onchain; n < open.back(); ++n)
        if (!std::binary_search(open.begin(), open.end(), n)) missing.push_back(n);
    if (missing.empty()) return false;
    // Nonces below an open transaction that are neither on the chain nor ours in flight: our
    // confirmed (and forgotten) transactions there were reorged out, deeper than the
    // confirmations. Nothing would fill the gap, so the open transactions could never be mined.
    // Fill it with empty self-transfers (the open ones keep their nonces and hashes, so no stale
    // version of them can be mined twice); callers then see their receipts as usual (a batch or
    // root whose turn has passed reverts, and the caller resynchronizes from L1).
    note("L1 nonce gap: the chain is at nonce " + std::to_string(onchain) +
         ", open transactions at " + std::to_string(open.front()) + ".." +
         std::to_string(open.back()) + "; filling " + std::to_string(missing.size()) +
         " nonce(s) from " + std::to_string(missing.front()) +
         " with empty self-transfers (confirmed transactions were reorged out)");
    const Fees fees = current_fees();
    for (const uint64_t n : missing) {
        InFlightTx f = make_tx(n, 21000, signer_.address(), uint256{}, Bytes{}, fees);
        try {
            broadcast(f, head, "sent gap filler");
        } catch (const L1Error& e) {
            // The node holds another transaction of ours at that nonce (it re-pooled a reorged
            // one), or the nonce was just mined: nothing to fill there.
            if (e.kind != L1Error::Kind::kJsonRpc ||
                !(is_fee_too_low_error(e) || is_nonce_too_low_error(e)))
                throw;
            continue;
        }
        txs_.push_back(std::move(f));
    }
    // The open transactions above the gap could not be mined whatever their fees: they are
    // stuck only if they still are not included `stuck_blocks` blocks after the fill.
    for (auto& tx : txs_)
        if (tx.state == InFlightTx::State::kPending && tx.txn.nonce > missing.front())
            tx.sent_at_block = std::max(tx.sent_at_block, head);
    return true;
}

TxReceipt TxSender::wait(uint64_t id, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        poll();
        const InFlightTx* tx = find(id);
        if (tx == nullptr)
            throw L1Error(L1Error::Kind::kConfig,
                          "unknown L1 transaction id " + std::to_string(id));
        if (tx->state == InFlightTx::State::kConfirmed) return *tx->receipt;
        if (std::chrono::steady_clock::now() >= deadline)
            throw L1Error(L1Error::Kind::kTimeout,
                          "L1 tx nonce " + std::to_string(tx->txn.nonce) +
                              " not confirmed within " + std::to_string(timeout.count()) +
                              " ms: check that the L1 is producing blocks");
        std::this_thread::sleep_for(cfg_.poll_interval);
    }
}

const InFlightTx* TxSender::find(uint64_t id) const {
    for (const auto& tx : txs_)
        if (tx.id == id) return &tx;
    return nullptr;
}

std::vector<InFlightTx> TxSender::pending() const {
    std::vector<InFlightTx> out;
    for (const auto& tx : txs_)
        if (tx.state != InFlightTx::State::kConfirmed) out.push_back(tx);
    return out;
}

void TxSender::prune_confirmed() {
    std::erase_if(txs_,
                  [](const InFlightTx& tx) { return tx.state == InFlightTx::State::kConfirmed; });
}

}  // namespace fuse::l1
