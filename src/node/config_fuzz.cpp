// libFuzzer target over the node's configuration parsers (node/config.hpp): command-line flags
// through CLI11 and a TOML document through toml++ into one NodeConfig, then its validation.
// Input: flags one per line, a NUL byte, then TOML; without a NUL the whole input is TOML.
// Invariants: nothing crashes; the only exceptions are CLI11's parse errors (flags) and
// std::runtime_error (TOML), as `fusel2 node` expects; validate() never throws; a document
// that applied once applies again to the same values.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/fuzz_seeds.hpp"
#include "node/config.hpp"

namespace {

using namespace fuse;
using namespace fuse::node;

void require(bool ok) {
    if (!ok) std::abort();
}

struct Parsed {
    NodeConfig cfg;
    std::string config_file;
    std::string problem;  ///< validate()'s answer
};

/// False when the flags or the document are refused (with the documented exception types).
bool parse(Parsed& p, const std::vector<std::string>& args, std::string_view toml) {
    CLI::App app;
    ConfigBinder binder(app, p.cfg, p.config_file);
    std::vector<const char*> argv{"node"};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError&) {
        return false;
    }
    try {
        binder.apply_toml(toml, "fuzz.toml");
    } catch (const std::runtime_error& e) {
        require(std::strlen(e.what()) > 0);
        return false;
    }
    p.problem = p.cfg.validate();
    return true;
}

void write_seeds() {
    fuzz::write_seed(std::string_view(R"(role = "sequencer"
datadir = "./fusel2-data"
dev = true
dev-chain-id = 1220122
[http]
address = "127.0.0.1"
port = 8547
cors-origins = ["*"]
[rpc]
max-request-bytes = 5242880
timeout-ms = 30000
[sequencer]
min-block-interval-us = 2000
[log]
format = "json"
)"));
    fuzz::write_seed(
        std::string_view("--datadir\n/tmp/x\n--dev\n--http-port\n9000\n--db-fsync=false\n"
                         "--http-cors-origins\na\nb\n--log-format\njson\n"
                         "--sequencer-min-block-interval-us\n2000\n"
                         "\0http.port = 1\n[l1]\nconfirmations = 3\n",
                         176));
    fuzz::write_seed(std::string_view("--role\nvalidator\n\0[http]\nprot = 1\n", 34));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> args;
    std::string_view toml = in;
    if (const size_t nul = in.find('\0'); nul != std::string_view::npos) {
        toml = in.substr(nul + 1);
        for (std::string_view rest = in.substr(0, nul); !rest.empty() && args.size() < 64;) {
            const size_t nl = rest.find('\n');
            args.emplace_back(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
    }
    Parsed first;
    if (!parse(first, args, toml)) return 0;
    Parsed second;
    require(parse(second, args, toml));
    require(second.problem == first.problem);
    return 0;
}
