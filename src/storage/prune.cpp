// The pruner of a full node (docs/storage.md "Pruning"): a background mark-and-sweep over the
// trie nodes, and the undo records below the window dropped.
//
// Mark: from a RocksDB snapshot, every trie node reachable from the state roots of the blocks
// [low, latest-at-snapshot] (the account trie and every storage trie through the accounts'
// storage roots) goes into an exact set; a node already in it is not walked again, so shared
// subtrees cost one visit. Sweep: every node of the snapshot not in the set is deleted, in small
// batches under the writer's mutex, except those a commit wrote since the snapshot (`written_`).
// Why that is enough: docs/storage.md "Pruning", "Why nothing live is deleted".

#include <rocksdb/write_batch.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/hex.hpp"
#include "core/rlp.hpp"
#include "storage/rocks_database.hpp"

namespace fuse::storage {

namespace {

/// Unmarked nodes deleted per write (and per hold of the writer's mutex): 512 deletes hold it
/// well under a millisecond, so a commit waiting behind one barely moves the sequencer's
/// latency (4,096 per hold put the 1,000 tx/s p99 at 10-15 ms during a cycle, 4.5 ms without).
constexpr size_t kSweepChunk = 512;

/// Walks the trie nodes reachable from roots into `marked`, reading at one snapshot.
class Marker {
public:
    Marker(const RocksDatabase& db, const rocksdb::Snapshot* snap, NodeSet& marked)
        : db_(db), marked_(marked) {
        ro_.snapshot = snap;
        ro_.fill_cache = false;  // a pass over the whole state would evict the writer's nodes
    }

    /// Marks the state trie at `root` and every storage trie it references; an error names
    /// the node that is missing or malformed.
    Result<void, std::string> mark_state(const Hash32& root) {
        push(root, true);
        rocksdb::PinnableSlice v;
        while (!stack_.empty()) {
            const auto [hash, account_trie] = stack_.back();
            stack_.pop_back();
            v.Reset();
            rocksdb::Status s = db_.db().Get(ro_, db_.cf(kTrieNodes), slice(hash.view()), &v);
            if (s.IsNotFound()) return Unexpected{"missing trie node " + to_hex(hash)};
            if (!s.ok())
                return Unexpected{"reading trie node " + to_hex(hash) + ": " + s.ToString()};
            if (!visit(view(v), account_trie, 0))
                return Unexpected{"malformed trie node " + to_hex(hash)};
        }
        return {};
    }

private:
    void push(const Hash32& hash, bool account_trie) {
        if (hash == kEmptyTrieRoot) return;  // the empty trie is not stored
        if (marked_.insert(hash)) stack_.push_back({hash, account_trie});
    }

    /// A child reference: a 32-byte string is a node by hash, a list an embedded node.
    bool child(const rlp::Item& item, bool account_trie, int depth) {
        if (item.is_list) return visit(item.encoded, account_trie, depth + 1);
        if (item.payload.size() == 32) {
            Hash32 h;
            std::memcpy(h.data(), item.payload.data(), 32);
            push(h, account_trie);
        }
        return item.payload.empty() || item.payload.size() == 32;
    }

    /// Pushes the children of one node (geth's format: a 17-item branch, a 2-item leaf or
    /// extension told apart by the hex-prefix flag of its path).
    bool visit(ByteView node, bool account_trie, int depth) {
        if (depth > 64) return false;
        auto top = rlp::decode_single(node);
        if (!top || !top->is_list) return false;
        rlp::Decoder d(top->payload);
        rlp::Item items[17];
        size_t n = 0;
        while (!d.empty()) {
            if (n == 17) return false;
            auto it = d.next();
            if (!it) return false;
            items[n++] = *it;
        }
        if (n == 17) {
            for (size_t i = 0; i < 16; ++i)
                if (!child(items[i], account_trie, depth)) return false;
            return true;
        }
        if (n != 2 || items[0].is_list || items[0].payload.empty()) return false;
        const bool leaf = (items[0].payload[0] >> 4) >= 2;
        if (!leaf) return child(items[1], account_trie, depth);
        if (!account_trie) return true;  // a storage value
        if (items[1].is_list) return false;
        auto rec = decode_account_rlp(items[1].payload);
        if (!rec) return false;
        push(rec->storage_root, false);
        return true;
    }

    const RocksDatabase& db_;
    NodeSet& marked_;
    rocksdb::ReadOptions ro_;
    std::vector<std::pair<Hash32, bool>> stack_;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

Result<PruneStatus, std::string> RocksDatabase::prune_now() {
    if (options_.archive) return prune_status();
    std::lock_guard lock(prune_mu_);
    return prune_cycle();
}

PruneStatus RocksDatabase::prune_status() const {
    std::lock_guard lock(status_mu_);
    PruneStatus s = status_;
    s.oldest_state = oldest_state_.load();
    s.oldest_trie = oldest_trie_.load();
    s.checkpoint = checkpoint_stride();
    return s;
}

Result<PruneStatus, std::string> RocksDatabase::prune_cycle() {
    const auto t0 = std::chrono::steady_clock::now();
    const rocksdb::Snapshot* snap = nullptr;
    uint64_t low = 0, trie_low = 0, latest = 0, previous_oldest = 0, previous_trie = 0;
    try {
        std::lock_guard guard(write_mu_);
        blocks_since_prune_ = 0;
        nodes_since_prune_ = 0;
        const auto head_latest = head(Head::kLatest);
        if (!head_latest) return prune_status();
        latest = *head_latest;
        const uint64_t keep = options_.prune_keep;
        const uint64_t base = std::min(head(Head::kFinalized).value_or(0), latest);
        previous_oldest = oldest_state_.load();
        previous_trie = oldest_trie_.load();
        low = std::max(base > keep ? base - keep : 0, previous_oldest);
        // The recent whole tries: only blocks whose trie is whole now may be marked as such
        // (below oldest_trie_ only checkpoints are, until a rewind rebuilds one).
        trie_low = std::max({latest > keep ? latest - keep : 0, low, previous_trie});
        if (checkpoint_stride() == 1) trie_low = low;  // every trie kept down to low
        if (low <= previous_oldest && trie_low <= previous_trie)
            return prune_status();  // the window did not move
        // From here on, rewinds below `low` are refused (their undo records go), and states
        // below `trie_low` other than checkpoints are read through the undo records.
        snap = db_->GetSnapshot();
        oldest_state_.store(low, std::memory_order_release);
        oldest_trie_.store(trie_low, std::memory_order_release);
        cycle_active_ = true;
        written_.clear();
    } catch (const ReadError& e) {
        return Unexpected{std::string("prune: ") + e.what()};
    }
    // Ends the cycle whatever happens below: commits stop recording, the snapshot goes.
    struct End {
        RocksDatabase& db;
        const rocksdb::Snapshot* snap;
        ~End() {
            {
                std::lock_guard guard(db.write_mu_);
                db.cycle_active_ = false;
                db.written_.clear();
            }
            db.db_->ReleaseSnapshot(snap);
        }
    } end{*this, snap};
    bool mark_written = false;
    auto fail = [&](std::string why) -> Result<PruneStatus, std::string> {
        if (!mark_written) {  // nothing deleted: rewinds may go down to the old mark again
            std::lock_guard guard(write_mu_);
            oldest_state_.store(previous_oldest, std::memory_order_release);
            oldest_trie_.store(std::min(previous_trie, oldest_trie_.load()),
                               std::memory_order_release);
        }
        std::lock_guard lock(status_mu_);
        status_.last_error = "prune cycle for blocks below " + std::to_string(low) + ": " + why;
        return Unexpected{status_.last_error};
    };

    // Mark.
    NodeSet marked;
    {
        std::lock_guard lock(status_mu_);
        marked.reserve(status_.last_marked + status_.last_marked / 4);
    }
    Marker marker(*this, snap, marked);
    for (uint64_t n = low; n <= latest; ++n) {
        if (n < trie_low && !is_checkpoint(n)) continue;
        const auto nk = number_key(n);
        auto raw = read(kHeaders, ByteView(nk.data(), nk.size()), snap);
        if (!raw) return fail(state::to_string(raw.error()));
        if (!raw->has_value() || (*raw)->size() < 32)
            return fail("block " + std::to_string(n) + " is missing");
        auto header = decode_header(view(**raw).subspan(32));
        if (!header) return fail("block " + std::to_string(n) + "'s header does not decode");
        if (auto m = marker.mark_state(header->state_root); !m)
            return fail("the state of block " + std::to_string(n) + ": " + m.error());
        if (stopping_.load(std::memory_order_relaxed)) return fail("the database is closing");
    }

    if (options_.after_prune_mark) options_.after_prune_mark();
    // The mark is durable before the first delete: a restart knows what is gone.
    {
        std::lock_guard guard(write_mu_);
        const auto nk = number_key(low);
        // A rewind during the mark may have rebuilt a lower block's trie (oldest_trie_ went
        // down): that one is what holds.
        const auto tk = number_key(std::min(trie_low, oldest_trie_.load()));
        rocksdb::WriteBatch batch;
        batch.Put(cf(kMeta), rocksdb::Slice(kPruneMarkKey), slice(ByteView(nk.data(), nk.size())));
        batch.Put(cf(kMeta), rocksdb::Slice(kPruneTrieMarkKey),
                  slice(ByteView(tk.data(), tk.size())));
        if (auto w = write(batch); !w) return fail(w.error());
        mark_written = true;
    }

    // Sweep, in chunks: the writer waits at most one chunk's write.
    uint64_t deleted = 0, kept_new = 0;
    rocksdb::WriteOptions quiet;  // a lost delete after a crash only leaves garbage
    quiet.sync = false;
    auto flush = [&](std::vector<Hash32>& chunk) -> Result<void, std::string> {
        std::lock_guard guard(write_mu_);
        rocksdb::WriteBatch batch;
        for (const Hash32& h : chunk) {
            if (written_.contains(h)) {
                ++kept_new;
                continue;
            }
            batch.Delete(cf(kTrieNodes), slice(h.view()));
            ++deleted;
        }
        chunk.clear();
        rocksdb::Status s = db_->Write(quiet, &batch);
        if (!s.ok()) return Unexpected{"database write failed: " + s.ToString()};
        return {};
    };
    {
        rocksdb::ReadOptions ro;
        ro.snapshot = snap;
        ro.fill_cache = false;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kTrieNodes)));
        std::vector<Hash32> chunk;
        chunk.reserve(kSweepChunk);
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            if (it->key().size() != 32) continue;
            Hash32 h;
            std::memcpy(h.data(), it->key().data(), 32);
            if (marked.contains(h)) continue;
            chunk.push_back(h);
            if (chunk.size() == kSweepChunk) {
                if (auto f = flush(chunk); !f) return fail(f.error());
                if (stopping_.load(std::memory_order_relaxed))
                    return fail("the database is closing (the next cycle deletes the rest)");
            }
        }
        if (!it->status().ok()) return fail("iterating the trie nodes: " + it->status().ToString());
        if (!chunk.empty())
            if (auto f = flush(chunk); !f) return fail(f.error());
    }
    // Undo records below the window: no rewind may go there.
    {
        std::lock_guard guard(write_mu_);
        const auto from = number_key(0), to = number_key(low);
        rocksdb::WriteBatch batch;
        batch.DeleteRange(cf(kUndo), slice(ByteView(from.data(), from.size())),
                          slice(ByteView(to.data(), to.size())));
        rocksdb::Status s = db_->Write(quiet, &batch);
        if (!s.ok()) return fail("database write failed: " + s.ToString());
    }

    // Give the space back now: a delete is a tombstone until a compaction meets the value it
    // hides, and the swept nodes are spread over every table file of the family (random hash
    // keys), so without this the directory holds them until the levels fill. Writers go on
    // meanwhile (a manual compaction that is not exclusive runs beside the automatic ones).
    double compact_seconds = 0;
    uint64_t uncompacted = 0;
    bool compacted = false;
    {
        std::lock_guard lock(status_mu_);
        uncompacted = status_.uncompacted_deleted + deleted;
    }
    if (options_.prune_compact && uncompacted > 0 && uncompacted * 4 >= marked.size()) {
        const auto tc = std::chrono::steady_clock::now();
        rocksdb::CompactRangeOptions co;
        co.exclusive_manual_compaction = false;
        for (Cf c : {kTrieNodes, kUndo}) {
            rocksdb::Status cs = db_->CompactRange(co, cf(c), nullptr, nullptr);
            if (!cs.ok()) return fail("compacting after the sweep: " + cs.ToString());
            if (stopping_.load(std::memory_order_relaxed)) break;
        }
        compact_seconds = seconds_since(tc);
        uncompacted = 0;
        compacted = true;
    }

    PruneStatus out;
    {
        std::lock_guard lock(status_mu_);
        status_.last_compact_seconds = compact_seconds;
        if (compacted) status_.compactions += 1;
        status_.uncompacted_deleted = uncompacted;
        status_.oldest_state = low;
        status_.oldest_trie = oldest_trie_.load();
        status_.cycles += 1;
        status_.last_marked = marked.size();
        status_.last_deleted = deleted;
        status_.last_kept_new = kept_new;
        status_.deleted_total += deleted;
        status_.last_seconds = seconds_since(t0);
        status_.last_error.clear();
        out = status_;
    }
    {
        std::lock_guard guard(write_mu_);
        prune_node_trigger_ = std::max<uint64_t>(options_.prune_min_nodes, marked.size());
    }
    return out;
}

Result<void, std::string> RocksDatabase::compact() {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (auto* h : cfs_) {
        rocksdb::Status s = db_->CompactRange(co, h, nullptr, nullptr);
        if (!s.ok()) return Unexpected{"compaction failed: " + s.ToString()};
    }
    return {};
}

void RocksDatabase::pruner_loop() {
    // Background work: this thread yields the cores to sealing, execution and the RPC when
    // they are busy (nice 5 for this thread only; Linux sets it per thread). Failing to is
    // harmless.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 5);
    std::unique_lock lock(wake_mu_);
    for (;;) {
        wake_cv_.wait(lock, [this] { return wake_ || stop_; });
        if (stop_) return;
        wake_ = false;
        overdue_ = false;
        lock.unlock();
        Result<PruneStatus, std::string> r = Unexpected{std::string()};
        const auto t0 = std::chrono::steady_clock::now();
        {
            std::lock_guard cycle(prune_mu_);
            r = prune_cycle();
        }
        if (options_.on_prune) options_.on_prune(r ? *r : prune_status());
        // The duty cycle (Options::prune_max_busy): a commit that asks for a cycle meanwhile
        // leaves wake_ set, and the cycle starts when the pause ends — or at once when the
        // nodes written since the last cycle reach twice the trigger (overdue_), so a load
        // that writes garbage faster than paced cycles delete it cannot grow the datadir
        // without bound.
        const auto busy = std::chrono::steady_clock::now() - t0;
        const uint64_t share = std::clamp<uint64_t>(options_.prune_max_busy, 1, 100);
        const auto pause = busy * (100 - share) / share;
        lock.lock();
        wake_cv_.wait_for(lock, pause, [this] { return stop_ || overdue_; });
    }
}

void RocksDatabase::stop_pruner() {
    stopping_.store(true, std::memory_order_relaxed);
    {
        std::lock_guard lock(wake_mu_);
        stop_ = true;
        wake_cv_.notify_one();
    }
    if (pruner_.joinable()) pruner_.join();
}

}  // namespace fuse::storage
