// `fusel2 statetest PATH...`: runs the official Ethereum state-test fixtures (JSON) through the
// state transition (README of /work/shared/ethtests: state root + logs hash + exception).
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/hex.hpp"
#include "core/uint256.hpp"
#include "node/commands.hpp"
#include "state/statetest.hpp"

namespace fuse::node {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct Options {
    std::vector<std::string> paths;
    std::string json_out;
    std::string filter;
    std::vector<std::string> excludes;
    unsigned threads = 2;
};

struct CaseReport {
    std::string file, test, fork;
    size_t d = 0, g = 0, v = 0;
    bool passed = false;
    std::string detail;
};

struct FileReport {
    std::vector<CaseReport> cases;
    size_t skipped = 0;
    std::string error;  ///< the file could not be read or parsed
};

uint256 parse_u256(const json& j) {
    const std::string s = j.get<std::string>();
    auto r = uint256::from_hex(s);
    if (!r) throw std::runtime_error("bad number " + s);
    return *r;
}

uint64_t parse_u64(const json& j) {
    const uint256 v = parse_u256(j);
    return v.fits_u64() ? v.low64() : UINT64_MAX;
}

int64_t parse_i64(const json& j) {
    const uint64_t v = parse_u64(j);
    return v > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v);
}

Bytes parse_bytes(const json& j) {
    auto r = from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad hex " + j.get<std::string>());
    return std::move(*r);
}

Address parse_address(const json& j) {
    auto r = address_from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad address " + j.get<std::string>());
    return *r;
}

Hash32 parse_hash(const json& j) {
    auto r = hash_from_hex(j.get<std::string>());
    if (!r) throw std::runtime_error("bad hash " + j.get<std::string>());
    return *r;
}

std::optional<evm::Revision> parse_fork(const std::string& name) {
    if (name == "Cancun") return evm::Revision::kCancun;
    if (name == "Prague") return evm::Revision::kPrague;
    return std::nullopt;
}

void run_file(const fs::path& path, const std::string& filter, FileReport& report) {
    std::ifstream in(path);
    json doc;
    try {
        doc = json::parse(in);
    } catch (const std::exception& e) {
        report.error = std::string("JSON parse error: ") + e.what();
        return;
    }
    const std::string file = path.string();
    for (auto& [name, t] : doc.items()) {
        if (!t.is_object() || !t.contains("post")) continue;
        if (!filter.empty() && file.find(filter) == std::string::npos &&
            name.find(filter) == std::string::npos)
            continue;
        try {
            state::InMemoryState pre;
            for (auto& [addr_hex, acc] : t.at("pre").items()) {
                const Address addr = parse_address(json(addr_hex));
                state::Account a;
                a.nonce = parse_u64(acc.at("nonce"));
                a.balance = parse_u256(acc.at("balance"));
                const Bytes code = parse_bytes(acc.at("code"));
                pre.put_account(addr, a, code);
                for (auto& [k, v] : acc.at("storage").items())
                    pre.put_storage(addr, parse_u256(json(k)), parse_u256(v));
            }
            const json& env = t.at("env");
            state::BlockEnv block;
            block.coinbase = parse_address(env.at("currentCoinbase"));
            block.number = parse_i64(env.at("currentNumber"));
            block.timestamp = parse_i64(env.at("currentTimestamp"));
            block.gas_limit = parse_i64(env.at("currentGasLimit"));
            if (env.contains("currentRandom"))
                block.prev_randao = parse_u256(env.at("currentRandom"));
            else
                block.prev_randao = parse_u256(env.at("currentDifficulty"));
            if (env.contains("currentBaseFee"))
                block.base_fee = parse_u256(env.at("currentBaseFee"));
            if (env.contains("currentExcessBlobGas"))
                block.excess_blob_gas = parse_u64(env.at("currentExcessBlobGas"));
            block.chain_id = 1;
            const Address sender = parse_address(t.at("transaction").at("sender"));

            for (auto& [fork, posts] : t.at("post").items()) {
                const auto rev = parse_fork(fork);
                if (!rev) {
                    report.skipped += posts.size();
                    continue;
                }
                for (const json& p : posts) {
                    CaseReport c;
                    c.file = file;
                    c.test = name;
                    c.fork = fork;
                    const json& idx = p.at("indexes");
                    c.d = idx.at("data").get<size_t>();
                    c.g = idx.at("gas").get<size_t>();
                    c.v = idx.at("value").get<size_t>();
                    state::StateTestExpectation exp;
                    exp.txbytes = parse_bytes(p.at("txbytes"));
                    exp.state_root = parse_hash(p.at("hash"));
                    exp.logs_hash = parse_hash(p.at("logs"));
                    if (p.contains("expectException"))
                        exp.expect_exception = p.at("expectException").get<std::string>();
                    const auto outcome = state::run_state_test_case(pre, block, *rev, sender, exp);
                    c.passed = outcome.passed;
                    c.detail = outcome.detail;
                    report.cases.push_back(std::move(c));
                }
            }
        } catch (const std::exception& e) {
            CaseReport c;
            c.file = file;
            c.test = name;
            c.detail = std::string("malformed test: ") + e.what();
            report.cases.push_back(std::move(c));
        }
    }
}

std::vector<fs::path> collect(const std::vector<std::string>& paths,
                              const std::vector<std::string>& excludes) {
    auto excluded = [&](const std::string& path) {
        for (const auto& x : excludes)
            if (path.find(x) != std::string::npos) return true;
        return false;
    };
    std::vector<fs::path> files;
    for (const auto& p : paths) {
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().extension() == ".json" &&
                    !excluded(e.path().string()))
                    files.push_back(e.path());
        } else if (fs::exists(p)) {
            files.emplace_back(p);
        } else {
            throw std::runtime_error("no such file or directory: " + p);
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

int run(const Options& opt) {
    const auto files = collect(opt.paths, opt.excludes);
    std::vector<FileReport> reports(files.size());
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i; (i = next.fetch_add(1)) < files.size();)
            run_file(files[i], opt.filter, reports[i]);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::max(1u, opt.threads); ++t)
        pool.emplace_back(worker);
    worker();
    for (auto& th : pool)
        th.join();

    size_t passed = 0, failed = 0, skipped = 0;
    json jcases = json::array();
    for (size_t i = 0; i < files.size(); ++i) {
        const FileReport& r = reports[i];
        skipped += r.skipped;
        if (!r.error.empty()) {
            ++failed;
            fmt::print("FAIL {}: {}\n", files[i].string(), r.error);
            jcases.push_back({{"file", files[i].string()}, {"passed", false}, {"detail", r.error}});
        }
        for (const CaseReport& c : r.cases) {
            if (c.passed) {
                ++passed;
            } else {
                ++failed;
                fmt::print("FAIL {} {} {} d={} g={} v={}: {}\n", c.file, c.test, c.fork, c.d, c.g,
                           c.v, c.detail);
            }
            if (!opt.json_out.empty() && !c.passed)
                jcases.push_back({{"file", c.file},
                                  {"test", c.test},
                                  {"fork", c.fork},
                                  {"indexes", {{"data", c.d}, {"gas", c.g}, {"value", c.v}}},
                                  {"passed", c.passed},
                                  {"detail", c.detail}});
        }
    }
    fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
    if (!opt.json_out.empty()) {
        json out = {
            {"passed", passed}, {"failed", failed}, {"skipped", skipped}, {"failures", jcases}};
        std::ofstream(opt.json_out) << out.dump(1) << "\n";
    }
    return failed == 0 ? 0 : 1;
}

}  // namespace

void add_statetest_command(CLI::App& app) {
    auto opt = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "statetest", "Run Ethereum state-test fixtures (JSON files or folders, recursively)");
    cmd->add_option("paths", opt->paths, "Fixture files or folders")->required();
    cmd->add_option("--json", opt->json_out, "Write a JSON report (totals and failures) to FILE");
    cmd->add_option("--filter", opt->filter, "Only tests whose file path or name contains SUBSTR");
    cmd->add_option("--exclude", opt->excludes,
                    "Skip files whose path contains SUBSTR (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--threads", opt->threads, "Worker threads (default 2)");
    cmd->callback([opt] {
        const int rc = run(*opt);
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace fuse::node
