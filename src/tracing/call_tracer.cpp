// geth's callTracer (go-ethereum eth/tracers/native/call.go): the tree of call frames with
// type, from, to, value, gas, gasUsed, input, output, error, and with `withLog` the logs each
// frame emitted (with their position among the frame's subcalls). `revertReason` is added by
// the RPC layer, which owns the revert decoder (ethrpc/revert.hpp).
#include <vector>

#include "core/hex.hpp"
#include "evm/opcodes.hpp"
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
        cur_depth_ = s.depth;
        try {
            if (last_op_.size() <= static_cast<size_t>(s.depth)) {
                last_op_.resize(static_cast<size_t>(s.depth) + 1);
                pending_.resize(static_cast<size_t>(s.depth) + 1);
                last_stack_.resize(static_cast<size_t>(s.depth) + 1);
            }
        } catch (...) {
            return tick();
        }
        last_op_[static_cast<size_t>(s.depth)] = s.op;
        last_stack_[static_cast<size_t>(s.depth)] = s.stack.size();
        remember_call(s, pending_[static_cast<size_t>(s.depth)]);
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

    void on_step_end(int64_t gas_left, evm::Status status) noexcept override {
        if (cur_depth_ >= 0 && static_cast<size_t>(cur_depth_) < pending_.size()) {
            PendingCall& p = pending_[static_cast<size_t>(cur_depth_)];
            if (p.valid && !p.entered && status == evm::Status::kSuccess && !stack_.empty() &&
                !cfg_.only_top_call)
                add_light_failure(p, gas_left);
            p.valid = false;
        }
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
        if (msg.depth > 0 && static_cast<size_t>(msg.depth) <= pending_.size())
            pending_[static_cast<size_t>(msg.depth) - 1].entered = true;
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
        cur_depth_ = msg.depth - 1;
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
                f.error = frame_error(msg.depth, res.status);
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
    /// A CALL* about to run, kept until it ends in case it never reaches the host.
    struct PendingCall {
        bool valid = false;
        bool entered = false;  ///< the host was called (on_enter one level down)
        uint8_t op = 0;
        int32_t depth = 0;
        int64_t gas_before = 0;
        uint256 gas_arg;
        bool has_value = false;
        Frame frame;
    };

    static void remember_call(const evm::StepState& s, PendingCall& p) noexcept {
        p.valid = false;
        p.entered = false;
        const size_t n = s.stack.size();
        const bool is_create = s.op == 0xf0 || s.op == 0xf5;
        if ((!is_call_op(s.op) && !is_create) || !s.msg) return;
        const bool with_value = s.op == 0xf1 || s.op == 0xf2;
        const size_t need = is_create ? (s.op == 0xf5 ? 4u : 3u) : (with_value ? 7u : 6u);
        if (n < need) return;
        // Operand positions from the top: CREATE* value, offset, size; CALL* gas, address,
        // [value], in offset, in size.
        const size_t off_at = is_create ? 2 : (with_value ? 4 : 3);
        const uint256& in_off = s.stack[n - off_at];
        const uint256& in_size = s.stack[n - off_at - 1];
        if (!in_size.is_zero() &&
            (!in_off.fits_u64() || !in_size.fits_u64() || in_size.low64() > (uint64_t{1} << 24)))
            return;  // the instruction will run out of gas: no frame
        try {
            Frame& f = p.frame;
            f = Frame{};
            f.type = call_type(*s.msg, s.op);
            f.from = s.msg->recipient;
            if (is_create)
                f.value = s.stack[n - 1];  // no `to`: geth drops it from a failed create
            else
                f.to = Address::from_view_right(s.stack[n - 2].to_hash().view());
            if (with_value)
                f.value = s.stack[n - 3];
            else if (s.op == 0xf4)
                f.value = s.msg->value;
            if (!in_size.is_zero()) {
                f.input.assign(in_size.low64(), 0);
                const uint64_t off = in_off.low64();
                for (uint64_t i = 0; i < in_size.low64() && off + i < s.memory.size(); ++i)
                    f.input[i] = s.memory[off + i];
            }
            p.op = s.op;
            p.depth = s.depth;
            p.gas_before = s.gas;
            p.gas_arg = is_create ? uint256{} : s.stack[n - 1];
            p.has_value = with_value && !s.stack[n - 3].is_zero();
            p.valid = true;
        } catch (...) {
        }
    }

    /// geth's frame for a call refused before it began (depth or balance), failed at once.
    void add_light_failure(PendingCall& p, int64_t gas_left) noexcept {
        try {
            Frame f = std::move(p.frame);
            if (is_call_op(p.op))
                f.gas = static_cast<uint64_t>(
                    light_call(p.gas_arg, p.has_value, p.gas_before, gas_left).callee_gas);
            else  // CREATE*: all but a 64th of what is left after the instruction's cost
                f.gas = static_cast<uint64_t>(gas_left - gas_left / 64);
            f.error = p.depth + 1 > 1024 ? "max call depth exceeded"
                                         : "insufficient balance for transfer";
            f.reverted = true;
            stack_.back().calls.push_back(std::move(f));
        } catch (...) {
        }
    }

    /// geth's error text, with the operands geth names for the errors of the last instruction.
    std::string frame_error(int32_t depth, evm::Status st) const {
        const auto d = static_cast<size_t>(depth);
        if (depth < 0 || d >= last_op_.size()) return error_text(st);
        const uint8_t op = last_op_[d];
        const evm::OpInfo& info = evm::kOpTable[op];
        switch (st) {
            case evm::Status::kStackUnderflow:
                return "stack underflow (" + std::to_string(last_stack_[d]) + " <=> " +
                       std::to_string(info.stack_in) + ")";
            case evm::Status::kStackOverflow:
                return "stack limit reached " + std::to_string(last_stack_[d]) + " (" +
                       std::to_string(1024 + info.stack_in - info.stack_out) + ")";
            case evm::Status::kUndefinedInstruction:
                return "invalid opcode: " + op_name(op);
            default:
                return error_text(st);
        }
    }

    CallTracerConfig cfg_;
    std::vector<size_t> last_stack_;  ///< by depth: stack height before the last instruction
    int32_t cur_depth_ = -1;
    std::vector<PendingCall> pending_;  ///< by depth
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
