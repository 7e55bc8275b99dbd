#include "node/run_node.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "core/hex.hpp"
#include "ethrpc/eth_api.hpp"
#include "node/logging.hpp"
#include "node/metrics_server.hpp"
#include "node/node_metrics.hpp"
#include "rpc/server.hpp"
#include "sequencer/sequencer.hpp"
#include "state/state.hpp"
#include "storage/database.hpp"

namespace fuse::node {
namespace {

arbos::Genesis load_genesis(const NodeConfig& cfg) {
    if (cfg.dev) return arbos::dev_genesis(cfg.dev_chain_id);
    std::ifstream in(cfg.genesis);
    if (!in) throw std::runtime_error("cannot read genesis file " + cfg.genesis);
    std::ostringstream text;
    text << in.rdbuf();
    auto g = arbos::parse_genesis(text.str());
    if (!g) throw std::runtime_error("genesis file " + cfg.genesis + ": " + g.error());
    return *g;
}

/// Opens the database and makes sure it holds this genesis (committing it when empty).
std::unique_ptr<storage::Database> open_database(const NodeConfig& cfg,
                                                 const arbos::Genesis& genesis,
                                                 const std::string& genesis_source) {
    arbos::MemoryWorld scratch;  // the expected genesis, computed without touching the db
    const arbos::Block expected = arbos::make_genesis_block(scratch, genesis);

    std::filesystem::create_directories(cfg.datadir);
    storage::Options opts;
    opts.path = (std::filesystem::path(cfg.datadir) / "chaindb").string();
    opts.sync = cfg.fsync;
    opts.block_cache_mb = cfg.db_cache_mb;
    auto db = storage::Database::open(opts);
    if (!db) throw std::runtime_error(db.error());
    auto& database = **db;

    if (!database.head(storage::Head::kLatest)) {
        state::StateDiff diff;
        const arbos::Block block = arbos::make_genesis_block(database.world(), genesis, &diff);
        if (block.hash != expected.hash) {
            throw std::runtime_error("genesis block is not deterministic: " + to_hex(block.hash) +
                                     " vs " + to_hex(expected.hash));
        }
        arbos::Message msg;
        msg.timestamp = genesis.timestamp;
        const storage::BlockCommit commit{&block, &diff, &msg};
        if (auto r = database.commit({&commit, 1}); !r)
            throw std::runtime_error("cannot commit the genesis block: " + r.error());
        spdlog::info("initialized {} with genesis {} (chain id {})", cfg.datadir,
                     to_hex(expected.hash), genesis.chain_id);
        return std::move(*db);
    }
    const auto stored = database.block_hash(0);
    if (!stored || *stored != expected.hash) {
        throw std::runtime_error(
            "datadir " + cfg.datadir + " belongs to another chain: its genesis hash is " +
            (stored ? to_hex(*stored) : std::string("missing")) + " but " + genesis_source +
            " gives genesis hash " + to_hex(expected.hash) +
            "; use another --datadir or the genesis this datadir was created with");
    }
    spdlog::info("opened {} at block {} (genesis {}, chain id {})", cfg.datadir,
                 *database.head(storage::Head::kLatest), to_hex(expected.hash), genesis.chain_id);
    return std::move(*db);
}

void write_sequencer_stats(PrometheusWriter& w, const sequencer::Stats& s) {
    w.begin("fusel2_sequencer_commits_total", "counter",
            "Database commits (blocks / commits = group-commit size)");
    w.sample("fusel2_sequencer_commits_total", {}, s.commits);
    w.begin("fusel2_sequencer_execution_rejected_total", "counter",
            "Transactions accepted by the pool but rejected by ArbOS at execution");
    w.sample("fusel2_sequencer_execution_rejected_total", {}, s.execution_rejected);
}

rpc::ServerConfig server_config(const NodeConfig& cfg) {
    rpc::ServerConfig sc;
    sc.address = cfg.http_address;
    sc.port = cfg.http_port;
    sc.io_threads = cfg.http_threads;
    sc.websocket = cfg.ws;
    sc.max_request_bytes = cfg.rpc_max_request_bytes;
    sc.dispatch.max_batch_items = cfg.rpc_max_batch_items;
    sc.dispatch.handler_timeout = std::chrono::milliseconds(cfg.rpc_timeout_ms);
    sc.max_connections = cfg.rpc_max_connections;
    sc.cors_allowed_origins = cfg.http_cors_origins;
    sc.ws_allowed_origins = cfg.http_cors_origins;
    if (std::string err = sc.validate(); !err.empty())
        throw std::runtime_error("invalid rpc settings: " + err);
    return sc;
}

/// Runs the sequencer, the JSON-RPC server and the metrics endpoint on `db` until a stop
/// signal, then stops them in order. Everything here is destroyed before the caller closes `db`.
void serve(const NodeConfig& cfg, const arbos::Genesis& genesis, storage::Database& database,
           const sigset_t& stop_signals) {
    storage::Database* db = &database;
    rpc::Server server(server_config(cfg));
    NodeMetrics metrics(&server.metrics());

    sequencer::Config seq_cfg;
    seq_cfg.min_block_interval = std::chrono::microseconds(cfg.sequencer_min_block_interval_us);
    seq_cfg.max_pool_txs = cfg.sequencer_max_pool_txs;
    seq_cfg.max_queued_per_sender = cfg.sequencer_max_queued_per_sender;
    seq_cfg.max_tx_size = cfg.sequencer_max_tx_size;
    seq_cfg.max_block_txs = cfg.sequencer_max_block_txs;
    const sequencer::L1Info l1{cfg.l1_block_number, uint256(cfg.l1_base_fee)};
    sequencer::Sequencer seq(*db, genesis, seq_cfg, [l1] { return l1; });
    metrics.set_pool_size_source([&seq] { return seq.pool_size(); });

    ethrpc::Config eth_cfg;
    eth_cfg.max_logs_block_range = cfg.rpc_max_logs_block_range;
    eth_cfg.max_logs = cfg.rpc_max_logs;
    eth_cfg.max_call_gas = cfg.rpc_max_call_gas;
    ethrpc::EthApi api(*db, genesis, &seq, eth_cfg);
    api.register_methods(server);  // methods + the newHeads/logs subscription kinds
    seq.on_rejection([&metrics](const sequencer::Rejection& r) {
        metrics.tx_refused(sequencer::to_label(r.reason));
    });
    metrics.set_extra([&seq](PrometheusWriter& w) { write_sequencer_stats(w, seq.stats()); });

    seq.on_block([&api, &metrics](const arbos::Block& block) {
        api.on_block(block);
        for (size_t i = 0; i < block.txs.size(); ++i)
            metrics.tx_accepted();
        metrics.block_sealed(block.header.number, block.txs.size());
    });

    std::unique_ptr<MetricsServer> metrics_server;
    if (cfg.metrics) {
        metrics_server = std::make_unique<MetricsServer>(cfg.metrics_address, cfg.metrics_port,
                                                         [&metrics] { return metrics.render(); });
        metrics_server->start();
    }
    server.start();  // before the sequencer: a bind failure must not leave it running
    seq.start();
    spdlog::info("JSON-RPC listening on http://{}:{} (WebSocket {})", cfg.http_address,
                 server.port(), cfg.ws ? "on" : "off");
    if (metrics_server) {
        spdlog::info("metrics listening on http://{}:{}/metrics", cfg.metrics_address,
                     metrics_server->port());
    }
    spdlog::info("sequencer running: chain id {}, head {}", genesis.chain_id,
                 db->head(storage::Head::kLatest).value_or(0));

    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    seq.stop();  // seals what was accepted, answers the waiting callers
    server.stop();
    if (metrics_server) metrics_server->stop();
}

}  // namespace

int run_node(const NodeConfig& cfg) {
    setup_logging(cfg.log_level, cfg.log_format);

    // Every thread started below inherits this mask, so SIGINT/SIGTERM reach only sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    const arbos::Genesis genesis = load_genesis(cfg);
    const std::string genesis_source =
        cfg.dev ? "--dev (chain id " + std::to_string(cfg.dev_chain_id) + ")"
                : "genesis file " + cfg.genesis;
    auto db = open_database(cfg, genesis, genesis_source);

    serve(cfg, genesis, *db, stop_signals);
    const uint64_t head = db->head(storage::Head::kLatest).value_or(0);
    db.reset();
    spdlog::info("stopped cleanly at block {}", head);
    spdlog::default_logger()->flush();
    return 0;
}

}  // namespace fuse::node
