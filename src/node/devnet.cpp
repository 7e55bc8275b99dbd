#include "node/devnet.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "core/address.hpp"
#include "core/hex.hpp"

namespace fuse::node {

std::string DevnetOptions::validate() const {
    if (datadir.empty()) return "--datadir must not be empty";
    if (block_time == 0) return "--block-time must be at least 1 second";
    if (l2_chain_id == 0) return "--l2-chain-id must not be 0";
    if (l1_chain_id == l2_chain_id) return "--l1-chain-id and --l2-chain-id must differ";
    const std::vector<std::pair<uint16_t, const char*>> ports = {
        {l1_port, "--l1-port"},
        {http_port, "--http-port"},
        {validator_http_port, "--validator-http-port"},
        {metrics_port, "--metrics-port"},
        {validator_metrics_port, "--validator-metrics-port"}};
    for (size_t i = 0; i < ports.size(); ++i) {
        if (ports[i].first == 0) return std::string(ports[i].second) + " must not be 0";
        for (size_t j = i + 1; j < ports.size(); ++j) {
            if (ports[i].first == ports[j].first)
                return std::string(ports[i].second) + " and " + ports[j].second + " are both " +
                       std::to_string(ports[i].first);
        }
    }
    return "";
}

DevnetPaths::DevnetPaths(const std::filesystem::path& datadir)
    : root(std::filesystem::absolute(datadir).lexically_normal()) {
    record = root / "devnet.json";
    running = root / "devnet.running";
    lock = root / "devnet.lock";
    l1_dir = root / "l1";
    l1_state = l1_dir / "state.json";
    l1_state_copy = l1_dir / "state.good.json";
    deployer_key = root / "deployer.key";
    poster_key = root / "poster.key";
    proposer_key = root / "proposer.key";
    deployment = root / "deployment.json";
    genesis = root / "genesis.json";
    sequencer_toml = root / "sequencer.toml";
    validator_toml = root / "validator.toml";
    sequencer_data = root / "sequencer";
    validator_data = root / "validator";
    logs_dir = root / "logs";
}

std::string DevnetRecord::to_json() const {
    nlohmann::json j;
    j["l1ChainId"] = l1_chain_id;
    j["l2ChainId"] = l2_chain_id;
    j["genesisHash"] = to_hex(genesis_hash);
    return j.dump(2) + "\n";
}

DevnetRecord DevnetRecord::parse(const std::string& json_text, const std::string& source) {
    const auto j = nlohmann::json::parse(json_text, nullptr, false);
    auto bad = [&](const std::string& what) {
        return std::runtime_error(source + ": " + what + " (a devnet record; --fresh starts over)");
    };
    if (j.is_discarded() || !j.is_object()) throw bad("not a JSON object");
    DevnetRecord r;
    for (auto [key, field] :
         {std::pair{"l1ChainId", &r.l1_chain_id}, std::pair{"l2ChainId", &r.l2_chain_id}}) {
        if (!j.contains(key) || !j[key].is_number_unsigned())
            throw bad(std::string("missing or bad \"") + key + "\"");
        *field = j[key].get<uint64_t>();
    }
    if (!j.contains("genesisHash") || !j["genesisHash"].is_string())
        throw bad("missing \"genesisHash\"");
    auto h = hash_from_hex(j["genesisHash"].get<std::string>());
    if (!h) throw bad("bad \"genesisHash\"");
    r.genesis_hash = *h;
    return r;
}

arbos::Genesis devnet_genesis(uint64_t l2_chain_id) {
    arbos::Genesis g = arbos::dev_genesis(l2_chain_id);
    g.l2_gateway_admin = arbos::dev_accounts()[kGatewayAdminAccount].address;
    return g;
}

Hash32 devnet_genesis_hash(uint64_t l2_chain_id) {
    arbos::MemoryWorld world;
    return arbos::make_genesis_block(world, devnet_genesis(l2_chain_id)).hash;
}

namespace {

/// A TOML basic string (paths may hold quotes or backslashes).
std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string common_toml(const DevnetOptions& o, const DevnetPaths& p, const char* role,
                        const std::filesystem::path& datadir) {
    return fmt::format(
        "# Written by `fusel2 devnet` on every start (docs/devnet.md); usable as is:\n"
        "#   fusel2 node --config {0}\n"
        "role = \"{1}\"\n"
        "datadir = {2}\n"
        "# the dev genesis (10 accounts of the test mnemonic, chain id {3}) with the L2 ERC-20\n"
        "# gateway predeploy (admin: dev account {8}); written by the devnet\n"
        "genesis = {9}\n\n"
        "[l1]\n"
        "url = \"http://127.0.0.1:{4}\"   # anvil, started by the devnet\n"
        "deployment = {5}\n"
        "confirmations = 1\n"
        "lag = {7}                     # > the L1 blocks a kill -9 can lose (docs/devnet.md)\n"
        "poll-ms = 500\n\n"
        "[log]\n"
        "level = \"{6}\"\n\n",
        role == std::string("sequencer") ? p.sequencer_toml.string() : p.validator_toml.string(),
        role, toml_string(datadir.string()), o.l2_chain_id, o.l1_port,
        toml_string(p.deployment.string()), o.log_level, o.l1_lag(), kGatewayAdminAccount,
        toml_string(p.genesis.string()));
}

}  // namespace

std::string sequencer_toml(const DevnetOptions& o, const DevnetPaths& p) {
    return common_toml(o, p, "sequencer", p.sequencer_data) +
           fmt::format(
               "[http]                      # L2 JSON-RPC (and WebSocket) of the sequencer\n"
               "address = \"127.0.0.1\"\n"
               "port = {}\n\n"
               "[poster]                    # the batch poster (anvil account {})\n"
               "key-file = {}\n"
               "max-batch-delay-ms = {}\n"
               "batch-format = 2            # columns + address registry (docs/batch-format.md)\n\n"
               "[metrics]\n"
               "address = \"127.0.0.1\"\n"
               "port = {}\n",
               o.http_port, kPosterAccount, toml_string(p.poster_key.string()), o.batch_delay_ms,
               o.metrics_port);
}

std::string validator_toml(const DevnetOptions& o, const DevnetPaths& p) {
    return common_toml(o, p, "validator", p.validator_data) +
           fmt::format(
               "[http]                      # L2 JSON-RPC of the validator (safe, finalized)\n"
               "address = \"127.0.0.1\"\n"
               "port = {}\n\n"
               "[validator]                 # posts state roots (anvil account {})\n"
               "mode = \"propose\"\n"
               "proposer-key-file = {}\n\n"
               "[metrics]\n"
               "address = \"127.0.0.1\"\n"
               "port = {}\n",
               o.validator_http_port, kProposerAccount, toml_string(p.proposer_key.string()),
               o.validator_metrics_port);
}

std::string devnet_banner(const DevnetOptions& o, const DevnetPaths& p, const BannerInfo& info) {
    const auto& accounts = arbos::dev_accounts();
    std::string out;
    out += fmt::format("\nFuse L2 devnet is running ({}; datadir {})\n\n",
                       info.first_run ? "new chain, contracts deployed"
                                      : "reused datadir, L2 head " + std::to_string(info.l2_head),
                       p.root.string());
    out += fmt::format("  L1 (anvil)       http://127.0.0.1:{}   chain id {}, {} s blocks\n",
                       o.l1_port, o.l1_chain_id, o.block_time);
    out += fmt::format(
        "  L2 sequencer     http://127.0.0.1:{}   chain id {} (WebSocket: ws://127.0.0.1:{})\n",
        o.http_port, o.l2_chain_id, o.http_port);
    out += fmt::format(
        "  L2 validator     http://127.0.0.1:{}   safe = derived from L1, finalized = root on L1\n",
        o.validator_http_port);
    out += fmt::format(
        "  metrics          http://127.0.0.1:{}/metrics, http://127.0.0.1:{}/metrics\n\n",
        o.metrics_port, o.validator_metrics_port);
    out += fmt::format("  SequencerInbox   {}\n", info.inbox);
    out += fmt::format("  RollupCore       {}   (deployed in L1 block {})\n", info.rollup,
                       info.deploy_block);
    if (!info.bridge.empty()) out += fmt::format("  Bridge           {}\n", info.bridge);
    if (!info.outbox.empty()) out += fmt::format("  Outbox           {}\n", info.outbox);
    if (!info.l1_gateway.empty()) out += fmt::format("  L1ERC20Gateway   {}\n", info.l1_gateway);
    if (!info.l2_gateway.empty()) {
        out += fmt::format(
            "  L2ERC20Gateway   {}   (L2 predeploy, initialized with the L1ERC20Gateway; admin "
            "dev account {})\n",
            info.l2_gateway, kGatewayAdminAccount);
    }
    out += fmt::format("  L2 genesis hash  {}\n", to_hex(info.genesis_hash));
    out += fmt::format("  batch poster     {}   (L1 account {}, key in {})\n",
                       to_checksum_hex(accounts[kPosterAccount].address), kPosterAccount,
                       p.poster_key.string());
    out += fmt::format("  proposer         {}   (L1 account {}, key in {})\n\n",
                       to_checksum_hex(accounts[kProposerAccount].address), kProposerAccount,
                       p.proposer_key.string());
    out +=
        "Dev accounts: 10,000 ETH each on L2 (devnet only: unbacked, no L1 escrow holds it;\n"
        "on the L1 accounts 0-2 deploy, post batches and post roots; use 3-9 for your own L1\n"
        "transactions)\n"
        "Mnemonic: test test test test test test test test test test test junk\n\n";
    for (size_t i = 0; i < accounts.size(); ++i) {
        out += fmt::format("  ({}) {}  {}\n", i, to_checksum_hex(accounts[i].address),
                           to_hex(accounts[i].private_key));
    }
    out += fmt::format(
        "\nConfigs: {} {}\nLogs:    {}/\nStatus:  fusel2 status --config {}\n\nCtrl-C to stop.\n",
        p.sequencer_toml.string(), p.validator_toml.string(), p.logs_dir.string(),
        p.sequencer_toml.string());
    return out;
}

namespace {

/// The file's text when it is one complete JSON document, else nullopt.
std::optional<std::string> complete_json(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    if (s.empty() || !nlohmann::json::accept(s)) return std::nullopt;
    return s;
}

}  // namespace

bool StateBackup::refresh() {
    // Reading and checking a large state costs time: spend at most ~10 % of the time on it.
    const auto started = std::chrono::steady_clock::now();
    if (started < next_allowed_) return false;
    struct Pace {
        StateBackup& self;
        std::chrono::steady_clock::time_point started;
        ~Pace() {
            self.next_allowed_ =
                started + self.pace_ * (std::chrono::steady_clock::now() - started);
        }
    } pace{*this, started};
    std::error_code ec;
    const auto time = std::filesystem::last_write_time(paths_.l1_state, ec);
    if (ec) return false;
    const auto size = std::filesystem::file_size(paths_.l1_state, ec);
    if (ec || (time == copied_time_ && size == copied_size_)) return false;
    const auto text = complete_json(paths_.l1_state);
    if (!text) return false;  // being written: next time
    const std::string tmp = paths_.l1_state_copy.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << *text;
        if (!out) return false;
    }
    std::filesystem::rename(tmp, paths_.l1_state_copy, ec);
    if (ec) return false;
    copied_time_ = time;
    copied_size_ = size;
    return true;
}

std::string StateBackup::restore() {
    if (complete_json(paths_.l1_state)) return "";
    const bool had_state = std::filesystem::exists(paths_.l1_state);
    if (!complete_json(paths_.l1_state_copy)) {
        throw std::runtime_error(
            "anvil's state file " + paths_.l1_state.string() +
            (had_state ? " is incomplete" : " is missing") + " and there is no complete copy (" +
            paths_.l1_state_copy.string() +
            "): the L1 of this devnet cannot be restored; start over with --fresh");
    }
    std::filesystem::copy_file(paths_.l1_state_copy, paths_.l1_state,
                               std::filesystem::copy_options::overwrite_existing);
    return "anvil's state file " + paths_.l1_state.string() +
           (had_state ? " was cut off (killed while writing it)" : " was missing") +
           ": restored the last complete copy " + paths_.l1_state_copy.string() +
           " (a few seconds older)";
}

void write_key_file(const std::filesystem::path& path, const std::string& hex_key) {
    const std::string tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);  // also when the file existed with other permissions
    const std::string text = hex_key + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace fuse::node
