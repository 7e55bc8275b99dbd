#include "node/devnet.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "core/address.hpp"
#include "core/hex.hpp"
#include "node/config.hpp"
#include "node/devnet_process.hpp"

namespace fuse::node {
namespace {

NodeConfig parse_toml(const std::string& toml) {
    CLI::App app;
    NodeConfig cfg;
    std::string file;
    ConfigBinder binder(app, cfg, file);
    std::vector<const char*> argv{"node"};
    app.parse(1, argv.data());
    binder.apply_toml(toml, "devnet.toml");
    return cfg;
}

TEST(Devnet, DefaultOptionsAreValidAndPortsMustDiffer) {
    DevnetOptions o;
    EXPECT_EQ(o.validate(), "");
    EXPECT_EQ(o.l2_chain_id, kDevChainId);
    o.validator_http_port = o.http_port;
    EXPECT_EQ(o.validate(), "--http-port and --validator-http-port are both 8547");
    o = DevnetOptions{};
    o.block_time = 0;
    EXPECT_NE(o.validate(), "");
    o = DevnetOptions{};
    o.l1_chain_id = o.l2_chain_id;
    EXPECT_NE(o.validate(), "");
}

TEST(Devnet, PathsAreAbsoluteUnderTheDatadir) {
    const DevnetPaths p("some/dir/../data");
    EXPECT_TRUE(p.root.is_absolute());
    EXPECT_EQ(p.root.filename(), "data");
    EXPECT_EQ(p.l1_state, p.root / "l1" / "state.json");
    EXPECT_EQ(p.log("sequencer"), p.root / "logs" / "sequencer.log");
}

TEST(Devnet, SequencerTomlIsAValidNodeConfig) {
    DevnetOptions o;
    o.http_port = 9100;
    o.metrics_port = 9101;
    o.l1_port = 9102;
    o.l2_chain_id = 777;
    const DevnetPaths p("/tmp/devnet \"quoted\"");
    const NodeConfig cfg = parse_toml(sequencer_toml(o, p));
    EXPECT_EQ(cfg.validate(), "");
    EXPECT_EQ(cfg.role, Role::kSequencer);
    EXPECT_EQ(cfg.chain.datadir, p.sequencer_data.string());
    // The devnet's own genesis file (the dev genesis + the L2 gateway), not --dev.
    EXPECT_FALSE(cfg.chain.dev);
    EXPECT_EQ(cfg.chain.genesis, p.genesis.string());
    EXPECT_EQ(cfg.http.port, 9100);
    EXPECT_EQ(cfg.metrics.port, 9101);
    EXPECT_EQ(cfg.l1.url, "http://127.0.0.1:9102");
    EXPECT_EQ(cfg.l1.deployment, p.deployment.string());
    EXPECT_EQ(cfg.l1.confirmations, 1u);
    EXPECT_EQ(cfg.l1.lag, 5u);
    EXPECT_EQ(cfg.poster.key_file, p.poster_key.string());
    EXPECT_EQ(cfg.poster.batches.max_batch_delay, std::chrono::milliseconds(o.batch_delay_ms));
    EXPECT_EQ(cfg.poster.batches.batch_format, 2);  // the densest format (issue 16 point 3)
}

TEST(Devnet, ValidatorTomlProposesWithTheProposerKey) {
    DevnetOptions o;
    const DevnetPaths p("/tmp/devnet-x");
    const NodeConfig cfg = parse_toml(validator_toml(o, p));
    EXPECT_EQ(cfg.validate(), "");
    EXPECT_EQ(cfg.role, Role::kValidator);
    EXPECT_EQ(cfg.validator.run.mode, validator::Mode::kPropose);
    EXPECT_EQ(cfg.validator.proposer_key_file, p.proposer_key.string());
    EXPECT_EQ(cfg.chain.datadir, p.validator_data.string());
    EXPECT_EQ(cfg.chain.genesis, p.genesis.string());
    EXPECT_EQ(cfg.l1.lag, 5u);
    o.state_interval = 30;
    o.block_time = 2;
    EXPECT_EQ(parse_toml(validator_toml(o, p)).l1.lag, 17u);
    EXPECT_EQ(cfg.http.port, o.validator_http_port);
    EXPECT_EQ(cfg.metrics.port, o.validator_metrics_port);
}

TEST(Devnet, RecordRoundTripsAndRejectsGarbage) {
    DevnetRecord r;
    r.l1_chain_id = 31337;
    r.l2_chain_id = 1220122;
    r.genesis_hash = devnet_genesis_hash(1220122);
    const DevnetRecord back = DevnetRecord::parse(r.to_json(), "devnet.json");
    EXPECT_EQ(back.l1_chain_id, 31337u);
    EXPECT_EQ(back.l2_chain_id, 1220122u);
    EXPECT_EQ(back.genesis_hash, r.genesis_hash);
    EXPECT_THROW(DevnetRecord::parse("[1]", "x"), std::runtime_error);
    EXPECT_THROW(DevnetRecord::parse(R"({"l1ChainId":1,"l2ChainId":2})", "x"), std::runtime_error);
}

TEST(Devnet, GenesisHashDependsOnTheChainId) {
    EXPECT_EQ(devnet_genesis_hash(5), devnet_genesis_hash(5));
    EXPECT_NE(devnet_genesis_hash(5), devnet_genesis_hash(6));
    EXPECT_NE(devnet_genesis_hash(5), Hash32{});
}

TEST(Devnet, GenesisIsTheDevGenesisWithTheL2Gateway) {
    const arbos::Genesis g = devnet_genesis(777);
    arbos::Genesis dev = arbos::dev_genesis(777);
    EXPECT_FALSE(dev.l2_gateway_admin);
    ASSERT_TRUE(g.l2_gateway_admin);
    EXPECT_EQ(*g.l2_gateway_admin, arbos::dev_accounts()[kGatewayAdminAccount].address);
    dev.l2_gateway_admin = g.l2_gateway_admin;
    EXPECT_EQ(arbos::to_json(g), arbos::to_json(dev)) << "nothing else differs";
    // The file the nodes read gives the same genesis.
    auto parsed = arbos::parse_genesis(arbos::to_json(g));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->l2_gateway_admin, g.l2_gateway_admin);
    arbos::MemoryWorld world;
    EXPECT_EQ(arbos::make_genesis_block(world, *parsed).hash, devnet_genesis_hash(777));
}

TEST(Devnet, BannerListsEndpointsContractsAndAccounts) {
    DevnetOptions o;
    const DevnetPaths p("/tmp/devnet-y");
    BannerInfo info;
    info.inbox = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    info.rollup = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
    info.deploy_block = 3;
    info.genesis_hash = devnet_genesis_hash(o.l2_chain_id);
    const std::string b = devnet_banner(o, p, info);
    EXPECT_NE(b.find("http://127.0.0.1:8545   chain id 31337"), std::string::npos) << b;
    EXPECT_NE(b.find("http://127.0.0.1:8547   chain id 1220122"), std::string::npos) << b;
    EXPECT_NE(b.find("http://127.0.0.1:8548"), std::string::npos);
    EXPECT_NE(b.find(info.inbox), std::string::npos);
    EXPECT_NE(b.find(info.rollup), std::string::npos);
    EXPECT_NE(b.find(to_hex(info.genesis_hash)), std::string::npos);
    for (const auto& a : arbos::dev_accounts()) {
        EXPECT_NE(b.find(to_checksum_hex(a.address)), std::string::npos);
        EXPECT_NE(b.find(to_hex(a.private_key)), std::string::npos);
    }
    EXPECT_NE(b.find("Ctrl-C to stop."), std::string::npos);
    EXPECT_EQ(b.find("Bridge "), std::string::npos) << "no bridge deployed, none printed";

    info.bridge = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0";
    info.outbox = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9";
    info.l1_gateway = "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9";
    const std::string with_bridge = devnet_banner(o, p, info);
    EXPECT_NE(with_bridge.find("Bridge           " + info.bridge), std::string::npos)
        << with_bridge;
    EXPECT_NE(with_bridge.find("Outbox           " + info.outbox), std::string::npos);
    EXPECT_NE(with_bridge.find("L1ERC20Gateway   " + info.l1_gateway), std::string::npos);
    EXPECT_EQ(with_bridge.find("L2ERC20Gateway"), std::string::npos)
        << "not initialized: not shown";
    info.l2_gateway = "0x0000000000000000000000000000000000004B01";
    EXPECT_NE(devnet_banner(o, p, info).find("L2ERC20Gateway   " + info.l2_gateway),
              std::string::npos);
}

TEST(Devnet, KeyFilesAreOwnerOnly) {
    const auto dir = std::filesystem::temp_directory_path() / "fusel2-devnet-key-test";
    std::filesystem::create_directories(dir);
    const auto file = dir / "k.key";
    { std::ofstream(file) << "old"; }
    std::filesystem::permissions(file, std::filesystem::perms::all);
    write_key_file(file, "0xabc");
    struct stat st {};
    ASSERT_EQ(stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(file);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "0xabc");
    std::filesystem::remove_all(dir);
}

TEST(Devnet, PortInUseIsNamed) {
    // Bind a port, then the check must name it and the flag.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const uint16_t port = ntohs(addr.sin_port);
    try {
        check_port_free(port, "--l1-port, the L1");
        ADD_FAILURE() << "no error for a port in use";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("port " + std::to_string(port) +
                                             " (--l1-port, the L1) is already in use"),
                  std::string::npos)
            << e.what();
    }
    ::close(fd);
    EXPECT_NO_THROW(check_port_free(port, "x"));
}

TEST(Devnet, LogTailSplitsLinesAndKeepsTheTail) {
    const auto file = std::filesystem::temp_directory_path() / "fusel2-devnet-tail-test.log";
    { std::ofstream(file, std::ios::trunc) << "one\ntw"; }
    LogTail tail;
    tail.add("x", file.string(), false);
    std::vector<std::string> seen;
    auto collect = [&](const std::string& name, const std::string& line) {
        EXPECT_EQ(name, "x");
        seen.push_back(line);
    };
    tail.poll(collect);
    EXPECT_EQ(seen, std::vector<std::string>{"one"});
    { std::ofstream(file, std::ios::app) << "o\nthree\n"; }
    tail.poll(collect);
    EXPECT_EQ(seen, (std::vector<std::string>{"one", "two", "three"}));
    EXPECT_EQ(tail.last_lines("x", 2), (std::vector<std::string>{"two", "three"}));
    std::filesystem::remove(file);
}

TEST(Devnet, StateBackupKeepsTheLastCompleteState) {
    const auto dir = std::filesystem::temp_directory_path() / "fusel2-devnet-state-test";
    std::filesystem::remove_all(dir);
    const DevnetPaths p(dir);
    std::filesystem::create_directories(p.l1_dir);
    auto write = [&](const std::string& text) {
        std::ofstream(p.l1_state, std::ios::trunc) << text;
    };
    auto read = [](const std::filesystem::path& f) {
        std::ifstream in(f);
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    };
    StateBackup backup(p, /*pace=*/0);
    EXPECT_FALSE(backup.refresh());  // no state yet
    EXPECT_THROW(backup.restore(), std::runtime_error);
    write(R"({"block": 1})");
    EXPECT_TRUE(backup.refresh());
    EXPECT_FALSE(backup.refresh());  // unchanged
    EXPECT_EQ(read(p.l1_state_copy), R"({"block": 1})");
    write(R"({"block": 2, "accounts": {"0x12": )");  // cut off mid-write
    EXPECT_FALSE(backup.refresh());
    EXPECT_EQ(read(p.l1_state_copy), R"({"block": 1})");
    const std::string done = backup.restore();
    EXPECT_NE(done.find("restored the last complete copy"), std::string::npos) << done;
    EXPECT_EQ(read(p.l1_state), R"({"block": 1})");
    EXPECT_EQ(backup.restore(), "");  // complete now
    write("");                        // truncated to nothing, and no usable copy
    std::filesystem::remove(p.l1_state_copy);
    try {
        backup.restore();
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("start over with --fresh"), std::string::npos);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fuse::node
