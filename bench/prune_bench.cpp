// Datadir bytes per block and per transaction, pruned and archive (issue 16 point 1).
//
// Seals real signed ERC-20 transfers through arbos::execute_message + Database::commit (one
// commit per block, as the sequencer's sealing), in one of two shapes:
//   --mode single: one transfer per block (a sequencer at low load seals each transaction alone);
//   --mode burst:  --block-txs transfers per block (a sequencer under burst load).
// The finalized head trails the latest by --final-lag blocks (a node whose roots reach
// RollupCore that much later). At checkpoints it prints the RocksDB directory's size (the sum of
// its files, what `du --apparent-size` counts) per block and per transaction, cumulative and
// since the previous checkpoint (the steady-state rate); at the end, after one last prune cycle,
// before and after a full compaction. A one-shot program (not Google Benchmark). See README.md.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "arbos/arbos.hpp"
#include "bench_token.hpp"
#include "core/hash.hpp"
#include "core/secp256k1.hpp"
#include "core/transaction.hpp"
#include "storage/database.hpp"

using namespace fuse;
using namespace fuse::bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kChainId = 412346;
/// An ERC-20 transfer's gas limit: a block's 32 M compute gas holds 457 of them (a transaction
/// fits when its gas limit does), so --block-txs 400 is a full block.
constexpr uint64_t kTransferGas = 70'000;

struct Job {
    Transaction tx;
    Hash32 key;
};

Job make_tx(const Hash32& key, uint64_t nonce, const Address& to, uint256 value, uint64_t gas,
            Bytes data) {
    Job j;
    j.tx.type = TxType::kDynamicFee;
    j.tx.chain_id = kChainId;
    j.tx.nonce = nonce;
    j.tx.max_fee_per_gas = uint256(10'000'000'000ull);
    j.tx.gas_limit = gas;
    j.tx.to = to;
    j.tx.value = value;
    j.tx.data = std::move(data);
    j.key = key;
    return j;
}

/// Signs on every core.
std::vector<Bytes> sign_all(std::vector<Job>& jobs) {
    std::vector<Bytes> raw(jobs.size());
    const size_t threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (size_t i = t; i < jobs.size(); i += threads) {
                if (!sign_transaction(jobs[i].tx, jobs[i].key)) std::abort();
                raw[i] = encode_transaction(jobs[i].tx);
            }
        });
    for (auto& th : pool)
        th.join();
    return raw;
}

uint64_t dir_bytes(const std::string& dir) {
    uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec))
        if (e.is_regular_file(ec)) total += e.file_size(ec);
    return total;
}

struct Args {
    std::string mode = "single";
    std::string dir = "/tmp/fuse-prune-bench";
    uint64_t txs = 1'000'000;
    size_t block_txs = 400;
    size_t accounts = 10'000;
    bool archive = false;
    uint64_t keep = 128;
    uint64_t interval = 4096;
    uint64_t stride = 64;
    bool compact_after_prune = true;
    uint64_t max_busy = storage::Options{}.prune_max_busy;
    uint64_t final_lag = 1000;
    int checkpoints = 10;
};

}  // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", k.c_str());
                std::exit(1);
            }
            return argv[++i];
        };
        if (k == "--mode")
            a.mode = next();
        else if (k == "--dir")
            a.dir = next();
        else if (k == "--txs")
            a.txs = std::stoull(next());
        else if (k == "--block-txs")
            a.block_txs = std::stoull(next());
        else if (k == "--accounts")
            a.accounts = std::stoull(next());
        else if (k == "--archive")
            a.archive = true;
        else if (k == "--keep")
            a.keep = std::stoull(next());
        else if (k == "--interval")
            a.interval = std::stoull(next());
        else if (k == "--checkpoint-stride")
            a.stride = std::stoull(next());
        else if (k == "--no-compact-after-prune")
            a.compact_after_prune = false;
        else if (k == "--max-busy")
            a.max_busy = std::stoull(next());
        else if (k == "--final-lag")
            a.final_lag = std::stoull(next());
        else if (k == "--checkpoints")
            a.checkpoints = std::stoi(next());
        else {
            std::fprintf(stderr,
                         "usage: prune_bench [--mode single|burst] [--txs N] [--block-txs N] "
                         "[--accounts N] [--archive] [--keep N] [--interval N] [--final-lag N] "
                         "[--checkpoints N] [--checkpoint-stride N] [--no-compact-after-prune] "
                         "[--max-busy PERCENT] [--dir PATH]\n");
            return 1;
        }
    }
    if (a.mode != "single" && a.mode != "burst") {
        std::fprintf(stderr, "--mode must be single or burst\n");
        return 1;
    }
    const size_t per_block = a.mode == "single" ? 1 : a.block_txs;
    std::filesystem::remove_all(a.dir);
    storage::Options o;
    o.path = a.dir;
    o.sync = false;  // the bench measures bytes, not fsync latency
    o.archive = a.archive;
    o.prune_keep = a.keep;
    o.prune_checkpoint = a.stride;
    o.prune_compact = a.compact_after_prune;
    o.prune_interval = a.interval;
    o.prune_max_busy = a.max_busy;
    auto opened = storage::Database::open(o);
    if (!opened) {
        std::fprintf(stderr, "open: %s\n", opened.error().c_str());
        return 1;
    }
    auto db = std::move(*opened);
    const arbos::Genesis genesis = arbos::dev_genesis(kChainId);
    state::StateDiff gdiff;
    arbos::Block parent = arbos::make_genesis_block(db->world(), genesis, &gdiff);
    std::vector<Hash32> hashes = {parent.hash};
    {
        storage::BlockCommit c{&parent, &gdiff, nullptr};
        if (auto r = db->commit({&c, 1}); !r) return 1;
    }
    const arbos::BlockHashFn hash_fn = [&hashes](int64_t n) {
        return n >= 0 && static_cast<size_t>(n) < hashes.size() ? hashes[n] : Hash32{};
    };
    uint64_t ts = genesis.timestamp + 1;
    uint64_t included = 0, reverted = 0;
    auto seal = [&](std::vector<Bytes>&& raws, size_t txs_per_block) -> bool {
        for (size_t i = 0; i < raws.size(); i += txs_per_block) {
            arbos::Message m;
            m.timestamp = ts;
            m.l1_block_number = 1 + hashes.size() / 1000;
            m.l1_base_fee = uint256(1'000'000);
            for (size_t j = i; j < std::min(raws.size(), i + txs_per_block); ++j)
                m.txs.push_back(std::move(raws[j]));
            state::StateDiff diff;
            arbos::Block b =
                arbos::execute_message(db->world(), genesis, parent, m, &diff, hash_fn);
            for (const auto& t : b.txs)
                reverted += t.receipt.success ? 0 : 1;
            included += b.txs.size();
            storage::BlockCommit c{&b, &diff, &m};
            if (auto r = db->commit({&c, 1}); !r) {
                std::fprintf(stderr, "commit: %s\n", r.error().c_str());
                return false;
            }
            hashes.push_back(b.hash);
            // The next block comes when this one's gas fits ArbOS's speed limit (7 M gas/s):
            // faster, the L2 base fee would climb above the transfers' max fee and refuse them.
            ts += std::max<uint64_t>(1, b.header.gas_used / 6'000'000);
            parent = std::move(b);
            const uint64_t latest = parent.header.number;
            if (latest % 64 == 0 && latest > a.final_lag)
                if (auto r = db->set_head(storage::Head::kFinalized, latest - a.final_lag); !r)
                    return false;
        }
        return true;
    };

    // Setup: the token, then every account funded with ETH and tokens (blocks of 400).
    const auto& dev = arbos::dev_accounts();
    std::vector<Hash32> keys(a.accounts);
    std::vector<Address> addrs(a.accounts);
    for (size_t i = 0; i < a.accounts; ++i) {
        Bytes seed = {'p', 'b'};
        for (int k = 0; k < 8; ++k)
            seed.push_back(static_cast<uint8_t>(i >> (8 * k)));
        keys[i] = keccak256(seed);
        addrs[i] = address_from_private_key(keys[i]).value();
    }
    std::vector<uint64_t> nonce(a.accounts, 0), dev_nonce(dev.size(), 0);
    const Address token = create_address(dev[0].address, 0);
    {
        std::vector<Job> jobs;
        Job deploy = make_tx(dev[0].private_key, dev_nonce[0]++, Address{}, uint256(0), 300'000,
                             token_initcode(uint256(1'000'000'000'000'000'000ull)));
        deploy.tx.to = std::nullopt;
        jobs.push_back(std::move(deploy));
        for (size_t i = 0; i < a.accounts; ++i) {
            const size_t d = i % dev.size();
            jobs.push_back(make_tx(dev[d].private_key, dev_nonce[d]++, addrs[i],
                                   uint256(100'000'000'000'000'000ull), 30'000, {}));  // 0.1 ETH
        }
        for (size_t i = 0; i < a.accounts; ++i)
            jobs.push_back(make_tx(dev[0].private_key, dev_nonce[0]++, token, uint256(0),
                                   kTransferGas,
                                   transfer_calldata(addrs[i], 1'000'000'000'000ull)));
        if (!seal(sign_all(jobs), 400)) return 1;
    }
    const uint64_t setup_blocks = hashes.size();
    const uint64_t setup_bytes = dir_bytes(a.dir);
    const uint64_t setup_txs = included;
    if (setup_txs != 1 + 2 * a.accounts) {
        std::fprintf(stderr, "setup: %llu of %zu transactions included\n",
                     static_cast<unsigned long long>(setup_txs), 1 + 2 * a.accounts);
        return 1;
    }
    std::printf(
        "prune_bench: mode %s (%zu transfers/block), %llu ERC-20 transfers among %zu accounts, "
        "%s (keep %llu, checkpoint every %llu, interval %llu), finalized %llu blocks behind\n",
        a.mode.c_str(), per_block, static_cast<unsigned long long>(a.txs), a.accounts,
        a.archive ? "ARCHIVE" : "pruned", static_cast<unsigned long long>(a.keep),
        static_cast<unsigned long long>(a.stride), static_cast<unsigned long long>(a.interval),
        static_cast<unsigned long long>(a.final_lag));
    std::printf("setup: %llu blocks, %llu txs, %.1f MB\n",
                static_cast<unsigned long long>(setup_blocks),
                static_cast<unsigned long long>(setup_txs), setup_bytes / 1e6);
    std::printf("%10s %10s %9s %12s %12s %12s %12s %9s %8s\n", "txs", "blocks", "MB", "B/block",
                "B/tx", "B/block(d)", "B/tx(d)", "oldest", "s");

    std::mt19937_64 rng(7);
    const auto t0 = Clock::now();
    const uint64_t chunk = 20'000;
    const uint64_t every = std::max<uint64_t>(1, a.txs / static_cast<uint64_t>(a.checkpoints));
    uint64_t done = 0, next_checkpoint = every, prev_bytes = setup_bytes, prev_blocks = 0,
             prev_txs = 0;
    auto report = [&](const char* label) {
        const uint64_t bytes = dir_bytes(a.dir) - setup_bytes;
        const uint64_t blocks = hashes.size() - setup_blocks;
        const double d_blocks = static_cast<double>(blocks - prev_blocks);
        const double d_txs = static_cast<double>(done - prev_txs);
        const double d_bytes =
            static_cast<double>(static_cast<int64_t>(bytes + setup_bytes - prev_bytes));
        std::printf("%10llu %10llu %9.1f %12.0f %12.0f %12.0f %12.0f %9llu %8.0f %s\n",
                    static_cast<unsigned long long>(done), static_cast<unsigned long long>(blocks),
                    bytes / 1e6, static_cast<double>(bytes) / std::max<double>(1, blocks),
                    static_cast<double>(bytes) / std::max<double>(1, done),
                    d_blocks > 0 ? d_bytes / d_blocks : 0, d_txs > 0 ? d_bytes / d_txs : 0,
                    static_cast<unsigned long long>(db->oldest_state_block()),
                    std::chrono::duration<double>(Clock::now() - t0).count(), label);
        std::fflush(stdout);
        prev_bytes = bytes + setup_bytes;
        prev_blocks = blocks;
        prev_txs = done;
    };
    while (done < a.txs) {
        const uint64_t n = std::min(chunk, a.txs - done);
        std::vector<Job> jobs;
        jobs.reserve(n);
        for (uint64_t i = 0; i < n; ++i) {
            const size_t from = rng() % a.accounts;
            size_t to = rng() % a.accounts;
            if (to == from) to = (to + 1) % a.accounts;
            jobs.push_back(make_tx(keys[from], nonce[from]++, token, uint256(0), kTransferGas,
                                   transfer_calldata(addrs[to], 1 + rng() % 1'000'000ull)));
        }
        if (!seal(sign_all(jobs), per_block)) return 1;
        done += n;
        if (done >= next_checkpoint || done == a.txs) {
            report("");
            next_checkpoint += every;
        }
    }
    const storage::PruneStatus before = db->prune_status();
    if (auto r = db->prune_now(); !r) {
        std::fprintf(stderr, "prune: %s\n", r.error().c_str());
        return 1;
    }
    report("after a last prune cycle");
    if (auto r = db->compact(); !r) {
        std::fprintf(stderr, "%s\n", r.error().c_str());
        return 1;
    }
    report("after a full compaction");
    // Where the compacted bytes are, per transaction (the setup's included).
    std::printf("table files after compaction, by column family (bytes per transaction):");
    for (const auto& [name, bytes] : db->table_bytes())
        if (bytes != 0)
            std::printf(" %s %.1f", name.c_str(),
                        static_cast<double>(bytes) / static_cast<double>(included));
    std::printf("\n");
    const storage::PruneStatus s = db->prune_status();
    std::printf(
        "pruner: %llu background cycles, the last marked %llu nodes, deleted %llu, took %.2f s "
        "(compaction %.2f s); %llu nodes deleted in all%s%s\n",
        static_cast<unsigned long long>(before.cycles),
        static_cast<unsigned long long>(before.last_marked),
        static_cast<unsigned long long>(before.last_deleted), before.last_seconds,
        before.last_compact_seconds, static_cast<unsigned long long>(s.deleted_total),
        s.last_error.empty() ? "" : "; error: ", s.last_error.c_str());
    if (included != setup_txs + a.txs) std::printf("NOT ALL INCLUDED: ");
    std::printf("included %llu txs, %llu reverted\n", static_cast<unsigned long long>(included),
                static_cast<unsigned long long>(reverted));
    auto root = db->recompute_state_root();
    const bool ok = root && *root == parent.header.state_root;
    std::printf("final state root recomputed from flat state: %s\n", ok ? "match" : "MISMATCH");
    // What the pruned tries cost a reader and a rewind: the read of a block farthest from the
    // next kept trie (one below a checkpoint), then a rewind to the bottom of the window.
    bool rewound = true;
    const storage::PruneStatus ps = db->prune_status();
    if (!a.archive && ps.oldest_trie > ps.oldest_state + ps.checkpoint) {
        const uint64_t far = (ps.oldest_state / ps.checkpoint + 1) * ps.checkpoint + 1;
        const uint64_t above = std::min(far - 1 + ps.checkpoint, ps.oldest_trie) - far;
        const auto t0 = Clock::now();
        auto st = db->state_at_block(far);
        const bool read_ok = st && st->read_account(addrs[0]);
        std::printf("state of block %llu (%llu blocks below the next kept trie): %s in %.1f ms\n",
                    static_cast<unsigned long long>(far), static_cast<unsigned long long>(above),
                    read_ok ? "read" : "NOT READ",
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        // The same block again: its merged undo records come from the database's cache.
        const auto t2 = Clock::now();
        auto again = db->state_at_block(far);
        const bool again_ok = again && again->read_account(addrs[1]);
        std::printf("the same block again (merged undo records cached): %s in %.3f ms\n",
                    again_ok ? "read" : "NOT READ",
                    std::chrono::duration<double, std::milli>(Clock::now() - t2).count());
        const uint64_t bottom = ps.oldest_state + 1;
        const uint64_t head = db->head(storage::Head::kLatest).value_or(0);
        const auto t1 = Clock::now();
        auto r = db->rewind_to(bottom);
        rewound = r && db->recompute_state_root().value_or(Hash32{}) ==
                           db->header_by_number(bottom)->state_root;
        std::printf(
            "rewind %llu blocks to block %llu (trie rebuilt from undo records): %s in "
            "%.2f s\n",
            static_cast<unsigned long long>(head - bottom), static_cast<unsigned long long>(bottom),
            rewound ? "root matches" : (r ? "ROOT MISMATCH" : r.error().c_str()),
            std::chrono::duration<double>(Clock::now() - t1).count());
        rewound = rewound && read_ok;
    }
    return ok && rewound && reverted == 0 && included == setup_txs + a.txs ? 0 : 2;
}
