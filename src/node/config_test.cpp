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
    EXPECT_EQ(p.cfg.http.address, "127.0.0.1");
    EXPECT_EQ(p.cfg.http.port, 8547);
    EXPECT_EQ(p.cfg.metrics.port, 6070);
    EXPECT_EQ(p.cfg.chain.dev_chain_id, kDevChainId);
    EXPECT_TRUE(p.cfg.db.sync);
    EXPECT_FALSE(p.cfg.db.archive);  // a pruned full node unless asked (docs/storage.md)
    EXPECT_EQ(p.cfg.db.prune_keep, 128u);
    EXPECT_EQ(p.cfg.db.prune_interval, 4096u);
    EXPECT_EQ(p.cfg.validate(), "datadir is required (--datadir or datadir = \"...\")");
}

TEST(NodeConfig, FlagsSetEveryKind) {
    Parsed p;
    parse(p, {"--datadir", "/tmp/x", "--dev", "--http-port", "9000", "--db-fsync=false",
              "--http-cors-origins", "a", "b", "--log-format", "json",
              "--sequencer-min-block-interval-us", "2000", "--db-archive", "--db-prune-keep", "500",
              "--db-prune-interval", "0"});
    EXPECT_EQ(p.cfg.chain.datadir, "/tmp/x");
    EXPECT_TRUE(p.cfg.chain.dev);
    EXPECT_EQ(p.cfg.http.port, 9000);
    EXPECT_FALSE(p.cfg.db.sync);
    EXPECT_EQ(p.cfg.http.cors_allowed_origins, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.cfg.log.format, "json");
    EXPECT_EQ(p.cfg.sequencer.min_block_interval, std::chrono::microseconds(2000));
    EXPECT_TRUE(p.cfg.db.archive);
    EXPECT_EQ(p.cfg.db.prune_keep, 500u);
    EXPECT_EQ(p.cfg.db.prune_interval, 0u);
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
    EXPECT_EQ(p.cfg.http.port, 9000);  // the flag wins
    EXPECT_EQ(p.cfg.http.address, "0.0.0.0");
    EXPECT_EQ(p.cfg.chain.datadir, "/data");
    EXPECT_TRUE(p.cfg.chain.dev);
    EXPECT_EQ(p.cfg.sequencer.max_pool_txs, 77u);
    EXPECT_FALSE(p.cfg.db.sync);
    EXPECT_FALSE(p.cfg.metrics.enabled);
    EXPECT_EQ(p.cfg.http.cors_allowed_origins, (std::vector<std::string>{"https://app.example"}));
}

TEST(NodeConfig, DottedTopLevelKeysAreTheSameAsTables) {
    Parsed p;
    parse(p, {}, "http.port = 4321\nlog.level = \"debug\"\n");
    EXPECT_EQ(p.cfg.http.port, 4321);
    EXPECT_EQ(p.cfg.log.level, "debug");
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
    // Found by node_config_fuzz: toml++ 3.3 asserts (assumes, with NDEBUG) on these headers.
    EXPECT_EQ(toml_error("[l1]\nconfirmations = 1\n[ = 3\n"),
              "test.toml:3:3: a table header must start with a key");
    EXPECT_EQ(toml_error("[[#x]]\n"), "test.toml:1:3: a table header must start with a key");
    EXPECT_EQ(toml_error("  [\t.a]\n"), "test.toml:1:5: a table header must start with a key");
    // Non-ASCII outside strings and comments (toml++ 3.3 reaches unreachable code on some):
    // refused with its place; inside strings and comments it is text as TOML allows.
    EXPECT_EQ(toml_error("timeout\xc9\x92s = 1\n"),
              "test.toml:1:8: a non-ASCII character outside a quoted string or comment");
    EXPECT_EQ(toml_error("[log]\nlevel = \"info\" \xc2\xa0\n"),
              "test.toml:2:16: a non-ASCII character outside a quoted string or comment");
    EXPECT_EQ(toml_error("[log]\nlevel = \"\"\"\n[ = 3\n\"\"\"\xc3\xa9\n"),
              "test.toml:4:4: a non-ASCII character outside a quoted string or comment");
    // A quote where no string can start is no string (node_config_fuzz's second toml++ input),
    // and a string left open is refused where it starts.
    EXPECT_EQ(toml_error("role = --etric'''dd\xc9\x9css datadi\n"),
              "test.toml:1:20: a non-ASCII character outside a quoted string or comment");
    EXPECT_EQ(toml_error("[log]\nlevel = 'info\n"), "test.toml:2:9: a string that is never closed");
    EXPECT_EQ(toml_error("a = \"\"\"x\xc3\xa9\n"), "test.toml:1:5: a string that is never closed");
}

TEST(NodeConfig, NonAsciiInsideStringsAndCommentsIsText) {
    // The prescan that keeps toml++ 3.3 away from non-ASCII syntax leaves strings and comments
    // alone: a `[` line or an escaped quote inside them is no header and no string's end.
    Parsed p;
    parse(p, {},
          "# caf\xc3\xa9 [ = 3\ndatadir = 'caf\xc3\xa9 \"' # \xc3\xa9\n"
          "[http]\ncors-origins = [\"a\\\"\xc3\xa9\", \"\"\"\n[ = \xc3\xa9\"\"\"]\n");
    EXPECT_EQ(p.cfg.chain.datadir, "caf\xc3\xa9 \"");
    EXPECT_EQ(p.cfg.http.cors_allowed_origins,
              (std::vector<std::string>{"a\"\xc3\xa9", "[ = \xc3\xa9"}));
}

TEST(NodeConfig, ValidateNamesTheProblem) {
    NodeConfig c;
    c.chain.datadir = "/d";
    EXPECT_EQ(c.validate(), "a genesis is required: --genesis <file.json> or --dev");
    c.chain.dev = true;
    c.chain.genesis = "g.json";
    EXPECT_EQ(c.validate(), "give either --dev or --genesis, not both");
    c.chain.genesis.clear();
    EXPECT_EQ(c.validate(), "");
    c.sequencer.min_block_interval = std::chrono::microseconds(60'000);
    EXPECT_EQ(c.validate().rfind("sequencer: min-block-interval-us must be between 0 and 50000", 0),
              0u)
        << c.validate();
    c.sequencer.min_block_interval = std::chrono::microseconds(5'000);
    c.sequencer.nonce_gap_wait = std::chrono::milliseconds(0);
    EXPECT_EQ(c.validate(), "sequencer: nonce-gap-wait-ms must be between 1 and 600000, not 0");
    c.sequencer.nonce_gap_wait = std::chrono::milliseconds(30'000);
    EXPECT_EQ(c.validate(),
              "sequencer.nonce-gap-wait-ms (30000) must be below rpc.timeout-ms (30000): a "
              "transaction behind a nonce gap would time out before it is refused");
    c.http.dispatch.handler_timeout = std::chrono::milliseconds(0);  // no timeout: any wait
    EXPECT_EQ(c.validate(), "");
    c.http.dispatch.handler_timeout = std::chrono::milliseconds(30'000);
    c.sequencer.nonce_gap_wait = std::chrono::milliseconds(1'000);
    c.log.format = "xml";
    EXPECT_EQ(c.validate(), "log: format must be text or json");
    c.log.format = "text";
    c.metrics.port = c.http.port;
    EXPECT_EQ(c.validate(), "metrics.port must differ from http.port");
    c.metrics.port = 6070;
    c.poster.batches.max_in_flight = 0;
    EXPECT_EQ(c.validate(), "poster: max-in-flight must be between 1 and 64");
    c.poster.batches.max_in_flight = 4;
    c.http.io_threads = 0;
    EXPECT_EQ(c.validate(), "http/rpc: io_threads must be between 1 and 256");
    c.http.io_threads = 2;
    c.role = Role::kValidator;
    EXPECT_EQ(c.validate(), "role validator needs an L1: l1.url or l1.preset");
    c.l1.url = "http://127.0.0.1:8545";
    EXPECT_EQ(c.validate(), "an L1 needs the contracts' deployment file: l1.deployment");
    c.l1.deployment = "d.json";
    EXPECT_EQ(c.validate(), "");
    c.validator.run.max_deposit_wait = 0;
    EXPECT_EQ(c.validate(), "validator: max-deposit-wait must be at least 1 L1 block");
    c.validator.run.max_deposit_wait = 720;
    c.sequencer.max_block_deposits = 0;
    EXPECT_EQ(c.validate(), "sequencer: max-block-deposits must be at least 1");
}

TEST(NodeConfig, DepositSettingsAreFlagsAndTomlKeys) {
    Parsed p;
    parse(p, {"--validator-max-deposit-wait", "40"});
    EXPECT_EQ(p.cfg.validator.run.max_deposit_wait, 40u);
    EXPECT_EQ(NodeConfig().validator.run.max_deposit_wait, 720u);
    EXPECT_EQ(NodeConfig().sequencer.max_block_deposits, 64u);
    Parsed t;
    parse(t, {}, "[sequencer]\nmax-block-deposits = 8\n[validator]\nmax-deposit-wait = 9\n");
    EXPECT_EQ(t.cfg.sequencer.max_block_deposits, 8u);
    EXPECT_EQ(t.cfg.validator.run.max_deposit_wait, 9u);
}

TEST(NodeConfig, EnumsAndDurationsParseOnceIntoTheComponentFields) {
    Parsed p;
    parse(p,
          {"--role", "validator", "--validator-mode", "watch", "--sequencer-l1-divergence", "halt",
           "--rpc-timeout-ms", "1500", "--poster-batch-format", "1"},
          "[l1]\npoll-ms = 250\n[rpc]\nfilter-timeout-ms = 60000\n[sequencer]\n"
          "nonce-gap-wait-ms = 250\n");
    EXPECT_EQ(p.cfg.role, Role::kValidator);
    EXPECT_EQ(p.cfg.validator.run.mode, validator::Mode::kWatch);
    EXPECT_EQ(p.cfg.l1_divergence, DivergencePolicy::kHalt);
    EXPECT_EQ(p.cfg.http.dispatch.handler_timeout, std::chrono::milliseconds(1500));
    EXPECT_EQ(p.cfg.poster.batches.batch_format, 1u);
    EXPECT_EQ(p.cfg.l1.poll, std::chrono::milliseconds(250));
    EXPECT_EQ(p.cfg.eth.filters.timeout, std::chrono::milliseconds(60'000));
    EXPECT_EQ(p.cfg.sequencer.nonce_gap_wait, std::chrono::milliseconds(250));
    Parsed flag;
    parse(flag, {"--sequencer-nonce-gap-wait-ms", "40"}, "[sequencer]\nnonce-gap-wait-ms = 250\n");
    EXPECT_EQ(flag.cfg.sequencer.nonce_gap_wait, std::chrono::milliseconds(40));  // flag wins
    // The node's defaults where they differ from a component's.
    EXPECT_EQ(p.cfg.poster.batches.max_in_flight, 4u);
    EXPECT_EQ(p.cfg.http.port, 8547);

    Parsed bad;
    EXPECT_THROW(parse(bad, {"--role", "miner"}), CLI::ValidationError);
    EXPECT_EQ(toml_error("[validator]\nmode = \"guess\"\n"),
              "test.toml: option \"validator.mode\": must be propose | watch | follow, not "
              "\"guess\"");
    EXPECT_EQ(toml_error("[validator]\nmode = 3\n"),
              "test.toml: option \"validator.mode\": expected a string");
    EXPECT_EQ(toml_error("[l1]\npoll-ms = -5\n"),
              "test.toml: option \"l1.poll-ms\": out of range (0..18446744073709551615)");
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
