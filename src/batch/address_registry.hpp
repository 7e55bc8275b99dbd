#pragma once
/// The address registry of batch format 0x02 (docs/batch-format.md, "Format 0x02"): a dictionary
/// shared across batches and defined by the batch stream alone. Every address written as a
/// literal entry in the address table of a format-0x02 batch that decodes gets the next index,
/// in batch sequence order and then table order; a later batch names it by that index instead
/// of its 20 bytes. Batch k decodes with the registry as of the batches before k.
///
/// Append-only in normal operation; an L1 reorg that drops batches >= k truncates it to its size
/// before k (`rollback_to_batch`, from the per-batch marks it keeps). Persisted through a small
/// key-value hook (`RegistryStore`, the node's `put_meta` / `get_meta`) so that a restarted
/// poster or reader continues without re-reading old batches.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace fuse::batch {

/// Most entries the registry holds (a consensus value): once full, literals of later batches
/// are no longer registered (they still decode). Bounds its memory (~4.2 M entries, 84 MB of
/// addresses plus the index).
inline constexpr uint64_t kMaxRegistrySize = uint64_t{1} << 22;

class AddressRegistry {
public:
    /// How many recent batches' marks are kept (rollback depth): more than the inbox reader's
    /// default history of 1,024 batches.
    static constexpr size_t kDefaultMarks = 4096;

    explicit AddressRegistry(size_t max_marks = kDefaultMarks) : max_marks_(max_marks) {}

    uint64_t size() const { return entries_.size(); }
    const Address& at(uint64_t index) const { return entries_[index]; }
    /// The index of `a`, if registered.
    std::optional<uint64_t> find(const Address& a) const;

    /// The sequence number the next applied batch must have (0 before any).
    uint64_t next_batch() const { return next_batch_; }
    /// Registers the literal entries of batch `sequence_number` (from its decode result;
    /// nothing for a batch of another format or one that does not decode), which must be
    /// next_batch() — unless no batch was applied yet and no marks exist, when any number starts
    /// the registry (a poster or reader that began there). Addresses already registered are
    /// skipped (the decoder never yields them), and nothing past kMaxRegistrySize is added.
    /// Returns how many entries were added; false when `sequence_number` is out of order.
    std::optional<uint64_t> apply_batch(uint64_t sequence_number, std::span<const Address> added);
    /// Drops every entry added by batches >= `sequence_number`. False (nothing changed) when
    /// that batch is older than the marks kept, i.e. the reorg is deeper than the registry can
    /// undo; true also when `sequence_number >= next_batch()` (nothing to drop).
    bool rollback_to_batch(uint64_t sequence_number);
    /// The registry's size before batch `sequence_number`, if its mark is kept (or it is next).
    std::optional<uint64_t> size_before(uint64_t sequence_number) const;
    /// Drops the entries from `new_size` on (no-op when new_size >= size()). Meant for a size a
    /// batch started at: every batch whose mark is at or above `new_size` counts as no longer
    /// applied, and next_batch() becomes the oldest of them (rollback_to_batch is exact where a
    /// batch added nothing).
    void truncate(uint64_t new_size);

    /// Smallest index changed since the last `mark_persisted()` (size() when nothing changed).
    uint64_t dirty_from() const { return std::min<uint64_t>(dirty_from_, entries_.size()); }
    void mark_persisted() { dirty_from_ = entries_.size(); }

    struct Mark {
        uint64_t sequence_number = 0;
        uint64_t size_before = 0;
        friend bool operator==(const Mark&, const Mark&) = default;
    };
    const std::deque<Mark>& marks() const { return marks_; }
    /// Restores marks and the next batch number (persistence; no checks beyond ordering).
    bool restore(std::vector<Address> entries, std::deque<Mark> marks, uint64_t next_batch);

private:
    void drop_entries(uint64_t new_size);

    std::vector<Address> entries_;
    std::unordered_map<Address, uint32_t> index_;
    std::deque<Mark> marks_;  // one per applied batch, oldest first, at most max_marks_
    uint64_t next_batch_ = 0;
    bool started_ = false;
    uint64_t dirty_from_ = 0;
    size_t max_marks_;
};

/// The persistence hook: a key-value store (the node passes its database's meta keys).
class RegistryStore {
public:
    virtual ~RegistryStore() = default;
    virtual std::optional<Bytes> get(std::string_view key) const = 0;
    virtual Result<void, std::string> put(std::string_view key, ByteView value) = 0;
};

/// Entries per stored chunk (81,920 bytes).
inline constexpr uint64_t kRegistryChunk = 4096;

/// Writes what changed since the last save under `prefix`: the chunks from dirty_from() on,
/// then the header (size, next batch, marks) last, so that a crash between writes leaves the
/// previous header valid. Entries below a stored header's size are never replaced while that
/// header stands: when a truncate made dirty_from() smaller than the stored size, a header cut
/// to dirty_from() is written first. Call it before the batch whose literals were applied is
/// posted (poster) or before the reader's cursor that covers the batch is persisted
/// (validator).
Result<void, std::string> save_registry(AddressRegistry& reg, RegistryStore& store,
                                        const std::string& prefix);
/// The registry saved under `prefix` (an empty one if nothing was saved); an error for
/// inconsistent data (a missing chunk, a duplicated address, bad marks).
Result<AddressRegistry, std::string> load_registry(const RegistryStore& store,
                                                   const std::string& prefix);

}  // namespace fuse::batch
