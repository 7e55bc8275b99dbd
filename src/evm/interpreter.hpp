#pragma once
/// The EVM interpreter entry points (Yellow Paper §9; Cancun and Prague rules).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/bytes.hpp"
#include "evm/host.hpp"

namespace fuse::evm {

/// Bytes of zero padding after the code: a PUSH32 at the last byte reads inside the buffer
/// and the loop always meets a STOP (0x00) after the end.
inline constexpr size_t kCodePadding = 33;

/// Result of the one linear pass over code: padded copy plus a JUMPDEST bitmap.
struct CodeAnalysis {
    Bytes padded_code;               ///< code followed by kCodePadding zero bytes.
    size_t code_size = 0;            ///< Unpadded size.
    std::vector<uint64_t> jumpdest;  ///< Bit i set iff code[i] is a JUMPDEST not in push data.

    bool is_jumpdest(uint64_t pos) const noexcept {
        return pos < code_size && ((jumpdest[pos >> 6] >> (pos & 63)) & 1) != 0;
    }
};

/// Analyses code: one linear pass marking valid jump destinations (skipping PUSH data).
CodeAnalysis analyze(ByteView code);

/// Executes `code` in the frame described by `msg`. Never throws.
ExecResult execute(Host& host, Revision rev, const Message& msg, ByteView code) noexcept;

/// Same, with a prepared analysis (from `analyze` or `AnalysisCache`).
ExecResult execute(Host& host, Revision rev, const Message& msg,
                   const CodeAnalysis& analysis) noexcept;

class Tracer;

/// `execute` with every instruction reported to `tracer` (evm/tracer.hpp): a second
/// instantiation of the dispatch loop, so untraced execution does no per-instruction work
/// for tracing. Nested calls are traced when the host calls this again for them.
ExecResult execute_traced(Host& host, Tracer& tracer, Revision rev, const Message& msg,
                          const CodeAnalysis& analysis) noexcept;
ExecResult execute_traced(Host& host, Tracer& tracer, Revision rev, const Message& msg,
                          ByteView code) noexcept;

/// Thread-safe cache of code analyses keyed by code hash, for hot contracts.
class AnalysisCache {
public:
    /// Returns the cached analysis for `code_hash`, analysing `code` on a miss.
    std::shared_ptr<const CodeAnalysis> get(const Hash32& code_hash, ByteView code);
    size_t size() const;
    void clear();

private:
    mutable std::mutex mu_;
    std::unordered_map<Hash32, std::shared_ptr<const CodeAnalysis>, FixedBytesHasher> map_;
};

}  // namespace fuse::evm
