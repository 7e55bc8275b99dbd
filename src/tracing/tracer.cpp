// Tracer options, names and error texts shared by the tracers (tracer.hpp).
#include "tracing/tracer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "evm/opcodes.hpp"

namespace fuse::tracing {

std::string error_text(evm::Status s) {
    using evm::Status;
    switch (s) {
        case Status::kSuccess:
            return "";
        case Status::kRevert:
            return "execution reverted";
        case Status::kOutOfGas:
            return "out of gas";
        case Status::kInvalidInstruction:
            return "invalid opcode: INVALID";
        case Status::kUndefinedInstruction:
            return "invalid opcode";
        case Status::kStackOverflow:
            return "stack overflow";
        case Status::kStackUnderflow:
            return "stack underflow";
        case Status::kBadJumpDestination:
            return "invalid jump destination";
        case Status::kInvalidMemoryAccess:
            return "return data out of bounds";
        case Status::kCallDepthExceeded:
            return "max call depth exceeded";
        case Status::kStaticModeViolation:
            return "write protection";
        case Status::kPrecompileFailure:
            return "precompile failure";
        case Status::kFailure:
            return "contract address collision";
        case Status::kInsufficientBalance:
            return "insufficient balance for transfer";
        case Status::kContractValidationFailure:
            return "max code size exceeded";
        case Status::kArgumentOutOfRange:
            return "gas uint64 overflow";
        case Status::kInternalError:
            return "execution timeout";
    }
    return std::string(evm::to_string(s));
}

std::string op_name(uint8_t op) {
    if (op == 0x44) return "DIFFICULTY";  // geth still prints the pre-merge name
    const std::string_view name = evm::kOpTable[op].name;
    if (name == "UNDEFINED") {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "opcode %#x not defined", static_cast<unsigned>(op));
        return buf;
    }
    return std::string(name);
}

LightCall light_call(const uint256& gas_arg, bool has_value, int64_t gas_before,
                     int64_t gas_after) {
    constexpr int64_t kStipend = 2300;
    const int64_t stipend = has_value ? kStipend : 0;
    // The interpreter gives the stipend back on this path (as geth returns the unused gas).
    const int64_t cost = gas_before - gas_after + stipend;
    const int64_t avail = gas_before - cost;
    const int64_t cap = avail - avail / 64;  // EIP-150
    const int64_t call_gas =
        gas_arg.fits_u64() && gas_arg.low64() < static_cast<uint64_t>(std::max<int64_t>(cap, 0))
            ? static_cast<int64_t>(gas_arg.low64())
            : cap;
    return {cost + call_gas, call_gas + stipend};
}

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    bool negative = false;
    if (s[0] == '-' || s[0] == '+') {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return std::chrono::nanoseconds(0);
    if (s.empty()) return std::nullopt;
    long double total = 0;
    while (!s.empty()) {
        size_t i = 0;
        long double v = 0;
        bool digits = false;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (s[i++] - '0');
            digits = true;
        }
        if (i < s.size() && s[i] == '.') {
            ++i;
            long double scale = 0.1L;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                v += (s[i++] - '0') * scale;
                scale /= 10;
                digits = true;
            }
        }
        if (!digits) return std::nullopt;
        size_t j = i;
        while (j < s.size() && !(s[j] >= '0' && s[j] <= '9') && s[j] != '.')
            ++j;
        const std::string_view unit = s.substr(i, j - i);
        long double ns_per = 0;
        if (unit == "ns")
            ns_per = 1;
        else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
            ns_per = 1e3L;
        else if (unit == "ms")
            ns_per = 1e6L;
        else if (unit == "s")
            ns_per = 1e9L;
        else if (unit == "m")
            ns_per = 60e9L;
        else if (unit == "h")
            ns_per = 3600e9L;
        else
            return std::nullopt;
        total += v * ns_per;
        s.remove_prefix(j);
    }
    if (total > 9.2e18L) return std::nullopt;
    const auto ns = static_cast<int64_t>(std::llround(total));
    return std::chrono::nanoseconds(negative ? -ns : ns);
}

namespace {

bool get_bool(const Json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return false;
    if (!it->is_boolean())
        throw std::invalid_argument(std::string("json: cannot unmarshal ") + it->type_name() +
                                    " into Go value of type bool (field " + key + ")");
    return it->get<bool>();
}

}  // namespace

TraceOptions parse_trace_options(const Json& config) {
    TraceOptions o;
    if (config.is_null()) return o;
    if (!config.is_object()) throw std::invalid_argument("tracer config must be an object");
    if (auto it = config.find("tracer"); it != config.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("tracer must be a string");
        o.tracer = it->get<std::string>();
        if (o.tracer == "structLogger") o.tracer.clear();
        if (!o.tracer.empty() && o.tracer != "callTracer" && o.tracer != "prestateTracer")
            throw std::invalid_argument("tracer not found");
    }
    if (auto it = config.find("timeout"); it != config.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("timeout must be a string, e.g. \"5s\"");
        const std::string t = it->get<std::string>();
        auto d = parse_go_duration(t);
        if (!d) throw std::invalid_argument("time: invalid duration \"" + t + "\"");
        o.timeout = *d;
    }
    o.logger.enable_memory = get_bool(config, "enableMemory");
    o.logger.disable_stack = get_bool(config, "disableStack");
    o.logger.disable_storage = get_bool(config, "disableStorage");
    o.logger.enable_return_data = get_bool(config, "enableReturnData");
    if (auto it = config.find("limit"); it != config.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0)
            throw std::invalid_argument("limit must be a non-negative integer");
        o.logger.limit = it->get<uint64_t>();
    }
    const Json empty = Json::object();
    const auto tc_it = config.find("tracerConfig");
    const Json& tc = tc_it != config.end() && !tc_it->is_null() ? *tc_it : empty;
    if (!tc.is_object()) throw std::invalid_argument("tracerConfig must be an object");
    if (o.tracer == "callTracer") {
        o.call.only_top_call = get_bool(tc, "onlyTopCall");
        o.call.with_log = get_bool(tc, "withLog");
    } else if (o.tracer == "prestateTracer") {
        o.prestate.diff_mode = get_bool(tc, "diffMode");
        o.prestate.disable_code = get_bool(tc, "disableCode");
        o.prestate.disable_storage = get_bool(tc, "disableStorage");
        o.prestate.include_empty = get_bool(tc, "includeEmpty");
        if (o.prestate.diff_mode && o.prestate.include_empty)
            throw std::invalid_argument("cannot use diffMode with includeEmpty");
    }
    return o;
}

std::unique_ptr<JsonTracer> make_tracer(const TraceOptions& opts, Clock::time_point start) {
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                      std::max(opts.timeout, std::chrono::nanoseconds(0)));
    if (opts.tracer == "callTracer") return make_call_tracer(opts.call, deadline);
    if (opts.tracer == "prestateTracer") return make_prestate_tracer(opts.prestate, deadline);
    return make_struct_logger(opts.logger, deadline);
}

}  // namespace fuse::tracing
