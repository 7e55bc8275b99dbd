// The dispatch loop. Opcodes come from the one table in opcodes.hpp, which generates both
// the computed-goto dispatch (GCC/Clang) and the portable `switch` fallback (define
// FUSE_EVM_SWITCH_DISPATCH to force it; evm_switch_test runs the unit tests that way).
#include "evm/interpreter.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "evm/frame.hpp"
#include "evm/instructions.hpp"
#include "evm/opcodes.hpp"
#include "evm/tracer.hpp"

#if defined(__GNUC__) && !defined(FUSE_EVM_SWITCH_DISPATCH)
#define FUSE_EVM_COMPUTED_GOTO 1
#endif

namespace fuse::evm {
namespace {

/// A frame's stack and memory buffers. Allocated once per thread and call depth and reused,
/// so a call frame costs no allocation once the pool is warm.
struct FrameBuffers {
    alignas(32) uint256 stack[kStackLimit];
    Memory mem;
    ~FrameBuffers() { std::free(mem.data); }
};

struct BufferPool {
    std::vector<std::unique_ptr<FrameBuffers>> entries;
    size_t in_use = 0;
};

thread_local BufferPool t_pool;

/// RAII lease of the next free pool entry (frames nest, so this is a stack).
class Lease {
public:
    Lease() noexcept {
        if (t_pool.in_use == t_pool.entries.size())
            t_pool.entries.push_back(std::make_unique<FrameBuffers>());
        buf_ = t_pool.entries[t_pool.in_use++].get();
    }
    ~Lease() {
        // Restore the invariant that everything past `size` is zero, in one call.
        if (buf_->mem.size) std::memset(buf_->mem.data, 0, buf_->mem.size);
        buf_->mem.size = 0;
        --t_pool.in_use;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    FrameBuffers& operator*() const noexcept { return *buf_; }
    FrameBuffers* operator->() const noexcept { return buf_; }

private:
    FrameBuffers* buf_;
};

/// Reports the machine state before the instruction at `pc` (traced loop only; kept out of
/// line so the traced loop stays close to the untraced one). False: stop (trace timeout).
FUSE_NOINLINE bool trace_step(Frame& f, Tracer& tracer, const uint256* stack_base,
                              const uint256* sp, const uint8_t* pc, int64_t gas) noexcept {
    StepState s;
    s.pc = static_cast<uint64_t>(pc - f.code.padded_code.data());
    s.op = *pc;
    s.gas = gas;
    s.depth = f.msg.depth;
    s.stack = {stack_base, static_cast<size_t>(sp - stack_base)};
    s.memory = {f.mem.data, static_cast<size_t>(f.mem.size)};
    s.return_data = f.return_data;
    s.frame_refund = f.gas_refund;
    s.msg = &f.msg;
    s.host = &f.host;
    return tracer.on_step(s);
}

/// Runs the frame to completion; returns gas left (meaningful for success and revert).
/// `kTraced` selects the second instantiation that reports every instruction to `tracer`
/// (evm/tracer.hpp); the untraced one never reads `tracer` and has no per-instruction hook.
template <Revision R, bool kTraced>
int64_t run(Frame& f, uint256* stack_base, [[maybe_unused]] Tracer* tracer) noexcept {
    using namespace instr;
    const uint8_t* pc = f.code.padded_code.data();
    uint256* sp = stack_base;
    int64_t gas = f.msg.gas;

    // Per instruction: defined in R? stack height in range? static gas? then the opcode.
    // All operands of these checks are compile-time constants from the table.
#define FUSE_EVM_STEP(CODE, NAME, IN, OUT, GC, GP)                                    \
    {                                                                                 \
        constexpr int64_t kGas = R == Revision::kCancun ? (GC) : (GP);                \
        if constexpr (kTraced)                                                        \
            if (!trace_step(f, *tracer, stack_base, sp, pc, gas)) {                   \
                f.status = Status::kInternalError;                                    \
                goto out_of_band;                                                     \
            }                                                                         \
        if constexpr (kGas < 0) {                                                     \
            f.status = Status::kUndefinedInstruction;                                 \
            goto out_of_band;                                                         \
        } else {                                                                      \
            if constexpr ((IN) > 0)                                                   \
                if (sp - stack_base < (IN)) {                                         \
                    f.status = Status::kStackUnderflow;                               \
                    goto out_of_band;                                                 \
                }                                                                     \
            if constexpr ((OUT) > (IN))                                               \
                if (sp - stack_base > kStackLimit - ((OUT) - (IN))) {                 \
                    f.status = Status::kStackOverflow;                                \
                    goto out_of_band;                                                 \
                }                                                                     \
            if constexpr (kGas > 0)                                                   \
                if ((gas -= kGas) < 0) {                                              \
                    f.status = Status::kOutOfGas;                                     \
                    goto out_of_band;                                                 \
                }                                                                     \
            const Next next = op_##NAME(f, sp, pc, gas);                              \
            if constexpr (kTraced)                                                    \
                tracer->on_step_end(next.gas, next.pc ? Status::kSuccess : f.status); \
            pc = next.pc;                                                             \
            gas = next.gas;                                                           \
            if (pc == nullptr) goto done;                                             \
            sp += (OUT) - (IN);                                                       \
        }                                                                             \
    }

#if FUSE_EVM_COMPUTED_GOTO
#define FUSE_EVM_LABEL_ADDR(CODE, NAME, IN, OUT, GC, GP) &&L_##CODE,
    static constexpr const void* kLabels[256] = {FUSE_EVM_OPCODES(FUSE_EVM_LABEL_ADDR)};
#undef FUSE_EVM_LABEL_ADDR
    goto* kLabels[*pc];
#define FUSE_EVM_LABEL(CODE, NAME, IN, OUT, GC, GP) \
    L_##CODE : FUSE_EVM_STEP(CODE, NAME, IN, OUT, GC, GP) goto* kLabels[*pc];
    FUSE_EVM_OPCODES(FUSE_EVM_LABEL)
#undef FUSE_EVM_LABEL
#else
    for (;;) {
        switch (*pc) {
#define FUSE_EVM_CASE(CODE, NAME, IN, OUT, GC, GP) \
    case CODE:                                     \
        FUSE_EVM_STEP(CODE, NAME, IN, OUT, GC, GP) \
        break;
            FUSE_EVM_OPCODES(FUSE_EVM_CASE)
#undef FUSE_EVM_CASE
        }
    }
#endif
#undef FUSE_EVM_STEP

out_of_band:
    if constexpr (kTraced) tracer->on_step_end(gas, f.status);
    return 0;
done:
    return gas;
}

}  // namespace

CodeAnalysis analyze(ByteView code) {
    CodeAnalysis a;
    a.code_size = code.size();
    a.padded_code.resize(code.size() + kCodePadding);
    if (!code.empty()) std::memcpy(a.padded_code.data(), code.data(), code.size());
    a.jumpdest.assign(code.size() / 64 + 1, 0);
    const uint8_t* p = a.padded_code.data();
    for (size_t i = 0; i < code.size(); ++i) {
        const uint8_t op = p[i];
        if (op == 0x5b)
            a.jumpdest[i >> 6] |= uint64_t{1} << (i & 63);
        else if (op >= 0x60 && op <= 0x7f)
            i += op - 0x5f;
    }
    return a;
}

namespace {

template <bool kTraced>
ExecResult execute_frame(Host& host, Tracer* tracer, Revision rev, const Message& msg,
                         const CodeAnalysis& analysis) noexcept {
    Lease buffers;
    Frame f{host, msg, analysis, rev, buffers->mem, Status::kSuccess, 0, 0, 0, {}};
    const int64_t gas = rev == Revision::kCancun
                            ? run<Revision::kCancun, kTraced>(f, buffers->stack, tracer)
                            : run<Revision::kPrague, kTraced>(f, buffers->stack, tracer);
    ExecResult r;
    r.status = f.status;
    if (f.status == Status::kSuccess || f.status == Status::kRevert) {
        r.gas_left = gas;
        if (f.output_size)
            r.output.assign(f.mem.data + f.output_offset,
                            f.mem.data + f.output_offset + f.output_size);
        if (f.status == Status::kSuccess) r.gas_refund = f.gas_refund;
    }
    return r;
}

}  // namespace

ExecResult execute(Host& host, Revision rev, const Message& msg,
                   const CodeAnalysis& analysis) noexcept {
    return execute_frame<false>(host, nullptr, rev, msg, analysis);
}

ExecResult execute(Host& host, Revision rev, const Message& msg, ByteView code) noexcept {
    const CodeAnalysis analysis = analyze(code);
    return execute(host, rev, msg, analysis);
}

ExecResult execute_traced(Host& host, Tracer& tracer, Revision rev, const Message& msg,
                          const CodeAnalysis& analysis) noexcept {
    return execute_frame<true>(host, &tracer, rev, msg, analysis);
}

ExecResult execute_traced(Host& host, Tracer& tracer, Revision rev, const Message& msg,
                          ByteView code) noexcept {
    const CodeAnalysis analysis = analyze(code);
    return execute_traced(host, tracer, rev, msg, analysis);
}

std::shared_ptr<const CodeAnalysis> AnalysisCache::get(const Hash32& code_hash, ByteView code) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = map_.try_emplace(code_hash);
    if (inserted) it->second = std::make_shared<const CodeAnalysis>(analyze(code));
    return it->second;
}

size_t AnalysisCache::size() const {
    std::lock_guard lock(mu_);
    return map_.size();
}

void AnalysisCache::clear() {
    std::lock_guard lock(mu_);
    map_.clear();
}

}  // namespace fuse::evm
