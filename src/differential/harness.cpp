#include "differential/harness.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <limits>
#include <mutex>
#include <random>
#include <sstream>
#include <unordered_map>

#include "batch/builder.hpp"
#include "batch/resolve.hpp"
#include "core/hash.hpp"
#include "core/hex.hpp"
#include "sequencer/sequencer.hpp"
#include "storage/database.hpp"

namespace fuse::differential {
namespace {

using Clock = std::chrono::steady_clock;

Hash32 event_topic(std::string_view signature) {
    return keccak256(
        ByteView(reinterpret_cast<const uint8_t*>(signature.data()), signature.size()));
}
const Hash32 kCreatedTopic = event_topic("Created(address,bytes32,bool)");
const Hash32 kForwardedTopic = event_topic("Forwarded(address,bool,bytes32,uint256)");

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

Result<std::unique_ptr<storage::Database>, std::string> open_db(const std::string& path,
                                                                const arbos::Genesis& genesis) {
    storage::Options o;
    o.path = path;
    o.sync = false;  // the comparison, not durability, is under test here
    o.block_cache_mb = 32;
    auto db = storage::Database::open(o);
    if (!db) return Unexpected{db.error()};
    state::StateDiff diff;
    const arbos::Block b0 = arbos::make_genesis_block((*db)->world(), genesis, &diff);
    const arbos::Message m0{};
    const storage::BlockCommit c{&b0, &diff, &m0};
    if (auto r = (*db)->commit(std::span(&c, 1)); !r) return Unexpected{r.error()};
    return std::move(*db);
}

/// A refusal's text with its numbers replaced by '#', so refusals group by kind.
std::string refusal_kind(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool digit = (c >= '0' && c <= '9');
        if (digit && !out.empty() && out.back() == '#') continue;
        out.push_back(digit ? '#' : c);
    }
    if (out.size() > 80) out.resize(80);
    return out;
}

/// What differs between the sequencer's block `a` and the validator's `b`, or "".
std::string block_difference(const arbos::Block& a, const arbos::Block& b) {
    std::ostringstream out;
    const auto& ha = a.header;
    const auto& hb = b.header;
    if (a.hash == b.hash && ha.state_root == hb.state_root && ha.receipts_root == hb.receipts_root)
        return "";
    out << "block " << ha.number << ": hash " << to_hex(a.hash) << " (sequencer) vs "
        << to_hex(b.hash) << " (validator)";
    if (ha.state_root != hb.state_root) out << "; state root differs";
    if (ha.receipts_root != hb.receipts_root) out << "; receipts root differs";
    if (ha.transactions_root != hb.transactions_root) out << "; transactions root differs";
    if (ha.gas_used != hb.gas_used) out << "; gas used " << ha.gas_used << " vs " << hb.gas_used;
    if (a.txs.size() != b.txs.size())
        out << "; " << a.txs.size() << " vs " << b.txs.size() << " transactions";
    for (size_t i = 0; i < std::min(a.txs.size(), b.txs.size()); ++i) {
        const auto& x = a.txs[i];
        const auto& y = b.txs[i];
        if (x.hash != y.hash) {
            out << "; first differing tx: index " << i << " is " << to_hex(x.hash) << " vs "
                << to_hex(y.hash);
            break;
        }
        if (x.receipt != y.receipt || x.gas_used != y.gas_used ||
            x.contract_address != y.contract_address) {
            out << "; first differing tx: index " << i << " " << to_hex(x.hash) << " (status "
                << x.receipt.success << " vs " << y.receipt.success << ", gas " << x.gas_used
                << " vs " << y.gas_used << ", logs " << x.receipt.logs.size() << " vs "
                << y.receipt.logs.size() << ")";
            break;
        }
    }
    return out.str();
}

/// The sequencer's path: the stream submitted round by round, deposits and the L1 view moved
/// between rounds. Returns the sealed head.
Result<uint64_t, std::string> run_sequencer(
    const RunOptions& opt, Generator& gen, storage::Database& db, Report& rep,
    std::unordered_map<Hash32, TxKind, FixedBytesHasher>& kinds) {
    std::mutex l1_mu;
    L1View view = gen.l1();
    size_t visible_deposits = 0;
    const sequencer::L1InfoSource l1_info = [&] {
        std::lock_guard lock(l1_mu);
        return sequencer::L1Info{view.block_number, view.base_fee};
    };
    const sequencer::DepositSource bridge = [&](uint64_t first, uint64_t max_block, size_t max) {
        std::lock_guard lock(l1_mu);
        std::vector<Deposit> out;
        const auto& all = gen.deposits();
        for (uint64_t i = first; i < visible_deposits && out.size() < max; ++i) {
            if (all[i].l1_block_number > max_block) break;
            out.push_back(all[i]);
        }
        return out;
    };
    sequencer::Config cfg;
    cfg.nonce_gap_wait = std::chrono::milliseconds(50);
    cfg.min_block_interval = std::chrono::microseconds(1'000);
    sequencer::Sequencer seq(db, gen.genesis(), cfg, l1_info, bridge);
    seq.start();

    std::mutex mu;
    std::condition_variable cv;
    while (rep.txs_generated < opt.txs) {
        Round round;
        {
            // The generator reads the deposit list the bridge source reads: lock both.
            std::lock_guard lock(l1_mu);
            round = gen.next_round(opt.txs - rep.txs_generated);
        }
        rep.txs_generated += round.txs.size();
        std::vector<std::optional<sequencer::SubmitResult>> results(round.txs.size());
        size_t done = 0;
        for (size_t i = 0; i < round.txs.size(); ++i)
            seq.submit(round.txs[i].raw, [&, i](sequencer::SubmitResult r) {
                std::lock_guard lock(mu);
                results[i] = std::move(r);
                ++done;
                cv.notify_all();
            });
        {
            std::unique_lock lock(mu);
            if (!cv.wait_for(lock, std::chrono::seconds(120),
                             [&] { return done == round.txs.size(); }))
                return Unexpected{std::string("the sequencer answered ") + std::to_string(done) +
                                  " of " + std::to_string(round.txs.size()) +
                                  " transactions in 120 s"};
        }
        std::vector<size_t> resync;
        for (size_t i = 0; i < round.txs.size(); ++i) {
            if (results[i]->has_value()) {
                ++rep.txs_included;
                kinds[(*results[i])->tx_hash] = round.txs[i].kind;
                continue;
            }
            ++rep.txs_refused;
            ++rep.refusals[refusal_kind(results[i]->error().message)];
            gen.forget_authorizations(round.txs[i]);
            resync.push_back(round.txs[i].sender);
        }
        for (size_t s : resync)
            gen.set_nonce(s, seq.pending_nonce(gen.sender_address(s)).value());
        {
            std::lock_guard lock(l1_mu);
            view = round.l1_after;
            visible_deposits = gen.deposits().size();
        }
        seq.deposits_arrived();
        if (opt.progress && rep.txs_generated % 10'000 < round.txs.size())
            opt.progress("sequencer: " + std::to_string(rep.txs_generated) + " txs, block " +
                         std::to_string(db.head(storage::Head::kLatest).value_or(0)));
    }
    // The last deposits: L1 moves past all of them, the sequencer includes them.
    {
        std::lock_guard lock(l1_mu);
        if (!gen.deposits().empty())
            view.block_number = std::max(view.block_number, gen.deposits().back().l1_block_number);
        visible_deposits = gen.deposits().size();
    }
    seq.deposits_arrived();
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (seq.next_deposit_index() < gen.deposits().size() && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    seq.stop();
    if (seq.next_deposit_index() < gen.deposits().size())
        return Unexpected{"the sequencer included " + std::to_string(seq.next_deposit_index()) +
                          " of " + std::to_string(gen.deposits().size()) + " deposits"};
    return db.head(storage::Head::kLatest).value_or(0);
}

/// The validator's path over batches of `msgs` (blocks 1..msgs.size()), each compared with the
/// sequencer's block as soon as it is executed.
Result<void, std::string> run_validator(const RunOptions& opt, const Generator& gen,
                                        const std::vector<arbos::Message>& msgs,
                                        const storage::Database& seq_db, storage::Database& db,
                                        Report& rep) {
    std::mt19937_64 rng(opt.seed * 7919 + 1);
    const arbos::Genesis& genesis = gen.genesis();
    arbos::Message genesis_header;
    genesis_header.timestamp = genesis.timestamp;
    const auto& bridge = gen.deposits();
    uint64_t next = 0;  // messages batched so far
    while (next < msgs.size()) {
        const uint8_t format = rng() % 2 ? batch::kColumnarFormat : batch::kBrotliFormat;
        static constexpr int kQualities[] = {1, 5, 9, 11};
        batch::BatchBuilder builder({}, kQualities[rng() % 4], format);
        const uint64_t want = 1 + rng() % 48;
        uint64_t end = next;
        while (end < msgs.size() && end - next < want) {
            auto added = builder.add(msgs[end]);
            if (!added)
                return Unexpected{"message " + std::to_string(end + 1) +
                                  " does not go into a batch: " + batch::to_string(added.error())};
            if (!*added) break;
            ++end;
        }
        const Bytes data = builder.finish(rng() % 2 == 0);
        ++rep.batches;
        ++rep.batches_by_format[format];
        rep.batch_bytes += data.size();

        batch::BatchContext ctx;
        ctx.bounds = {0, std::numeric_limits<uint64_t>::max(), 0,
                      std::numeric_limits<uint64_t>::max()};
        ctx.prev_message_count = next;
        ctx.new_message_count = end;
        ctx.prev_header = next == 0 ? genesis_header : msgs[next - 1];
        ctx.prev_header.txs.clear();
        auto resolved = batch::resolve_batch(data, ctx);
        if (!resolved) return Unexpected{"batch " + std::to_string(rep.batches - 1) + " halts"};
        if (resolved->invalid != batch::ResolveError::kNone) {
            ++rep.mismatches;
            if (rep.first_mismatch.empty())
                rep.first_mismatch = "batch " + std::to_string(rep.batches - 1) + " (messages " +
                                     std::to_string(next + 1) + ".." + std::to_string(end) +
                                     ") is invalid: " + batch::to_string(resolved->invalid);
        }

        // Validator::apply_batch: the deposits each message references, read from the
        // Bridge; execute_message per message; one commit per batch.
        const uint64_t head = next;
        auto parent = db.block_by_number(head);
        if (!parent) return Unexpected{"validator: block " + std::to_string(head) + " missing"};
        std::deque<arbos::Block> blocks;
        std::deque<state::StateDiff> diffs;
        std::vector<std::vector<Deposit>> contents;
        auto hashes = [&](int64_t number) -> Hash32 {
            if (number < 0) return Hash32{};
            const uint64_t n = static_cast<uint64_t>(number);
            if (n > head && n - head - 1 < blocks.size()) return blocks[n - head - 1].hash;
            return db.block_hash(n).value_or(Hash32{});
        };
        const arbos::Block* prev = &*parent;
        for (const auto& msg : resolved->messages) {
            contents.emplace_back();
            if (msg.deposit_ref) {
                const auto& ref = *msg.deposit_ref;
                if (ref.first_index + ref.count > bridge.size())
                    return Unexpected{"message " + std::to_string(head + blocks.size() + 1) +
                                      " references deposits the Bridge does not have"};
                contents.back().assign(
                    bridge.begin() + static_cast<ptrdiff_t>(ref.first_index),
                    bridge.begin() + static_cast<ptrdiff_t>(ref.first_index + ref.count));
            }
            diffs.emplace_back();
            blocks.push_back(arbos::execute_message(db.world(), genesis, *prev, msg, &diffs.back(),
                                                    hashes, contents.back()));
            prev = &blocks.back();
        }
        for (const auto& b : blocks) {
            ++rep.blocks_compared;
            const auto theirs = seq_db.block_by_number(b.header.number);
            if (!theirs)
                return Unexpected{"sequencer block " + std::to_string(b.header.number) +
                                  " missing"};
            std::string diff = block_difference(*theirs, b);
            if (b.deposit_error)
                diff += std::string(diff.empty() ? "" : "; ") + "block " +
                        std::to_string(b.header.number) +
                        ": ArbOS refused the deposits: " + arbos::to_string(*b.deposit_error);
            if (diff.empty()) continue;
            ++rep.mismatches;
            if (rep.first_mismatch.empty()) rep.first_mismatch = diff;
        }
        std::vector<storage::BlockCommit> commits;
        for (size_t i = 0; i < blocks.size(); ++i)
            commits.push_back({&blocks[i], &diffs[i], &resolved->messages[i], contents[i]});
        if (auto r = db.commit(commits); !r) return Unexpected{"validator commit: " + r.error()};
        next = end;
    }
    return {};
}

}  // namespace

Result<Report, std::string> run(const RunOptions& opt) {
    Report rep;
    GeneratorOptions gopt;
    gopt.seed = opt.seed;
    gopt.round_txs = opt.round_txs;
    gopt.probe_initcode = opt.probe_initcode;
    Generator gen(gopt);
    const std::filesystem::path dir(opt.dir);

    auto seq_db = open_db((dir / "sequencer").string(), gen.genesis());
    if (!seq_db) return Unexpected{"sequencer database: " + seq_db.error()};
    const auto t0 = Clock::now();
    std::unordered_map<Hash32, TxKind, FixedBytesHasher> kinds;
    auto head = run_sequencer(opt, gen, **seq_db, rep, kinds);
    if (!head) return Unexpected{head.error()};
    rep.sequencer_seconds = seconds_since(t0);
    rep.kinds = gen.histogram();
    rep.blocks = *head;

    std::vector<arbos::Message> msgs;
    bool first = true;
    for (uint64_t n = 1; n <= *head; ++n) {
        auto m = (*seq_db)->message(n);
        auto b = (*seq_db)->block_by_number(n);
        if (!m || !b) return Unexpected{"sequencer block " + std::to_string(n) + " missing"};
        msgs.push_back(std::move(*m));
        rep.gas += b->header.gas_used;
        for (const auto& tx : b->txs) {
            if (is_deposit_type(tx.tx.type)) ++rep.deposits;
            if (!tx.receipt.success) ++rep.txs_reverted;
            bool inner_failed = false;
            for (const auto& log : tx.receipt.logs) {
                if (log.topics.empty()) continue;
                if (log.topics[0] == kCreatedTopic && log.topics.size() >= 2) {
                    ++rep.creations;
                    if (log.topics[1] == Hash32{}) ++rep.failed_creations;
                }
                if (log.topics[0] == kForwardedTopic && log.data.size() >= 32 && log.data[31] == 0)
                    inner_failed = true;
            }
            const auto k = kinds.find(tx.hash);
            if (k == kinds.end()) continue;
            const auto i = static_cast<size_t>(k->second);
            ++rep.included_by_kind[i];
            if (!tx.receipt.success) ++rep.status0_by_kind[i];
            if (!tx.receipt.success || inner_failed) ++rep.failed_by_kind[i];
        }
        const uint256 fee = b->header.base_fee_per_gas.value_or(uint256(0));
        if (first || fee < rep.min_base_fee) rep.min_base_fee = fee;
        if (first || fee > rep.max_base_fee) rep.max_base_fee = fee;
        first = false;
    }
    if (opt.tamper) opt.tamper(msgs);
    if (opt.progress)
        opt.progress("sequencer done: " + std::to_string(*head) + " blocks; validating");

    auto val_db = open_db((dir / "validator").string(), gen.genesis());
    if (!val_db) return Unexpected{"validator database: " + val_db.error()};
    if ((*val_db)->block_hash(0) != (*seq_db)->block_hash(0))
        return Unexpected{std::string("the two genesis blocks differ")};
    const auto t1 = Clock::now();
    if (auto r = run_validator(opt, gen, msgs, **seq_db, **val_db, rep); !r)
        return Unexpected{r.error()};
    // Both flat states give the root of their last block.
    for (auto* db : {seq_db->get(), val_db->get()}) {
        auto root = db->recompute_state_root();
        const auto last = db->header_by_number(*head);
        if (!root || !last || *root != last->state_root) {
            ++rep.mismatches;
            if (rep.first_mismatch.empty())
                rep.first_mismatch = std::string(db == seq_db->get() ? "sequencer" : "validator") +
                                     ": the state root recomputed from the flat state is not "
                                     "the last block's";
        }
    }
    rep.validator_seconds = seconds_since(t1);
    return rep;
}

std::string format_report(const Report& r) {
    std::ostringstream o;
    o << "transactions: " << r.txs_generated << " generated, " << r.txs_included << " included ("
      << r.txs_reverted << " with status 0, deposits included), " << r.txs_refused << " refused\n";
    o << "deposits: " << r.deposits << "\n";
    o << "blocks: " << r.blocks << ", gas " << r.gas << ", base fee " << r.min_base_fee.to_dec()
      << ".." << r.max_base_fee.to_dec() << " wei\n";
    o << "batches: " << r.batches << " (format 0x00: " << r.batches_by_format[0]
      << ", 0x01: " << r.batches_by_format[1] << "), " << r.batch_bytes << " bytes\n";
    o << "kinds:";
    for (size_t k = 0; k < kKindCount; ++k)
        o << " " << to_string(static_cast<TxKind>(k)) << "=" << r.kinds[k];
    o << "\n";
    o << "outcomes (included / status 0 / failed anywhere):";
    for (size_t k = 0; k < kKindCount; ++k)
        o << " " << to_string(static_cast<TxKind>(k)) << "=" << r.included_by_kind[k] << "/"
          << r.status0_by_kind[k] << "/" << r.failed_by_kind[k];
    o << "\n";
    o << "contract creations from DiffProbe: " << r.creations << ", " << r.failed_creations
      << " failed (collisions, reverting or 0xEF init)\n";
    for (const auto& [text, n] : r.refusals)
        o << "refused " << n << "x: " << text << "\n";
    o << "time: sequencer " << r.sequencer_seconds << " s, validator " << r.validator_seconds
      << " s\n";
    o << "compared " << r.blocks_compared << " blocks: " << r.mismatches << " mismatches\n";
    if (!r.first_mismatch.empty()) o << "first mismatch: " << r.first_mismatch << "\n";
    return o.str();
}

}  // namespace fuse::differential
