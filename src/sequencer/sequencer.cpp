#include "sequencer/sequencer.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "arbos/l1_fee.hpp"
#include "sequencer/sequencer_impl.hpp"

namespace fuse::sequencer {
namespace {

/// Seconds since the Unix epoch (block timestamps).
uint64_t unix_now() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
}

/// What BlockBuilder needs of a parent block: everything but its transactions (not copied).
std::shared_ptr<arbos::Block> header_only(const arbos::Block& b) {
    auto p = std::make_shared<arbos::Block>();
    p->header = b.header;
    p->hash = b.hash;
    p->send_root = b.send_root;
    p->send_count = b.send_count;
    p->l1_block_number = b.l1_block_number;
    return p;
}

}  // namespace

using Impl = Sequencer::Impl;

Impl::Impl(storage::Database& d, const arbos::Genesis& g, Config c, L1InfoSource l1,
           DepositSource deposits)
    : db(d),
      genesis(g),
      config(c),
      l1_info(std::move(l1)),
      deposit_source(std::move(deposits)),
      pool(PoolLimits{.max_pool_txs = c.max_pool_txs,
                      .max_queued_per_sender = c.max_queued_per_sender,
                      .price_bump_percent = 10,
                      .nonce_gap_wait = c.nonce_gap_wait}) {
    if (std::string err = c.validate(); !err.empty())
        throw std::invalid_argument("sequencer config: " + err);
    rules.chain_id = genesis.chain_id;
    rules.max_tx_gas = std::min(genesis.fees.block_gas_limit, genesis.fees.max_tx_gas_limit);
    rules.max_tx_size = c.max_tx_size;
    if (!deposit_source) deposits_seen = deposits_gen;  // the sealer waits for transactions only
    rules.allow_unprotected = c.allow_unprotected_txs;
    // The EVM rules of the ArbOS version in the chain's state (set at genesis).
    const auto sys = arbos::read_system_state(db.world());
    if (!sys) fatal("cannot read ArbOS's state: " + state::to_string(sys.error()));
    rules.revision = arbos::revision_for(sys->arbos_version);
    if (auto r = load_head(); !r) fatal(r.error());
    // What a rewind recorded and a crash left unsealed goes back into the pool first.
    resume_resequence();
}

void Impl::fatal(const std::string& what) {
    // Start-up only (a database without a usable head): there is nothing to serve yet. Later
    // failures halt the sequencer instead (storage_halt) and the node keeps serving reads.
    std::fprintf(stderr, "sequencer: fatal: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

Result<void, std::string> Impl::load_head() {
    const auto head = db.head(storage::Head::kLatest);
    if (!head)
        return Unexpected{
            std::string("the database has no block (the genesis block must be committed first)")};
    auto block = db.block_by_number(*head);
    if (!block) return Unexpected{std::string("the database's latest block is missing")};
    parent = header_only(*block);
    const auto msg = db.message(*head);
    parent_l1_base_fee = msg ? msg->l1_base_fee : uint256{};
    recent_hashes.clear();
    for (uint64_t n = *head >= 255 ? *head - 255 : 0; n < *head; ++n)
        recent_hashes.push_back(db.block_hash(n).value_or(Hash32{}));
    recent_hashes.push_back(parent->hash);
    if (auto r = refresh_prices(); !r)
        return Unexpected{"cannot read ArbOS's state at the head: " + state::to_string(r.error())};
    auto reader = std::shared_ptr<const state::StateReader>(db.latest_state());
    std::lock_guard lock(view_mu);
    committed = std::move(reader);
    return {};
}

Result<void, state::StorageFault> Impl::refresh_prices() {
    // Prices after the latest sealed block (sealing thread, the constructor or a rewind).
    const auto sys = arbos::read_system_state(db.world());
    if (!sys) return Unexpected{sys.error()};
    next_deposit.store(sys->next_deposit_index, std::memory_order_release);
    deposit_acc = sys->deposit_acc;
    std::lock_guard lock(view_mu);
    base_fee = sys->l2_base_fee;
    prices_state = *sys;
    return {};
}

FeeView Impl::fee_view() const {
    std::lock_guard lock(view_mu);
    FeeView view;
    view.base_fee = base_fee;
    // The next block's L1 price: from ArbOS version 3 on it follows the L1 data backlog, drained
    // until now, so that it falls back while the chain is idle (docs/arbos.md "L1 price per
    // byte"); at the L1 base fee of the latest message, as before.
    const uint256 l1_price_per_byte =
        arbos::next_l1_price_per_byte(genesis, prices_state, prices_state.l1_base_fee, unix_now());
    // No L1 price (no L1, or a free one): no poster gas, and no brotli pass per tx.
    if (!l1_price_per_byte.is_zero() && !base_fee.is_zero())
        view.poster_gas = [price = l1_price_per_byte, fee = base_fee](ByteView raw) {
            return arbos::poster_gas(arbos::l1_fee_wei(raw, price), fee);
        };
    return view;
}

std::shared_ptr<const state::StateReader> Impl::committed_state() const {
    std::lock_guard lock(view_mu);
    return committed;
}

void Impl::refuse(const SubmitCallback& done, Rejection r) {
    // Tells the on_rejection observers first, then the submitter.
    for (const auto& cb : rejection_callbacks)
        cb(r);
    if (done) done(Unexpected{std::move(r)});
}

void Impl::run_all(std::vector<Completion>& completions) {
    for (auto& c : completions) {
        if (c.result.has_value()) {
            if (c.done) c.done(std::move(c.result));
        } else {
            refuse(c.done, c.result.error());
        }
    }
    completions.clear();
}

void Impl::submit(Bytes raw, SubmitCallback done) {
    auto checked = check_transaction(std::move(raw), rules, fee_view());
    if (!checked) {
        refuse(done, checked.error());
        return;
    }
    admit(std::move(checked).value(), std::move(done));
}

void Impl::admit(CheckedTx checked, SubmitCallback done) {
    // The account is read before the pool lock (a DB read); `commit_gen` tells whether a
    // commit (or a rewind) dropped the sender's pool record meanwhile (then that read may
    // predate it, and its nonce would be stale: read again).
    const uint64_t gen = commit_gen.load(std::memory_order_acquire);
    auto account = committed_state()->read_account(checked.sender);
    std::vector<Completion> completions;
    // A read failure refuses this transaction (the node keeps serving; sealing, which reads
    // through the writer's world, decides about halting).
    const auto read_failure = [this](const state::StorageFault& f) {
        {
            std::lock_guard lock(commit_mu);
            ++stats.storage_errors;
        }
        warn("cannot check a transaction against the committed state: " + state::to_string(f));
        return Rejection::of(state::storage_fault_refusal(f));
    };
    Result<void, Rejection> added;
    {
        std::lock_guard lock(mu);
        if (rewinding && !halt_reason) {
            // Admitted once the rewind has put the dropped transactions back, after them.
            deferred.emplace_back(std::move(checked), std::move(done));
            return;
        }
        if (commit_gen.load(std::memory_order_relaxed) != gen &&
            !pool.pending_nonce(checked.sender))
            account = committed_state()->read_account(checked.sender);
        if (!account) {
            added = Unexpected{Rejection{}};  // answered below, outside the lock
        } else if (halt_reason) {
            added = Unexpected{Rejection{Rejection::Reason::kHalted, *halt_reason}};
        } else if (stopping) {
            added =
                Unexpected{Rejection::of(state::make_refusal(Rejection::Reason::kShuttingDown))};
        } else {
            // The pool takes the callback only on success; keep a copy for the refusal.
            added = pool.add(std::move(checked), done, *account, completions);
            // Ready to seal, or queued: the sealer's wait may need its new deadline.
            if (added) seal_cv.notify_one();
        }
    }
    run_all(completions);
    if (!account) {
        refuse(done, read_failure(account.error()));
        return;
    }
    if (!added) refuse(done, added.error());
}

// ---- sealing thread

void Impl::seal_loop() {
    for (;;) {
        std::vector<Completion> expired;
        {
            std::unique_lock lock(mu);
            const auto go = [&] {
                const bool room = config.max_uncommitted_blocks == 0 ||
                                  uncommitted < config.max_uncommitted_blocks;
                return (!paused && has_work() && room) ||
                       (stopping && (paused || !pool.has_ready()));
            };
            // Waits for a block to build, refusing on the way (and between blocks) the queued
            // transactions whose nonce gap was not filled in time: this thread keeps the
            // pool's clock.
            for (;;) {
                expired = pool.expire_queued(PoolClock::now());
                if (!expired.empty() || go()) break;
                if (const auto next = pool.next_expiry())
                    seal_cv.wait_until(lock, *next);
                else
                    seal_cv.wait(lock);
            }
            if (expired.empty()) {
                // Stopping with nothing left to seal, or while a rewind or a halt holds sealing.
                // (Deposits alone do not keep a stopping sequencer sealing: the next start
                // includes them.)
                if (paused || (!pool.has_ready() && (stopping || !has_work()))) break;
                in_seal = true;
            }
        }
        if (!expired.empty()) {
            run_all(expired);
            continue;
        }
        const auto next_start = last_block_start + config.min_block_interval;
        if (Clock::now() < next_start) std::this_thread::sleep_until(next_start);
        last_block_start = Clock::now();
        seal_one();
        bool discard = false;
        {
            std::lock_guard lock(mu);
            in_seal = false;
            discard = std::exchange(discard_pending, false);
        }
        // A write failed while this block was built: what is staged will never be committed.
        if (discard) db.discard_staged();
        idle_cv.notify_all();
    }
    std::lock_guard lock(commit_mu);
    sealer_done = true;
    commit_cv.notify_one();
}

std::vector<Deposit> Impl::take_deposits(uint64_t l1_block) {
    uint64_t gen = 0;
    {
        std::lock_guard lock(mu);
        gen = deposits_gen;
        if (!deposit_source) {
            deposits_seen = gen;  // no Bridge: never anything to look for
            return {};
        }
    }
    const uint64_t next = next_deposit.load(std::memory_order_acquire);
    std::vector<Deposit> got = deposit_source(next, l1_block, config.max_block_deposits);
    // What ArbOS will check, checked first (a source that breaks it is a bug: never build a
    // block whose deposits fail): contiguous from the next index, kinds 0/1, not too new.
    std::vector<Deposit> out;
    uint64_t gas = 0;
    for (auto& d : got) {
        if (d.index != next + out.size() || d.l1_block_number > l1_block ||
            (d.kind != DepositKind::kNative && d.kind != DepositKind::kMessage))
            break;
        if (!out.empty() && gas + d.l2_gas_limit > genesis.fees.block_gas_limit) break;
        if (out.size() == config.max_block_deposits) break;
        gas += d.l2_gas_limit;
        out.push_back(std::move(d));
    }
    // Seen once none is left for this L1 block; with more left the sealer comes back at once.
    if (out.size() == got.size() && got.size() < config.max_block_deposits) {
        std::lock_guard lock(mu);
        deposits_seen = gen;
    }
    return out;
}

void Impl::seal_one() {
    const L1Info l1 = l1_info ? l1_info() : L1Info{};
    auto sealed = std::make_unique<SealedBlock>();
    arbos::Message& msg = sealed->message;
    // The L1 block never goes backwards within the chain; on the parent's block the parent's
    // base fee (one L1 block has one base fee: docs/batch-format.md). When L1 went back below
    // the parent's block, the L1 guard rewinds the blocks that name it.
    if (l1.block_number >= parent->l1_block_number) {
        msg.l1_block_number = l1.block_number;
        msg.l1_base_fee = l1.base_fee;
    } else {
        msg.l1_block_number = parent->l1_block_number;
        msg.l1_base_fee = parent_l1_base_fee;
    }
    msg.timestamp = std::max(unix_now(), parent->header.timestamp);

    std::vector<Completion> rejected;
    // BLOCKHASH / arbBlockHash: the last 256 blocks, some of them not durable yet.
    auto block_hash = [this, top = parent->header.number](int64_t number) -> Hash32 {
        const uint64_t n = static_cast<uint64_t>(number);
        if (number < 0 || n > top || top - n >= recent_hashes.size()) return Hash32{};
        return recent_hashes[recent_hashes.size() - 1 - (top - n)];
    };
    // L1 deposits first, at the start of the block (docs/sequencer.md "Deposits").
    sealed->deposits = take_deposits(msg.l1_block_number);
    if (!sealed->deposits.empty())
        msg.deposit_ref = batch::make_deposit_ref(deposit_acc, sealed->deposits);
    arbos::BlockBuilder builder(db.world(), genesis, *parent, msg, block_hash, sealed->deposits);
    // (A state read that failed in the system step can make the deposit checks fail too: that
    // block is abandoned below, the fault is the reason.)
    if (const auto e = builder.deposit_error(); e && !builder.fault())
        fatal(std::string("ArbOS refused the deposits the sequencer checked (") +
              arbos::to_string(*e) + ", deposits from " +
              std::to_string(msg.deposit_ref->first_index) + "): a bug, nothing was sealed");
    while (builder.tx_count() < config.max_block_txs) {
        std::unique_ptr<PoolTx> tx;
        {
            std::lock_guard lock(mu);
            tx = pool.take_ready(builder.gas_left());
        }
        if (!tx) break;
        const CheckedTx& c = tx->checked;
        auto added = builder.add(c.tx, c.raw, c.sender, c.hash);
        if (added) {
            msg.txs.push_back(std::move(tx->checked.raw));
            sealed->callbacks.push_back(std::move(tx->done));
            continue;
        }
        if (added.error().reason == state::TxReason::kStorageFault) {
            // Not the transaction's fault: it goes down with the block (below).
            sealed->callbacks.push_back(std::move(tx->done));
            break;
        }
        if (added.error().block_full) {
            // Valid but the block is full: first in line for the next block.
            std::lock_guard lock(mu);
            pool.put_back(std::move(tx));
            break;
        }
        // The state changed since the pool checks (or the base fee rose): ArbOS refuses.
        {
            std::lock_guard lock(mu);
            pool.untake(*tx);
        }
        rejected.push_back(
            Completion{std::move(tx->done),
                       Unexpected{Rejection{added.error().reason, added.error().message, true}}});
    }
    if (!rejected.empty()) {
        std::lock_guard lock(commit_mu);
        stats.execution_rejected += rejected.size();
    }
    run_all(rejected);
    if (builder.tx_count() == 0 && !builder.fault()) return;  // nothing included: no block

    auto block = builder.finish(&sealed->diff);
    if (!block) {
        // The state could not be read: a block built on what was read would be wrong. It is
        // abandoned (nothing was staged), its transactions are not acknowledged, and the
        // sequencer halts; the blocks sealed before it are still committed.
        const std::string reason =
            "storage: reading the state while building block " +
            std::to_string(parent->header.number + 1) +
            " failed: " + state::to_string(block.error()) +
            ". The block was abandoned and none of its transactions acknowledged; blocks "
            "before it are durable. Check the database (disk, files), then restart: sealing "
            "resumes at the last durable block (docs/storage.md \"Errors\")";
        storage_halt(reason, false);
        std::vector<std::unique_ptr<SealedBlock>> abandoned;
        abandoned.push_back(std::move(sealed));
        for (auto& cb : abandoned.front()->callbacks)
            refuse(cb, Rejection{Rejection::Reason::kHalted, reason});
        return;
    }
    sealed->block = std::move(*block);
    parent = header_only(sealed->block);
    parent_l1_base_fee = msg.l1_base_fee;
    recent_hashes.push_back(parent->hash);
    if (recent_hashes.size() > 256) recent_hashes.pop_front();
    if (auto r = refresh_prices(); !r) {
        // The block itself is complete and goes to its commit; nothing more is built.
        storage_halt("storage: reading ArbOS's state after block " +
                         std::to_string(parent->header.number) +
                         " failed: " + state::to_string(r.error()) +
                         ". Check the database, then restart (docs/storage.md \"Errors\")",
                     false);
    }
    {
        std::lock_guard lock(mu);
        ++uncommitted;
        ++unannounced;
    }
    if (config.max_uncommitted_blocks == 0) {
        // Unpipelined: commit before building on it.
        std::vector<std::unique_ptr<SealedBlock>> group;
        group.push_back(std::move(sealed));
        commit_group(group);
        return;
    }
    std::lock_guard lock(commit_mu);
    to_commit.push_back(std::move(sealed));
    commit_cv.notify_one();
}

// ---- commit thread

void Impl::commit_loop() {
    for (;;) {
        std::vector<std::unique_ptr<SealedBlock>> group;
        {
            std::unique_lock lock(commit_mu);
            commit_cv.wait(lock, [&] { return !to_commit.empty() || sealer_done; });
            if (to_commit.empty()) return;  // the sealer finished and everything is durable
            while (!to_commit.empty()) {
                group.push_back(std::move(to_commit.front()));
                to_commit.pop_front();
            }
        }
        commit_group(group);
    }
}

void Impl::refuse_group(std::vector<std::unique_ptr<SealedBlock>>& group,
                        const std::string& reason) {
    for (const auto& s : group)
        for (const auto& cb : s->callbacks)
            refuse(cb, Rejection{Rejection::Reason::kHalted, reason});
    {
        std::lock_guard lock(mu);
        uncommitted -= group.size();
        unannounced -= group.size();
    }
    seal_cv.notify_one();
    idle_cv.notify_all();
}

void Impl::commit_group(std::vector<std::unique_ptr<SealedBlock>>& group) {
    // Makes `group` durable in one commit, then acknowledges its transactions and announces
    // its blocks, in order.
    std::optional<std::string> failed_before;
    {
        std::lock_guard lock(mu);
        if (write_failed) failed_before = halt_reason;
    }
    if (failed_before) {
        // They build on blocks whose commit failed: never written, never acknowledged.
        refuse_group(group, failed_before.value_or("storage: an earlier commit failed"));
        return;
    }
    std::vector<storage::BlockCommit> commits;
    commits.reserve(group.size());
    for (const auto& s : group)
        commits.push_back({&s->block, &s->diff, &s->message, s->deposits});
    if (auto r = db.commit(commits); !r) {
        // Before any acknowledgement: the write batch is atomic, so the database still ends
        // at the block before this group, and a restart resumes there (docs/storage.md).
        const uint64_t first = group.front()->block.header.number;
        const uint64_t last = group.back()->block.header.number;
        const std::string reason =
            "storage: committing block" +
            (first == last ? " " + std::to_string(first)
                           : "s " + std::to_string(first) + ".." + std::to_string(last)) +
            " failed: " + r.error() +
            ". Nothing of them was acknowledged; the database ends at block " +
            std::to_string(first - 1) +
            ". Fix the disk (space, permissions, device errors), then restart: sealing "
            "resumes there (docs/storage.md \"Errors\")";
        storage_halt(reason, true);
        refuse_group(group, reason);
        return;
    }

    auto reader = std::shared_ptr<const state::StateReader>(db.latest_state());
    {
        std::lock_guard lock(view_mu);
        committed = std::move(reader);
    }
    {
        std::lock_guard lock(mu);
        for (const auto& s : group)  // the user transactions, after the deposits
            for (size_t i = s->deposits.size(); i < s->block.txs.size(); ++i)
                pool.committed(s->block.txs[i].sender, s->block.txs[i].hash);
        uncommitted -= group.size();
        commit_gen.fetch_add(1, std::memory_order_release);
    }
    seal_cv.notify_one();
    {
        // Counted before anyone hears of these blocks: stats never lag an acknowledgement.
        std::lock_guard lock(commit_mu);
        for (const auto& s : group) {
            stats.txs += s->callbacks.size();
            stats.deposits += s->deposits.size();
        }
        stats.blocks += group.size();
        stats.commits += 1;
        stats.last_block_number = group.back()->block.header.number;
    }
    for (const auto& s : group) {
        const uint64_t number = s->block.header.number;
        const size_t first = s->deposits.size();  // user transactions follow the deposits
        for (size_t i = 0; i < s->callbacks.size(); ++i)
            s->callbacks[i](
                Inclusion{s->block.txs[first + i].hash, number, static_cast<uint32_t>(first + i)});
    }
    for (const auto& s : group)
        for (const auto& cb : block_callbacks)
            cb(s->block);
    // After the callbacks: a rewind waiting for the pipeline to empty starts only once every
    // block of it has been announced.
    {
        std::lock_guard lock(mu);
        unannounced -= group.size();
    }
    idle_cv.notify_all();
}

Sequencer::Sequencer(storage::Database& db, const arbos::Genesis& genesis, Config config,
                     L1InfoSource l1_info, DepositSource deposits)
    : impl_(std::make_unique<Impl>(db, genesis, config, std::move(l1_info), std::move(deposits))) {}

Sequencer::~Sequencer() {
    stop();
}

void Sequencer::start() {
    if (impl_->sealer.joinable()) return;
    impl_->committer = std::thread([this] { impl_->commit_loop(); });
    impl_->sealer = std::thread([this] { impl_->seal_loop(); });
}

void Sequencer::stop() {
    Impl& s = *impl_;
    std::lock_guard no_rewind(s.rewind_mu);  // a rewind under way finishes first
    {
        std::lock_guard lock(s.mu);
        if (s.stopping && !s.sealer.joinable()) return;
        s.stopping = true;
    }
    s.seal_cv.notify_all();
    if (s.sealer.joinable()) s.sealer.join();
    if (s.committer.joinable()) s.committer.join();
    std::vector<Completion> left;
    {
        std::lock_guard lock(s.mu);
        left = s.pool.drain(Rejection::of(state::stopped_before_sealed()));
    }
    s.run_all(left);
}

void Sequencer::submit(Bytes raw, SubmitCallback done) {
    impl_->submit(std::move(raw), std::move(done));
}

L1Info Sequencer::current_l1() const {
    return impl_->l1_info();
}

void Sequencer::deposits_arrived() {
    {
        std::lock_guard lock(impl_->mu);
        ++impl_->deposits_gen;
    }
    impl_->seal_cv.notify_one();
}

uint64_t Sequencer::next_deposit_index() const {
    return impl_->next_deposit.load(std::memory_order_acquire);
}

state::ReadResult<uint64_t> Sequencer::pending_nonce(const Address& addr) const {
    {
        std::lock_guard lock(impl_->mu);
        if (auto n = impl_->pool.pending_nonce(addr)) return *n;
    }
    const auto account = impl_->committed_state()->read_account(addr);
    if (!account) return Unexpected{account.error()};
    return *account ? (*account)->nonce : uint64_t{0};
}

size_t Sequencer::pool_size() const {
    std::lock_guard lock(impl_->mu);
    return impl_->pool.size();
}

PoolContent Sequencer::pool_content() const {
    std::lock_guard lock(impl_->mu);
    return impl_->pool.content();
}

Stats Sequencer::stats() const {
    std::lock_guard lock(impl_->commit_mu);
    return impl_->stats;
}

void Sequencer::on_rejection(std::function<void(const Rejection&)> callback) {
    impl_->rejection_callbacks.push_back(std::move(callback));
}

void Sequencer::on_block(std::function<void(const arbos::Block&)> callback) {
    impl_->block_callbacks.push_back(std::move(callback));
}

Result<RewindReport, std::string> Sequencer::rewind(const RewindPlan& plan) {
    return impl_->rewind(plan);
}

void Sequencer::halt(const std::string& reason) {
    impl_->halt(reason);
}

std::optional<std::string> Sequencer::halted() const {
    std::lock_guard lock(impl_->mu);
    return impl_->halt_reason;
}

std::optional<RewindReport> Sequencer::last_rewind() const {
    std::lock_guard lock(impl_->reseq_mu);
    return impl_->last_rewind;
}

std::vector<DroppedTx> Sequencer::dropped() const {
    std::lock_guard lock(impl_->reseq_mu);
    return {impl_->recent_dropped.begin(), impl_->recent_dropped.end()};
}

void Sequencer::on_rewind(
    std::function<void(const RewindReport&, const std::vector<arbos::Block>&)> cb) {
    impl_->rewind_callbacks.push_back(std::move(cb));
}

}  // namespace fuse::sequencer
