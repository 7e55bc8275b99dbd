// loadgen: drives a Fuse L2 sequencer with pre-signed transactions over many keep-alive
// connections and reports the achieved rate and the send -> hash latency (bench/README.md).
//
//   loadgen --url 127.0.0.1:8547 --mode eth --rate 1000 --duration 60
//   loadgen --mode erc20 --rate 0 --duration 60      (0 = as fast as answers come)

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/hex.hpp"
#include "loadgen/driver.hpp"
#include "loadgen/workload.hpp"

using namespace fuse;
using namespace fuse::loadgen;
using json = nlohmann::json;

namespace {

struct Node {
    std::string host;
    uint16_t port;
    uint64_t next_id = 1;

    json call(const std::string& method, json params) {
        const std::string body = rpc_body(next_id++, method, params.dump());
        const json reply = json::parse(rpc_call(host, port, body));
        if (reply.contains("error"))
            throw std::runtime_error(method + " failed: " + reply["error"].dump());
        return reply["result"];
    }
    uint256 quantity(const std::string& method, json params) {
        return uint256::from_hex(call(method, std::move(params)).get<std::string>()).value();
    }
    /// Sends a raw tx; the sequencer answers once it is in a durable block.
    void send(const Bytes& raw, const char* what) {
        try {
            call("eth_sendRawTransaction", json::array({to_hex(raw)}));
        } catch (const std::exception& e) {
            throw std::runtime_error(std::string(what) + ": " + e.what());
        }
    }
};

std::string read_bytecode(const std::string& path) {
    std::ifstream in(path);
    std::string hex;
    if (!(in >> hex))
        throw std::runtime_error("cannot read " + path +
                                 " (build it: node bench/loadgen/build_token.mjs)");
    return hex;
}

void write_timeline(const std::string& path, const std::vector<Sample>& samples) {
    std::ofstream out(path);
    out << "index,due_ms,latency_us,outcome\n";
    static constexpr const char* kOutcome[] = {"ok", "error", "timeout", "failed"};
    for (const Sample& s : samples)
        out << s.index << ',' << s.due_ms << ',' << s.latency_us << ','
            << kOutcome[static_cast<int>(s.outcome)] << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
}

void write_acked(const std::string& path, const std::vector<Sample>& samples) {
    std::ofstream out(path);
    for (const Sample& s : samples)
        if (s.outcome == Outcome::kOk) out << to_hex(s.tx_hash.view()) << '\n';
    if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"Fuse L2 load generator: pre-signed transfers over keep-alive connections"};
    std::string url = "127.0.0.1:8547";
    std::string mode_name = "eth";
    double rate = 1000;
    double duration_s = 60;
    unsigned connections = 64;
    uint64_t senders = 1024;
    // Anvil/Hardhat dev account 0 (the devnet genesis funds it).
    std::string funder_key = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    double max_fee_gwei = 0;
    uint64_t gas_limit = 0;
    uint64_t max_rate_budget = 6000;
    std::string token_bytecode = FUSE_LOADGEN_DIR "/out/LoadToken.hex";
    unsigned sign_threads = 2;
    uint64_t request_timeout_ms = 30'000;
    std::string timeline_file, acked_file;
    app.add_option("--url", url, "sequencer JSON-RPC host:port");
    app.add_option("--mode", mode_name, "eth | erc20 | mixed (every other transfer ERC-20)")
        ->check(CLI::IsMember({"eth", "erc20", "mixed"}));
    app.add_option("--rate", rate, "offered tx/s; 0 = as fast as answers come");
    app.add_option("--duration", duration_s, "seconds of load");
    app.add_option("--connections", connections, "keep-alive HTTP connections");
    app.add_option("--senders", senders,
                   "generated senders (rounded up to a multiple of connections)");
    app.add_option("--funder-key", funder_key, "private key that funds the senders");
    app.add_option("--max-fee-gwei", max_fee_gwei, "max fee per gas (default 100 x eth_gasPrice)");
    app.add_option("--gas-limit", gas_limit, "gas limit per tx (default eth_estimateGas x 1.5)");
    app.add_option("--max-rate-budget", max_rate_budget, "tx/s pre-signed for --rate 0");
    app.add_option("--token-bytecode", token_bytecode, "LoadToken creation code (hex file)");
    app.add_option("--sign-threads", sign_threads, "threads signing the workload");
    app.add_option("--request-timeout-ms", request_timeout_ms,
                   "an answer later than this counts as a timeout (its latency: the wait)");
    app.add_option("--timeline", timeline_file,
                   "write one CSV line per sent request: index,due_ms,latency_us,outcome");
    app.add_option("--acked-file", acked_file,
                   "write the hash of every acknowledged transaction, one per line");
    CLI11_PARSE(app, argc, argv);

    const auto colon = url.rfind(':');
    Node node{url.substr(0, colon), static_cast<uint16_t>(std::stoi(url.substr(colon + 1)))};
    const Mode mode = mode_name == "erc20"   ? Mode::kErc20
                      : mode_name == "mixed" ? Mode::kMixed
                                             : Mode::kEth;
    senders = (senders + connections - 1) / connections * connections;

    Fees fees;
    fees.chain_id = node.quantity("eth_chainId", json::array()).low64();
    const uint256 gas_price = node.quantity("eth_gasPrice", json::array());
    fees.max_fee = max_fee_gwei > 0 ? uint256{static_cast<uint64_t>(max_fee_gwei * 1e9)}
                                    : gas_price * uint256{100};
    const Hash32 funder = hash_from_hex(funder_key).value();
    const Address funder_addr = address_of(funder);
    uint64_t funder_nonce =
        node.quantity("eth_getTransactionCount", json::array({to_hex(funder_addr), "pending"}))
            .low64();

    std::vector<Address> addrs(senders);
    for (uint64_t s = 0; s < senders; ++s)
        addrs[s] = address_of(sender_key(s));

    // The token: funds the senders (drip) and is the erc20 mode's target.
    Address token;
    {
        const Bytes code = from_hex(read_bytecode(token_bytecode)).value();
        token = create_address(funder_addr, funder_nonce);
        node.send(sign_call(funder, funder_nonce++, fees, 10'000'000, nullptr, uint256{}, code),
                  "deploy LoadToken");
        if (node.call("eth_getCode", json::array({to_hex(token), "latest"}))
                .get<std::string>()
                .size() <= 2)
            throw std::runtime_error("LoadToken has no code at " + to_hex(token));
        std::printf("LoadToken at %s\n", to_hex(token).c_str());
        // Tokens for the funder too, so eth_estimateGas of a transfer from it succeeds.
        const Bytes self_drip = drip_calldata({funder_addr}, uint256{1} << 80);
        node.send(sign_call(funder, funder_nonce++, fees, 5'000'000, &token, uint256{}, self_drip),
                  "drip to the funder");
    }

    // Gas per transfer.
    if (gas_limit == 0) {
        json call{
            {"from", to_hex(funder_addr)}, {"to", to_hex(addrs[1 % senders])}, {"value", "0x1"}};
        if (mode != Mode::kEth)  // mixed: the larger of the two, the token transfer
            call = {{"from", to_hex(funder_addr)},
                    {"to", to_hex(token)},
                    {"data", to_hex(erc20_transfer_calldata(addrs[0], uint256{1}))}};
        const uint64_t est = node.quantity("eth_estimateGas", json::array({call})).low64();
        gas_limit = est + est / 2;
    }

    const double offered = rate > 0 ? rate : static_cast<double>(max_rate_budget);
    const uint64_t per_sender =
        static_cast<uint64_t>(std::ceil(offered * duration_s / static_cast<double>(senders)));
    const uint256 eth_each = uint256{per_sender} * (uint256{gas_limit} * fees.max_fee + 1);
    std::printf("mode %s, %llu senders x %llu txs, gas %llu, max fee %s wei, %s wei each\n",
                mode_name.c_str(), (unsigned long long)senders, (unsigned long long)per_sender,
                (unsigned long long)gas_limit, fees.max_fee.to_dec().c_str(),
                eth_each.to_dec().c_str());

    // Fund the senders: drip() mints tokens and splits ETH, 100 senders per call.
    constexpr uint64_t kDripBatch = 100;
    for (uint64_t from = 0; from < senders; from += kDripBatch) {
        const uint64_t n = std::min(kDripBatch, senders - from);
        std::vector<Address> batch(addrs.begin() + from, addrs.begin() + from + n);
        const Bytes data = drip_calldata(batch, uint256{1} << 80);
        node.send(sign_call(funder, funder_nonce++, fees, 15'000'000, &token, eth_each * uint256{n},
                            data),
                  "fund senders (drip)");
    }
    std::vector<uint64_t> nonces(senders);
    for (uint64_t s = 0; s < senders; ++s)
        nonces[s] =
            node.quantity("eth_getTransactionCount", json::array({to_hex(addrs[s]), "pending"}))
                .low64();
    std::printf("funded %llu senders; signing %llu txs...\n", (unsigned long long)senders,
                (unsigned long long)(senders * per_sender));
    std::fflush(stdout);

    const auto reqs =
        make_workload(mode, senders, per_sender, nonces, gas_limit, fees, token, sign_threads);
    RunOptions opts;
    opts.host = node.host;
    opts.port = node.port;
    opts.connections = connections;
    opts.rate = rate;
    opts.duration = std::chrono::milliseconds(static_cast<int64_t>(duration_s * 1000));
    opts.request_timeout = std::chrono::milliseconds(request_timeout_ms);
    opts.keep_samples = !timeline_file.empty() || !acked_file.empty();
    RunResult r = run_load(reqs, opts);
    if (!timeline_file.empty()) write_timeline(timeline_file, r.samples);
    if (!acked_file.empty()) write_acked(acked_file, r.samples);

    const double achieved = r.elapsed_s > 0 ? static_cast<double>(r.ok) / r.elapsed_s : 0;
    std::printf(
        "sent %llu, ok %llu, errors %llu, timeouts %llu, connection failures %llu, due but not "
        "sent %llu in %.2f s: %.0f tx/s\n",
        (unsigned long long)r.sent, (unsigned long long)r.ok, (unsigned long long)r.errors,
        (unsigned long long)r.timeouts, (unsigned long long)r.failed,
        (unsigned long long)r.not_sent, r.elapsed_s, achieved);
    auto print_latency = [](const char* what, std::vector<uint32_t> v) {
        std::printf("latency %s (%zu): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n", what,
                    v.size(), percentile(v, 50) / 1000.0, percentile(v, 90) / 1000.0,
                    percentile(v, 99) / 1000.0, percentile(v, 100) / 1000.0);
    };
    const char* from = rate > 0 ? "due->answer" : "send->answer";
    print_latency((std::string(from) + ", every request").c_str(), r.latencies_us);
    print_latency((std::string(from) + ", successful ones").c_str(), r.ok_latencies_us);
    for (const auto& e : r.first_errors)
        std::printf("error: %s\n", e.c_str());
    return r.errors == 0 && r.timeouts == 0 && r.failed == 0 && r.not_sent == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "loadgen: %s\n", e.what());
    return 1;
}
