// `fusel2 bench-evm`: times the interpreter on the state-test-format EVM benchmark suite
// (ipsilon/evm-benchmarks, read in place from the shared folder).
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/hex.hpp"
#include "evm/interpreter.hpp"
#include "evm/test_host.hpp"
#include "node/commands.hpp"

#ifndef FUSE_SHARED_DIR
#define FUSE_SHARED_DIR "../shared"
#endif

namespace fuse::node {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
    std::vector<std::string> paths;
    int repeat = 10;
    std::string filter;
    std::string revision = "cancun";
    std::string clock = "wall";
};

uint256 parse_u256(const json& j) {
    auto r = uint256::from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad number in benchmark file: " + j.get<std::string>());
    return r.value();
}

Bytes parse_bytes(const json& j) {
    auto r = from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad hex in benchmark file");
    return std::move(r).value();
}

Address parse_address(const json& j) {
    auto r = address_from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad address in benchmark file: " + j.get<std::string>());
    return r.value();
}

/// "7.49e9" (what the issue asks for; fmt's {:e} would print "7.49e+09").
std::string short_sci(double v) {
    if (v <= 0) return "0";
    int e = static_cast<int>(std::floor(std::log10(v)));
    double m = v / std::pow(10.0, e);
    if (std::stod(fmt::format("{:.2f}", m)) >= 10.0) m /= 10.0, ++e;
    return fmt::format("{:.2f}e{}", m, e);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double elapsed_us(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

/// CPU time of this thread, in µs: on a shared, overloaded machine wall time mostly measures
/// the scheduler, so `--clock cpu` times only what this thread executed.
double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

/// The fixture's pre-state and block/transaction environment as a test host.
evm::test::TestHost load_pre(const json& t, evm::Revision rev) {
    evm::test::TestHost pre;
    pre.rev = rev;
    for (const auto& [addr_hex, acc] : t.at("pre").items()) {
        auto& a = pre.accounts[parse_address(json(addr_hex))];
        a.balance = parse_u256(acc.at("balance"));
        a.nonce = parse_u256(acc.at("nonce")).low64();
        a.code = parse_bytes(acc.at("code"));
        for (const auto& [k, v] : acc.at("storage").items()) {
            const uint256 val = parse_u256(v);
            a.storage[parse_u256(json(k)).to_hash()] = {val, val};
        }
    }
    const json& env = t.at("env");
    const json& tx = t.at("transaction");
    pre.tx.coinbase = parse_address(env.at("currentCoinbase"));
    pre.tx.number = static_cast<int64_t>(parse_u256(env.at("currentNumber")).low64());
    pre.tx.timestamp = static_cast<int64_t>(parse_u256(env.at("currentTimestamp")).low64());
    pre.tx.gas_limit = static_cast<int64_t>(parse_u256(env.at("currentGasLimit")).low64());
    if (env.contains("currentBaseFee")) pre.tx.base_fee = parse_u256(env.at("currentBaseFee"));
    if (env.contains("currentRandom")) pre.tx.prev_randao = parse_u256(env.at("currentRandom"));
    pre.tx.chain_id = 1;
    pre.tx.gas_price = parse_u256(tx.at("gasPrice"));
    pre.tx.origin = parse_address(tx.at("sender"));
    return pre;
}

/// Median time of the code's analysis over 5 runs, µs.
double analysis_time_us(const Bytes& code) {
    std::vector<double> times;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        const evm::CodeAnalysis a = evm::analyze(code);
        times.push_back(elapsed_us(t0));
        if (a.code_size != code.size()) throw std::runtime_error("analysis lost code");
    }
    return median(times);
}

/// Runs `msg` `opt.repeat` times (after a warm-up) on a fresh copy of `pre`; the median time in
/// µs and the gas used (the same every run, else it throws).
std::pair<double, int64_t> time_message(const std::string& name, const evm::test::TestHost& pre,
                                        const evm::Message& msg, const evm::CodeAnalysis& analysis,
                                        const BenchOptions& opt) {
    std::vector<double> times;
    int64_t gas_used = -1;
    for (int rep = -1; rep < opt.repeat; ++rep) {  // rep -1 is the warm-up
        evm::test::TestHost host = pre;            // fresh state each run, not timed
        host.warm_accounts.insert(msg.sender);
        host.warm_accounts.insert(msg.recipient);
        const bool cpu = opt.clock == "cpu";
        const double c0 = cpu ? thread_cpu_us() : 0;
        const auto t0 = Clock::now();
        const evm::ExecResult r = evm::execute(host, pre.rev, msg, analysis);
        const double us = cpu ? thread_cpu_us() - c0 : elapsed_us(t0);
        if (r.status != evm::Status::kSuccess)
            fmt::print(stderr, "warning: {}: status {}\n", name, evm::to_string(r.status));
        const int64_t used = msg.gas - r.gas_left;
        if (gas_used >= 0 && used != gas_used)
            throw std::runtime_error(name + ": gas differs between runs");
        gas_used = used;
        if (rep >= 0) times.push_back(us);
    }
    return {median(times), gas_used};
}

void bench_file(const fs::path& file, const BenchOptions& opt, evm::Revision rev) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot open " + file.string());
    const json doc = json::parse(in);
    const std::string group = file.parent_path().filename().string();
    for (const auto& [test_name, t] : doc.items()) {
        const evm::test::TestHost pre = load_pre(t, rev);
        const json& tx = t.at("transaction");
        const Address to = parse_address(tx.at("to"));
        const Bytes code = pre.accounts.at(to).code;
        const double analysis_us = analysis_time_us(code);
        const evm::CodeAnalysis analysis = evm::analyze(code);
        const json& data = tx.at("data");
        for (size_t i = 0; i < data.size(); ++i) {
            std::string label = std::to_string(i);
            if (t.contains("_info") && t["_info"].contains("labels") &&
                t["_info"]["labels"].contains(label))
                label = t["_info"]["labels"][label].get<std::string>();
            const std::string name = group + "/" + test_name + "/" + label;
            if (!opt.filter.empty() && name.find(opt.filter) == std::string::npos) continue;
            const Bytes input = parse_bytes(data[i]);
            evm::Message msg;
            msg.gas = static_cast<int64_t>(parse_u256(tx.at("gasLimit").at(0)).low64());
            msg.sender = pre.tx.origin;
            msg.recipient = msg.code_address = to;
            msg.input = input;
            msg.value = parse_u256(tx.at("value").at(0));
            const auto [t_us, gas_used] = time_message(name, pre, msg, analysis, opt);
            fmt::print("{} gas={} time_us={:.1f} gas_per_s={} analysis_us={:.1f}\n", name, gas_used,
                       t_us, short_sci(static_cast<double>(gas_used) / (t_us * 1e-6)), analysis_us);
            std::fflush(stdout);
        }
    }
}

void run_bench(const BenchOptions& opt) {
    const evm::Revision rev =
        opt.revision == "prague" ? evm::Revision::kPrague : evm::Revision::kCancun;
    std::vector<std::string> paths = opt.paths;
    if (paths.empty()) {
        const char* env = std::getenv("FUSE_SHARED_DIR");
        paths.push_back(std::string(env ? env : FUSE_SHARED_DIR) + "/evm-benchmarks/benchmarks");
    }
    for (const auto& p : paths) {
        if (!fs::exists(p)) throw std::runtime_error("no such file or directory: " + p);
        std::vector<fs::path> files;
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() == ".json")
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(p);
        }
        for (const auto& f : files)
            bench_file(f, opt, rev);
    }
}

}  // namespace

void add_bench_evm_command(CLI::App& app) {
    auto opt = std::make_shared<BenchOptions>();
    auto* cmd = app.add_subcommand(
        "bench-evm",
        "Time the EVM interpreter on state-test-format benchmarks (default: the shared "
        "evm-benchmarks suite); prints gas, median time and gas/s per benchmark input");
    cmd->add_option("paths", opt->paths, "Benchmark files or folders (*.json, recursive)");
    cmd->add_option("--repeat", opt->repeat, "Timed runs per input after one warm-up")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--filter", opt->filter, "Only names containing this text");
    cmd->add_option("--rev", opt->revision, "EVM revision")
        ->check(CLI::IsMember({"cancun", "prague"}));
    cmd->add_option("--clock", opt->clock,
                    "wall: elapsed time; cpu: this thread's CPU time (for loaded machines)")
        ->check(CLI::IsMember({"wall", "cpu"}));
    cmd->callback([opt] { run_bench(*opt); });
}

}  // namespace fuse::node
