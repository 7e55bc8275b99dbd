#include "ethrpc/batch_index.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "inbox/inbox_reader.hpp"

namespace fuse::ethrpc {
namespace {

/// Per-batch records, each keyed by prefix + sequence number: the batch poster's
/// (poster::batch_meta_key: 8-byte BE previous message count ‖ 8-byte BE new count ‖ L1 tx
/// hash) and a validator's (validator::batch_block_key: 8-byte BE last block).
constexpr std::string_view kPosterRecord = "batcher.batch.";
constexpr std::string_view kValidatorRecord = "validator.batch.";

/// The inbox readers' cursor and history (poster/l1_guard.cpp, validator/validator.cpp).
struct ReaderKeys {
    std::string_view cursor, history;
};
constexpr std::array<ReaderKeys, 2> kReaders = {
    {{"guard.cursor", "guard.history"}, {"validator.cursor", "validator.history"}}};

uint64_t be64(ByteView b, size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i)
        v = v << 8 | b[at + i];
    return v;
}

class RecordedBatchIndex final : public BatchIndex {
public:
    RecordedBatchIndex(const storage::Database& db, uint64_t depth) : db_(db), depth_(depth) {}

    std::optional<BatchLocation> batch_of(uint64_t number) const override {
        const std::vector<inbox::BatchRef> refs = read_refs();
        std::optional<uint64_t> seq = from_records(number);
        if (!seq) seq = from_refs(refs, number);
        if (!seq) return std::nullopt;
        BatchLocation loc{*seq, std::nullopt};
        for (const auto& r : refs)
            if (r.sequence_number == *seq) loc.l1_block = r.l1_block_number;
        // Older than what the readers remember: delivered no later than the oldest they do.
        if (!loc.l1_block && !refs.empty() && *seq < refs.front().sequence_number)
            loc.l1_block = refs.front().l1_block_number;
        return loc;
    }

    std::optional<uint64_t> l1_head() const override {
        std::optional<uint64_t> head;
        for (const ReaderKeys& k : kReaders) {
            const auto text = db_.get_meta(k.cursor);
            if (!text || text->empty()) continue;
            try {
                const auto c = inbox::cursor_from_json(std::string(text->begin(), text->end()));
                head = std::max(head.value_or(0), c.scanned_block + depth_);
            } catch (const inbox::InboxError&) {
            }
        }
        return head;
    }

    std::optional<uint64_t> last_batched_block() const override {
        std::optional<uint64_t> last;
        if (const uint64_t n = record_count(); n > 0) last = last_block(n - 1);
        for (const auto& r : read_refs())
            last = std::max(last.value_or(0), r.message_count);
        return last;
    }

private:
    /// The last block of batch `seq` by its per-batch record, nullopt when there is none.
    std::optional<uint64_t> last_block(uint64_t seq) const {
        if (const auto v = db_.get_meta(std::string(kPosterRecord) + std::to_string(seq));
            v && v->size() >= 16)
            return be64(*v, 8);
        if (const auto v = db_.get_meta(std::string(kValidatorRecord) + std::to_string(seq));
            v && v->size() >= 8)
            return be64(*v, 0);
        return std::nullopt;
    }

    /// How many per-batch records there are from batch 0 on without a hole.
    uint64_t record_count() const {
        if (!last_block(0)) return 0;
        uint64_t lo = 1, hi = 2;  // record lo - 1 exists; find one missing
        while (last_block(hi - 1)) {
            lo = hi;
            if (hi > (uint64_t{1} << 62)) return hi;
            hi *= 2;
        }
        while (lo < hi) {  // the first missing in [lo - 1, hi - 1]
            const uint64_t mid = lo + (hi - lo) / 2;
            if (last_block(mid))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    /// The batch holding `number` by the per-batch records: the first whose last block is at
    /// or past it (message counts only grow).
    std::optional<uint64_t> from_records(uint64_t number) const {
        const uint64_t n = record_count();
        if (n == 0 || last_block(n - 1).value_or(0) < number) return std::nullopt;
        uint64_t lo = 0, hi = n - 1;
        while (lo < hi) {
            const uint64_t mid = lo + (hi - lo) / 2;
            if (last_block(mid).value_or(0) >= number)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    /// The batch holding `number` by the inbox readers' history (recent batches only).
    static std::optional<uint64_t> from_refs(const std::vector<inbox::BatchRef>& refs,
                                             uint64_t number) {
        for (size_t i = 0; i < refs.size(); ++i) {
            if (refs[i].message_count < number) continue;
            const bool starts_known =
                i > 0 ? refs[i - 1].sequence_number + 1 == refs[i].sequence_number
                      : refs[i].sequence_number == 0;
            if (!starts_known) return std::nullopt;  // it may belong to an older batch
            return refs[i].sequence_number;
        }
        return std::nullopt;
    }

    /// Both readers' remembered batches, by sequence number.
    std::vector<inbox::BatchRef> read_refs() const {
        std::vector<inbox::BatchRef> refs;
        for (const ReaderKeys& k : kReaders) {
            try {
                if (const auto h = db_.get_meta(k.history); h && !h->empty())
                    for (auto& r : inbox::history_from_json(std::string(h->begin(), h->end())))
                        refs.push_back(std::move(r));
                if (const auto c = db_.get_meta(k.cursor); c && !c->empty())
                    if (auto last = inbox::cursor_from_json(std::string(c->begin(), c->end())).last)
                        refs.push_back(std::move(*last));
            } catch (const inbox::InboxError&) {
                // An unreadable record says nothing; the other sources may.
            }
        }
        std::sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) {
            return a.sequence_number < b.sequence_number;
        });
        refs.erase(std::unique(refs.begin(), refs.end(),
                               [](const auto& a, const auto& b) {
                                   return a.sequence_number == b.sequence_number;
                               }),
                   refs.end());
        return refs;
    }

    const storage::Database& db_;
    uint64_t depth_;
};

}  // namespace

std::unique_ptr<BatchIndex> make_recorded_batch_index(const storage::Database& db,
                                                      uint64_t inbox_depth) {
    return std::make_unique<RecordedBatchIndex>(db, inbox_depth);
}

}  // namespace fuse::ethrpc
