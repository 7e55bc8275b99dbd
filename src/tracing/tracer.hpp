#pragma once
/// geth's tracers over the EVM and state tracing hooks (evm/tracer.hpp, state/tx_tracer.hpp),
/// producing geth's JSON (go-ethereum eth/tracers/logger/logger.go, native/call.go,
/// native/prestate.go): the struct logger (the default tracer), `callTracer` and
/// `prestateTracer`. One tracer object traces one transaction.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "evm/host.hpp"
#include "state/tx_tracer.hpp"

namespace fuse::tracing {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

/// geth's error text for a frame that ended with `s` (core/vm/errors.go), e.g.
/// "execution reverted", "out of gas", "invalid jump destination", "write protection".
std::string error_text(evm::Status s);

/// geth's opcode name (core/vm/opcodes.go): our table's mnemonic, "DIFFICULTY" for 0x44 and
/// "opcode 0xc not defined" for unassigned bytes.
std::string op_name(uint8_t op);

/// A CALL/CALLCODE/DELEGATECALL/STATICCALL that ended without reaching the host: the
/// interpreter refuses it itself when the call depth or the balance does not allow it (and
/// pushes 0), where geth enters a frame that fails at once. What geth would have reported.
struct LightCall {
    int64_t gas_cost = 0;    ///< the struct logger's gasCost: the op's cost + the gas handed over
    int64_t callee_gas = 0;  ///< the frame's gas (stipend included)
};
/// `gas_arg`/`has_value` from the stack, gas before and after the instruction.
LightCall light_call(const uint256& gas_arg, bool has_value, int64_t gas_before, int64_t gas_after);
/// Whether `op` is CALL, CALLCODE, DELEGATECALL or STATICCALL.
constexpr bool is_call_op(uint8_t op) {
    return op == 0xf1 || op == 0xf2 || op == 0xf4 || op == 0xfa;
}

/// A tracer whose result is geth's JSON. It stops execution (evm::Tracer::on_step returns
/// false) once `deadline` has passed; `timed_out()` then says so and the caller answers geth's
/// "execution timeout".
class JsonTracer : public state::TxTracer {
public:
    explicit JsonTracer(Clock::time_point deadline) : deadline_(deadline) {}
    /// The trace of the transaction (call after it ran).
    virtual Json result() const = 0;
    bool timed_out() const { return timed_out_; }
    /// The block-wide index of the transaction's first log (geth's log `index` counts from
    /// the start of the block); 0 for a call traced outside a block.
    void set_first_log_index(uint64_t index) { first_log_index_ = index; }
    uint64_t first_log_index() const { return first_log_index_; }

protected:
    /// Counts a step and checks the deadline on the first and then every 1024th step (a clock
    /// read per instruction would dominate small steps). False once the deadline has passed.
    bool tick() noexcept {
        if ((steps_++ & 1023) == 0 && Clock::now() >= deadline_) timed_out_ = true;
        return !timed_out_;
    }

private:
    Clock::time_point deadline_;
    uint64_t first_log_index_ = 0;
    uint64_t steps_ = 0;
    bool timed_out_ = false;
};

/// The struct logger's options (geth logger.Config).
struct LoggerConfig {
    bool enable_memory = false;
    bool disable_stack = false;
    bool disable_storage = false;
    bool enable_return_data = false;
    /// Stop recording once the JSON of the recorded steps exceeds this many bytes (0: no
    /// limit), as geth's `limit`.
    uint64_t limit = 0;
};

/// callTracer's options (geth callTracerConfig).
struct CallTracerConfig {
    bool only_top_call = false;
    bool with_log = false;
};

/// prestateTracer's options (geth PrestateTracerConfig).
struct PrestateConfig {
    bool diff_mode = false;
    bool disable_code = false;
    bool disable_storage = false;
    bool include_empty = false;
};

std::unique_ptr<JsonTracer> make_struct_logger(const LoggerConfig& cfg, Clock::time_point deadline);
std::unique_ptr<JsonTracer> make_call_tracer(const CallTracerConfig& cfg,
                                             Clock::time_point deadline);
std::unique_ptr<JsonTracer> make_prestate_tracer(const PrestateConfig& cfg,
                                                 Clock::time_point deadline);

/// A parsed debug_trace* config (geth's TraceConfig): which tracer with which options.
struct TraceOptions {
    std::string tracer;  ///< "" = struct logger, "callTracer", "prestateTracer"
    LoggerConfig logger;
    CallTracerConfig call;
    PrestateConfig prestate;
    std::chrono::nanoseconds timeout = std::chrono::seconds(5);  ///< geth's default
};

/// Parses geth's TraceConfig object (`tracer`, `tracerConfig`, `timeout` as a Go duration such
/// as "5s" or "300ms", and the struct logger's `enableMemory`, `disableStack`,
/// `disableStorage`, `enableReturnData`, `limit`). Unknown tracers and malformed values are a
/// std::invalid_argument with geth's message (e.g. "tracer not found").
TraceOptions parse_trace_options(const Json& config);

/// Parses a Go duration ("1h2m3.5s", "300ms", "10us", "0"); nullopt when malformed.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view s);

/// The tracer `opts` names, with its deadline `timeout` from `start`.
std::unique_ptr<JsonTracer> make_tracer(const TraceOptions& opts, Clock::time_point start);

}  // namespace fuse::tracing
