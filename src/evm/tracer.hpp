#pragma once
/// Execution tracing hooks (geth's core/tracing Hooks, evmone's Tracer): what debug_trace*
/// observes. The interpreter has two instantiations of its dispatch loop; only the traced one
/// (`execute_traced`) calls `on_step`/`on_step_end`, so an untraced call does no extra work per
/// instruction. Frame hooks (`on_enter`/`on_exit`/`on_log`) are called by the host, which sees
/// every call, including those to precompiles and to accounts without code.

#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "evm/host.hpp"

namespace fuse::evm {

/// The machine state before one instruction (Yellow Paper §9.4.1, µ), as geth's OpContext.
struct StepState {
    uint64_t pc = 0;
    uint8_t op = 0;
    int64_t gas = 0;    ///< gas left before the instruction's static and dynamic cost
    int32_t depth = 0;  ///< Message::depth of the frame (0: the transaction's top frame)
    std::span<const uint256> stack;  ///< bottom first; stack.back() is the top
    ByteView memory;
    ByteView return_data;      ///< RETURNDATA of the last call made by this frame
    int64_t frame_refund = 0;  ///< this frame's SSTORE refund so far (EIP-3529), may be < 0
    const Message* msg = nullptr;
    Host* host = nullptr;
};

/// Receives execution events. Every hook has an empty default.
class Tracer {
public:
    virtual ~Tracer() = default;

    /// Before an instruction (its stack height and gas are not checked yet). Returning false
    /// stops execution: the frame ends with Status::kInternalError (a trace timeout).
    virtual bool on_step(const StepState& step) noexcept {
        (void)step;
        return true;
    }
    /// After the instruction of the last `on_step` of this frame: `gas_left` is what the
    /// frame has after it (child calls included; below zero for an out-of-gas failure) and
    /// `status` kSuccess while the frame continues, else why it ended.
    virtual void on_step_end(int64_t gas_left, Status status) noexcept {
        (void)gas_left;
        (void)status;
    }
    /// A call or create begins (any depth). For creates `msg.recipient` is the new address.
    virtual void on_enter(const Message& msg) noexcept { (void)msg; }
    /// The call begun by the matching `on_enter` ended (state already reverted on failure).
    virtual void on_exit(const Message& msg, const ExecResult& result) noexcept {
        (void)msg;
        (void)result;
    }
    /// LOG0..LOG4 in the current frame.
    virtual void on_log(const Address& addr, ByteView data,
                        std::span<const uint256> topics) noexcept {
        (void)addr;
        (void)data;
        (void)topics;
    }
};

}  // namespace fuse::evm
