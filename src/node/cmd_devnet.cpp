// `fusel2 devnet` (docs/devnet.md): anvil as the L1, the contracts deployed once, then the
// sequencer (+ batch poster) and a proposing validator as child `fusel2 node --config` processes;
// a banner once everything is up; Ctrl-C stops them in order. A second run reuses the datadir.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arbos/genesis.hpp"
#include "arbos/predeploys.hpp"
#include "core/address.hpp"
#include "core/hex.hpp"
#include "l1/deployment.hpp"
#include "node/commands.hpp"
#include "node/devnet.hpp"
#include "node/devnet_process.hpp"
#include "node/devnet_supervisor.hpp"
#include "node/http_probe.hpp"

#ifndef FUSE_SOURCE_DIR
#define FUSE_SOURCE_DIR "."
#endif

namespace fuse::node {
namespace fs = std::filesystem;
namespace {

/// The source tree whose node_modules hold anvil (same rule as `fusel2 deploy`).
fs::path repo_dir() {
    if (const char* env = std::getenv("FUSE_REPO_DIR"); env != nullptr && *env != '\0') return env;
    return FUSE_SOURCE_DIR;
}

fs::path anvil_bin() {
    if (const char* env = std::getenv("ANVIL_BIN"); env != nullptr && *env != '\0') return env;
    // @foundry-rs/anvil installs the package of this platform as an optional dependency.
#if defined(__aarch64__)
    constexpr const char* kPackage = "anvil-linux-arm64";
#else
    constexpr const char* kPackage = "anvil-linux-amd64";
#endif
    return repo_dir() / "node_modules" / "@foundry-rs" / kPackage / "bin" / "anvil";
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

void say(const std::string& line) {
    devnet_say(line);
}

}  // namespace

int run_devnet(const DevnetOptions& opts);

void add_devnet_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "devnet",
        "Run a local devnet: anvil L1 + contracts + sequencer + batch poster + proposing "
        "validator (docs/devnet.md)");
    auto o = std::make_shared<DevnetOptions>();
    cmd->add_option("--datadir", o->datadir, "Devnet folder (created; reused by the next run)")
        ->capture_default_str();
    cmd->add_option("--l1-port", o->l1_port, "anvil's JSON-RPC port")->capture_default_str();
    cmd->add_option("--http-port", o->http_port, "Sequencer L2 JSON-RPC port")
        ->capture_default_str();
    cmd->add_option("--validator-http-port", o->validator_http_port, "Validator L2 JSON-RPC port")
        ->capture_default_str();
    cmd->add_option("--metrics-port", o->metrics_port, "Sequencer metrics port")
        ->capture_default_str();
    cmd->add_option("--validator-metrics-port", o->validator_metrics_port, "Validator metrics port")
        ->capture_default_str();
    cmd->add_option("--block-time", o->block_time, "L1 block time, seconds")->capture_default_str();
    cmd->add_option("--l1-chain-id", o->l1_chain_id, "anvil's chain id")->capture_default_str();
    cmd->add_option("--l2-chain-id", o->l2_chain_id, "Chain id of the dev genesis")
        ->capture_default_str();
    cmd->add_option("--state-interval", o->state_interval,
                    "anvil writes its state every this many seconds (and on exit)")
        ->capture_default_str();
    cmd->add_option("--batch-delay-ms", o->batch_delay_ms,
                    "Post a batch at the latest this long after its first message")
        ->capture_default_str();
    cmd->add_option("--log-level", o->log_level, "Log level of the sequencer and validator")
        ->capture_default_str();
    cmd->add_option(
           "--withdrawal-delay", o->withdrawal_delay,
           "Outbox withdrawalDelay, seconds, set when the contracts are deployed (first run)")
        ->capture_default_str();
    cmd->add_flag("--fresh", o->fresh, "Wipe the datadir first (a new chain)");
    cmd->add_flag("--l1-logs", o->l1_logs, "Print anvil's output too ([l1])");
    cmd->footer(
        "Ctrl-C (SIGINT) or SIGTERM stops the sequencer, then the validator, then anvil. "
        "Logs: <datadir>/logs/.");
    cmd->callback([o] {
        if (std::string err = o->validate(); !err.empty())
            throw CLI::ValidationError("devnet", err);
        const int code = run_devnet(*o);
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

namespace {

/// Removes the datadir, refusing folders that are not a devnet's.
void wipe_datadir(const DevnetPaths& p) {
    if (!fs::exists(p.root)) return;
    if (!fs::is_directory(p.root)) throw std::runtime_error(p.root.string() + " is not a folder");
    if (!fs::is_empty(p.root) && !fs::exists(p.record)) {
        throw std::runtime_error("--fresh: " + p.root.string() +
                                 " is not empty and has no devnet.json, so it is not a devnet "
                                 "datadir; not wiping it (remove it yourself or pick another "
                                 "--datadir)");
    }
    say("--fresh: removing " + p.root.string());
    fs::remove_all(p.root);
}

/// Holds devnet.lock for the life of the process (released by the kernel on any exit).
int lock_datadir(const DevnetPaths& p) {
    const int fd = ::open(p.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + p.lock.string());
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        throw std::runtime_error("another fusel2 devnet is running on " + p.root.string() + " (" +
                                 p.lock.string() +
                                 " is locked): stop it first or use another --datadir");
    }
    return fd;
}

/// Waits until the node on 127.0.0.1:`port` answers GET /ready with 200 (docs/node.md "Health
/// and readiness"); returns that answer's body. Throws when the node exits or two minutes pass.
nlohmann::json wait_ready(Supervisor& sup, uint16_t port, const std::string& what) {
    nlohmann::json body;
    sup.wait_until(
        [&] {
            const auto r = http_get("127.0.0.1", port, "/ready", std::chrono::milliseconds(500));
            if (!r || r->status != 200) return false;
            body = nlohmann::json::parse(r->body, nullptr, false);
            return true;
        },
        std::chrono::seconds(120), what + " to be ready (GET /ready)");
    return body;
}

/// Checks the datadir's record against `opts`, starts a chain over when nothing was deployed
/// yet, restores anvil's last state otherwise. Returns whether this is the first run.
bool prepare_datadir(const DevnetOptions& opts, const DevnetPaths& paths) {
    if (fs::exists(paths.record)) {
        const auto rec = DevnetRecord::parse(read_file(paths.record), paths.record.string());
        if (rec.l2_chain_id != opts.l2_chain_id || rec.l1_chain_id != opts.l1_chain_id) {
            throw std::runtime_error(
                paths.root.string() + " holds a devnet with --l2-chain-id " +
                std::to_string(rec.l2_chain_id) + " and --l1-chain-id " +
                std::to_string(rec.l1_chain_id) +
                ": start it with those, or use --fresh (wipes it) or another --datadir");
        }
        const Hash32 want = devnet_genesis_hash(opts.l2_chain_id);
        if (rec.genesis_hash != want && fs::exists(paths.deployment)) {
            throw std::runtime_error(
                paths.root.string() + " holds a devnet whose L2 genesis hash is " +
                to_hex(rec.genesis_hash) +
                ", but this fusel2's devnet genesis (with the L2 "
                "ERC-20 gateway, docs/devnet.md) has hash " +
                to_hex(want) +
                ": its contracts are for the other genesis; start over with --fresh (wipes it) "
                "or use another --datadir");
        }
    }
    const bool first_run = !fs::exists(paths.deployment);
    if (first_run) {
        // No contracts yet (new, or the first run stopped before its deployment finished):
        // nothing to keep, start the chain over.
        fs::remove_all(paths.l1_dir);
        fs::remove_all(paths.sequencer_data);
        fs::remove_all(paths.validator_data);
        fs::create_directories(paths.l1_dir);
        fs::remove(paths.running);
        return true;
    }
    if (std::string done = StateBackup(paths).restore(); !done.empty()) say(done);
    if (fs::exists(paths.running)) {
        say("the previous run did not stop cleanly (killed?): anvil restarts from its last state "
            "dump (" +
            paths.l1_state.string() + ", written every " + std::to_string(opts.state_interval) +
            " s), the batch poster and the validator re-sync from L1; if the L1 lost blocks the "
            "sequencer built on, the sequencer rewinds to what the L1 supports and re-sequences "
            "the later transactions (docs/sequencer.md)");
    }
    return false;
}

/// Everything that can fail before a process starts: anvil, the ports, this binary's path.
/// Returns anvil's and this binary's paths.
std::pair<fs::path, fs::path> check_prerequisites(const DevnetOptions& opts) {
    const fs::path anvil = anvil_bin();
    if (access(anvil.c_str(), X_OK) != 0) {
        throw std::runtime_error("anvil not found at " + anvil.string() +
                                 ": run scripts/setup.sh (installs the npm packages), or set "
                                 "ANVIL_BIN to an anvil binary");
    }
    check_port_free(opts.l1_port, "--l1-port, the L1");
    check_port_free(opts.http_port, "--http-port, the sequencer's JSON-RPC");
    check_port_free(opts.validator_http_port, "--validator-http-port, the validator's JSON-RPC");
    check_port_free(opts.metrics_port, "--metrics-port, the sequencer's metrics");
    check_port_free(opts.validator_metrics_port, "--validator-metrics-port");
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) throw std::runtime_error("cannot find this binary (/proc/self/exe): " + ec.message());
    return {anvil, self};
}

/// The record, the genesis, the keys, the two node configs and the "running" marker.
void write_run_files(const DevnetOptions& opts, const DevnetPaths& paths,
                     const Hash32& genesis_hash) {
    write_file(paths.genesis, arbos::to_json(devnet_genesis(opts.l2_chain_id)) + "\n");
    DevnetRecord record;
    record.l1_chain_id = opts.l1_chain_id;
    record.l2_chain_id = opts.l2_chain_id;
    record.genesis_hash = genesis_hash;
    write_file(paths.record, record.to_json());
    const auto& accounts = arbos::dev_accounts();
    write_key_file(paths.deployer_key, to_hex(accounts[kDeployerAccount].private_key));
    write_key_file(paths.poster_key, to_hex(accounts[kPosterAccount].private_key));
    write_key_file(paths.proposer_key, to_hex(accounts[kProposerAccount].private_key));
    write_file(paths.sequencer_toml, sequencer_toml(opts, paths));
    write_file(paths.validator_toml, validator_toml(opts, paths));
    write_file(paths.running, std::to_string(getpid()) + "\n");
}

/// One run of the devnet's processes under a supervisor.
class DevnetRun {
public:
    DevnetRun(const DevnetOptions& opts, const DevnetPaths& paths, fs::path anvil, fs::path self,
              const Hash32& genesis_hash)
        : opts_(opts),
          paths_(paths),
          anvil_(std::move(anvil)),
          self_(std::move(self)),
          genesis_hash_(genesis_hash),
          backup_(paths),
          sup_(paths) {
        sup_.on_line([this](const std::string& name, const std::string& line) {
            // anvil is not ours: its "Listening on" line is the signal it gives.
            if (name == "l1" && line.find("Listening on 127.0.0.1:") != std::string::npos)
                l1_up_ = true;
        });
    }

    /// Starts everything, prints the banner, supervises until a signal; the exit code.
    int run(bool first_run) {
        int code = 0;
        try {
            start_l1();
            if (first_run) deploy();
            const auto deployment = l1::read_deployment(paths_.deployment.string());
            const uint64_t l2_head = start_nodes();
            const bool l2_gateway = init_l2_gateway(deployment);
            print_banner(first_run, deployment, l2_head, l2_gateway);
            DivergenceCheck divergence(opts_.http_port, opts_.validator_http_port);
            const int sig = sup_.run(
                [&] {
                    backup_.refresh();
                    divergence();
                },
                std::chrono::seconds(2));
            say(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                ", stopping the sequencer, the validator, then anvil");
            if (!sup_.stop_all()) code = 1;
        } catch (const StopRequested& s) {
            say(std::string("received ") + (s.signal == SIGINT ? "SIGINT" : "SIGTERM") +
                " while starting, stopping");
            if (!sup_.stop_all()) code = 1;
        } catch (const std::exception& e) {
            say(std::string("error: ") + e.what());
            say("stopping the other processes");
            sup_.stop_all();
            code = 1;
        }
        const ChildProcess* l1 = sup_.child("l1");
        // anvil saved its state: the next start is a clean one.
        if (l1 == nullptr || l1->exited_cleanly()) fs::remove(paths_.running);
        return code;
    }

private:
    std::string l1_url() const { return "http://127.0.0.1:" + std::to_string(opts_.l1_port); }

    void start_l1() {
        sup_.start(
            "l1",
            {anvil_.string(), "--host", "127.0.0.1", "--port", std::to_string(opts_.l1_port),
             "--chain-id", std::to_string(opts_.l1_chain_id), "--block-time",
             std::to_string(opts_.block_time), "--hardfork", "london", "--state",
             paths_.l1_state.string(), "--state-interval", std::to_string(opts_.state_interval)},
            opts_.l1_logs);
        sup_.wait_until([&] { return l1_up_; }, std::chrono::seconds(60), "anvil to listen");
    }

    /// Deploys the contracts; the datadir counts as deployed only once anvil has written them
    /// to its state file (and the devnet has a complete copy): a kill before that starts over.
    void deploy() {
        say("deploying SequencerInbox and RollupCore (genesis hash " + to_hex(genesis_hash_) + ")");
        const auto& accounts = arbos::dev_accounts();
        const fs::path out_tmp = paths_.deployment.string() + ".tmp";
        ChildProcess& child =
            sup_.start("deploy",
                       {self_.string(), "deploy", "--rpc", l1_url(), "--key-file",
                        paths_.deployer_key.string(), "--genesis-hash", to_hex(genesis_hash_),
                        "--batch-poster", to_checksum_hex(accounts[kPosterAccount].address),
                        "--proposer", to_checksum_hex(accounts[kProposerAccount].address),
                        "--confirmations", "1", "--withdrawal-delay",
                        std::to_string(opts_.withdrawal_delay), "--out", out_tmp.string()},
                       true, /*one_shot=*/true);
        sup_.wait_until([&child] { return child.poll(); }, std::chrono::seconds(300),
                        "the contract deployment");
        if (!child.exited_cleanly() || !fs::exists(out_tmp)) {
            throw std::runtime_error("the contract deployment failed (" + child.exit_description() +
                                     "), see " + child.log_file());
        }
        const auto tmp_record = nlohmann::json::parse(read_file(out_tmp), nullptr, false);
        std::string inbox = tmp_record.is_object() ? tmp_record.value("inbox", "") : "";
        for (char& c : inbox)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (inbox.empty()) throw std::runtime_error(out_tmp.string() + " has no inbox address");
        sup_.wait_until(
            [&] {
                backup_.refresh();
                std::ifstream in(paths_.l1_state_copy);
                std::ostringstream text;
                text << in.rdbuf();
                return text.str().find("\"" + inbox + "\"") != std::string::npos;
            },
            std::chrono::seconds(opts_.state_interval + 30), "anvil to save its state");
        fs::rename(out_tmp, paths_.deployment);
    }

    /// Starts the sequencer, then the validator, each once its predecessor is ready (GET
    /// /ready); returns the sequencer's head.
    uint64_t start_nodes() {
        sup_.start("sequencer",
                   {self_.string(), "node", "--config", paths_.sequencer_toml.string()}, true);
        const nlohmann::json seq_ready = wait_ready(sup_, opts_.http_port, "the sequencer");
        sup_.start("validator",
                   {self_.string(), "node", "--config", paths_.validator_toml.string()}, true);
        wait_ready(sup_, opts_.validator_http_port, "the validator");
        return seq_ready.value("latest", uint64_t{0});
    }

    /// Initializes the L2 ERC-20 gateway predeploy with the deployment's L1ERC20Gateway, on
    /// every start: `fusel2 bridge init-gateway` (dev account kGatewayAdminAccount, the genesis'
    /// l2GatewayAdmin) does nothing when the gateway already is. True when it is initialized.
    bool init_l2_gateway(const l1::Deployment& deployment) {
        if (!deployment.bridge || !deployment.bridge->l1_gateway) {
            say("the deployment has no L1ERC20Gateway: ERC-20 tokens cannot be bridged on this "
                "devnet (start over with --fresh)");
            return false;
        }
        const std::string l1_gateway = to_checksum_hex(*deployment.bridge->l1_gateway);
        ChildProcess& child = sup_.start("gateway",
                                         {self_.string(), "bridge", "init-gateway", "--l2-rpc",
                                          "http://127.0.0.1:" + std::to_string(opts_.http_port),
                                          "--deployment", paths_.deployment.string(), "--key-file",
                                          paths_.deployer_key.string(), "--timeout", "120"},
                                         false, /*one_shot=*/true);
        sup_.wait_until([&child] { return child.poll(); }, std::chrono::seconds(180),
                        "the L2 ERC-20 gateway's initialization");
        if (!child.exited_cleanly()) {
            throw std::runtime_error("initializing the L2 ERC-20 gateway with " + l1_gateway +
                                     " failed (" + child.exit_description() + "), see " +
                                     child.log_file());
        }
        say("L2ERC20Gateway " + to_checksum_hex(arbos::kL2GatewayAddress) +
            " is initialized with the L1ERC20Gateway " + l1_gateway);
        return true;
    }

    void print_banner(bool first_run, const l1::Deployment& deployment, uint64_t l2_head,
                      bool l2_gateway) const {
        BannerInfo info;
        info.first_run = first_run;
        info.inbox = to_checksum_hex(deployment.inbox);
        info.rollup = to_checksum_hex(deployment.rollup);
        info.deploy_block = deployment.deploy_block;
        if (const auto& b = deployment.bridge) {
            info.bridge = to_checksum_hex(b->bridge);
            info.outbox = to_checksum_hex(b->outbox);
            if (b->l1_gateway) info.l1_gateway = to_checksum_hex(*b->l1_gateway);
        }
        if (l2_gateway) info.l2_gateway = to_checksum_hex(arbos::kL2GatewayAddress);
        info.genesis_hash = genesis_hash_;
        info.l2_head = l2_head;
        std::fputs(devnet_banner(opts_, paths_, info).c_str(), stdout);
        std::fflush(stdout);
    }

    const DevnetOptions& opts_;
    const DevnetPaths& paths_;
    const fs::path anvil_, self_;
    const Hash32 genesis_hash_;
    StateBackup backup_;
    Supervisor sup_;
    bool l1_up_ = false;
};

}  // namespace

int run_devnet(const DevnetOptions& opts) {
    const DevnetPaths paths(opts.datadir);
    if (opts.fresh) wipe_datadir(paths);
    fs::create_directories(paths.logs_dir);
    fs::create_directories(paths.l1_dir);
    const int lock_fd = lock_datadir(paths);
    (void)lock_fd;  // held until exit

    const bool first_run = prepare_datadir(opts, paths);
    const auto [anvil, self] = check_prerequisites(opts);
    const Hash32 genesis_hash = devnet_genesis_hash(opts.l2_chain_id);
    write_run_files(opts, paths, genesis_hash);
    DevnetRun run(opts, paths, anvil, self, genesis_hash);
    const int code = run.run(first_run);
    say(code == 0 ? "stopped cleanly" : "stopped with errors (exit code 1)");
    return code;
}

}  // namespace fuse::node
