#include "node/node.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/hex.hpp"
#include "ethrpc/eth_api.hpp"
#include "inbox/deposit_reader.hpp"
#include "l1/head_watcher.hpp"
#include "l1/rpc_client.hpp"
#include "l1/signer.hpp"
#include "l1/tx_sender.hpp"
#include "node/node_parts.hpp"
#include "node/sequencer_l1.hpp"
#include "poster/poster.hpp"
#include "sequencer/sequencer.hpp"
#include "storage/database.hpp"
#include "validator/validator.hpp"

namespace fuse::node {
namespace {

/// `<datadir>/endpoints.json`: where this process serves, written once both servers are bound
/// (so programs that started it with port 0 find the ports without reading the log), removed
/// on a clean stop. Written to a temporary file and renamed: a reader never sees half of it.
void write_endpoints_file(const std::filesystem::path& file, const nlohmann::json& j) {
    const auto tmp = file.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << j.dump() << "\n";
        if (!out) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, file);
}

}  // namespace

Node::Node(const NodeConfig& cfg)
    : cfg_(cfg),
      genesis_(load_genesis(cfg.chain)),
      db_(open_database(cfg, genesis_)),
      l1_(connect_l1(cfg.l1, *db_->block_hash(0))),
      server_(server_config(cfg)),
      metrics_(&server_.metrics()) {
    if (cfg.role == Role::kValidator) {
        build_validator();
    } else {
        build_sequencer();
    }
    server_.set_probe([this](std::string_view path) { return probe(path); });
    metrics_.set_extra([this](PrometheusWriter& w) { write_role_metrics(w); });
}

Node::~Node() {
    stop();  // after a failed start or run: nothing keeps running behind a destroyed part
}

ethrpc::Config Node::eth_config() const {
    ethrpc::Config ec = cfg_.eth;
    // NodeInterface.getL1Confirmations counts from the L1 head; the inbox reader (the
    // sequencer's L1 guard, the validator) reads l1.confirmations below it.
    if (l1_) ec.l1_confirmations = cfg_.l1.confirmations;
    return ec;
}

void Node::build_deposit_reader() {
    if (!l1_ || !l1_->deployment.bridge) return;
    inbox::DepositReaderConfig dc;
    dc.bridge = l1_->deployment.bridge->bridge;
    dc.deploy_block = l1_->deployment.bridge->deploy_block;
    dc.block_of = [db = db_.get()](uint64_t index) -> std::optional<uint64_t> {
        const auto d = db->deposit(index);
        return d ? std::optional(d->l1_block_number) : std::nullopt;
    };
    dc.log = [](const std::string& line) { spdlog::info("deposits: {}", line); };
    // From the deposits after the safe head: what the L1 guard (or a validator) may check
    // again; older ones are read again only if needed (DepositReader::ensure).
    deposits_ = std::make_unique<inbox::DepositReader>(
        *l1_->rpc, dc, next_deposit_after(*db_, storage::Head::kSafe));
    spdlog::info("reading L1 deposits from the Bridge at {} from deposit {}", to_hex(dc.bridge),
                 deposits_->first_index());
}

void Node::build_sequencer() {
    const L1Config& l1c = cfg_.l1;
    if (l1_) {
        l1::HeadWatcherConfig wc;
        wc.lag = l1c.lag;
        wc.poll_interval = l1c.poll;
        wc.log = [](const std::string& line) { spdlog::warn("L1 watcher: {}", line); };
        watcher_ = std::make_unique<l1::HeadWatcher>(*l1_->rpc, wc);
        watcher_->poll();
        watcher_->start();
    }
    build_deposit_reader();
    sequencer::DepositSource deposit_source;
    if (deposits_)
        deposit_source = [r = deposits_.get()](uint64_t first, uint64_t max_block, size_t max) {
            return r->pending(first, max_block, max);
        };
    const sequencer::L1Info fixed{l1c.fixed_block_number, uint256(l1c.fixed_base_fee)};
    auto l1_source = [w = watcher_.get(), fixed] {
        if (w == nullptr) return fixed;
        const auto h = w->current();
        return h.known ? sequencer::L1Info{h.number, h.base_fee} : fixed;
    };
    sequencer::Config sc = cfg_.sequencer;
    sc.warn = [](const std::string& line) { spdlog::warn("sequencer: {}", line); };
    sequencer_ =
        std::make_unique<sequencer::Sequencer>(*db_, genesis_, sc, l1_source, deposit_source);
    metrics_.set_pool_size_source([s = sequencer_.get()] { return s->pool_size(); });

    api_ = std::make_unique<ethrpc::EthApi>(*db_, genesis_, sequencer_.get(), eth_config());
    api_->register_methods(server_);  // methods + the newHeads/logs subscription kinds
    server_.methods().register_method(
        "fusel2_sequencerStatus",
        [s = sequencer_.get()](const nlohmann::json&, const rpc::CallContext&)
            -> Result<nlohmann::json, rpc::RpcError> { return sequencer_status_json(*s); });
    sequencer_->on_rejection(
        [this](const sequencer::Rejection& r) { metrics_.tx_refused(sequencer::to_label(r)); });
    sequencer_->on_rewind(
        [this](const sequencer::RewindReport&, const std::vector<arbos::Block>& dropped) {
            api_->on_rewind(dropped);
        });
    sequencer_->on_block([this](const arbos::Block& block) {
        api_->on_block(block);
        for (size_t i = 0; i < block.txs.size(); ++i)
            metrics_.tx_accepted();
        metrics_.block_sealed(block.header.number, block.txs.size());
    });
    if (!l1_) return;

    // The batch poster (built before anything starts: a missing key fails the start cleanly).
    if (cfg_.poster.enabled) {
        poster_sender_ = std::make_unique<l1::TxSender>(
            *l1_->rpc, load_key(cfg_.poster.key_file, "FUSE_POSTER_KEY", "batch poster"));
        poster::PosterConfig pc = cfg_.poster.batches;
        pc.inbox = l1_->deployment.inbox;
        pc.log = [](const std::string& line) { spdlog::info("batch poster: {}", line); };
        pc.warn = [](const std::string& line) { spdlog::warn("batch poster: {}", line); };
        poster_ = std::make_unique<poster::BatchPoster>(*db_, *l1_->rpc, *poster_sender_, pc);
    }
    // The L1 guard and repair, with the poster's rounds on the same loop.
    SequencerL1Config lc;
    lc.guard.reader.inbox = l1_->deployment.inbox;
    lc.guard.reader.deploy_block = l1_->deployment.deploy_block;
    lc.guard.reader.confirmations = l1c.confirmations;
    lc.guard.reader.deposits = deposits_.get();  // posted batches checked as validators do
    lc.guard.reader.log = [](const std::string& line) { spdlog::info("L1 guard: {}", line); };
    lc.guard.poll_interval = l1c.poll;
    lc.guard.log = [](const std::string& line) { spdlog::warn("L1 guard: {}", line); };
    lc.policy = cfg_.l1_divergence;
    lc.poll_interval = l1c.poll;
    sequencer_l1_ = std::make_unique<SequencerL1>(*db_, *l1_->rpc, *sequencer_, poster_.get(), lc);
    loops_.push_back([this](const std::atomic<bool>& stop) { sequencer_l1_->run(stop); });
    loops_.push_back(
        [this](const std::atomic<bool>& stop) { follow_l1_progress(*db_, *l1_, cfg_.l1, stop); });
    if (deposits_)
        loops_.push_back([this](const std::atomic<bool>& stop) {
            follow_deposits(
                *deposits_, *watcher_, *sequencer_, *db_,
                [this] { return sequencer_l1_->deposits_needed_from(); }, cfg_.l1.poll, stop);
        });
}

void Node::build_validator() {
    build_deposit_reader();
    api_ = std::make_unique<ethrpc::EthApi>(*db_, genesis_, nullptr, eth_config());
    api_->register_methods(server_);

    validator::Config vc = cfg_.validator.run;
    vc.reader.inbox = l1_->deployment.inbox;
    vc.reader.deploy_block = l1_->deployment.deploy_block;
    vc.reader.confirmations = cfg_.l1.confirmations;
    vc.reader.deposits = deposits_.get();
    vc.rollup = l1_->deployment.rollup;
    vc.poll_interval = cfg_.l1.poll;
    vc.log = [](const std::string& line) {
        if (line.starts_with("HALTED: "))
            spdlog::error("validator {}", line);
        else
            spdlog::info("validator: {}", line);
    };
    vc.on_mismatch = [this](const std::string& text) {
        spdlog::error("validator ALARM: {}", text);
        mismatch_ = true;
        if (cfg_.validator.exit_on_mismatch) kill(getpid(), SIGTERM);
    };
    if (vc.mode == validator::Mode::kPropose) {
        proposer_sender_ = std::make_unique<l1::TxSender>(
            *l1_->rpc, load_key(cfg_.validator.proposer_key_file, "FUSE_PROPOSER_KEY", "proposer"));
    }
    validator_ = std::make_unique<validator::Validator>(*db_, genesis_, *l1_->rpc,
                                                        proposer_sender_.get(), vc);
    validator_->on_block([this](const arbos::Block& block) {
        api_->on_block(block);
        metrics_.block_sealed(block.header.number, block.txs.size());
    });
    loops_.push_back([this](const std::atomic<bool>& stop) { validator_->run(stop); });
    // A follow-mode validator neither posts nor checks roots, so nothing else would move its
    // `finalized` head (the tag wallets read, and the bound below which a pruned node drops
    // undo records): it follows RollupCore's latest root when that block is this node's.
    if (vc.mode == validator::Mode::kFollow)
        loops_.push_back([this](const std::atomic<bool>& stop) {
            follow_l1_progress(*db_, *l1_, cfg_.l1, stop, /*move_safe=*/false);
        });
}

void Node::start() {
    if (cfg_.metrics.enabled) {
        metrics_server_ = std::make_unique<MetricsServer>(
            cfg_.metrics.address, cfg_.metrics.port, [this] { return metrics_.render(); },
            [this](std::string_view path) { return probe(path); });
        metrics_server_->start();
    }
    server_.start();  // before the sequencer: a bind failure must not leave it running
    // What L1 no longer supports is repaired before the first new block is built on it.
    if (sequencer_l1_) sequencer_l1_->check_at_start();
    if (sequencer_) sequencer_->start();
    for (auto& loop : loops_)
        threads_.emplace_back([this, &loop] { loop(stop_loops_); });
}

void Node::stop() {
    stop_loops_ = true;  // first: no rewind starts while the sequencer stops
    // A loop waiting on an L1 that does not answer (timeouts, backoff) would hold the join
    // below for minutes: its request ends now, as an L1 error the loop already handles.
    if (l1_) {
        spdlog::info("stopping: L1 requests in progress are interrupted");
        l1_->rpc->stop();
    }
    if (validator_) validator_->interrupt();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
    if (sequencer_) sequencer_->stop();  // seals what was accepted, answers the waiting callers
    if (watcher_) watcher_->stop();
    server_.stop();
    if (metrics_server_) metrics_server_->stop();
}

int Node::run(const sigset_t& stop_signals) {
    const auto endpoints = std::filesystem::path(cfg_.chain.datadir) / "endpoints.json";
    std::filesystem::remove(endpoints);
    start();
    nlohmann::json ep = {
        {"pid", getpid()},
        {"http", "http://" + cfg_.http.address + ":" + std::to_string(server_.port())}};
    if (metrics_server_) {
        ep["metrics"] =
            "http://" + cfg_.metrics.address + ":" + std::to_string(metrics_server_->port());
    }
    write_endpoints_file(endpoints, ep);
    phase_ = Phase::kServing;
    // For people reading the log; programs use GET /ready (docs/node.md).
    spdlog::info("JSON-RPC listening on http://{}:{} (WebSocket {})", cfg_.http.address,
                 server_.port(), cfg_.http.websocket ? "on" : "off");
    if (metrics_server_) {
        spdlog::info("metrics listening on http://{}:{}/metrics", cfg_.metrics.address,
                     metrics_server_->port());
    }
    if (sequencer_) {
        spdlog::info("sequencer running: chain id {}, head {}", genesis_.chain_id,
                     db_->head(storage::Head::kLatest).value_or(0));
    } else {
        const auto mode = cfg_.validator.run.mode;
        spdlog::info("validator ({}) running: inbox {}, rollup {}",
                     mode == validator::Mode::kPropose ? "propose"
                     : mode == validator::Mode::kWatch ? "watch"
                                                       : "follow",
                     to_hex(l1_->deployment.inbox), to_hex(l1_->deployment.rollup));
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    phase_ = Phase::kStopping;
    const auto halted = sequencer_   ? sequencer_->halted()
                        : validator_ ? validator_->status().halted
                                     : std::nullopt;
    if (halted) {
        spdlog::error("{} halted, stopping: {}", sequencer_ ? "sequencer" : "validator", *halted);
    } else {
        spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    }
    stop();
    std::filesystem::remove(endpoints);
    spdlog::info("stopped {}at block {}", halted ? "" : "cleanly ",
                 db_->head(storage::Head::kLatest).value_or(0));
    if (halted) return 3;
    return mismatch_ && cfg_.validator.exit_on_mismatch ? 3 : 0;
}

std::optional<std::string> Node::unhealthy() const {
    if (sequencer_) {
        if (auto h = sequencer_->halted()) return "sequencer halted: " + *h;
    }
    if (validator_) {
        const auto s = validator_->status();
        if (s.halted) return "validator halted: " + *s.halted;
        if (s.mismatch) return "validator alarm: " + s.alarm;
    }
    return std::nullopt;
}

std::optional<rpc::ProbeAnswer> Node::probe(std::string_view path) const {
    try {
        return probe_or_throw(path);
    } catch (const storage::ReadError& e) {
        // The database cannot be read: neither healthy nor ready, and the reason says why.
        return rpc::ProbeAnswer{503, nlohmann::json{{"status", "unhealthy"},
                                                    {"ready", false},
                                                    {"reason", std::string("storage: ") + e.what()}}
                                         .dump()};
    }
}

std::optional<rpc::ProbeAnswer> Node::probe_or_throw(std::string_view path) const {
    const bool health = path == "/health";
    if (!health && path != "/ready") return std::nullopt;
    const auto problem = unhealthy();
    if (health) {
        if (problem)
            return rpc::ProbeAnswer{
                503, nlohmann::json{{"status", "unhealthy"}, {"reason", *problem}}.dump()};
        return rpc::ProbeAnswer{200, R"({"status":"ok"})"};
    }
    const Phase phase = phase_.load();
    if (phase != Phase::kServing || problem) {
        const std::string reason = problem                     ? *problem
                                   : phase == Phase::kStarting ? "starting"
                                                               : "stopping";
        return rpc::ProbeAnswer{503, nlohmann::json{{"ready", false}, {"reason", reason}}.dump()};
    }
    nlohmann::json j = {
        {"ready", true},
        {"role", cfg_.role == Role::kValidator ? "validator" : "sequencer"},
        {"chainId", genesis_.chain_id},
        {"latest", db_->head(storage::Head::kLatest).value_or(0)},
        {"safe", db_->head(storage::Head::kSafe).value_or(0)},
        {"finalized", db_->head(storage::Head::kFinalized).value_or(0)},
    };
    if (validator_) j["derived"] = validator_->status().derived_block;
    return rpc::ProbeAnswer{200, j.dump()};
}

void Node::write_role_metrics(PrometheusWriter& w) const {
    if (sequencer_) {
        write_sequencer_stats(w, sequencer_->stats(), sequencer_->halted().has_value());
        try {
            write_tag_heads(w, *db_);
        } catch (const storage::ReadError& e) {
            // The other families are still served; the log says why these are missing.
            spdlog::warn("metrics: cannot read the safe/finalized heads: {}", e.what());
        }
        if (poster_) write_poster_status(w, poster_->status());
        if (sequencer_l1_) sequencer_l1_->write_metrics(w);
    }
    if (validator_) write_validator_status(w, validator_->status());
    write_db_memory(w, *db_);
}

}  // namespace fuse::node
