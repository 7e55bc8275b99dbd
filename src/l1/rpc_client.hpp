#pragma once
/// An Ethereum JSON-RPC client over HTTP/1.1 or HTTPS (Boost.Beast over OpenSSL, synchronous, one
/// keep-alive connection, thread-safe by a mutex). Transport failures, timeouts, HTTP 429 and 5xx
/// are retried with exponential backoff; JSON-RPC errors are final. Failures are thrown as
/// `L1Error` (this is an I/O edge of the node, STYLE.md point 4), each saying what failed and what
/// to do.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/uint256.hpp"
#include "l1/contracts.hpp"

namespace fuse::l1 {

/// A failed L1 request.
class L1Error : public std::runtime_error {
public:
    enum class Kind {
        kTransport,  ///< connect/read/write failed or timed out, after all retries
        kHttp,       ///< a non-200 HTTP status (5xx/429 after all retries)
        kJsonRpc,    ///< the node answered with a JSON-RPC error (final, not retried)
        kReverted,  ///< execution reverted (eth_call/eth_estimateGas); `revert_data` holds the data
        kBadResponse,  ///< the answer is not the JSON-RPC/Ethereum shape expected
        kConfig,       ///< a bad URL or setting
        kTimeout,      ///< a higher-level wait (confirmations) gave up
        kTls,          ///< https: the server's certificate failed verification (final, not retried)
    };
    L1Error(Kind kind, std::string message, int64_t rpc_code = 0, Bytes revert_data = {})
        : std::runtime_error(std::move(message)),
          kind(kind),
          rpc_code(rpc_code),
          revert_data(std::move(revert_data)) {}
    Kind kind;
    int64_t rpc_code;
    Bytes revert_data;
};

struct RpcClientConfig {
    /// http://host[:port][/path] or https://host[:port][/path] (TLS 1.2+, SNI, certificate and
    /// host name verified against the system CA store unless `tls_ca_file` is set).
    std::string url;
    /// PEM file of the CA certificates to trust instead of the system store (https only).
    std::string tls_ca_file;
    /// Verify the server certificate and host name (https). Off only for tests and debugging.
    bool tls_verify = true;
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds request_timeout{15000};
    int max_attempts = 5;  ///< total tries for retryable failures (>= 1)
    std::chrono::milliseconds backoff_initial{100};
    std::chrono::milliseconds backoff_max{3000};
};

/// "latest", "pending", "safe", "finalized", "earliest" or a block number.
std::string block_tag(uint64_t number);

struct BlockHeader {
    uint64_t number = 0;
    Hash32 hash, parent_hash;
    uint64_t timestamp = 0, gas_limit = 0, gas_used = 0;
    std::optional<uint256> base_fee;  ///< nullopt before London
};

struct TxInfo {
    Hash32 hash;
    Address from;
    std::optional<Address> to;
    uint64_t nonce = 0;
    Bytes input;
    uint256 value;
    std::optional<uint64_t> block_number;  ///< nullopt while pending
    std::optional<Hash32> block_hash;
};

struct TxReceipt {
    Hash32 tx_hash;
    bool success = false;
    uint64_t block_number = 0;
    Hash32 block_hash;
    uint64_t gas_used = 0;
    uint256 effective_gas_price;
    std::optional<Address> contract_address;
    std::vector<Log> logs;
};

struct LogFilter {
    std::string from_block = "earliest", to_block = "latest";
    std::vector<Address> addresses;
    /// topics[i]: the values allowed at position i (empty: any).
    std::vector<std::vector<Hash32>> topics;
};

struct FeeHistory {
    uint64_t oldest_block = 0;
    std::vector<uint256> base_fee_per_gas;
    std::vector<double> gas_used_ratio;
    std::vector<std::vector<uint256>> reward;
};

struct CallRequest {
    std::optional<Address> from;
    std::optional<Address> to;
    Bytes data;
    uint256 value;
    std::optional<uint64_t> gas;
};

class RpcClient {
public:
    /// Throws L1Error(kConfig) for a URL that is not http(s)://host[:port][/path] or a CA file
    /// that does not load.
    explicit RpcClient(RpcClientConfig config);
    ~RpcClient();
    RpcClient(const RpcClient&) = delete;
    RpcClient& operator=(const RpcClient&) = delete;

    /// One JSON-RPC call; returns `result`. Retries transport errors, 429 and 5xx.
    nlohmann::json request(std::string_view method,
                           nlohmann::json params = nlohmann::json::array());

    uint64_t chain_id();
    uint64_t block_number();
    std::optional<BlockHeader> get_block(const std::string& tag);
    std::vector<Log> get_logs(const LogFilter& filter);
    std::optional<TxInfo> get_transaction(const Hash32& tx_hash);
    std::optional<TxReceipt> get_receipt(const Hash32& tx_hash);
    /// eth_call; a revert throws L1Error(kReverted) with the revert data.
    Bytes call(const CallRequest& req, const std::string& tag = "latest");
    uint64_t estimate_gas(const CallRequest& req);
    uint256 gas_price();
    uint256 max_priority_fee();
    FeeHistory fee_history(uint64_t block_count, const std::string& newest,
                           const std::vector<double>& percentiles);
    uint64_t get_transaction_count(const Address& addr, const std::string& tag = "pending");
    Hash32 send_raw_transaction(ByteView raw);
    uint256 get_balance(const Address& addr, const std::string& tag = "latest");

    /// For shutdown, from any thread: the request in progress (connecting, waiting for an
    /// answer, or backing off between attempts) ends within ~50 ms, and it and every later
    /// request throw L1Error(kTransport) "... interrupted: the node is stopping". For good.
    void stop();
    bool stopped() const;

    /// TCP connections opened so far (keep-alive reuse keeps this at 1 on a healthy node).
    uint64_t connections_opened() const;
    /// The URL without credentials or query, for messages.
    const std::string& endpoint() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The contract-call reader: eth_call of `data` on `to` at block `tag`. `what` names the call in
/// errors ("inbox batchCount()"): a failure is rethrown as an L1Error of the same kind (and revert
/// data) whose message starts with "<what>: ".
Bytes call(RpcClient& rpc, const Address& to, const Bytes& data, std::string_view what,
           const std::string& tag = "latest");

/// The answer of call() `what` did not decode: L1Error(kBadResponse) "<what> returned an
/// unexpected value (<n> bytes)".
L1Error unexpected_answer(std::string_view what, ByteView answer);

/// call() decoded by `decode` (a function of ByteView returning an optional-like `Result`):
/// throws unexpected_answer() when it does not decode.
template <class Decode>
auto call_decoded(RpcClient& rpc, const Address& to, const Bytes& data, std::string_view what,
                  Decode decode, const std::string& tag = "latest") {
    const Bytes answer = call(rpc, to, data, what, tag);
    auto value = decode(ByteView(answer));
    if (!value) throw unexpected_answer(what, answer);
    return std::move(*value);
}

/// call() whose answer is one word that fits in 64 bits (the counters of the L1 contracts:
/// batchCount, totalMessageCount, postedBatchCount, maxDataSize); unexpected_answer() otherwise.
uint64_t call_u64(RpcClient& rpc, const Address& to, const Bytes& data, std::string_view what);

/// JSON helpers shared with the sender (throw L1Error(kBadResponse) on bad input).
uint256 parse_quantity(const nlohmann::json& j, std::string_view what);
uint64_t parse_u64(const nlohmann::json& j, std::string_view what);
Bytes parse_data(const nlohmann::json& j, std::string_view what);
Hash32 parse_hash(const nlohmann::json& j, std::string_view what);
Address parse_address(const nlohmann::json& j, std::string_view what);
/// One log object of eth_getLogs / a receipt (throws L1Error(kBadResponse) on bad input).
Log parse_log(const nlohmann::json& j);
/// A block object of eth_getBlockByNumber (its header fields), a transaction object of
/// eth_getTransactionByHash and a receipt object: each throws L1Error(kBadResponse) naming the
/// field that is missing or malformed.
BlockHeader parse_block_header(const nlohmann::json& j);
TxInfo parse_tx_info(const nlohmann::json& j);
TxReceipt parse_receipt(const nlohmann::json& j);
/// Minimal "0x…" quantity.
std::string quantity(const uint256& v);

}  // namespace fuse::l1
