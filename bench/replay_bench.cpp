// Validator replay speed and L1 cost per L2 transaction (issue #6, "Benchmarks").
//
// Generates a history of signed transactions (1,000 accounts funded by the dev accounts, an
// ERC-20 token deployed and distributed, then a random mix of ETH and ERC-20 transfers among
// the accounts), seals it into messages, then:
//  1. replays every message into a fresh RocksDB database as a validator does (decode + sender
//     recovery + arbos::execute_message + state root + db.commit per block) and prints Mgas/s
//     and tx/s; `--pipeline` recovers the next block's senders on a second thread meanwhile;
//  2. measures L1 bytes per transaction of our batches (BatchBuilder, quality 11) against plain
//     brotli-11 of the concatenated raw transactions, and the L1 gas per transaction.
// A one-shot program (not Google Benchmark): the run is long and happens once. See README.md.

#include <brotli/encode.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "arbos/arbos.hpp"
#include "batch/builder.hpp"
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
constexpr uint64_t kTokenSupply = 1'000'000'000'000'000'000ull;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Unsigned {
    Transaction tx;
    Hash32 key;
    bool erc20 = false;
};

struct History {
    arbos::Genesis genesis;
    std::vector<arbos::Message> messages;
    std::vector<Bytes> eth_txs;    ///< the random ETH transfers (for the L1 cost part)
    std::vector<Bytes> erc20_txs;  ///< the random ERC-20 transfers
    size_t tx_count = 0;
};

History generate(size_t n_txs, size_t n_accounts, size_t block_txs) {
    History h;
    h.genesis = arbos::dev_genesis(kChainId);
    const auto& dev = arbos::dev_accounts();
    std::vector<Hash32> keys(n_accounts);
    std::vector<Address> addrs(n_accounts);
    for (size_t i = 0; i < n_accounts; ++i) {
        Bytes seed = {'r', 'b'};
        for (int k = 0; k < 8; ++k)
            seed.push_back(static_cast<uint8_t>(i >> (8 * k)));
        keys[i] = keccak256(seed);
        addrs[i] = address_from_private_key(keys[i]).value();
    }
    std::vector<uint64_t> nonce(n_accounts, 0), dev_nonce(dev.size(), 0);
    std::vector<Unsigned> all;
    auto make = [&](const Hash32& key, uint64_t n, std::optional<Address> to, uint256 value,
                    uint64_t gas, Bytes data, bool erc20) {
        Unsigned u;
        u.tx.type = TxType::kDynamicFee;
        u.tx.chain_id = kChainId;
        u.tx.nonce = n;
        u.tx.max_fee_per_gas = uint256(10'000'000'000ull);
        u.tx.max_priority_fee_per_gas = uint256(0);
        u.tx.gas_limit = gas;
        u.tx.to = to;
        u.tx.value = value;
        u.tx.data = std::move(data);
        u.key = key;
        u.erc20 = erc20;
        all.push_back(std::move(u));
    };
    // Token deployed by dev 0 at nonce 0, then every account funded (10 ETH) and given tokens.
    const Address token = create_address(dev[0].address, 0);
    make(dev[0].private_key, dev_nonce[0]++, std::nullopt, uint256(0), 300'000,
         token_initcode(uint256(kTokenSupply)), false);
    for (size_t i = 0; i < n_accounts; ++i) {
        const size_t d = i % dev.size();
        make(dev[d].private_key, dev_nonce[d]++, addrs[i], uint256(10'000'000'000'000'000'000ull),
             30'000, {}, false);
    }
    for (size_t i = 0; i < n_accounts; ++i)
        make(dev[0].private_key, dev_nonce[0]++, token, uint256(0), 100'000,
             transfer_calldata(addrs[i], 1'000'000'000'000ull), false);
    std::mt19937_64 rng(42);
    while (all.size() < n_txs) {
        const size_t from = rng() % n_accounts;
        size_t to = rng() % n_accounts;
        if (to == from) to = (to + 1) % n_accounts;
        if (rng() % 2 == 0)
            make(keys[from], nonce[from]++, addrs[to],
                 uint256(1'000'000'000ull + rng() % 1'000'000'000'000ull), 30'000, {}, false);
        else
            make(keys[from], nonce[from]++, token, uint256(0), 100'000,
                 transfer_calldata(addrs[to], 1 + rng() % 1'000'000ull), true);
    }
    // Sign on every core.
    std::vector<Bytes> raw(all.size());
    const size_t threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (size_t i = t; i < all.size(); i += threads) {
                if (!sign_transaction(all[i].tx, all[i].key)) std::abort();
                raw[i] = encode_transaction(all[i].tx);
            }
        });
    for (auto& th : pool)
        th.join();
    const size_t first_random = 1 + 2 * n_accounts;
    for (size_t i = first_random; i < all.size(); ++i)
        (all[i].erc20 ? h.erc20_txs : h.eth_txs).push_back(raw[i]);
    uint64_t ts = h.genesis.timestamp;
    for (size_t i = 0; i < raw.size(); i += block_txs) {
        arbos::Message m;
        ts += 2;
        m.timestamp = ts;
        m.l1_block_number = 1 + i / (block_txs * 4);
        m.l1_base_fee = uint256(1'000'000);  // 0.001 gwei: L1 gas stays a small part of gas
        for (size_t j = i; j < std::min(raw.size(), i + block_txs); ++j)
            m.txs.push_back(std::move(raw[j]));
        h.messages.push_back(std::move(m));
    }
    h.tx_count = all.size();
    return h;
}

struct Recovered {
    std::vector<Transaction> txs;
    std::vector<Address> senders;
    std::vector<Hash32> hashes;
    std::vector<bool> ok;
};

/// Decode + sender recovery + hash of every transaction of a message (what the builder's
/// `add(raw)` does before executing).
Recovered recover_all(const arbos::Message& m) {
    Recovered r;
    r.txs.resize(m.txs.size());
    r.senders.resize(m.txs.size());
    r.hashes.resize(m.txs.size());
    r.ok.resize(m.txs.size());
    for (size_t i = 0; i < m.txs.size(); ++i) {
        auto t = decode_transaction(m.txs[i]);
        if (!t) continue;
        auto s = recover_sender(*t);
        if (!s) continue;
        r.txs[i] = std::move(*t);
        r.senders[i] = *s;
        r.hashes[i] = tx_hash(r.txs[i]);
        r.ok[i] = true;
    }
    return r;
}

int replay(const History& h, const std::string& dir, bool pipeline, bool sync, size_t group) {
    std::filesystem::remove_all(dir);
    storage::Options o;
    o.path = dir;
    o.sync = sync;
    auto opened = storage::Database::open(o);
    if (!opened) {
        std::fprintf(stderr, "open: %s\n", opened.error().c_str());
        return 1;
    }
    auto db = std::move(*opened);
    state::StateDiff gdiff;
    arbos::Block parent = arbos::make_genesis_block(db->world(), h.genesis, &gdiff);
    std::vector<Hash32> hashes = {parent.hash};
    {
        storage::BlockCommit c{&parent, &gdiff, nullptr};
        if (!db->commit({&c, 1})) return 1;
    }
    const arbos::BlockHashFn hash_fn = [&hashes](int64_t n) {
        return n >= 0 && static_cast<size_t>(n) < hashes.size() ? hashes[n] : Hash32{};
    };
    uint64_t gas = 0, l1_gas = 0, included = 0, failed = 0;
    double t_exec = 0, t_commit = 0;
    const auto t0 = Clock::now();
    std::future<Recovered> next;
    if (pipeline) next = std::async(std::launch::async, recover_all, std::cref(h.messages[0]));
    // Blocks executed but not yet committed (a group commit of `group` blocks, as the validator
    // commits per batch); deques keep the pointers handed to commit valid.
    std::deque<arbos::Block> blocks;
    std::deque<state::StateDiff> diffs;
    auto commit_pending = [&]() -> bool {
        const auto tc = Clock::now();
        std::vector<storage::BlockCommit> cs;
        for (size_t i = 0; i < blocks.size(); ++i)
            cs.push_back(
                {&blocks[i], &diffs[i], &h.messages[hashes.size() - blocks.size() + i - 1]});
        if (auto r = db->commit(cs); !r) {
            std::fprintf(stderr, "commit: %s\n", r.error().c_str());
            return false;
        }
        t_commit += seconds_since(tc);
        parent = blocks.back();
        blocks.clear();
        diffs.clear();
        return true;
    };
    for (size_t k = 0; k < h.messages.size(); ++k) {
        const arbos::Message& m = h.messages[k];
        const arbos::Block& prev = blocks.empty() ? parent : blocks.back();
        diffs.emplace_back();
        state::StateDiff& diff = diffs.back();
        const auto te = Clock::now();
        arbos::Block b;
        if (pipeline) {
            Recovered rec = next.get();
            if (k + 1 < h.messages.size())
                next = std::async(std::launch::async, recover_all, std::cref(h.messages[k + 1]));
            arbos::BlockBuilder builder(db->world(), h.genesis, prev, m, hash_fn);
            for (size_t i = 0; i < m.txs.size(); ++i)
                if (rec.ok[i])
                    (void)builder.add(rec.txs[i], m.txs[i], rec.senders[i], rec.hashes[i]);
            b = builder.finish(&diff).value();
        } else {
            b = arbos::execute_message(db->world(), h.genesis, prev, m, &diff, hash_fn);
        }
        t_exec += seconds_since(te);
        for (const auto& tx : b.txs) {
            gas += tx.gas_used;
            l1_gas += tx.gas_used_for_l1;
            if (!tx.receipt.success) ++failed;
        }
        included += b.txs.size();
        hashes.push_back(b.hash);
        blocks.push_back(std::move(b));
        if (blocks.size() == group || k + 1 == h.messages.size())
            if (!commit_pending()) return 1;
    }
    const double total = seconds_since(t0);
    const double evm_gas = static_cast<double>(gas - l1_gas);
    std::printf(
        "replay (%s, sync=%d, %zu blocks per commit): %zu blocks, %llu/%zu txs included, %llu "
        "reverted\n",
        pipeline ? "pipelined sender recovery" : "execute_message", sync ? 1 : 0, group,
        h.messages.size(), static_cast<unsigned long long>(included), h.tx_count,
        static_cast<unsigned long long>(failed));
    std::printf("  gas: %.1f M total, %.1f M without the L1 part\n", gas / 1e6, evm_gas / 1e6);
    std::printf("  time: %.2f s (execute+root %.2f s, commit %.2f s)\n", total, t_exec, t_commit);
    std::printf("  speed: %.1f Mgas/s (%.1f without L1 gas), %.0f tx/s\n", gas / 1e6 / total,
                evm_gas / 1e6 / total, included / total);
    auto root = db->recompute_state_root();
    const bool root_ok = root && *root == parent.header.state_root;
    std::printf("  final state root recomputed from flat state: %s\n",
                root_ok ? "match" : "MISMATCH");
    return included == h.tx_count && failed == 0 && root_ok ? 0 : 2;
}

Bytes brotli11(ByteView in) {
    size_t out_size = BrotliEncoderMaxCompressedSize(in.size());
    Bytes out(out_size);
    if (!BrotliEncoderCompress(11, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(), in.data(),
                               &out_size, out.data()))
        std::abort();
    out.resize(out_size);
    return out;
}

uint64_t calldata_gas(ByteView d) {
    uint64_t g = 0;
    for (uint8_t b : d)
        g += b ? 16 : 4;
    return g;
}

/// L1 bytes and gas per transaction for `txs` sealed `block_txs` per message, in batch `format`
/// (every batch is decoded again and compared with its messages).
void l1_cost(const char* name, const std::vector<Bytes>& txs, size_t block_txs, uint8_t format) {
    // Our batches: messages of block_txs transactions, BatchBuilder at quality 11, full batches.
    size_t batch_bytes = 0, batches = 0, raw_bytes = 0;
    uint64_t batch_gas = 0;
    // addSequencerL2Batch execution overhead, docs/contracts.md "L1 gas (measured)": ~51-110 k
    // gas beyond 21000 + calldata; linear fit 1 KB -> 51 436, 100 KB -> 109 760.
    auto exec_gas = [](size_t bytes) { return 50'845.0 + 0.5770 * static_cast<double>(bytes); };
    double overhead = 0;
    // Plain brotli-11 of the raw txs of the same batches (same context as our batches).
    Bytes batch_raw, next_raw;
    size_t plain_per_batch = 0;
    std::vector<batch::L2Message> in_batch;
    auto flush = [&](batch::BatchBuilder& b) {
        plain_per_batch += brotli11(batch_raw).size();
        batch_raw.clear();
        const Bytes data = b.finish(true);
        if (batch::decode_batch(data).value_or(std::vector<batch::L2Message>{}) != in_batch) {
            std::fprintf(stderr, "batch %zu does not round-trip\n", batches);
            std::exit(2);
        }
        in_batch.clear();
        batch_bytes += data.size();
        batch_gas += calldata_gas(data) + 21'000 + 4 * 32 * 4;  // + selector/args, roughly
        overhead += exec_gas(data.size());
        ++batches;
    };
    auto builder = std::make_unique<batch::BatchBuilder>(batch::BatchLimits{}, 11, format);
    uint64_t ts = 1;
    for (size_t i = 0; i < txs.size(); i += block_txs) {
        batch::L2Message m;
        m.timestamp = ts++;
        m.l1_block_number = 1;
        m.l1_base_fee = uint256(1'000'000);
        next_raw.clear();
        for (size_t j = i; j < std::min(txs.size(), i + block_txs); ++j) {
            m.txs.push_back(txs[j]);
            next_raw.insert(next_raw.end(), txs[j].begin(), txs[j].end());
            raw_bytes += txs[j].size();
        }
        auto r = builder->add(m);
        if (!r) std::abort();
        if (*r) batch_raw.insert(batch_raw.end(), next_raw.begin(), next_raw.end());
        if (!*r) {
            flush(*builder);
            batch_raw = next_raw;
            builder = std::make_unique<batch::BatchBuilder>(batch::BatchLimits{}, 11, format);
            if (auto again = builder->add(m); !again || !*again) std::abort();
        }
        in_batch.push_back(std::move(m));
    }
    if (builder->message_count() > 0) flush(*builder);
    Bytes concat;
    for (const Bytes& t : txs)
        concat.insert(concat.end(), t.begin(), t.end());
    const Bytes plain = brotli11(concat);
    const double n = static_cast<double>(txs.size());
    std::printf("%s: %zu txs, raw %.1f B/tx\n", name, txs.size(), raw_bytes / n);
    std::printf(
        "  our batches (%zu, format 0x%02x, BatchBuilder q11): %.2f B/tx, L1 gas %.0f/tx "
        "(calldata+21000 %.0f, contract %.0f)\n",
        batches, format, batch_bytes / n, (static_cast<double>(batch_gas) + overhead) / n,
        batch_gas / n, overhead / n);
    std::printf("  plain brotli-11 of the concatenated raw txs: %.2f B/tx (calldata gas %.0f/tx)\n",
                plain.size() / n, calldata_gas(plain) / n);
    std::printf("  plain brotli-11 of the raw txs of each of our batches: %.2f B/tx\n",
                plain_per_batch / n);
}

}  // namespace

int main(int argc, char** argv) {
    size_t n_txs = 100'000, n_accounts = 1'000, block_txs = 250, group = 1;
    bool pipeline = false, sync = true, do_replay = true, do_l1 = true;
    uint8_t format = batch::kBrotliFormat;
    std::string dir = (std::filesystem::temp_directory_path() / "fuse-replay-bench").string();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--txs")
            n_txs = std::stoul(next());
        else if (a == "--accounts")
            n_accounts = std::stoul(next());
        else if (a == "--block-txs")
            block_txs = std::stoul(next());
        else if (a == "--dir")
            dir = next();
        else if (a == "--group")
            group = std::max<size_t>(1, std::stoul(next()));
        else if (a == "--format")
            format = static_cast<uint8_t>(std::stoul(next()));
        else if (a == "--pipeline")
            pipeline = true;
        else if (a == "--no-sync")
            sync = false;
        else if (a == "--replay-only")
            do_l1 = false;
        else if (a == "--l1-only")
            do_replay = false;
        else {
            std::fprintf(stderr,
                         "usage: replay_bench [--txs N] [--accounts N] [--block-txs N] [--dir D] "
                         "[--group N]\n"
                         "       [--pipeline] [--no-sync] [--replay-only | --l1-only] "
                         "[--format 0|1]\n");
            return 1;
        }
    }
    const auto tg = Clock::now();
    const History h = generate(n_txs, n_accounts, block_txs);
    std::printf("generated %zu signed txs in %zu messages in %.1f s\n", h.tx_count,
                h.messages.size(), seconds_since(tg));
    int rc = 0;
    if (do_replay) rc = replay(h, dir, pipeline, sync, group);
    std::filesystem::remove_all(dir);
    if (do_l1) {
        l1_cost("ETH transfers", h.eth_txs, block_txs, format);
        l1_cost("ERC-20 transfers", h.erc20_txs, block_txs, format);
    }
    return rc;
}
