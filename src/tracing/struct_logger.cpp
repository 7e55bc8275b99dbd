// geth's struct logger, the default tracer (go-ethereum eth/tracers/logger/logger.go, the
// "legacy" JSON debug_trace* returns): one entry per instruction with pc, op, gas, gasCost,
// depth, stack, memory, storage, refund and error.
#include <map>
#include <vector>

#include "core/hex.hpp"
#include "evm/opcodes.hpp"
#include "tracing/tracer.hpp"

namespace fuse::tracing {
namespace {

constexpr int kStackLimit = 1024;

std::string word_hex(const uint256& v) {
    return to_hex(v.to_hash().view());
}

class StructLogger final : public JsonTracer {
public:
    StructLogger(const LoggerConfig& cfg, Clock::time_point deadline)
        : JsonTracer(deadline), cfg_(cfg) {}

    bool on_step(const evm::StepState& s) noexcept override {
        if (!tick()) return false;
        cur_depth_ = s.depth;
        if (frames_.size() <= static_cast<size_t>(s.depth))
            frames_.resize(static_cast<size_t>(s.depth) + 1);
        refunds_.resize(static_cast<size_t>(s.depth) + 1);
        refunds_[static_cast<size_t>(s.depth)] = s.frame_refund;
        Pending& p = frames_[static_cast<size_t>(s.depth)];
        p = Pending{};
        p.gas_before = s.gas;
        p.op = s.op;
        p.stack_len = s.stack.size();
        if (is_call_op(s.op) && s.stack.size() >= 2) {
            const size_t n = s.stack.size();
            p.gas_arg = s.stack[n - 1];
            p.has_value = (s.op == 0xf1 || s.op == 0xf2) && n >= 3 && !s.stack[n - 3].is_zero();
        }
        if (cfg_.limit != 0 && size_ > cfg_.limit) return true;  // geth stops recording
        try {
            p.log_index = logs_.size();
            p.recorded = true;
            logs_.push_back(entry(s));
            if (cfg_.limit != 0) size_ += logs_.back().dump().size();
        } catch (...) {
            p.recorded = false;  // out of memory: the trace misses this step
        }
        return true;
    }

    void on_step_end(int64_t gas_left, evm::Status status) noexcept override {
        if (cur_depth_ < 0 || frames_.size() <= static_cast<size_t>(cur_depth_)) return;
        Pending& p = frames_[static_cast<size_t>(cur_depth_)];
        if (!p.recorded) return;
        const evm::OpInfo& info = evm::kOpTable[p.op];
        int64_t cost = p.gas_before - gas_left + p.child_adjust;
        if (is_call_op(p.op) && !p.entered && status == evm::Status::kSuccess)
            cost = light_call(p.gas_arg, p.has_value, p.gas_before, gas_left).gas_cost;
        std::string err;
        if (status == evm::Status::kOutOfGas) {
            err = "out of gas";
        } else if (status == evm::Status::kStackUnderflow) {
            cost = std::max(0, info.gas[0]);
            err = "stack underflow (" + std::to_string(p.stack_len) + " <=> " +
                  std::to_string(info.stack_in) + ")";
        } else if (status == evm::Status::kStackOverflow) {
            cost = std::max(0, info.gas[0]);
            err = "stack limit reached " + std::to_string(p.stack_len) + " (" +
                  std::to_string(kStackLimit + info.stack_in - info.stack_out) + ")";
        }
        try {
            Json& e = logs_[p.log_index];
            e["gasCost"] = static_cast<uint64_t>(std::max<int64_t>(cost, 0));
            if (!err.empty()) e["error"] = err;
        } catch (...) {
        }
        p.recorded = false;
    }

    void on_enter(const evm::Message& msg) noexcept override {
        if (msg.depth > 0 && static_cast<size_t>(msg.depth) <= frames_.size())
            frames_[static_cast<size_t>(msg.depth) - 1].entered = true;
    }

    void on_exit(const evm::Message& msg, const evm::ExecResult& res) noexcept override {
        if (msg.depth == 0) {
            status_ = res.status;
            try {
                output_ = res.output;
            } catch (...) {
            }
            return;
        }
        cur_depth_ = msg.depth - 1;
        if (frames_.size() <= static_cast<size_t>(cur_depth_)) return;
        Pending& p = frames_[static_cast<size_t>(cur_depth_)];
        p.child_adjust += res.gas_left;
        // geth's gasCost of CREATE/CREATE2 leaves out the gas handed to the new contract.
        if (msg.kind == evm::CallKind::kCreate || msg.kind == evm::CallKind::kCreate2)
            p.child_adjust -= msg.gas;
    }

    void on_tx_end(state::ExecState&, const state::TxEnd& end) noexcept override {
        gas_used_ = end.gas_used;
        status_ = end.status;
    }

    Json result() const override {
        Json r = Json::object();
        r["gas"] = static_cast<uint64_t>(gas_used_);
        const bool failed = status_ != evm::Status::kSuccess;
        r["failed"] = failed;
        const bool keep = !failed || status_ == evm::Status::kRevert;
        r["returnValue"] = keep ? to_hex(output_) : std::string("0x");
        r["structLogs"] = logs_;
        return r;
    }

private:
    struct Pending {
        size_t log_index = 0;
        int64_t gas_before = 0;
        int64_t child_adjust = 0;  ///< gas given back by child calls during this step
        size_t stack_len = 0;
        uint256 gas_arg;         ///< CALL*: the gas operand
        bool has_value = false;  ///< CALL/CALLCODE with value
        bool entered = false;    ///< a call reached the host during this step
        uint8_t op = 0;
        bool recorded = false;
    };

    Json entry(const evm::StepState& s) {
        Json e = Json::object();
        e["pc"] = s.pc;
        e["op"] = op_name(s.op);
        e["gas"] = static_cast<uint64_t>(std::max<int64_t>(s.gas, 0));
        e["gasCost"] = 0;
        e["depth"] = s.depth + 1;  // geth counts the top frame as depth 1
        if (!cfg_.disable_stack) {
            Json st = Json::array();
            for (const uint256& v : s.stack)
                st.push_back(v.to_hex());
            e["stack"] = std::move(st);
        }
        if (cfg_.enable_return_data && !s.return_data.empty())
            e["returnData"] = to_hex(s.return_data);
        if (cfg_.enable_memory && !s.memory.empty()) {
            Json mem = Json::array();
            for (size_t i = 0; i < s.memory.size(); i += 32) {
                uint8_t word[32] = {};
                const size_t n = std::min<size_t>(32, s.memory.size() - i);
                std::copy_n(s.memory.data() + i, n, word);
                mem.push_back(to_hex(ByteView(word, 32)));
            }
            e["memory"] = std::move(mem);
        }
        if (!cfg_.disable_storage && (s.op == 0x54 || s.op == 0x55) && s.msg && s.host) {
            auto& store = storage_[s.msg->recipient];
            if (s.op == 0x54 && !s.stack.empty()) {
                const uint256& key = s.stack.back();
                store[key] = s.host->get_storage(s.msg->recipient, key);
            } else if (s.op == 0x55 && s.stack.size() >= 2) {
                store[s.stack.back()] = s.stack[s.stack.size() - 2];
            }
            if ((s.op == 0x54 && !s.stack.empty()) || (s.op == 0x55 && s.stack.size() >= 2)) {
                Json m = Json::object();
                for (const auto& [k, v] : store)
                    m[word_hex(k)] = word_hex(v);
                e["storage"] = std::move(m);
            }
        }
        int64_t refund = 0;
        for (int64_t r : refunds_)
            refund += r;
        if (refund > 0) e["refund"] = static_cast<uint64_t>(refund);
        return e;
    }

    LoggerConfig cfg_;
    std::vector<Json> logs_;
    std::vector<Pending> frames_;   ///< by depth: the step in flight in each frame
    std::vector<int64_t> refunds_;  ///< by depth: each active frame's refund so far
    std::map<Address, std::map<uint256, uint256>> storage_;
    int32_t cur_depth_ = -1;
    uint64_t size_ = 0;
    int64_t gas_used_ = 0;
    evm::Status status_ = evm::Status::kSuccess;
    Bytes output_;
};

}  // namespace

std::unique_ptr<JsonTracer> make_struct_logger(const LoggerConfig& cfg,
                                               Clock::time_point deadline) {
    return std::make_unique<StructLogger>(cfg, deadline);
}

}  // namespace fuse::tracing
