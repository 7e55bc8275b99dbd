#pragma once
/// The load driver: N keep-alive HTTP/1.1 connections (Boost.Beast, one I/O thread), each with
/// one request in flight, sending pre-built eth_sendRawTransaction bodies at a target rate or
/// as fast as answers come, and timing each request from send to the answer (the hash, which
/// the sequencer returns once the transaction's block is durable).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/workload.hpp"

namespace fuse::loadgen {

struct RunOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8547;
    unsigned connections = 64;
    double rate = 0;  ///< requests per second offered; 0 = as fast as possible
    std::chrono::milliseconds duration{60'000};
};

struct RunResult {
    uint64_t sent = 0;
    uint64_t ok = 0;                     ///< answered with a result (a tx hash)
    uint64_t errors = 0;                 ///< answered with a JSON-RPC error or an HTTP failure
    double elapsed_s = 0;                ///< first send to last answer
    std::vector<uint32_t> latencies_us;  ///< of the successful requests
    std::vector<std::string> first_errors;
};

/// Runs `requests`: connection c sends requests c, c + C, c + 2C, ... in order (so with the
/// workload's layout and `senders` a multiple of C, each sender's nonces go in order over one
/// connection). Request i is due at start + i / rate. Throws on connection failure.
RunResult run_load(const std::vector<Request>& requests, const RunOptions& options);

/// One blocking JSON-RPC call over its own connection (setup steps); returns the body.
std::string rpc_call(const std::string& host, uint16_t port, const std::string& body);

}  // namespace fuse::loadgen
