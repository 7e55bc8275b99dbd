#include "l1/rpc_client.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/hex.hpp"

namespace fuse::l1 {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

namespace {

/// How soon stop() interrupts a request: the I/O and the backoff wait in slices of this.
constexpr std::chrono::milliseconds kStopSlice{50};

[[noreturn]] void bad_response(std::string_view what, const json& j) {
    std::string shown = j.dump();
    if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
    throw L1Error(L1Error::Kind::kBadResponse, "L1 node returned a malformed " + std::string(what) +
                                                   ": " + shown +
                                                   " (is the URL an Ethereum JSON-RPC endpoint?)");
}

/// Member `key` of response object `j` (`what` names the object in the error: "block"). json's
/// own `at` would throw its out_of_range, which callers do not handle (they handle L1Error).
const json& field(const json& j, const char* key, std::string_view what) {
    const auto it = j.find(key);
    if (it == j.end()) bad_response(std::string(what) + " (no \"" + key + "\" field)", j);
    return *it;
}

/// As `field`, for a member that must be an array.
const json& array_field(const json& j, const char* key, std::string_view what) {
    const json& v = field(j, key, what);
    if (!v.is_array()) bad_response(std::string(what) + " " + key + " (not an array)", v);
    return v;
}

json filter_json(const LogFilter& f) {
    json j = {{"fromBlock", f.from_block}, {"toBlock", f.to_block}};
    if (!f.addresses.empty()) {
        json a = json::array();
        for (const auto& addr : f.addresses)
            a.push_back(to_hex(addr));
        j["address"] = a;
    }
    if (!f.topics.empty()) {
        json t = json::array();
        for (const auto& alts : f.topics) {
            if (alts.empty()) {
                t.push_back(nullptr);
                continue;
            }
            json one = json::array();
            for (const auto& h : alts)
                one.push_back(to_hex(h));
            t.push_back(one);
        }
        j["topics"] = t;
    }
    return j;
}

json call_json(const CallRequest& r) {
    json j = json::object();
    if (r.from) j["from"] = to_hex(*r.from);
    if (r.to) j["to"] = to_hex(*r.to);
    j["data"] = to_hex(r.data);
    if (!r.value.is_zero()) j["value"] = quantity(r.value);
    if (r.gas) j["gas"] = quantity(uint256(*r.gas));
    return j;
}

}  // namespace

std::string block_tag(uint64_t number) {
    return quantity(uint256(number));
}

std::string quantity(const uint256& v) {
    return v.to_hex();
}

Bytes call(RpcClient& rpc, const Address& to, const Bytes& data, std::string_view what,
           const std::string& tag) {
    CallRequest req;
    req.to = to;
    req.data = data;
    try {
        return rpc.call(req, tag);
    } catch (const L1Error& e) {
        throw L1Error(e.kind, std::string(what) + ": " + e.what(), e.rpc_code, e.revert_data);
    }
}

L1Error unexpected_answer(std::string_view what, ByteView answer) {
    return L1Error(L1Error::Kind::kBadResponse, std::string(what) +
                                                    " returned an unexpected value (" +
                                                    std::to_string(answer.size()) + " bytes)");
}

uint64_t call_u64(RpcClient& rpc, const Address& to, const Bytes& data, std::string_view what) {
    const Bytes answer = call(rpc, to, data, what);
    const auto v = decode_uint(answer);
    if (!v || !v->fits_u64()) throw unexpected_answer(what, answer);
    return v->low64();
}

uint256 parse_quantity(const json& j, std::string_view what) {
    if (!j.is_string()) bad_response(what, j);
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() < 3 || !s.starts_with("0x")) bad_response(what, j);
    auto v = uint256::from_hex(s);
    if (!v) bad_response(what, j);
    return *v;
}

uint64_t parse_u64(const json& j, std::string_view what) {
    const uint256 v = parse_quantity(j, what);
    if (!v.fits_u64()) bad_response(what, j);
    return v.low64();
}

Bytes parse_data(const json& j, std::string_view what) {
    if (!j.is_string()) bad_response(what, j);
    auto b = from_hex(j.get_ref<const std::string&>());
    if (!b) bad_response(what, j);
    return std::move(*b);
}

Hash32 parse_hash(const json& j, std::string_view what) {
    if (!j.is_string()) bad_response(what, j);
    auto h = hash_from_hex(j.get_ref<const std::string&>());
    if (!h) bad_response(what, j);
    return *h;
}

Address parse_address(const json& j, std::string_view what) {
    if (!j.is_string()) bad_response(what, j);
    auto a = address_from_hex(j.get_ref<const std::string&>());
    if (!a) bad_response(what, j);
    return *a;
}

Log parse_log(const json& j) {
    // Every malformation is an L1Error naming the field (json's own exceptions must not escape:
    // the deposit reader's and the validator's callers handle L1Error only).
    if (!j.is_object() || !j.contains("address") || !j.contains("topics") || !j.contains("data"))
        bad_response("log (an object with address, topics and data)", j);
    if (!j["topics"].is_array()) bad_response("log topics", j["topics"]);
    if (j.contains("removed") && !j["removed"].is_boolean() && !j["removed"].is_null())
        bad_response("log removed", j["removed"]);
    Log log;
    log.address = parse_address(j["address"], "log address");
    for (const auto& t : j["topics"])
        log.topics.push_back(parse_hash(t, "log topic"));
    log.data = parse_data(j["data"], "log data");
    if (j.contains("blockNumber") && !j["blockNumber"].is_null())
        log.block_number = parse_u64(j["blockNumber"], "log blockNumber");
    if (j.contains("blockHash") && !j["blockHash"].is_null())
        log.block_hash = parse_hash(j["blockHash"], "log blockHash");
    if (j.contains("transactionHash") && !j["transactionHash"].is_null())
        log.tx_hash = parse_hash(j["transactionHash"], "log transactionHash");
    if (j.contains("logIndex") && !j["logIndex"].is_null())
        log.log_index = parse_u64(j["logIndex"], "logIndex");
    log.removed = j.contains("removed") && j["removed"].is_boolean() && j["removed"].get<bool>();
    return log;
}

BlockHeader parse_block_header(const json& j) {
    if (!j.is_object()) bad_response("block", j);
    BlockHeader h;
    h.number = parse_u64(field(j, "number", "block"), "block number");
    h.hash = parse_hash(field(j, "hash", "block"), "block hash");
    h.parent_hash = parse_hash(field(j, "parentHash", "block"), "block parentHash");
    h.timestamp = parse_u64(field(j, "timestamp", "block"), "block timestamp");
    h.gas_limit = parse_u64(field(j, "gasLimit", "block"), "block gasLimit");
    h.gas_used = parse_u64(field(j, "gasUsed", "block"), "block gasUsed");
    if (j.contains("baseFeePerGas") && !j["baseFeePerGas"].is_null())
        h.base_fee = parse_quantity(j["baseFeePerGas"], "block baseFeePerGas");
    return h;
}

TxInfo parse_tx_info(const json& j) {
    if (!j.is_object()) bad_response("transaction", j);
    TxInfo t;
    t.hash = parse_hash(field(j, "hash", "transaction"), "transaction hash");
    t.from = parse_address(field(j, "from", "transaction"), "transaction from");
    if (j.contains("to") && !j["to"].is_null()) t.to = parse_address(j["to"], "transaction to");
    t.nonce = parse_u64(field(j, "nonce", "transaction"), "transaction nonce");
    t.input = parse_data(field(j, "input", "transaction"), "transaction input");
    t.value = parse_quantity(field(j, "value", "transaction"), "transaction value");
    if (j.contains("blockNumber") && !j["blockNumber"].is_null())
        t.block_number = parse_u64(j["blockNumber"], "transaction blockNumber");
    if (j.contains("blockHash") && !j["blockHash"].is_null())
        t.block_hash = parse_hash(j["blockHash"], "transaction blockHash");
    return t;
}

TxReceipt parse_receipt(const json& j) {
    if (!j.is_object()) bad_response("receipt", j);
    TxReceipt r;
    r.tx_hash = parse_hash(field(j, "transactionHash", "receipt"), "receipt transactionHash");
    r.success = parse_u64(field(j, "status", "receipt"), "receipt status") == 1;
    r.block_number = parse_u64(field(j, "blockNumber", "receipt"), "receipt blockNumber");
    r.block_hash = parse_hash(field(j, "blockHash", "receipt"), "receipt blockHash");
    r.gas_used = parse_u64(field(j, "gasUsed", "receipt"), "receipt gasUsed");
    if (j.contains("effectiveGasPrice") && !j["effectiveGasPrice"].is_null())
        r.effective_gas_price = parse_quantity(j["effectiveGasPrice"], "receipt effectiveGasPrice");
    if (j.contains("contractAddress") && !j["contractAddress"].is_null())
        r.contract_address = parse_address(j["contractAddress"], "receipt contractAddress");
    for (const auto& l : array_field(j, "logs", "receipt"))
        r.logs.push_back(parse_log(l));
    return r;
}

namespace {

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    net::ip::make_address(host, ec);
    return !ec;
}

// The OpenSSL error queue and verify result as text, for messages.
std::string tls_failure(SSL* ssl, const beast::error_code& ec) {
    if (ssl) {
        const long v = SSL_get_verify_result(ssl);
        if (v != X509_V_OK)
            return std::string("certificate verification failed: ") +
                   X509_verify_cert_error_string(v);
    }
    return ec.message();
}

}  // namespace

struct RpcClient::Impl {
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;

    RpcClientConfig cfg;
    bool tls = false;
    std::string host, port, target, endpoint;
    net::io_context ioc;
    std::optional<net::ssl::context> ssl_ctx;
    std::optional<beast::tcp_stream> stream;  // plain http
    std::optional<TlsStream> tls_stream;      // https
    beast::flat_buffer buffer;
    std::mutex mu;
    std::atomic<bool> stopping{false};  ///< RpcClient::stop()
    uint64_t connections = 0;
    int64_t next_id = 1;
    /// Set when a TLS handshake failed in a way retrying cannot fix (verification).
    std::optional<std::string> tls_fatal;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls_stream) : *stream; }
    bool connected() const { return tls ? tls_stream.has_value() : stream.has_value(); }

    void close() {
        if (connected()) {
            beast::error_code ignored;
            lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
            lowest().close();
        }
        stream.reset();
        tls_stream.reset();
        buffer.clear();
    }

    // Runs the queued async operation to completion (the stream's timer bounds it), in slices
    // so that stop() cancels it (operation_aborted) within one slice.
    void run() {
        ioc.restart();
        while (!ioc.stopped()) {
            ioc.run_for(kStopSlice);
            if (stopping.load(std::memory_order_acquire) && !ioc.stopped() && connected())
                lowest().cancel();
        }
    }

    void setup_tls() {
        ssl_ctx.emplace(net::ssl::context::tls_client);
        ssl_ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                             net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                             net::ssl::context::no_tlsv1_1);
        beast::error_code ec;
        if (!cfg.tls_ca_file.empty()) {
            ssl_ctx->load_verify_file(cfg.tls_ca_file, ec);
            if (ec)
                throw L1Error(L1Error::Kind::kConfig, "cannot load the TLS CA file '" +
                                                          cfg.tls_ca_file + "': " + ec.message());
        } else {
            ssl_ctx->set_default_verify_paths(ec);
            if (ec)
                throw L1Error(L1Error::Kind::kConfig,
                              "cannot load the system CA store: " + ec.message() +
                                  " (install ca-certificates or set a CA file)");
        }
        ssl_ctx->set_verify_mode(cfg.tls_verify ? net::ssl::verify_peer : net::ssl::verify_none);
    }

    beast::error_code connect() {
        beast::error_code ec;
        tcp::resolver resolver(ioc);
        const auto results = resolver.resolve(host, port, ec);
        if (ec) return ec;
        if (tls)
            tls_stream.emplace(ioc, *ssl_ctx);
        else
            stream.emplace(ioc);
        lowest().expires_after(cfg.connect_timeout);
        lowest().async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
        run();
        if (!ec && tls) {
            SSL* ssl = tls_stream->native_handle();
            // SNI (RFC 6066 §3: host names only, never IP literals) and the name to verify.
            if (!is_ip_literal(host)) {
                SSL_set_tlsext_host_name(ssl, host.c_str());
                SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                SSL_set1_host(ssl, host.c_str());
            } else {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
            }
            tls_stream->async_handshake(net::ssl::stream_base::client,
                                        [&](beast::error_code e) { ec = e; });
            run();
            if (ec && cfg.tls_verify && SSL_get_verify_result(ssl) != X509_V_OK)
                tls_fatal = tls_failure(ssl, ec);
        }
        if (ec) {
            close();
            return ec;
        }
        ++connections;
        return {};
    }

    template <typename Stream>
    beast::error_code exchange_on(Stream& s, const std::string& body, unsigned& status,
                                  std::string& out) {
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, host);
        req.set(http::field::content_type, "application/json");
        req.keep_alive(true);
        req.body() = body;
        req.prepare_payload();
        beast::error_code ec;
        lowest().expires_after(cfg.request_timeout);
        http::async_write(s, req, [&](beast::error_code e, size_t) { ec = e; });
        run();
        if (ec) {
            close();
            return ec;
        }
        http::response_parser<http::string_body> parser;
        parser.body_limit(256u << 20);
        http::async_read(s, buffer, parser, [&](beast::error_code e, size_t) { ec = e; });
        run();
        if (ec) {
            close();
            return ec;
        }
        auto res = parser.release();
        status = res.result_int();
        out = std::move(res.body());
        if (!res.keep_alive()) close();
        return {};
    }

    // One HTTP exchange; an error code for transport failures, else status and body.
    beast::error_code exchange(const std::string& body, unsigned& status, std::string& out) {
        if (!connected()) {
            if (auto ec = connect()) return ec;
        }
        return tls ? exchange_on(*tls_stream, body, status, out)
                   : exchange_on(*stream, body, status, out);
    }
};

RpcClient::RpcClient(RpcClientConfig config) : impl_(std::make_unique<Impl>()) {
    impl_->cfg = std::move(config);
    std::string_view url = impl_->cfg.url;
    if (url.starts_with("https://")) {
        impl_->tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        throw L1Error(L1Error::Kind::kConfig,
                      "L1 RPC URL '" + impl_->cfg.url +
                          "' is not supported: use http://host[:port][/path] or "
                          "https://host[:port][/path]");
    }
    const size_t slash = url.find('/');
    std::string_view hostport = url.substr(0, slash);
    impl_->target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    if (hostport.find('@') != std::string_view::npos)
        throw L1Error(L1Error::Kind::kConfig, "L1 RPC URL must not carry credentials (user:pass@)");
    const size_t colon = hostport.rfind(':');
    impl_->host = std::string(hostport.substr(0, colon));
    impl_->port = colon == std::string_view::npos ? (impl_->tls ? "443" : "80")
                                                  : std::string(hostport.substr(colon + 1));
    if (impl_->host.empty() || impl_->port.empty())
        throw L1Error(L1Error::Kind::kConfig,
                      "L1 RPC URL '" + impl_->cfg.url + "' has no host or port");
    if (impl_->cfg.max_attempts < 1) impl_->cfg.max_attempts = 1;
    impl_->endpoint =
        std::string(impl_->tls ? "https://" : "http://") + impl_->host + ":" + impl_->port;
    if (impl_->tls) impl_->setup_tls();
}

RpcClient::~RpcClient() = default;

void RpcClient::stop() {
    impl_->stopping.store(true, std::memory_order_release);
}

bool RpcClient::stopped() const {
    return impl_->stopping.load(std::memory_order_acquire);
}

uint64_t RpcClient::connections_opened() const {
    return impl_->connections;
}
const std::string& RpcClient::endpoint() const {
    return impl_->endpoint;
}

json RpcClient::request(std::string_view method, json params) {
    std::lock_guard lock(impl_->mu);
    auto& im = *impl_;
    const json req = {{"jsonrpc", "2.0"},
                      {"id", im.next_id++},
                      {"method", method},
                      {"params", std::move(params)}};
    const std::string body = req.dump();
    auto backoff = im.cfg.backoff_initial;
    std::string last_failure;
    const auto interrupted = [&] {
        return L1Error(L1Error::Kind::kTransport, "L1 RPC " + std::string(method) + " to " +
                                                      im.endpoint +
                                                      " interrupted: the node is stopping");
    };
    for (int attempt = 1; attempt <= im.cfg.max_attempts; ++attempt) {
        if (attempt > 1) {
            const auto until = std::chrono::steady_clock::now() + backoff;
            while (!im.stopping.load(std::memory_order_acquire) &&
                   std::chrono::steady_clock::now() < until)
                std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                    kStopSlice, until - std::chrono::steady_clock::now()));
            backoff = std::min(backoff * 2, im.cfg.backoff_max);
        }
        if (im.stopping.load(std::memory_order_acquire)) {
            im.close();
            throw interrupted();
        }
        unsigned status = 0;
        std::string out;
        if (auto ec = im.exchange(body, status, out)) {
            if (im.tls_fatal) {
                const std::string why = *im.tls_fatal;
                im.tls_fatal.reset();
                throw L1Error(L1Error::Kind::kTls,
                              "L1 RPC " + std::string(method) + " to " + im.endpoint + ": TLS " +
                                  why +
                                  ": the server's certificate is not trusted for this host name "
                                  "(check the URL; for a private CA set its PEM file as the TLS "
                                  "CA file)");
            }
            last_failure = ec == beast::error::timeout ? "timed out" : ec.message();
            continue;
        }
        if (status == 429 || status >= 500) {
            last_failure = "HTTP status " + std::to_string(status);
            continue;
        }
        if (status != 200)
            throw L1Error(L1Error::Kind::kHttp,
                          "L1 RPC " + std::string(method) + " to " + im.endpoint +
                              " got HTTP status " + std::to_string(status) +
                              ": check the L1 RPC URL (path) and access rights");
        const json res = json::parse(out, nullptr, /*allow_exceptions=*/false);
        if (!res.is_object())
            bad_response(std::string(method) + " response", json(out.substr(0, 200)));
        if (res.contains("error") && !res["error"].is_null()) {
            const json& e = res["error"];
            const int64_t code = e.value("code", int64_t{0});
            const std::string msg = e.value("message", std::string("(no message)"));
            Bytes data;
            if (e.contains("data") && e["data"].is_string()) {
                if (auto d = from_hex(e["data"].get<std::string>())) data = std::move(*d);
            }
            const bool reverted = code == 3 || msg.find("revert") != std::string::npos;
            throw L1Error(reverted ? L1Error::Kind::kReverted : L1Error::Kind::kJsonRpc,
                          "L1 RPC " + std::string(method) + " failed: " + msg + " (code " +
                              std::to_string(code) + ")",
                          code, std::move(data));
        }
        if (!res.contains("result")) bad_response(std::string(method) + " response", res);
        return res["result"];
    }
    if (im.stopping.load(std::memory_order_acquire)) throw interrupted();
    throw L1Error(L1Error::Kind::kTransport,
                  "L1 RPC " + std::string(method) + " to " + im.endpoint + " failed after " +
                      std::to_string(im.cfg.max_attempts) + " attempts (" + last_failure +
                      "): check that the L1 node is running and reachable at this URL");
}

uint64_t RpcClient::chain_id() {
    return parse_u64(request("eth_chainId"), "eth_chainId");
}

uint64_t RpcClient::block_number() {
    return parse_u64(request("eth_blockNumber"), "eth_blockNumber");
}

std::optional<BlockHeader> RpcClient::get_block(const std::string& tag) {
    const json j = request("eth_getBlockByNumber", json::array({tag, false}));
    if (j.is_null()) return std::nullopt;
    return parse_block_header(j);
}

std::vector<Log> RpcClient::get_logs(const LogFilter& filter) {
    const json j = request("eth_getLogs", json::array({filter_json(filter)}));
    if (!j.is_array()) bad_response("eth_getLogs result", j);
    std::vector<Log> logs;
    logs.reserve(j.size());
    for (const auto& l : j)
        logs.push_back(parse_log(l));
    return logs;
}

std::optional<TxInfo> RpcClient::get_transaction(const Hash32& tx_hash) {
    const json j = request("eth_getTransactionByHash", json::array({to_hex(tx_hash)}));
    if (j.is_null()) return std::nullopt;
    return parse_tx_info(j);
}

std::optional<TxReceipt> RpcClient::get_receipt(const Hash32& tx_hash) {
    const json j = request("eth_getTransactionReceipt", json::array({to_hex(tx_hash)}));
    if (j.is_null()) return std::nullopt;
    return parse_receipt(j);
}

Bytes RpcClient::call(const CallRequest& req, const std::string& tag) {
    return parse_data(request("eth_call", json::array({call_json(req), tag})), "eth_call result");
}

uint64_t RpcClient::estimate_gas(const CallRequest& req) {
    return parse_u64(request("eth_estimateGas", json::array({call_json(req)})),
                     "eth_estimateGas result");
}

uint256 RpcClient::gas_price() {
    return parse_quantity(request("eth_gasPrice"), "eth_gasPrice");
}

uint256 RpcClient::max_priority_fee() {
    return parse_quantity(request("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas");
}

FeeHistory RpcClient::fee_history(uint64_t block_count, const std::string& newest,
                                  const std::vector<double>& percentiles) {
    const json j = request("eth_feeHistory",
                           json::array({quantity(uint256(block_count)), newest, percentiles}));
    if (!j.is_object()) bad_response("eth_feeHistory result", j);
    FeeHistory f;
    f.oldest_block = parse_u64(field(j, "oldestBlock", "feeHistory"), "feeHistory oldestBlock");
    for (const auto& b : array_field(j, "baseFeePerGas", "feeHistory"))
        f.base_fee_per_gas.push_back(parse_quantity(b, "feeHistory baseFee"));
    for (const auto& r : array_field(j, "gasUsedRatio", "feeHistory")) {
        if (!r.is_number()) bad_response("feeHistory gasUsedRatio", r);
        f.gas_used_ratio.push_back(r.get<double>());
    }
    if (j.contains("reward") && j["reward"].is_array()) {
        for (const auto& row : j["reward"]) {
            if (!row.is_array()) bad_response("feeHistory reward row", row);
            std::vector<uint256> rewards;
            for (const auto& x : row)
                rewards.push_back(parse_quantity(x, "feeHistory reward"));
            f.reward.push_back(std::move(rewards));
        }
    }
    return f;
}

uint64_t RpcClient::get_transaction_count(const Address& addr, const std::string& tag) {
    return parse_u64(request("eth_getTransactionCount", json::array({to_hex(addr), tag})),
                     "eth_getTransactionCount");
}

Hash32 RpcClient::send_raw_transaction(ByteView raw) {
    return parse_hash(request("eth_sendRawTransaction", json::array({to_hex(raw)})),
                      "eth_sendRawTransaction");
}

uint256 RpcClient::get_balance(const Address& addr, const std::string& tag) {
    return parse_quantity(request("eth_getBalance", json::array({to_hex(addr), tag})),
                          "eth_getBalance");
}

}  // namespace fuse::l1
