#pragma once
/// eth_simulateV1's log collector (geth's internal/ethapi logtracer.go): the logs of one call in
/// execution order, those of failed frames dropped, and with `traceTransfers` every ETH
/// transfer as an ERC-20 Transfer log from 0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE
/// (ERC-7528): a call's or create's value (not DELEGATECALL/CALLCODE's), a SELFDESTRUCT's
/// balance.

#include <optional>
#include <vector>

#include "core/hash.hpp"
#include "core/receipt.hpp"
#include "state/tx_tracer.hpp"

namespace fuse::ethrpc {

class SimulateTracer final : public state::TxTracer {
public:
    explicit SimulateTracer(bool trace_transfers) : transfers_(trace_transfers) {}

    /// Starts a call: forgets the previous one's logs.
    void reset() {
        frames_.clear();
        done_.clear();
        pending_destruct_.reset();
    }
    /// The logs of the call (empty when it failed).
    const std::vector<Log>& logs() const { return done_; }

    void on_enter(const evm::Message& msg) noexcept override {
        try {
            frames_.emplace_back();
            const bool moves_value =
                msg.kind != evm::CallKind::kDelegateCall && msg.kind != evm::CallKind::kCallCode;
            if (moves_value && !msg.value.is_zero()) transfer(msg.sender, msg.recipient, msg.value);
        } catch (...) {
        }
    }

    void on_exit(const evm::Message& msg, const evm::ExecResult& result) noexcept override {
        if (frames_.empty()) return;
        std::vector<Log> frame = std::move(frames_.back());
        frames_.pop_back();
        const bool ok = result.status == evm::Status::kSuccess;
        try {
            if (msg.depth == 0 || frames_.empty()) {
                done_ = ok ? std::move(frame) : std::vector<Log>{};
            } else if (ok) {
                auto& parent = frames_.back();
                parent.insert(parent.end(), std::make_move_iterator(frame.begin()),
                              std::make_move_iterator(frame.end()));
            }
        } catch (...) {
        }
    }

    void on_log(const Address& addr, ByteView data,
                std::span<const uint256> topics) noexcept override {
        if (frames_.empty()) return;
        try {
            Log log;
            log.address = addr;
            log.data.assign(data.begin(), data.end());
            for (const uint256& t : topics)
                log.topics.push_back(t.to_hash());
            frames_.back().push_back(std::move(log));
        } catch (...) {
        }
    }

    bool on_step(const evm::StepState& s) noexcept override {
        pending_destruct_.reset();
        if (transfers_ && s.op == 0xff && !s.stack.empty() && s.msg && s.host) {
            const Hash32 to = s.stack.back().to_hash();
            pending_destruct_ = Destruct{s.msg->recipient, Address::from_view_right(to.view()),
                                         s.host->get_balance(s.msg->recipient)};
        }
        return true;
    }

    void on_step_end(int64_t, evm::Status status) noexcept override {
        if (!pending_destruct_) return;
        // geth enters SELFDESTRUCT as a frame of its own that moves the balance.
        if (status == evm::Status::kSuccess && !pending_destruct_->value.is_zero()) try {
                transfer(pending_destruct_->from, pending_destruct_->to, pending_destruct_->value);
            } catch (...) {
            }
        pending_destruct_.reset();
    }

private:
    struct Destruct {
        Address from, to;
        uint256 value;
    };

    void transfer(const Address& from, const Address& to, const uint256& value) {
        if (!transfers_ || frames_.empty()) return;
        static const Hash32 kTransfer = keccak256(
            ByteView(reinterpret_cast<const uint8_t*>("Transfer(address,address,uint256)"), 33));
        static const Address kEth = Address::from_view_right(Bytes(20, 0xee));
        Log log;
        log.address = kEth;
        log.topics = {kTransfer, uint256::from_be(from.view()).to_hash(),
                      uint256::from_be(to.view()).to_hash()};
        const Hash32 v = value.to_hash();
        log.data.assign(v.bytes.begin(), v.bytes.end());
        frames_.back().push_back(std::move(log));
    }

    bool transfers_;
    std::vector<std::vector<Log>> frames_;
    std::vector<Log> done_;
    std::optional<Destruct> pending_destruct_;
};

}  // namespace fuse::ethrpc
