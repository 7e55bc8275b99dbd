#include "node/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

namespace fuse::node {
namespace {

/// Parses `args` (without the program name) into a fresh config, then applies `toml`.
struct Parsed {
    NodeConfig cfg;
    std::string config_file;
};

void parse(Parsed& p, std::vector<std::string> args, std::string_view toml = {}) {
    CLI::App app;
    ConfigBinder binder(app, p.cfg, p.config_file);
    std::vector<const char*> argv{"node"};
    for (const auto& a : args)
        argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    if (!toml.empty()) binder.apply_toml(toml, "test.toml");
}

TEST(NodeConfig, DefaultsAreDocumentedValues) {
    Parsed p;
    parse(p, {});
    EXPECT_EQ(p.cfg.http_address, "127.0.0.1");
    EXPECT_EQ(p.cfg.http_port, 8547);
    EXPECT_EQ(p.cfg.metrics_port, 6070);
    EXPECT_EQ(p.cfg.dev_chain_id, kDevChainId);
    EXPECT_TRUE(p.cfg.fsync);
    EXPECT_EQ(p.cfg.validate(), "datadir is required (--datadir or datadir = \"...\")");
}

TEST(NodeConfig, FlagsSetEveryKind) {
    Parsed p;
    parse(p, {"--datadir", "/tmp/x", "--dev", "--http-port", "9000", "--db-fsync=false",
              "--http-cors-origins", "a", "b", "--log-format", "json",
              "--sequencer-min-block-interval-us", "2000"});
    EXPECT_EQ(p.cfg.datadir, "/tmp/x");
    EXPECT_TRUE(p.cfg.dev);
    EXPECT_EQ(p.cfg.http_port, 9000);
    EXPECT_FALSE(p.cfg.fsync);
    EXPECT_EQ(p.cfg.http_cors_origins, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.cfg.log_format, "json");
    EXPECT_EQ(p.cfg.sequencer_min_block_interval_us, 2000u);
    EXPECT_EQ(p.cfg.validate(), "");
}

TEST(NodeConfig, TomlSetsValuesAndFlagsWin) {
    Parsed p;
    parse(p, {"--http-port", "9000"}, R"(
datadir = "/data"
dev = true
[http]
port = 1234
address = "0.0.0.0"
cors-origins = ["https://app.example"]
[sequencer]
max-pool-txs = 77
[db]
fsync = false
[metrics]
enabled = false
)");
    EXPECT_EQ(p.cfg.http_port, 9000);  // the flag wins
    EXPECT_EQ(p.cfg.http_address, "0.0.0.0");
    EXPECT_EQ(p.cfg.datadir, "/data");
    EXPECT_TRUE(p.cfg.dev);
    EXPECT_EQ(p.cfg.sequencer_max_pool_txs, 77u);
    EXPECT_FALSE(p.cfg.fsync);
    EXPECT_FALSE(p.cfg.metrics);
    EXPECT_EQ(p.cfg.http_cors_origins, (std::vector<std::string>{"https://app.example"}));
}

TEST(NodeConfig, DottedTopLevelKeysAreTheSameAsTables) {
    Parsed p;
    parse(p, {}, "http.port = 4321\nlog.level = \"debug\"\n");
    EXPECT_EQ(p.cfg.http_port, 4321);
    EXPECT_EQ(p.cfg.log_level, "debug");
}

std::string toml_error(std::string_view toml) {
    Parsed p;
    try {
        parse(p, {}, toml);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(NodeConfig, TomlErrorsNameTheKeyAndProblem) {
    EXPECT_EQ(toml_error("[http]\nprot = 1\n"),
              "test.toml: unknown option \"http.prot\" (see fusel2 node --help)");
    EXPECT_EQ(toml_error("[http]\nport = \"x\"\n"),
              "test.toml: option \"http.port\": expected an integer");
    EXPECT_EQ(toml_error("[http]\nport = 70000\n"),
              "test.toml: option \"http.port\": out of range (0..65535)");
    EXPECT_EQ(toml_error("[http]\nport = -1\n"),
              "test.toml: option \"http.port\": out of range (0..65535)");
    EXPECT_EQ(toml_error("dev = 1\n"), "test.toml: option \"dev\": expected true or false");
    EXPECT_EQ(toml_error("[http]\ncors-origins = [1]\n"),
              "test.toml: option \"http.cors-origins\": expected an array of strings");
    const std::string syntax = toml_error("[http\n");
    EXPECT_EQ(syntax.rfind("test.toml:1:", 0), 0u) << syntax;
}

TEST(NodeConfig, ValidateNamesTheProblem) {
    NodeConfig c;
    c.datadir = "/d";
    EXPECT_EQ(c.validate(), "a genesis is required: --genesis <file.json> or --dev");
    c.dev = true;
    c.genesis = "g.json";
    EXPECT_EQ(c.validate(), "give either --dev or --genesis, not both");
    c.genesis.clear();
    EXPECT_EQ(c.validate(), "");
    c.role = "miner";
    EXPECT_EQ(c.validate(), "role must be sequencer or validator, not \"miner\"");
    c.role = "sequencer";
    c.sequencer_min_block_interval_us = 60'000;
    EXPECT_NE(c.validate().find("at most 50000"), std::string::npos);
    c.sequencer_min_block_interval_us = 5'000;
    c.log_format = "xml";
    EXPECT_EQ(c.validate(), "log.format must be text or json");
    c.log_format = "text";
    c.metrics_port = c.http_port;
    EXPECT_EQ(c.validate(), "metrics.port must differ from http.port");
}

TEST(NodeConfig, ExampleConfigFileParsesAndCoversEveryKey) {
    Parsed p;
    CLI::App app;
    ConfigBinder binder(app, p.cfg, p.config_file);
    const char* argv[] = {"node"};
    app.parse(1, argv);
    const std::string path = std::string(FUSE_SOURCE_DIR) + "/docs/node.example.toml";
    binder.apply_toml_file(path);
    EXPECT_EQ(p.cfg.validate(), "");
    // Every key appears in the example, so the example documents all of them.
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& key : binder.keys()) {
        const auto leaf = key.substr(key.rfind('.') + 1);
        EXPECT_NE(text.find(leaf + " ="), std::string::npos) << key;
    }
}

}  // namespace
}  // namespace fuse::node
