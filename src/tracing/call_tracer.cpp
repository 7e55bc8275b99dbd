// geth's callTracer (go-ethereum eth/tracers/native/call.go): the tree of call frames with
// type, from, to, value, gas, gasUsed, input, output, error, and with `withLog` the logs each
// frame emitted (with their position among the frame's subcalls). `revertReason` is added by
// the RPC layer, which owns the revert decoder (ethrpc/revert.hpp).
#include <vector>

#include "core/hex.hpp"
#include "tracing/tracer.hpp"

namespace fuse::tracing {
namespace {

struct LogEntry {
    Address address;
    std::vector<uint256> topics;
    Bytes data;
    uint64_t index = 0;     ///< position among the transaction's logs
    uint64_t position = 0;  ///< number of subcalls of the frame before the log
};

struct Frame {
    std::string type;
    Address from;
    std::optional<Address> to;
    uint64_t gas = 0;
    uint64_t gas_used = 0;
    Bytes input;
    Bytes output;
    std::string error;
    bool reverted = false;  ///< failed: its logs (and its children's) are dropped
    std::vector<Frame> calls;
    std::vector<LogEntry> logs;
    std::optional<uint256> value;  ///< absent for STATICCALL
};

std::string call_type(const evm::Message& msg, uint8_t caller_op) {
    switch (caller_op) {
        case 0xf0:
            return "CREATE";
        case 0xf1:
            return "CALL";
        case 0xf2:
            return "CALLCODE";
        case 0xf4:
            return "DELEGATECALL";
        case 0xf5:
            return "CREATE2";
        case 0xfa:
            return "STATICCALL";
        default:
            break;
    }
    switch (msg.kind) {
        case evm::CallKind::kCreate:
            return "CREATE";
        case evm::CallKind::kCreate2:
            return "CREATE2";
        case evm::CallKind::kDelegateCall:
            return "DELEGATECALL";
        case evm::CallKind::kCallCode:
            return "CALLCODE";
        case evm::CallKind::kCall:
            break;
    }
    return "CALL";
}

Json frame_json(const Frame& f) {
    Json j = Json::object();
    j["type"] = f.type;
    j["from"] = to_hex(f.from.view());
    if (f.to) j["to"] = to_hex(f.to->view());
    if (f.value) j["value"] = f.value->to_hex();
    j["gas"] = uint256(f.gas).to_hex();
    j["gasUsed"] = uint256(f.gas_used).to_hex();
    j["input"] = to_hex(f.input);
    if (!f.output.empty()) j["output"] = to_hex(f.output);
    if (!f.error.empty()) j["error"] = f.error;
    if (!f.calls.empty()) {
        Json calls = Json::array();
        for (const Frame& c : f.calls)
            calls.push_back(frame_json(c));
        j["calls"] = std::move(calls);
    }
    if (!f.logs.empty()) {
        Json logs = Json::array();
        for (const LogEntry& l : f.logs) {
            Json topics = Json::array();
            for (const uint256& t : l.topics)
                topics.push_back(to_hex(t.to_hash().view()));
            logs.push_back(Json{{"address", to_hex(l.address.view())},
                                {"topics", std::move(topics)},
                                {"data", to_hex(l.data)},
                                {"index", uint256(l.index).to_hex()},
                                {"position", uint256(l.position).to_hex()}});
        }
        j["logs"] = std::move(logs);
    }
    return j;
}

/// geth's clearFailedLogs: a failed frame's logs, and its children's, were never emitted.
void clear_failed_logs(Frame& f, bool parent_failed) {
    const bool failed = parent_failed || f.reverted;
    if (failed) f.logs.clear();
    for (Frame& c : f.calls)
        clear_failed_logs(c, failed);
}

class CallTracer final : public JsonTracer {
public:
    CallTracer(const CallTracerConfig& cfg, Clock::time_point deadline)
        : JsonTracer(deadline), cfg_(cfg) {}

    void on_tx_start(state::ExecState&, const state::TxStart& tx) noexcept override {
        gas_limit_ = tx.gas_limit;
    }

    bool on_step(const evm::StepState& s) noexcept override {
        if (last_op_.size() <= static_cast<size_t>(s.depth))
            last_op_.resize(static_cast<size_t>(s.depth) + 1);
        last_op_[static_cast<size_t>(s.depth)] = s.op;
        selfdestruct_.reset();
        if (s.op == 0xff && !s.stack.empty() && s.msg && s.host) {
            // geth reports SELFDESTRUCT as a frame (from the contract to the beneficiary, the
            // balance as value, no gas); it is added once the instruction succeeded.
            const Hash32 h = s.stack.back().to_hash();
            selfdestruct_ = Frame{};
            selfdestruct_->type = "SELFDESTRUCT";
            selfdestruct_->from = s.msg->recipient;
            selfdestruct_->to = Address::from_view_right(h.view());
            selfdestruct_->value = s.host->get_balance(s.msg->recipient);
        }
        return tick();
    }

    void on_step_end(int64_t, evm::Status status) noexcept override {
        if (!selfdestruct_) return;
        // geth enters it at the frame's depth + 1: never recorded with onlyTopCall.
        if (status == evm::Status::kSuccess && !stack_.empty() && !cfg_.only_top_call) {
            try {
                stack_.back().calls.push_back(std::move(*selfdestruct_));
            } catch (...) {
            }
        }
        selfdestruct_.reset();
    }

    void on_enter(const evm::Message& msg) noexcept override {
        depth_ = msg.depth;
        try {
            log_marks_.push_back(log_count_);
        } catch (...) {
        }
        if (cfg_.only_top_call && msg.depth > 0) return;
        try {
            const uint8_t op = msg.depth > 0 && last_op_.size() >= static_cast<size_t>(msg.depth)
                                   ? last_op_[static_cast<size_t>(msg.depth) - 1]
                                   : 0;
            Frame f;
            f.type = call_type(msg, op);
            // DELEGATECALL/CALLCODE run the callee's code on the caller's account: geth shows
            // the calling contract as `from` and the code's account as `to`.
            const bool on_self =
                msg.kind == evm::CallKind::kDelegateCall || msg.kind == evm::CallKind::kCallCode;
            f.from = on_self ? msg.recipient : msg.sender;
            f.to = on_self ? msg.code_address : msg.recipient;
            f.input.assign(msg.input.begin(), msg.input.end());
            f.gas = msg.depth == 0 ? gas_limit_ : static_cast<uint64_t>(msg.gas);
            if (f.type != "STATICCALL") f.value = msg.value;
            stack_.push_back(std::move(f));
        } catch (...) {
        }
    }

    void on_exit(const evm::Message& msg, const evm::ExecResult& res) noexcept override {
        depth_ = msg.depth - 1;
        if (!log_marks_.empty()) {
            // A failed frame's logs are dropped from the block: later logs keep their indexes.
            if (res.status != evm::Status::kSuccess) log_count_ = log_marks_.back();
            log_marks_.pop_back();
        }
        if (cfg_.only_top_call && msg.depth > 0) return;
        if (stack_.empty()) return;
        try {
            Frame& f = stack_.back();
            f.gas_used = static_cast<uint64_t>(msg.gas - res.gas_left);
            if (res.status == evm::Status::kSuccess) {
                f.output = res.output;
            } else {
                f.error = error_text(res.status);
                f.reverted = true;
                if (f.type == "CREATE" || f.type == "CREATE2") f.to.reset();
                if (res.status == evm::Status::kRevert) f.output = res.output;
            }
            if (msg.depth == 0 || stack_.size() == 1) return;  // the top frame stays
            Frame done = std::move(stack_.back());
            stack_.pop_back();
            stack_.back().calls.push_back(std::move(done));
        } catch (...) {
        }
    }

    void on_log(const Address& addr, ByteView data,
                std::span<const uint256> topics) noexcept override {
        const uint64_t index = first_log_index() + log_count_++;
        if (!cfg_.with_log || stack_.empty()) return;
        if (cfg_.only_top_call && depth_ > 0) return;
        try {
            LogEntry l;
            l.address = addr;
            l.topics.assign(topics.begin(), topics.end());
            l.data.assign(data.begin(), data.end());
            l.index = index;
            l.position = stack_.back().calls.size();
            stack_.back().logs.push_back(std::move(l));
        } catch (...) {
        }
    }

    void on_tx_end(state::ExecState&, const state::TxEnd& end) noexcept override {
        if (stack_.empty()) return;
        stack_.front().gas_used = static_cast<uint64_t>(end.gas_used);
        if (cfg_.with_log) clear_failed_logs(stack_.front(), false);
    }

    Json result() const override {
        if (stack_.size() != 1) return Json::object();
        return frame_json(stack_.front());
    }

private:
    CallTracerConfig cfg_;
    uint64_t gas_limit_ = 0;
    int32_t depth_ = 0;
    uint64_t log_count_ = 0;
    std::vector<Frame> stack_;
    std::optional<Frame> selfdestruct_;  ///< a SELFDESTRUCT in flight
    std::vector<uint8_t> last_op_;       ///< by depth: the instruction each frame runs last
    std::vector<uint64_t> log_marks_;    ///< log count when each open frame began
};

}  // namespace

std::unique_ptr<JsonTracer> make_call_tracer(const CallTracerConfig& cfg,
                                             Clock::time_point deadline) {
    return std::make_unique<CallTracer>(cfg, deadline);
}

}  // namespace fuse::tracing
