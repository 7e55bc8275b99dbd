#include "node/run_node.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "arbos/arbos.hpp"
#include "arbos/genesis.hpp"
#include "arbos/memory_world.hpp"
#include "core/hex.hpp"
#include "core/stop_wait.hpp"
#include "ethrpc/eth_api.hpp"
#include "inbox/l1_progress.hpp"
#include "l1/head_watcher.hpp"
#include "l1/presets.hpp"
#include "l1/rpc_client.hpp"
#include "l1/signer.hpp"
#include "l1/tx_sender.hpp"
#include "node/logging.hpp"
#include "node/metrics_server.hpp"
#include "node/node_metrics.hpp"
#include "node/sequencer_l1.hpp"
#include "poster/poster.hpp"
#include "rpc/server.hpp"
#include "sequencer/sequencer.hpp"
#include "state/state.hpp"
#include "storage/database.hpp"
#include "validator/validator.hpp"

namespace fuse::node {
namespace {

arbos::Genesis load_genesis(const NodeConfig& cfg) {
    if (cfg.dev) return arbos::dev_genesis(cfg.dev_chain_id);
    return read_genesis_file(cfg.genesis);
}

/// The metrics endpoint, started, when enabled.
std::unique_ptr<MetricsServer> start_metrics(const NodeConfig& cfg, NodeMetrics& metrics) {
    if (!cfg.metrics) return nullptr;
    auto server = std::make_unique<MetricsServer>(cfg.metrics_address, cfg.metrics_port,
                                                  [&metrics] { return metrics.render(); });
    server->start();
    return server;
}

/// The lines tools and tests read the ports from (tests/lib/fusel2.mjs).
void log_endpoints(const NodeConfig& cfg, const rpc::Server& server, const MetricsServer* metrics) {
    spdlog::info("JSON-RPC listening on http://{}:{} (WebSocket {})", cfg.http_address,
                 server.port(), cfg.ws ? "on" : "off");
    if (metrics) {
        spdlog::info("metrics listening on http://{}:{}/metrics", cfg.metrics_address,
                     metrics->port());
    }
}

/// The genesis block is safe and finalized by definition (RollupCore records its hash), so
/// `safe` / `finalized` answer block 0 until L1 proves more, instead of "not found".
void ensure_tag_heads(storage::Database& db) {
    for (auto h : {storage::Head::kSafe, storage::Head::kFinalized}) {
        if (db.head(h)) continue;
        if (auto r = db.set_head(h, 0); !r)
            throw std::runtime_error("cannot set the safe/finalized head: " + r.error());
    }
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
        ensure_tag_heads(database);
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
    ensure_tag_heads(database);
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

void write_tag_heads(PrometheusWriter& w, const storage::Database& db) {
    w.begin("fusel2_safe_block", "gauge", "Highest L2 block in a batch on L1 (the safe tag)");
    w.sample("fusel2_safe_block", {}, db.head(storage::Head::kSafe).value_or(0));
    w.begin("fusel2_finalized_block", "gauge",
            "Highest L2 block with its root on RollupCore (the finalized tag)");
    w.sample("fusel2_finalized_block", {}, db.head(storage::Head::kFinalized).value_or(0));
}

void write_poster_status(PrometheusWriter& w, const poster::PosterStatus& s) {
    w.begin("fusel2_poster_batches_total", "counter", "Batches this poster got confirmed on L1");
    w.sample("fusel2_poster_batches_total", {}, s.batches_posted);
    w.begin("fusel2_poster_bytes_total", "counter", "Batch data bytes confirmed on L1");
    w.sample("fusel2_poster_bytes_total", {}, s.bytes_posted);
    w.begin("fusel2_poster_backlog_blocks", "gauge",
            "L2 blocks sealed but not yet in a batch on L1 (at the poster's last sync)");
    w.sample("fusel2_poster_backlog_blocks", {},
             s.messages_sealed > s.messages_posted ? s.messages_sealed - s.messages_posted : 0);
    w.begin("fusel2_poster_in_flight", "gauge", "Batches sent, not yet confirmed on L1");
    w.sample("fusel2_poster_in_flight", {}, s.in_flight);
    w.begin("fusel2_poster_l1_errors_total", "counter", "L1 failures of the poster (retried)");
    w.sample("fusel2_poster_l1_errors_total", {}, s.l1_errors);
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

/// The L1 side of a node: client, deployment (checked against our genesis).
struct L1Setup {
    std::unique_ptr<l1::RpcClient> rpc;
    Address inbox, rollup;
    uint64_t deploy_block = 0;
    uint64_t confirmations = 20;
};

std::optional<L1Setup> setup_l1(const NodeConfig& cfg, const Hash32& genesis_hash) {
    if (cfg.l1_url.empty() && cfg.l1_preset.empty()) return std::nullopt;
    L1Setup s;
    s.confirmations = cfg.l1_confirmations;
    const l1::L1Preset* preset = cfg.l1_preset.empty() ? nullptr : l1::find_preset(cfg.l1_preset);
    if (!cfg.l1_preset.empty() && preset == nullptr)
        throw std::runtime_error("unknown l1.preset " + cfg.l1_preset);
    l1::RpcClientConfig rc;
    if (preset) {
        rc = preset->client_config(cfg.l1_url);
    } else {
        rc.url = cfg.l1_url;
    }
    s.rpc = std::make_unique<l1::RpcClient>(rc);
    if (preset) l1::check_chain(*s.rpc, *preset);

    std::ifstream in(cfg.l1_deployment);
    if (!in) throw std::runtime_error("cannot read l1.deployment " + cfg.l1_deployment);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw std::runtime_error("l1.deployment " + cfg.l1_deployment + " is not a JSON object");
    auto addr = [&](const char* key) {
        std::optional<Address> a;
        if (j.contains(key) && j[key].is_string()) {
            if (auto parsed = address_from_hex(j[key].get<std::string>())) a = *parsed;
        }
        if (!a)
            throw std::runtime_error("l1.deployment: missing or bad \"" + std::string(key) + "\"");
        return *a;
    };
    s.inbox = addr("inbox");
    s.rollup = addr("rollup");
    if (j.contains("deployBlock") && j["deployBlock"].is_number_unsigned())
        s.deploy_block = j["deployBlock"].get<uint64_t>();
    if (j.contains("genesisHash") && j["genesisHash"].is_string()) {
        auto h = hash_from_hex(j["genesisHash"].get<std::string>());
        if (!h || *h != genesis_hash)
            throw std::runtime_error("l1.deployment's genesisHash " +
                                     j["genesisHash"].get<std::string>() +
                                     " is not this chain's genesis " + to_hex(genesis_hash));
    }
    return s;
}

l1::Signer load_key(const std::string& file, const char* env, const char* what) {
    if (!file.empty()) return l1::Signer::from_file(file);
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0')
        return l1::Signer::from_env(env);
    throw std::runtime_error(std::string(what) + " key missing: give its key file or set " + env);
}

/// --role validator: derives the chain from L1, serves reads, proposes or watches roots.
int serve_validator(const NodeConfig& cfg, const arbos::Genesis& genesis, storage::Database& db,
                    L1Setup& l1, const sigset_t& stop_signals) {
    rpc::Server server(server_config(cfg));
    NodeMetrics metrics(&server.metrics());
    ethrpc::Config eth_cfg;
    eth_cfg.max_logs_block_range = cfg.rpc_max_logs_block_range;
    eth_cfg.max_logs = cfg.rpc_max_logs;
    eth_cfg.max_call_gas = cfg.rpc_max_call_gas;
    ethrpc::EthApi api(db, genesis, nullptr, eth_cfg);
    api.register_methods(server);

    validator::Config vc;
    vc.mode = cfg.validator_mode == "propose" ? validator::Mode::kPropose
              : cfg.validator_mode == "watch" ? validator::Mode::kWatch
                                              : validator::Mode::kFollow;
    vc.reader.inbox = l1.inbox;
    vc.reader.deploy_block = l1.deploy_block;
    vc.reader.confirmations = l1.confirmations;
    vc.rollup = l1.rollup;
    vc.sequencer_url = cfg.validator_sequencer_url;
    vc.poll_interval = std::chrono::milliseconds(cfg.l1_poll_ms);
    vc.max_roots_in_flight = cfg.validator_max_in_flight;
    vc.log = [](const std::string& line) { spdlog::info("validator: {}", line); };
    std::atomic<bool> stop{false};
    std::atomic<bool> mismatch{false};
    vc.on_mismatch = [&](const std::string& text) {
        spdlog::error("validator ALARM: {}", text);
        mismatch = true;
        if (cfg.validator_exit_on_mismatch) kill(getpid(), SIGTERM);
    };
    std::unique_ptr<l1::TxSender> proposer;
    if (vc.mode == validator::Mode::kPropose) {
        proposer = std::make_unique<l1::TxSender>(
            *l1.rpc, load_key(cfg.validator_proposer_key_file, "FUSE_PROPOSER_KEY", "proposer"));
    }
    validator::Validator v(db, genesis, *l1.rpc, proposer.get(), vc);
    v.on_block([&api, &metrics](const arbos::Block& block) {
        api.on_block(block);
        metrics.block_sealed(block.header.number, block.txs.size());
    });
    metrics.set_extra([&v](PrometheusWriter& w) {
        const auto s = v.status();
        w.begin("fusel2_validator_derived_block", "gauge", "L2 block derived from L1");
        w.sample("fusel2_validator_derived_block", {}, s.derived_block);
        w.begin("fusel2_validator_finalized_block", "gauge", "L2 block whose root is on L1");
        w.sample("fusel2_validator_finalized_block", {}, s.finalized_block);
        w.begin("fusel2_validator_roots_in_flight", "gauge",
                "Proposer: root transactions not yet confirmed");
        w.sample("fusel2_validator_roots_in_flight", {}, s.roots_in_flight);
        w.begin("fusel2_validator_mismatch", "gauge", "1 after a root/block mismatch");
        w.sample("fusel2_validator_mismatch", {}, uint64_t{s.mismatch ? 1u : 0u});
        w.begin("fusel2_validator_l1_errors_total", "counter", "L1 failures (retried)");
        w.sample("fusel2_validator_l1_errors_total", {}, s.l1_errors);
    });
    std::unique_ptr<MetricsServer> metrics_server = start_metrics(cfg, metrics);
    server.start();
    std::thread worker([&] { v.run(stop); });
    log_endpoints(cfg, server, metrics_server.get());
    spdlog::info("validator ({}) running: inbox {}, rollup {}", cfg.validator_mode,
                 to_hex(l1.inbox), to_hex(l1.rollup));
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stop = true;
    worker.join();
    server.stop();
    if (metrics_server) metrics_server->stop();
    return mismatch && cfg.validator_exit_on_mismatch ? 3 : 0;
}

/// The sequencer's `safe` and `finalized` heads follow L1 (inbox/l1_progress.hpp) until `stop`.
void follow_l1_progress(storage::Database& db, L1Setup& l1, const NodeConfig& cfg,
                        const std::atomic<bool>& stop) {
    std::string last_problem;
    while (!stop.load(std::memory_order_acquire)) {
        std::string problem;
        try {
            const auto p = inbox::read_l1_progress(*l1.rpc, l1.inbox, l1.rollup, l1.confirmations);
            if (auto err = inbox::apply_l1_progress(db, p)) problem = *err;
        } catch (const l1::L1Error& e) {
            problem =
                std::string("cannot read L1 progress (safe/finalized heads kept): ") + e.what();
        }
        if (!problem.empty() && problem != last_problem) spdlog::warn("{}", problem);
        if (problem.empty() && !last_problem.empty()) spdlog::info("L1 progress readable again");
        last_problem = problem;
        wait_unless_stopped(stop, std::chrono::milliseconds(cfg.l1_poll_ms));
    }
}

/// The sequencer's status for `fusel2 status` and operators (JSON-RPC `fusel2_sequencerStatus`):
/// halted or not, the last rewind, the transactions rewinds dropped.
nlohmann::json sequencer_status_json(const sequencer::Sequencer& seq) {
    const sequencer::Stats s = seq.stats();
    nlohmann::json j = {{"halted", seq.halted().has_value()},
                        {"rewinds", s.rewinds},
                        {"rewoundBlocks", s.rewound_blocks},
                        {"resequencedTxs", s.resequenced_txs},
                        {"droppedTxs", s.dropped_txs}};
    if (auto h = seq.halted()) j["haltReason"] = *h;
    if (auto r = seq.last_rewind()) {
        j["lastRewind"] = {{"time", r->unix_time},
                           {"fromBlock", r->from_head},
                           {"keptThrough", r->kept_through},
                           {"adoptedBlocks", r->adopted_blocks},
                           {"droppedBlocks", r->dropped_blocks},
                           {"droppedTxs", r->dropped_txs},
                           {"requeuedTxs", r->requeued},
                           {"includedAgain", r->included_again},
                           {"reason", r->reason}};
    } else {
        j["lastRewind"] = nullptr;
    }
    nlohmann::json dropped = nlohmann::json::array();
    for (const auto& d : seq.dropped())
        dropped.push_back({{"hash", to_hex(d.hash)}, {"reason", d.reason}});
    j["recentlyDropped"] = std::move(dropped);
    return j;
}

/// Runs the sequencer, the JSON-RPC server and the metrics endpoint on `db` until a stop
/// signal, then stops them in order. Everything here is destroyed before the caller closes `db`.
/// Returns the exit code: 0, or 3 when the sequencer halted (sequencer.l1-divergence = halt).
int serve(const NodeConfig& cfg, const arbos::Genesis& genesis, storage::Database& database,
          L1Setup* l1_setup, const sigset_t& stop_signals) {
    storage::Database* db = &database;
    rpc::Server server(server_config(cfg));
    NodeMetrics metrics(&server.metrics());

    sequencer::Config seq_cfg;
    seq_cfg.min_block_interval = std::chrono::microseconds(cfg.sequencer_min_block_interval_us);
    seq_cfg.max_pool_txs = cfg.sequencer_max_pool_txs;
    seq_cfg.max_queued_per_sender = cfg.sequencer_max_queued_per_sender;
    seq_cfg.max_tx_size = cfg.sequencer_max_tx_size;
    seq_cfg.max_block_txs = cfg.sequencer_max_block_txs;
    seq_cfg.warn = [](const std::string& line) { spdlog::warn("sequencer: {}", line); };
    const sequencer::L1Info fixed_l1{cfg.l1_block_number, uint256(cfg.l1_base_fee)};
    std::unique_ptr<l1::HeadWatcher> watcher;
    if (l1_setup) {
        l1::HeadWatcherConfig wc;
        wc.lag = cfg.l1_lag;
        wc.poll_interval = std::chrono::milliseconds(cfg.l1_poll_ms);
        wc.log = [](const std::string& line) { spdlog::warn("L1 watcher: {}", line); };
        watcher = std::make_unique<l1::HeadWatcher>(*l1_setup->rpc, wc);
        watcher->poll();
        watcher->start();
    }
    auto l1_source = [&watcher, fixed_l1] {
        if (!watcher) return fixed_l1;
        const auto h = watcher->current();
        return h.known ? sequencer::L1Info{h.number, h.base_fee} : fixed_l1;
    };
    sequencer::Sequencer seq(*db, genesis, seq_cfg, l1_source);
    metrics.set_pool_size_source([&seq] { return seq.pool_size(); });

    ethrpc::Config eth_cfg;
    eth_cfg.max_logs_block_range = cfg.rpc_max_logs_block_range;
    eth_cfg.max_logs = cfg.rpc_max_logs;
    eth_cfg.max_call_gas = cfg.rpc_max_call_gas;
    ethrpc::EthApi api(*db, genesis, &seq, eth_cfg);
    api.register_methods(server);  // methods + the newHeads/logs subscription kinds
    seq.on_rejection(
        [&metrics](const sequencer::Rejection& r) { metrics.tx_refused(sequencer::to_label(r)); });
    // The batch poster (built before anything starts: a missing key fails the start cleanly).
    std::unique_ptr<l1::TxSender> poster_sender;
    std::unique_ptr<poster::BatchPoster> poster;
    if (l1_setup && cfg.poster_enabled) {
        poster_sender = std::make_unique<l1::TxSender>(
            *l1_setup->rpc, load_key(cfg.poster_key_file, "FUSE_POSTER_KEY", "batch poster"));
        poster::PosterConfig pc;
        pc.inbox = l1_setup->inbox;
        pc.max_batch_size = cfg.poster_max_batch_size;
        pc.max_batch_delay = std::chrono::milliseconds(cfg.poster_max_batch_delay_ms);
        pc.max_in_flight = cfg.poster_max_in_flight;
        pc.batch_format = static_cast<uint8_t>(cfg.poster_batch_format);
        pc.log = [](const std::string& line) { spdlog::info("batch poster: {}", line); };
        pc.warn = [](const std::string& line) { spdlog::warn("batch poster: {}", line); };
        poster = std::make_unique<poster::BatchPoster>(*db, *l1_setup->rpc, *poster_sender, pc);
    }
    // The L1 guard and repair (and the poster's rounds, on the same thread).
    std::unique_ptr<SequencerL1> seq_l1;
    if (l1_setup) {
        SequencerL1Config lc;
        lc.guard.reader.inbox = l1_setup->inbox;
        lc.guard.reader.deploy_block = l1_setup->deploy_block;
        lc.guard.reader.confirmations = l1_setup->confirmations;
        lc.guard.reader.log = [](const std::string& line) { spdlog::info("L1 guard: {}", line); };
        lc.guard.poll_interval = std::chrono::milliseconds(cfg.l1_poll_ms);
        lc.guard.log = [](const std::string& line) { spdlog::warn("L1 guard: {}", line); };
        lc.policy = cfg.sequencer_l1_divergence == "halt" ? DivergencePolicy::kHalt
                                                          : DivergencePolicy::kRewind;
        lc.poll_interval = std::chrono::milliseconds(cfg.l1_poll_ms);
        seq_l1 = std::make_unique<SequencerL1>(*db, *l1_setup->rpc, seq, poster.get(), lc);
    }
    metrics.set_extra([&seq, &poster, &seq_l1, db](PrometheusWriter& w) {
        write_sequencer_stats(w, seq.stats());
        write_tag_heads(w, *db);
        if (poster) write_poster_status(w, poster->status());
        if (seq_l1) seq_l1->write_metrics(w);
    });
    server.methods().register_method(
        "fusel2_sequencerStatus",
        [&seq](const nlohmann::json&, const rpc::CallContext&)
            -> Result<nlohmann::json, rpc::RpcError> { return sequencer_status_json(seq); });
    seq.on_rewind([&api](const sequencer::RewindReport&, const std::vector<arbos::Block>& dropped) {
        api.on_rewind(dropped);
    });

    seq.on_block([&api, &metrics](const arbos::Block& block) {
        api.on_block(block);
        for (size_t i = 0; i < block.txs.size(); ++i)
            metrics.tx_accepted();
        metrics.block_sealed(block.header.number, block.txs.size());
    });

    std::unique_ptr<MetricsServer> metrics_server = start_metrics(cfg, metrics);
    server.start();  // before the sequencer: a bind failure must not leave it running
    // What L1 no longer supports is repaired before the first new block is built on it.
    if (seq_l1) seq_l1->check_at_start();
    seq.start();
    // The L1 loop (guard + batch poster) and the safe/finalized follower: their own threads;
    // never block the sequencer.
    std::atomic<bool> poster_stop{false};
    std::thread poster_thread, progress_thread;
    if (l1_setup) {
        progress_thread =
            std::thread([&] { follow_l1_progress(*db, *l1_setup, cfg, poster_stop); });
    }
    if (seq_l1) poster_thread = std::thread([&] { seq_l1->run(poster_stop); });
    log_endpoints(cfg, server, metrics_server.get());
    spdlog::info("sequencer running: chain id {}, head {}", genesis.chain_id,
                 db->head(storage::Head::kLatest).value_or(0));

    int sig = 0;
    sigwait(&stop_signals, &sig);
    const auto halted = seq.halted();
    if (halted) {
        spdlog::error("sequencer halted, stopping: {}", *halted);
    } else {
        spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    poster_stop = true;  // first: no rewind starts while the sequencer stops
    if (poster_thread.joinable()) poster_thread.join();
    seq.stop();  // seals what was accepted, answers the waiting callers
    if (progress_thread.joinable()) progress_thread.join();
    if (watcher) watcher->stop();
    server.stop();
    if (metrics_server) metrics_server->stop();
    return halted ? 3 : 0;
}

}  // namespace

arbos::Genesis read_genesis_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read genesis file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto g = arbos::parse_genesis(text.str());
    if (!g) throw std::runtime_error("genesis file " + path + ": " + g.error());
    return *g;
}

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

    auto l1_setup = setup_l1(cfg, *db->block_hash(0));
    int code = 0;
    if (cfg.role == "validator") {
        code = serve_validator(cfg, genesis, *db, *l1_setup, stop_signals);
    } else {
        code = serve(cfg, genesis, *db, l1_setup ? &*l1_setup : nullptr, stop_signals);
    }
    const uint64_t head = db->head(storage::Head::kLatest).value_or(0);
    db.reset();
    spdlog::info("stopped {}at block {}", code == 0 ? "cleanly " : "", head);
    spdlog::default_logger()->flush();
    return code;
}

}  // namespace fuse::node
