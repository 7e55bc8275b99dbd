#pragma once
/// The load driver: N keep-alive HTTP/1.1 connections (Boost.Beast, one I/O thread), each with
/// one request in flight, sending pre-built eth_sendRawTransaction bodies at a target rate or
/// as fast as answers come. Every request counts in the latency figures, errors and timeouts
/// included: at a fixed rate a request's latency runs from the time it was *due* (start +
/// i / rate), not from when a free connection got to send it, so a slow answer delays the
/// requests queued behind it and shows in their latency too (no coordinated omission); as fast
/// as possible, from the send. The answer to eth_sendRawTransaction is the hash, which the
/// sequencer returns once the transaction's block is durable.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "loadgen/workload.hpp"

namespace fuse::loadgen {

struct RunOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8547;
    unsigned connections = 64;
    double rate = 0;  ///< requests per second offered; 0 = as fast as possible
    std::chrono::milliseconds duration{60'000};
    /// An answer not received by then counts as a timeout (its latency: the time waited) and
    /// the connection is closed (its later requests count as not sent).
    std::chrono::milliseconds request_timeout{30'000};
    /// Also record one Sample per sent request (timelines, the acknowledged hashes).
    bool keep_samples = false;
};

/// What became of one request (RunOptions::keep_samples).
enum class Outcome : uint8_t { kOk, kError, kTimeout, kFailed };
struct Sample {
    uint32_t index;       ///< the request's index in the workload
    uint32_t due_ms;      ///< when it was due (or sent, at --rate 0), from the run's start
    uint32_t latency_us;  ///< as in `latencies_us`
    Outcome outcome;
    Hash32 tx_hash;  ///< the answered hash (kOk only)
};

struct RunResult {
    uint64_t sent = 0;
    uint64_t ok = 0;        ///< answered with a result (a tx hash)
    uint64_t errors = 0;    ///< answered with a JSON-RPC error or an HTTP error status
    uint64_t timeouts = 0;  ///< no answer within request_timeout
    uint64_t failed = 0;    ///< the connection failed (reset, refused) while in flight
    uint64_t not_sent = 0;  ///< due before the end of the run but never sent (behind, or lost)
    double elapsed_s = 0;   ///< first send to last answer
    /// Every sent request: answered (ok or error), timed out or failed; from its due time at a
    /// fixed rate, from its send otherwise.
    std::vector<uint32_t> latencies_us;
    std::vector<uint32_t> ok_latencies_us;  ///< the successful ones alone
    std::vector<std::string> first_errors;
    std::vector<Sample> samples;  ///< keep_samples only, in answer order
};

/// Runs `requests`: connection c sends requests c, c + C, c + 2C, ... in order (so with the
/// workload's layout and `senders` a multiple of C, each sender's nonces go in order over one
/// connection). Request i is due at start + i / rate. Throws on connection failure.
RunResult run_load(const std::vector<Request>& requests, const RunOptions& options);

/// One blocking JSON-RPC call over its own connection (setup steps); returns the body.
std::string rpc_call(const std::string& host, uint16_t port, const std::string& body);

}  // namespace fuse::loadgen
