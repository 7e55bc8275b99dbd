#include "batch/address_registry.hpp"

#include <algorithm>

namespace fuse::batch {

std::optional<uint64_t> AddressRegistry::find(const Address& a) const {
    auto it = index_.find(a);
    if (it == index_.end()) return std::nullopt;
    return it->second;
}

std::optional<uint64_t> AddressRegistry::apply_batch(uint64_t sequence_number,
                                                     std::span<const Address> added) {
    if (started_ && sequence_number != next_batch_) return std::nullopt;
    if (!started_ && !marks_.empty()) return std::nullopt;
    started_ = true;
    marks_.push_back({sequence_number, entries_.size()});
    while (marks_.size() > max_marks_)
        marks_.pop_front();
    next_batch_ = sequence_number + 1;
    uint64_t n = 0;
    for (const Address& a : added) {
        if (entries_.size() >= kMaxRegistrySize) break;
        if (index_.try_emplace(a, static_cast<uint32_t>(entries_.size())).second) {
            entries_.push_back(a);
            ++n;
        }
    }
    return n;
}

std::optional<uint64_t> AddressRegistry::size_before(uint64_t sequence_number) const {
    if (sequence_number == next_batch_) return entries_.size();
    for (const Mark& m : marks_)
        if (m.sequence_number == sequence_number) return m.size_before;
    return std::nullopt;
}

bool AddressRegistry::rollback_to_batch(uint64_t sequence_number) {
    if (!started_ || sequence_number >= next_batch_) return true;
    auto size = size_before(sequence_number);
    if (!size) return false;
    drop_entries(*size);
    while (!marks_.empty() && marks_.back().sequence_number >= sequence_number)
        marks_.pop_back();
    next_batch_ = sequence_number;
    return true;
}

void AddressRegistry::truncate(uint64_t new_size) {
    if (new_size >= entries_.size()) return;
    drop_entries(new_size);
    while (!marks_.empty() && marks_.back().size_before >= new_size) {
        next_batch_ = marks_.back().sequence_number;
        marks_.pop_back();
    }
}

void AddressRegistry::drop_entries(uint64_t new_size) {
    if (new_size >= entries_.size()) return;
    for (uint64_t i = new_size; i < entries_.size(); ++i)
        index_.erase(entries_[i]);
    entries_.resize(new_size);
    dirty_from_ = std::min(dirty_from_, new_size);
}

bool AddressRegistry::restore(std::vector<Address> entries, std::deque<Mark> marks,
                              uint64_t next_batch) {
    std::unordered_map<Address, uint32_t> index;
    index.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i)
        if (!index.try_emplace(entries[i], static_cast<uint32_t>(i)).second) return false;
    for (size_t i = 0; i < marks.size(); ++i) {
        const bool ordered =
            i == 0 || (marks[i].sequence_number == marks[i - 1].sequence_number + 1 &&
                       marks[i].size_before >= marks[i - 1].size_before);
        if (!ordered || marks[i].size_before > entries.size()) return false;
    }
    if (!marks.empty() && marks.back().sequence_number + 1 != next_batch) return false;
    if (entries.size() > kMaxRegistrySize) return false;
    entries_ = std::move(entries);
    index_ = std::move(index);
    marks_ = std::move(marks);
    next_batch_ = next_batch;
    started_ = !marks_.empty() || next_batch != 0 || !entries_.empty();
    dirty_from_ = entries_.size();
    return true;
}

namespace {

void put_be64(Bytes& out, uint64_t v) {
    for (int i = 7; i >= 0; --i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

uint64_t get_be64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = v << 8 | p[i];
    return v;
}

std::string chunk_key(const std::string& prefix, uint64_t chunk) {
    return prefix + ".chunk." + std::to_string(chunk);
}

/// size ‖ next_batch ‖ (sequence_number ‖ size_before)*, all be64.
Bytes header(uint64_t size, uint64_t next_batch, const std::deque<AddressRegistry::Mark>& marks) {
    Bytes out;
    put_be64(out, size);
    put_be64(out, next_batch);
    for (const auto& m : marks) {
        put_be64(out, m.sequence_number);
        put_be64(out, m.size_before);
    }
    return out;
}

}  // namespace

Result<void, std::string> save_registry(AddressRegistry& reg, RegistryStore& store,
                                        const std::string& prefix) {
    const std::string head_key = prefix + ".header";
    const uint64_t from = reg.dirty_from();
    const auto stored = store.get(head_key);
    if (stored && stored->size() >= 16 && get_be64(stored->data()) > from) {
        // Cut the stored header to the entries that stay, before any of them is replaced: the
        // marks of batches that lie wholly below `from`, the next batch the first one after.
        std::deque<AddressRegistry::Mark> kept;
        uint64_t next = 0;
        for (const auto& m : reg.marks()) {
            if (m.size_before >= from) {
                next = m.sequence_number;
                break;
            }
            kept.push_back(m);
            next = m.sequence_number + 1;
        }
        if (auto r = store.put(head_key, header(from, next, kept)); !r) return r;
    }
    for (uint64_t c = from / kRegistryChunk; c * kRegistryChunk < reg.size(); ++c) {
        Bytes chunk;
        const uint64_t end = std::min(reg.size(), (c + 1) * kRegistryChunk);
        chunk.reserve(20 * (end - c * kRegistryChunk));
        for (uint64_t i = c * kRegistryChunk; i < end; ++i)
            chunk.insert(chunk.end(), reg.at(i).bytes.begin(), reg.at(i).bytes.end());
        if (auto r = store.put(chunk_key(prefix, c), chunk); !r) return r;
    }
    if (auto r = store.put(head_key, header(reg.size(), reg.next_batch(), reg.marks())); !r)
        return r;
    reg.mark_persisted();
    return {};
}

Result<AddressRegistry, std::string> load_registry(const RegistryStore& store,
                                                   const std::string& prefix) {
    AddressRegistry reg;
    const auto head = store.get(prefix + ".header");
    if (!head) return reg;
    if (head->size() < 16 || head->size() % 16 != 0)
        return Unexpected{"address registry header " + prefix + " has a bad length"};
    const uint64_t size = get_be64(head->data());
    const uint64_t next = get_be64(head->data() + 8);
    if (size > kMaxRegistrySize)
        return Unexpected{"address registry " + prefix + " is larger than its maximum"};
    std::deque<AddressRegistry::Mark> marks;
    for (size_t off = 16; off < head->size(); off += 16)
        marks.push_back({get_be64(head->data() + off), get_be64(head->data() + off + 8)});
    std::vector<Address> entries;
    entries.reserve(size);
    for (uint64_t c = 0; c * kRegistryChunk < size; ++c) {
        const auto chunk = store.get(chunk_key(prefix, c));
        const uint64_t want = std::min(size - c * kRegistryChunk, kRegistryChunk);
        if (!chunk || chunk->size() < 20 * want)
            return Unexpected{"address registry " + prefix + " is missing chunk " +
                              std::to_string(c)};
        for (uint64_t i = 0; i < want; ++i)
            entries.push_back(Address::from_view_right(ByteView(*chunk).subspan(20 * i, 20)));
    }
    if (!reg.restore(std::move(entries), std::move(marks), next))
        return Unexpected{"address registry " + prefix +
                          " is inconsistent (duplicated address or bad batch marks)"};
    return reg;
}

}  // namespace fuse::batch
