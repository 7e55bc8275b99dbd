// Format 0x02 and its address registry (docs/batch-format.md, "Format 0x02"): the registry's
// order, rollback and persistence; batches decoded in sequence with the registry carried over
// come back exactly and name registered addresses by index; every rejection of the format.
#include "batch/address_registry.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "batch/batch.hpp"
#include "batch/builder.hpp"
#include "batch/column_io.hpp"
#include "batch/test_util.hpp"
#include "batch/tx_columns.hpp"

namespace fuse::batch {
namespace {

using testing::signed_txs;

Address addr(uint8_t n) {
    Address a;
    a.bytes[0] = 0xaa;
    a.bytes[19] = n;
    return a;
}

std::vector<Address> addrs(std::initializer_list<uint8_t> ns) {
    std::vector<Address> out;
    for (uint8_t n : ns)
        out.push_back(addr(n));
    return out;
}

TEST(AddressRegistry, IndicesFollowBatchThenTableOrder) {
    AddressRegistry reg;
    EXPECT_EQ(reg.apply_batch(0, addrs({5, 3})), 2u);
    EXPECT_EQ(reg.apply_batch(1, {}), 0u);
    EXPECT_EQ(reg.apply_batch(2, addrs({9})), 1u);
    ASSERT_EQ(reg.size(), 3u);
    EXPECT_EQ(reg.at(0), addr(5));
    EXPECT_EQ(reg.at(1), addr(3));
    EXPECT_EQ(reg.at(2), addr(9));
    EXPECT_EQ(reg.find(addr(9)), 2u);
    EXPECT_EQ(reg.find(addr(4)), std::nullopt);
    EXPECT_EQ(reg.next_batch(), 3u);
    // Out of order: refused, nothing changes.
    EXPECT_EQ(reg.apply_batch(2, addrs({7})), std::nullopt);
    EXPECT_EQ(reg.apply_batch(4, addrs({7})), std::nullopt);
    EXPECT_EQ(reg.size(), 3u);
    // An address already registered is not added twice.
    EXPECT_EQ(reg.apply_batch(3, addrs({5, 8})), 1u);
    EXPECT_EQ(reg.find(addr(8)), 3u);
}

TEST(AddressRegistry, StartsAtAnyBatchThenCountsOn) {
    AddressRegistry reg;
    EXPECT_EQ(reg.apply_batch(40, addrs({1})), 1u);
    EXPECT_EQ(reg.next_batch(), 41u);
    EXPECT_EQ(reg.apply_batch(40, addrs({2})), std::nullopt);
}

TEST(AddressRegistry, RollbackDropsTheBatchesFromK) {
    AddressRegistry reg;
    reg.apply_batch(0, addrs({1, 2}));
    reg.apply_batch(1, {});
    reg.apply_batch(2, addrs({3}));
    reg.apply_batch(3, addrs({4, 5}));
    EXPECT_EQ(reg.size_before(2), 2u);
    EXPECT_EQ(reg.size_before(4), 5u);
    EXPECT_TRUE(reg.rollback_to_batch(9));  // nothing after 3: nothing to drop
    EXPECT_EQ(reg.size(), 5u);
    EXPECT_TRUE(reg.rollback_to_batch(2));
    EXPECT_EQ(reg.size(), 2u);
    EXPECT_EQ(reg.next_batch(), 2u);
    EXPECT_EQ(reg.find(addr(3)), std::nullopt);
    EXPECT_EQ(reg.find(addr(4)), std::nullopt);
    // The replacing batches re-register, at the same indices.
    EXPECT_EQ(reg.apply_batch(2, addrs({4})), 1u);
    EXPECT_EQ(reg.find(addr(4)), 2u);
    // Rolling back over a batch that added nothing keeps it exact.
    EXPECT_TRUE(reg.rollback_to_batch(1));
    EXPECT_EQ(reg.size(), 2u);
    EXPECT_EQ(reg.next_batch(), 1u);
}

TEST(AddressRegistry, RollbackDeeperThanTheMarksIsRefused) {
    AddressRegistry reg(3);
    for (uint64_t k = 0; k < 6; ++k)
        reg.apply_batch(k, addrs({static_cast<uint8_t>(k)}));
    EXPECT_FALSE(reg.rollback_to_batch(2));  // marks of 3, 4, 5 only
    EXPECT_EQ(reg.size(), 6u);
    EXPECT_TRUE(reg.rollback_to_batch(3));
    EXPECT_EQ(reg.size(), 3u);
}

TEST(AddressRegistry, TruncateToABatchStart) {
    AddressRegistry reg;
    reg.apply_batch(0, addrs({1, 2}));
    reg.apply_batch(1, addrs({3}));
    reg.apply_batch(2, addrs({4}));
    reg.truncate(3);
    EXPECT_EQ(reg.size(), 3u);
    EXPECT_EQ(reg.next_batch(), 2u);
    EXPECT_EQ(reg.find(addr(4)), std::nullopt);
    EXPECT_EQ(reg.apply_batch(2, addrs({6})), 1u);
}

/// The node's meta keys, in memory, with a switch that makes every put fail from the n-th on
/// (a crash between two writes).
class MemoryStore : public RegistryStore {
public:
    std::optional<Bytes> get(std::string_view key) const override {
        auto it = kv.find(std::string(key));
        if (it == kv.end()) return std::nullopt;
        return it->second;
    }
    Result<void, std::string> put(std::string_view key, ByteView value) override {
        if (puts_left == 0) return Unexpected{std::string("crashed")};
        if (puts_left > 0) --puts_left;
        kv[std::string(key)] = Bytes(value.begin(), value.end());
        return {};
    }
    std::map<std::string, Bytes> kv;
    int puts_left = -1;
};

std::vector<Address> many(uint64_t first, uint64_t n) {
    std::vector<Address> out;
    for (uint64_t i = first; i < first + n; ++i) {
        Address a;
        for (int b = 0; b < 8; ++b)
            a.bytes[b] = static_cast<uint8_t>(i >> (8 * b));
        a.bytes[19] = 1;
        out.push_back(a);
    }
    return out;
}

void expect_same(const AddressRegistry& a, const AddressRegistry& b) {
    ASSERT_EQ(a.size(), b.size());
    for (uint64_t i = 0; i < a.size(); ++i)
        ASSERT_EQ(a.at(i), b.at(i));
    EXPECT_EQ(a.next_batch(), b.next_batch());
    EXPECT_EQ(a.marks(), b.marks());
}

TEST(AddressRegistry, SavesIncrementallyAndLoadsBack) {
    MemoryStore store;
    AddressRegistry reg;
    auto empty = load_registry(store, "reg");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->size(), 0u);
    reg.apply_batch(0, many(0, 5000));  // more than a chunk
    ASSERT_TRUE(save_registry(reg, store, "reg"));
    reg.apply_batch(1, many(5000, 10));
    reg.apply_batch(2, {});
    store.kv.erase("reg.chunk.0");  // already saved: must not be needed again...
    store.kv["reg.chunk.0"] = Bytes(20 * kRegistryChunk, 0);  // ...nor rewritten
    ASSERT_TRUE(save_registry(reg, store, "reg"));
    EXPECT_EQ(store.kv["reg.chunk.0"], Bytes(20 * kRegistryChunk, 0));
    store.kv.clear();
    reg.truncate(0);
    reg = AddressRegistry();
    reg.apply_batch(0, many(0, 5000));
    reg.apply_batch(1, many(5000, 10));
    reg.apply_batch(2, {});
    ASSERT_TRUE(save_registry(reg, store, "reg"));
    auto back = load_registry(store, "reg");
    ASSERT_TRUE(back) << back.error();
    expect_same(reg, *back);
    EXPECT_EQ(back->find(many(5009, 1)[0]), 5009u);
}

TEST(AddressRegistry, CrashDuringASaveAfterARollbackLeavesAConsistentPrefix) {
    MemoryStore store;
    AddressRegistry reg;
    reg.apply_batch(0, many(0, 100));
    reg.apply_batch(1, many(100, 50));
    ASSERT_TRUE(save_registry(reg, store, "reg"));
    // A reorg replaces batch 1 with one that registers other addresses at the same indices.
    ASSERT_TRUE(reg.rollback_to_batch(1));
    reg.apply_batch(1, many(900, 60));
    for (int puts = 0; puts <= 3; ++puts) {
        MemoryStore crashed = store;
        crashed.puts_left = puts;
        AddressRegistry copy = reg;
        (void)save_registry(copy, crashed, "reg");
        auto back = load_registry(crashed, "reg");
        ASSERT_TRUE(back) << back.error();
        // Either the old state, the state cut before batch 1, or the new one: never a mixture.
        if (back->size() == 150) {
            EXPECT_EQ(back->at(120), many(120, 1)[0]);
        } else if (back->size() == 100) {
            EXPECT_EQ(back->next_batch(), 1u);
        } else {
            ASSERT_EQ(back->size(), 160u);
            expect_same(reg, *back);
        }
        for (uint64_t i = 0; i < back->size(); ++i)
            ASSERT_EQ(back->find(back->at(i)), i);
    }
}

TEST(AddressRegistry, RefusesInconsistentStoredData) {
    MemoryStore store;
    AddressRegistry reg;
    reg.apply_batch(0, many(0, 10));
    ASSERT_TRUE(save_registry(reg, store, "reg"));
    MemoryStore missing = store;
    missing.kv.erase("reg.chunk.0");
    EXPECT_FALSE(load_registry(missing, "reg"));
    MemoryStore dup = store;
    std::copy_n(dup.kv["reg.chunk.0"].begin(), 20, dup.kv["reg.chunk.0"].begin() + 20);
    EXPECT_FALSE(load_registry(dup, "reg"));
    MemoryStore bad = store;
    bad.kv["reg.header"].push_back(0);
    EXPECT_FALSE(load_registry(bad, "reg"));
}

// --- format 0x02 -------------------------------------------------------------------------

std::vector<L2Message> as_messages(const std::vector<Bytes>& txs, size_t from, size_t to) {
    std::vector<L2Message> msgs;
    for (size_t i = from; i < to; i += 25) {
        L2Message m{1000 + i, uint256{7}, 1'700'000'000 + i, {}};
        for (size_t j = i; j < std::min(to, i + 25); ++j)
            m.txs.push_back(txs[j]);
        msgs.push_back(std::move(m));
    }
    return msgs;
}

/// Encodes each range as a format-0x02 batch against the registry of the ones before, decodes
/// it again with that registry and applies what it registered.
std::vector<Bytes> post_in_sequence(const std::vector<std::vector<L2Message>>& batches,
                                    AddressRegistry& reg) {
    std::vector<Bytes> out;
    for (const auto& msgs : batches) {
        std::vector<Address> literals, registered;
        auto data = encode_batch(msgs, 5, kRegistryFormat, &reg, &literals);
        EXPECT_TRUE(data);
        EXPECT_EQ((*data)[0], kRegistryFormat);
        auto back = decode_batch(*data, {}, &reg, &registered);
        EXPECT_TRUE(back) << (back ? "" : to_string(back.error()));
        if (back) {
            EXPECT_EQ(*back, msgs);
        }
        EXPECT_EQ(registered, literals);
        EXPECT_TRUE(reg.apply_batch(reg.next_batch(), registered));
        out.push_back(*data);
    }
    return out;
}

TEST(RegistryFormat, BatchesInSequenceRoundTripAndReuseAddresses) {
    std::mt19937_64 rng(21);
    const auto txs = signed_txs(rng, 300);  // six addresses shared by all
    AddressRegistry reg;
    const auto data = post_in_sequence(
        {as_messages(txs, 0, 100), as_messages(txs, 100, 200), as_messages(txs, 200, 300)}, reg);
    EXPECT_GE(reg.size(), 6u);
    EXPECT_LE(reg.size(), 7u);
    // The first batch registered them; the later ones carry no literal address at all, so
    // they are smaller than their format-0x01 encoding.
    const auto later = as_messages(txs, 100, 200);
    EXPECT_LT(data[1].size(), encode_batch(later, 5, kColumnarFormat)->size());
    // Decoded without the registry (or with a shorter one), batch 1 names unknown indices.
    auto alone = decode_batch(data[1]);
    ASSERT_FALSE(alone);
    EXPECT_EQ(alone.error(), BatchError::kUnknownRegistryIndex);
    // A registry cut shorter: the same messages while it holds every index the batch names,
    // else kUnknownRegistryIndex.
    size_t failed = 0;
    for (uint64_t size = 0; size < *reg.size_before(1); ++size) {
        AddressRegistry shorter = reg;
        shorter.truncate(size);
        auto r = decode_batch(data[1], {}, &shorter);
        if (r) {
            EXPECT_EQ(*r, later);
        } else {
            EXPECT_EQ(r.error(), BatchError::kUnknownRegistryIndex);
            ++failed;
        }
    }
    EXPECT_GE(failed, 1u);
}

TEST(RegistryFormat, RandomBatchesRoundTripWithTheRegistryCarried) {
    std::mt19937_64 rng(5);
    AddressRegistry reg;
    for (int round = 0; round < 6; ++round) {
        const auto txs = signed_txs(rng, 120);
        std::vector<std::vector<L2Message>> batches = {as_messages(txs, 0, 60),
                                                       as_messages(txs, 60, 120)};
        auto raw = testing::random_messages(rng, 4, 5, 40);  // transactions that go raw
        batches.push_back(raw);
        post_in_sequence(batches, reg);
    }
    EXPECT_GE(reg.size(), 36u);
}

TEST(RegistryFormat, OldFormatsDecodeWithARegistryAndRegisterNothing) {
    std::mt19937_64 rng(8);
    const auto msgs = as_messages(signed_txs(rng, 50), 0, 50);
    AddressRegistry reg;
    reg.apply_batch(0, many(0, 3));
    for (uint8_t f : {kBrotliFormat, kColumnarFormat}) {
        const Bytes data = *encode_batch(msgs, 5, f);
        std::vector<Address> registered = many(7, 1);
        auto back = decode_batch(data, {}, &reg, &registered);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, msgs);
        EXPECT_TRUE(registered.empty());
    }
}

TEST(RegistryFormat, ALiteralAlreadyRegisteredIsRejected) {
    std::mt19937_64 rng(9);
    const auto msgs = as_messages(signed_txs(rng, 50), 0, 50);
    std::vector<Address> literals;
    const Bytes data = *encode_batch(msgs, 5, kRegistryFormat, nullptr, &literals);
    ASSERT_FALSE(literals.empty());
    EXPECT_TRUE(decode_batch(data));  // with an empty registry it decodes
    AddressRegistry reg;
    reg.apply_batch(0, std::vector<Address>{literals.back()});
    std::vector<Address> registered = many(7, 1);
    auto r = decode_batch(data, {}, &reg, &registered);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), BatchError::kRegisteredLiteral);
    EXPECT_TRUE(registered.empty());  // nothing on failure
}

/// The format-0x02 stream of `msgs` split into segments and columns, and put back together.
struct Split {
    Bytes segments;
    std::vector<Bytes> cols;
    Bytes join() const {
        Bytes out;
        columns::put_varint(out, segments.size());
        out.insert(out.end(), segments.begin(), segments.end());
        for (const Bytes& c : cols) {
            columns::put_varint(out, c.size());
            out.insert(out.end(), c.begin(), c.end());
        }
        return out;
    }
    Bytes& col(TxColumn k) { return cols[static_cast<size_t>(k)]; }
};
Split split(ByteView stream) {
    columns::Reader r(stream);
    Split s;
    const auto seg = r.bytes(*r.varint());
    s.segments.assign(seg->begin(), seg->end());
    for (size_t k = 0; k < static_cast<size_t>(TxColumn::kCount); ++k) {
        const auto b = r.bytes(*r.varint());
        s.cols.emplace_back(b->begin(), b->end());
    }
    EXPECT_TRUE(r.empty());
    return s;
}

TEST(RegistryFormat, RejectsBadRegistryRefs) {
    std::mt19937_64 rng(12);
    const auto txs = signed_txs(rng, 80);
    AddressRegistry reg;
    post_in_sequence({as_messages(txs, 0, 40)}, reg);
    const auto msgs = as_messages(txs, 40, 80);
    const Split s = split(*make_stream(msgs, kRegistryFormat, &reg));
    ASSERT_FALSE(s.cols[static_cast<size_t>(TxColumn::kRegistryRefs)].empty());
    auto error = [&](const Split& edited) {
        auto r = parse_columnar_stream(edited.join(), {}, &reg);
        EXPECT_FALSE(r);
        return r ? BatchError::kEmpty : r.error();
    };
    ASSERT_TRUE(parse_columnar_stream(s.join(), {}, &reg));
    {  // the stream of format 0x01 has one column less
        auto r = parse_columnar_stream(s.join());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), BatchError::kBadTxColumns);
    }
    {  // an index at the registry's size
        Split e = s;
        Bytes& refs = e.col(TxColumn::kRegistryRefs);
        columns::put_varint(refs, reg.size());
        EXPECT_EQ(error(e), BatchError::kUnknownRegistryIndex);
    }
    {  // a gap passing the size (2^64 - 1 cannot wrap around)
        Split e = s;
        Bytes& refs = e.col(TxColumn::kRegistryRefs);
        columns::put_varint(refs, UINT64_MAX);
        EXPECT_EQ(error(e), BatchError::kUnknownRegistryIndex);
    }
    {  // an entry no address code uses
        AddressRegistry bigger = reg;
        bigger.apply_batch(bigger.next_batch(), many(0, 1));
        Split e = s;
        columns::put_varint(e.col(TxColumn::kRegistryRefs), 0);  // the next index after the last
        const auto r = parse_columnar_stream(e.join(), {}, &bigger);
        // Either the added entry shifts the codes (a wrong address is a bad value at the end)
        // or it is unused: never a silent success.
        EXPECT_FALSE(r);
    }
    {  // a non-minimal varint
        Split e = s;
        Bytes& refs = e.col(TxColumn::kRegistryRefs);
        refs.push_back(0x80);
        refs.push_back(0x00);
        EXPECT_EQ(error(e), BatchError::kBadTxColumns);
    }
    {  // a truncated varint
        Split e = s;
        e.col(TxColumn::kRegistryRefs).push_back(0x80);
        EXPECT_EQ(error(e), BatchError::kBadTxColumns);
    }
    {  // a code beyond refs + repeated literals
        Split e = s;
        Bytes& codes = e.col(TxColumn::kAddressIndices);
        columns::Reader r(codes);
        ASSERT_TRUE(r.varint());
        Bytes edited;
        columns::put_varint(edited, 1'000'000);  // replaces the first code
        edited.insert(edited.end(), codes.end() - static_cast<ptrdiff_t>(r.size()), codes.end());
        codes = edited;
        EXPECT_EQ(error(e), BatchError::kBadTxValue);
    }
}

TEST(RegistryFormat, BuilderFillsAndReportsItsLiterals) {
    std::mt19937_64 rng(14);
    const auto txs = signed_txs(rng, 400);
    AddressRegistry reg;
    for (int b = 0; b < 2; ++b) {
        BatchBuilder builder({.max_compressed_size = 12'000}, 5, kRegistryFormat, &reg);
        std::vector<L2Message> in;
        for (const auto& m : as_messages(txs, 200 * b, 200 * b + 200)) {
            auto r = builder.add(m);
            ASSERT_TRUE(r);
            if (!*r) break;
            in.push_back(m);
        }
        ASSERT_FALSE(in.empty());
        const Bytes data = builder.finish();
        EXPECT_LE(data.size(), 12'000u);
        EXPECT_EQ(data[0], kRegistryFormat);
        std::vector<Address> registered;
        auto back = decode_batch(data, {}, &reg, &registered);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, in);
        EXPECT_EQ(registered, builder.literals());
        if (b == 0) {
            EXPECT_FALSE(registered.empty());
        }
        reg.apply_batch(reg.next_batch(), registered);
    }
}

}  // namespace
}  // namespace fuse::batch
