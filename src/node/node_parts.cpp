#include "node/node_parts.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "arbos/arbos.hpp"
#include "arbos/memory_world.hpp"
#include "core/hex.hpp"
#include "core/stop_wait.hpp"
#include "inbox/deposit_reader.hpp"
#include "inbox/l1_progress.hpp"
#include "l1/deployment.hpp"
#include "l1/head_watcher.hpp"
#include "l1/presets.hpp"
#include "l1/rpc_client.hpp"
#include "l1/signer.hpp"
#include "node/node.hpp"
#include "node/run_node.hpp"
#include "poster/poster.hpp"
#include "sequencer/sequencer.hpp"
#include "state/state.hpp"
#include "storage/database.hpp"
#include "validator/validator.hpp"

namespace fuse::node {

arbos::Genesis load_genesis(const ChainConfig& c) {
    if (c.dev) return arbos::dev_genesis(c.dev_chain_id);
    return read_genesis_file(c.genesis);
}

namespace {

/// The genesis block is safe and finalized by definition (RollupCore records its hash), so
/// `safe` / `finalized` answer block 0 until L1 proves more, instead of "not found".
void ensure_tag_heads(storage::Database& db) {
    for (auto h : {storage::Head::kSafe, storage::Head::kFinalized}) {
        if (db.head(h)) continue;
        if (auto r = db.set_head(h, 0); !r)
            throw std::runtime_error("cannot set the safe/finalized head: " + r.error());
    }
}

}  // namespace

std::unique_ptr<storage::Database> open_database(const NodeConfig& cfg,
                                                 const arbos::Genesis& genesis) {
    const std::string genesis_source =
        cfg.chain.dev ? "--dev (chain id " + std::to_string(cfg.chain.dev_chain_id) + ")"
                      : "genesis file " + cfg.chain.genesis;
    const std::string& datadir = cfg.chain.datadir;
    arbos::MemoryWorld scratch;  // the expected genesis, computed without touching the db
    const arbos::Block expected = arbos::make_genesis_block(scratch, genesis);

    std::filesystem::create_directories(datadir);
    storage::Options opts = cfg.db;
    opts.path = (std::filesystem::path(datadir) / "chaindb").string();
    opts.on_prune = [](const storage::PruneStatus& s) {
        if (!s.last_error.empty()) {
            spdlog::warn("prune: {} (retried at the next cycle)", s.last_error);
            return;
        }
        spdlog::info(
            "pruned state below block {} (whole tries from block {} and every {}th below): {} "
            "trie nodes deleted, {} reachable from the window, {} rewritten meanwhile and kept, "
            "{:.2f} s ({})",
            s.oldest_state, s.oldest_trie, s.checkpoint, s.last_deleted, s.last_marked,
            s.last_kept_new, s.last_seconds,
            s.uncompacted_deleted == 0
                ? fmt::format("{:.2f} s compacting", s.last_compact_seconds)
                : fmt::format("not compacted: {} deleted since the last compaction, under a "
                              "quarter of those reachable",
                              s.uncompacted_deleted));
    };
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
        spdlog::info("initialized {} with genesis {} (chain id {})", datadir, to_hex(expected.hash),
                     genesis.chain_id);
        return std::move(*db);
    }
    const auto stored = database.block_hash(0);
    if (!stored || *stored != expected.hash) {
        throw std::runtime_error(
            "datadir " + datadir + " belongs to another chain: its genesis hash is " +
            (stored ? to_hex(*stored) : std::string("missing")) + " but " + genesis_source +
            " gives genesis hash " + to_hex(expected.hash) +
            "; use another --datadir or the genesis this datadir was created with");
    }
    ensure_tag_heads(database);
    spdlog::info("opened {} at block {} (genesis {}, chain id {})", datadir,
                 *database.head(storage::Head::kLatest), to_hex(expected.hash), genesis.chain_id);
    return std::move(*db);
}

std::optional<L1Connection> connect_l1(const L1Config& c, const Hash32& genesis_hash) {
    if (!c.enabled()) return std::nullopt;
    L1Connection s;
    const l1::L1Preset* preset = c.preset.empty() ? nullptr : l1::find_preset(c.preset);
    if (!c.preset.empty() && preset == nullptr)
        throw std::runtime_error("unknown l1.preset " + c.preset);
    l1::RpcClientConfig rc;
    if (preset) {
        rc = preset->client_config(c.url);
    } else {
        rc.url = c.url;
    }
    s.rpc = std::make_unique<l1::RpcClient>(rc);
    if (preset) l1::check_chain(*s.rpc, *preset);

    s.deployment = l1::read_deployment(c.deployment);
    if (s.deployment.genesis_hash && *s.deployment.genesis_hash != genesis_hash)
        throw std::runtime_error("l1.deployment's genesisHash " +
                                 to_hex(*s.deployment.genesis_hash) +
                                 " is not this chain's genesis " + to_hex(genesis_hash));
    return s;
}

l1::Signer load_key(const std::string& file, const char* env, const char* what) {
    if (!file.empty()) return l1::Signer::from_file(file);
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0')
        return l1::Signer::from_env(env);
    throw std::runtime_error(std::string(what) + " key missing: give its key file or set " + env);
}

rpc::ServerConfig server_config(const NodeConfig& cfg) {
    rpc::ServerConfig sc = cfg.http;
    sc.ws_allowed_origins = sc.cors_allowed_origins;  // one option, http.cors-origins, for both
    return sc;
}

void follow_l1_progress(storage::Database& db, const L1Connection& l1, const L1Config& c,
                        const std::atomic<bool>& stop, bool move_safe) {
    std::string last_problem;
    while (!stop.load(std::memory_order_acquire)) {
        std::string problem;
        try {
            const auto p = inbox::read_l1_progress(*l1.rpc, l1.deployment.inbox,
                                                   l1.deployment.rollup, c.confirmations);
            if (auto err = inbox::apply_l1_progress(db, p, move_safe)) problem = *err;
        } catch (const l1::L1Error& e) {
            problem =
                std::string("cannot read L1 progress (safe/finalized heads kept): ") + e.what();
        } catch (const storage::ReadError& e) {
            // The heads are re-derived from L1 every round: retried, never a crash.
            problem =
                std::string("storage: cannot read the heads (safe/finalized kept): ") + e.what();
        }
        if (!problem.empty() && problem != last_problem) spdlog::warn("{}", problem);
        if (problem.empty() && !last_problem.empty()) spdlog::info("L1 progress readable again");
        last_problem = problem;
        wait_unless_stopped(stop, c.poll);
    }
}

uint64_t next_deposit_after(const storage::Database& db, storage::Head head) {
    const auto number = db.head(head);
    const auto state = number ? db.state_at_block(*number) : nullptr;
    if (!state) return 0;
    const auto sys = arbos::read_system_state(*state);
    // As the database's own block reads: the caller's loop (or the start-up) handles it.
    if (!sys) throw storage::ReadError(state::to_string(sys.error()));
    return sys->next_deposit_index;
}

void follow_deposits(inbox::DepositReader& deposits, const l1::HeadWatcher& watcher,
                     sequencer::Sequencer& seq, const storage::Database& db,
                     const std::function<uint64_t()>& needed_from, std::chrono::milliseconds poll,
                     const std::atomic<bool>& stop) {
    std::string last_problem;
    // The deposit index at the finalized head, read again only when that head moves (a read
    // between two kept tries of a pruned node goes through undo records).
    std::optional<std::pair<std::optional<uint64_t>, uint64_t>> finalized_index;
    while (!stop.load(std::memory_order_acquire)) {
        std::string problem;
        const l1::L1Head view = watcher.current();
        try {
            if (view.known) {
                // A rewind can take the sequencer below what the reader keeps: read it again.
                deposits.ensure(seq.next_deposit_index(), view.number);
                deposits.poll(view.number);
                if (deposits.next_index() > seq.next_deposit_index()) seq.deposits_arrived();
                const auto fin = db.head(storage::Head::kFinalized);
                if (!finalized_index || finalized_index->first != fin)
                    finalized_index.emplace(fin, next_deposit_after(db, storage::Head::kFinalized));
                deposits.prune_below(
                    std::min({finalized_index->second, seq.next_deposit_index(), needed_from()}));
            }
        } catch (const l1::L1Error& e) {
            problem = std::string("cannot read the Bridge's deposits (retrying): ") + e.what();
        } catch (const inbox::DepositError& e) {
            problem = std::string("the Bridge's deposits do not check out (retrying): ") + e.what();
        } catch (const storage::ReadError& e) {
            problem = std::string("cannot read the database (retrying): ") + e.what();
        }
        if (!problem.empty() && problem != last_problem) spdlog::warn("deposits: {}", problem);
        if (problem.empty() && !last_problem.empty()) spdlog::info("deposits: readable again");
        last_problem = problem;
        wait_unless_stopped(stop, poll);
    }
}

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

void write_sequencer_stats(PrometheusWriter& w, const sequencer::Stats& s, bool halted) {
    w.single("fusel2_sequencer_commits_total", "counter",
             "Database commits (blocks / commits = group-commit size)", s.commits);
    w.single("fusel2_sequencer_execution_rejected_total", "counter",
             "Transactions accepted by the pool but rejected by ArbOS at execution",
             s.execution_rejected);
    w.single("fusel2_storage_errors_total", "counter",
             "Database reads and writes that failed (docs/storage.md \"Errors\"); a failed "
             "write or a read failing while sealing halts the sequencer",
             s.storage_errors);
    w.single("fusel2_sequencer_halted", "gauge",
             "1 when the sequencer halted (sequencer.l1-divergence = halt, or a storage failure); "
             "the reason is in GET /health",
             uint64_t{halted ? 1u : 0u});

    w.single("fusel2_sequencer_deposits_total", "counter",
             "L1 deposits included in durable blocks since start", s.deposits);
}

void write_db_memory(PrometheusWriter& w, const storage::Database& db) {
    const storage::MemoryUsage m = db.memory_usage();
    w.single("fusel2_db_memtable_bytes", "gauge",
             "RocksDB memtables of every column family (bounded by db.write-buffer-mb)",
             m.memtables);
    w.single("fusel2_db_block_cache_bytes", "gauge",
             "RocksDB block cache in use: data, index and filter blocks (bounded by db.cache-mb)",
             m.block_cache);
    w.single("fusel2_db_table_readers_bytes", "gauge",
             "RocksDB SST readers' memory outside the block cache (estimate)", m.table_readers);
    const storage::PruneStatus p = db.prune_status();
    w.single("fusel2_db_archive", "gauge", "1 on an archive node (every state kept), 0 if pruned",
             uint64_t{p.archive ? 1u : 0u});
    w.single("fusel2_db_oldest_state_block", "gauge",
             "Oldest block whose state this node keeps (0 on an archive node)", p.oldest_state);
    w.single("fusel2_db_oldest_trie_block", "gauge",
             "Oldest of the recent blocks whose whole trie (proofs) this node keeps; below it "
             "down to the oldest state, every db.prune-checkpoint-th block's",
             p.oldest_trie);
    w.single("fusel2_db_prune_cycles_total", "counter", "Prune cycles finished since start",
             p.cycles);
    w.single("fusel2_db_pruned_nodes_total", "counter", "Trie nodes deleted since start",
             p.deleted_total);
    w.single("fusel2_db_prune_marked_nodes", "gauge",
             "Trie nodes reachable from the window at the last prune cycle", p.last_marked);
    w.single("fusel2_db_prune_last_ms", "gauge", "Duration of the last prune cycle, milliseconds",
             static_cast<uint64_t>(p.last_seconds * 1000));
}

void write_tag_heads(PrometheusWriter& w, const storage::Database& db) {
    w.single("fusel2_safe_block", "gauge", "Highest L2 block in a batch on L1 (the safe tag)",
             db.head(storage::Head::kSafe).value_or(0));
    w.single("fusel2_finalized_block", "gauge",
             "Highest L2 block with its root on RollupCore (the finalized tag)",
             db.head(storage::Head::kFinalized).value_or(0));
}

void write_poster_status(PrometheusWriter& w, const poster::PosterStatus& s) {
    w.single("fusel2_poster_batches_total", "counter", "Batches this poster got confirmed on L1",
             s.batches_posted);
    w.single("fusel2_poster_bytes_total", "counter", "Batch data bytes confirmed on L1",
             s.bytes_posted);
    w.single("fusel2_poster_backlog_blocks", "gauge",
             "L2 blocks sealed but not yet in a batch on L1 (at the poster's last sync)",
             s.messages_sealed > s.messages_posted ? s.messages_sealed - s.messages_posted : 0);
    w.single("fusel2_poster_in_flight", "gauge", "Batches sent, not yet confirmed on L1",
             s.in_flight);
    w.single("fusel2_poster_l1_errors_total", "counter", "L1 failures of the poster (retried)",
             s.l1_errors);
}

void write_validator_status(PrometheusWriter& w, const validator::Status& s) {
    w.single("fusel2_validator_derived_block", "gauge", "L2 block derived from L1",
             s.derived_block);
    w.single("fusel2_validator_finalized_block", "gauge", "L2 block whose root is on L1",
             s.finalized_block);
    w.single("fusel2_validator_roots_in_flight", "gauge",
             "Proposer: root transactions not yet confirmed", s.roots_in_flight);
    w.single("fusel2_validator_mismatch", "gauge", "1 after a root/block mismatch",
             uint64_t{s.mismatch ? 1u : 0u});
    w.single("fusel2_validator_l1_errors_total", "counter", "L1 failures (retried)", s.l1_errors);
    w.single("fusel2_validator_next_deposit", "gauge",
             "The next L1 deposit index no derived block includes yet", s.next_deposit);
    w.single("fusel2_storage_errors_total", "counter",
             "Database reads and writes that failed (docs/storage.md \"Errors\"); a failed "
             "write or a read failing while deriving halts the validator",
             s.storage_errors);
    w.single("fusel2_validator_halted", "gauge",
             "1 when the validator halted (storage, inconsistent data, internal error); the reason "
             "is in GET /health",
             uint64_t{s.halted ? 1u : 0u});
    w.begin("fusel2_validator_derive_seconds_total", "counter",
            "Time spent deriving, by stage (docs/validator.md \"Catch-up\"): poll (L1 reads, on "
            "the prefetch thread), recover (sender recovery), wait (the executing thread waiting "
            "for L1), execute (blocks and roots), commit (on its own thread, while the next batch "
            "executes), commit_wait (the executing thread waiting for it); *_cpu: the same as CPU "
            "time of the threads doing it");
    const std::pair<const char*, double> stages[] = {
        {"poll", s.seconds_polling},       {"recover", s.seconds_recovering},
        {"wait", s.seconds_waiting},       {"execute", s.seconds_executing},
        {"commit", s.seconds_committing},  {"commit_wait", s.seconds_commit_waiting},
        {"recover_cpu", s.cpu_recovering}, {"execute_cpu", s.cpu_executing},
        {"commit_cpu", s.cpu_committing}};
    for (const auto& [stage, seconds] : stages)
        w.sample("fusel2_validator_derive_seconds_total", {{"stage", stage}}, seconds);
}

}  // namespace fuse::node
