#pragma once
/// An exact set of trie node hashes by their first 16 bytes (docs/storage.md "Pruning"): the
/// pruner's marks and the hashes committed while a cycle runs. Open addressing over two 64-bit
/// words per entry (16 bytes, no allocation per insert), so marking a few million nodes costs
/// tens of MB. Exact, unlike a Bloom filter: a false "present" would skip a subtree during the
/// mark and let its nodes be deleted. Two different nodes share a 16-byte prefix with
/// probability ~2^-128 per pair.

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/bytes.hpp"

namespace fuse::storage {

class NodeSet {
public:
    /// Adds `hash`; false if it was there already.
    bool insert(const Hash32& hash) {
        const Key k = key_of(hash);
        if (k.a == 0 && k.b == 0) {
            const bool added = !has_zero_;
            has_zero_ = true;
            return added;
        }
        if ((size_ + 1) * 2 > slots_.size()) grow();
        return place(k);
    }
    bool contains(const Hash32& hash) const {
        const Key k = key_of(hash);
        if (k.a == 0 && k.b == 0) return has_zero_;
        if (slots_.empty()) return false;
        const size_t mask = slots_.size() - 1;
        for (size_t i = k.b & mask;; i = (i + 1) & mask) {
            if (slots_[i].a == k.a && slots_[i].b == k.b) return true;
            if (slots_[i].a == 0 && slots_[i].b == 0) return false;
        }
    }
    size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
    /// Empties the set and gives its memory back.
    void clear() {
        std::vector<Key>().swap(slots_);
        size_ = 0;
        has_zero_ = false;
    }
    void reserve(size_t n) {
        while (n * 2 > slots_.size())
            grow();
    }

private:
    struct Key {
        uint64_t a = 0, b = 0;
    };
    static Key key_of(const Hash32& h) {
        Key k;
        std::memcpy(&k.a, h.data(), 8);
        std::memcpy(&k.b, h.data() + 8, 8);
        return k;
    }
    bool place(const Key& k) {
        const size_t mask = slots_.size() - 1;
        for (size_t i = k.b & mask;; i = (i + 1) & mask) {
            if (slots_[i].a == k.a && slots_[i].b == k.b) return false;
            if (slots_[i].a == 0 && slots_[i].b == 0) {
                slots_[i] = k;
                ++size_;
                return true;
            }
        }
    }
    void grow() {
        std::vector<Key> old;
        old.swap(slots_);
        slots_.assign(old.empty() ? 1024 : old.size() * 2, Key{});
        size_ = 0;
        for (const Key& k : old)
            if (k.a != 0 || k.b != 0) place(k);
    }

    std::vector<Key> slots_;
    size_t size_ = 0;
    bool has_zero_ = false;
};

}  // namespace fuse::storage
