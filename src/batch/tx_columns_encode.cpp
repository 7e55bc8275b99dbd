// Encoder of the columnar transaction section (docs/batch-format.md, "Format 0x01").
#include <algorithm>
#include <map>

#include "batch/column_io.hpp"
#include "batch/tx_columns.hpp"

namespace fuse::batch {

namespace {

using columns::put_number;
using columns::put_varint;
using Selector = std::array<uint8_t, 4>;

/// Values ordered by how often they occur (most frequent first, ties by value), so the most
/// frequent get the shortest codes.
template <typename T>
std::vector<T> by_frequency(const std::map<T, size_t>& freq, size_t min_count, size_t max_n) {
    std::vector<std::pair<T, size_t>> v;
    for (const auto& [value, n] : freq)
        if (n >= min_count) v.emplace_back(value, n);
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (v.size() > max_n) v.resize(max_n);
    std::vector<T> out;
    out.reserve(v.size());
    for (auto& [value, n] : v)
        out.push_back(value);
    return out;
}

/// A gas or fee field: a dictionary of the values seen at least twice, codes and literals.
template <typename T>
struct DictField {
    std::map<T, size_t> freq;
    std::map<T, uint8_t> code;
    std::vector<T> entries;

    void build() {
        entries = by_frequency(freq, 2, kMaxDictEntries);
        for (size_t i = 0; i < entries.size(); ++i)
            code[entries[i]] = static_cast<uint8_t>(i + 1);
    }
};

/// The selector table: every distinct value, by frequency.
template <typename T>
struct TableField {
    std::map<T, size_t> freq;
    std::map<T, uint64_t> index;
    std::vector<T> entries;

    void build() {
        entries = by_frequency(freq, 1, SIZE_MAX);
        for (size_t i = 0; i < entries.size(); ++i)
            index[entries[i]] = i;
    }
};

void put_u64(Bytes& out, uint64_t v) {
    put_varint(out, v);
}
void put_u256(Bytes& out, const uint256& v) {
    put_number(out, v);
}

template <typename T, typename Put>
void put_coded(const DictField<T>& f, const T& v, Bytes& codes, Bytes& literals, Put put) {
    auto it = f.code.find(v);
    if (it != f.code.end()) {
        codes.push_back(it->second);
    } else {
        codes.push_back(0);
        put(literals, v);
    }
}

/// 0 empty, 1 bytes, 2 ABI words (a 4-byte selector then whole 32-byte words).
uint8_t data_form(const Bytes& data) {
    if (data.empty()) return 0;
    return data.size() >= 4 && (data.size() - 4) % 32 == 0 ? 2 : 1;
}

Selector selector_of(const Bytes& data) {
    return {data[0], data[1], data[2], data[3]};
}

Address word_address(const uint8_t* w) {
    Address a;
    std::copy_n(w + 12, 20, a.bytes.begin());
    return a;
}

/// The address table: with a registry (format 0x02), the registered values in registry order
/// (code k = entry k - 1 for k <= q), then the unregistered values referenced at least twice, by
/// frequency (code q + k = entry k - 1), then the unregistered values referenced once, in the
/// order of their reference (code 0). Without a registry q = 0.
struct AddressTable {
    const AddressRegistry* registry = nullptr;
    std::map<Address, size_t> freq;
    std::map<Address, uint64_t> code;
    std::vector<uint64_t> refs;  // registry indices, ascending
    std::vector<Address> repeated, single;

    void build() {
        std::map<Address, size_t> unregistered;
        for (const auto& [a, n] : freq) {
            auto i = registry ? registry->find(a) : std::nullopt;
            if (i) {
                refs.push_back(*i);
            } else {
                unregistered.emplace(a, n);
            }
        }
        std::sort(refs.begin(), refs.end());
        for (size_t i = 0; i < refs.size(); ++i)
            code[registry->at(refs[i])] = i + 1;
        repeated = by_frequency(unregistered, 2, SIZE_MAX);
        for (size_t i = 0; i < repeated.size(); ++i)
            code[repeated[i]] = refs.size() + i + 1;
    }
    void put(const Address& a, Bytes& indices) {
        auto it = code.find(a);
        if (it != code.end()) {
            put_varint(indices, it->second);
        } else {
            put_varint(indices, 0);
            single.push_back(a);
        }
    }
    /// Nothing at all for an empty literal table.
    void write(Bytes& out) const {
        if (repeated.empty() && single.empty()) return;
        put_varint(out, repeated.size());
        for (const auto* v : {&repeated, &single})
            for (const Address& a : *v)
                out.insert(out.end(), a.bytes.begin(), a.bytes.end());
    }
    /// The first index, then each gap minus one (the indices strictly increase).
    void write_refs(Bytes& out) const {
        for (size_t i = 0; i < refs.size(); ++i)
            put_varint(out, i == 0 ? refs[0] : refs[i] - refs[i - 1] - 1);
    }
};

}  // namespace

Bytes encode_tx_columns(const std::vector<ByteView>& txs, const AddressRegistry* registry,
                        std::vector<Address>* literals) {
    std::vector<std::optional<TxRecord>> recs;
    recs.reserve(txs.size());
    DictField<uint64_t> gas;
    DictField<uint256> price, tip;
    AddressTable addrs;
    addrs.registry = registry;
    TableField<Selector> sels;
    for (ByteView tx : txs) {
        auto rec = to_record(tx);
        if (rec) {
            ++gas.freq[rec->gas_limit];
            ++price.freq[rec->price];
            if (rec->form == 3) ++tip.freq[rec->tip];
            if (rec->to) ++addrs.freq[*rec->to];
            if (data_form(rec->data) == 2) {
                ++sels.freq[selector_of(rec->data)];
                for (size_t off = 4; off < rec->data.size(); off += 32)
                    if (word_kind(rec->data.data() + off) == WordKind::kAddress)
                        ++addrs.freq[word_address(rec->data.data() + off)];
            }
        }
        recs.push_back(std::move(rec));
    }
    gas.build();
    price.build();
    tip.build();
    addrs.build();
    sels.build();

    std::array<Bytes, static_cast<size_t>(TxColumn::kCount)> col;
    auto c = [&col](TxColumn k) -> Bytes& { return col[static_cast<size_t>(k)]; };
    for (uint64_t v : gas.entries)
        put_varint(c(TxColumn::kGasDict), v);
    for (const uint256& v : price.entries)
        put_number(c(TxColumn::kPriceDict), v);
    for (const uint256& v : tip.entries)
        put_number(c(TxColumn::kTipDict), v);
    for (const Selector& s : sels.entries)
        c(TxColumn::kSelectors).insert(c(TxColumn::kSelectors).end(), s.begin(), s.end());

    for (size_t i = 0; i < txs.size(); ++i) {
        if (!recs[i]) {
            c(TxColumn::kKinds).push_back(0);
            put_varint(c(TxColumn::kRaw), txs[i].size());
            c(TxColumn::kRaw).insert(c(TxColumn::kRaw).end(), txs[i].begin(), txs[i].end());
            continue;
        }
        const TxRecord& r = *recs[i];
        const uint8_t form = data_form(r.data);
        uint8_t kind = static_cast<uint8_t>(r.form | (r.y_parity ? kYParityBit : 0) |
                                            (r.to ? kHasToBit : 0) | (form << kDataShift));
        if (r.form != 1 && !r.access_list.empty()) kind |= kAccessListBit;
        if (r.form == 1 && r.chain_id) kind |= kChainIdBit;
        c(TxColumn::kKinds).push_back(kind);
        if (r.chain_id) put_varint(c(TxColumn::kChainIds), *r.chain_id);
        put_varint(c(TxColumn::kNonces), r.nonce);
        put_coded(gas, r.gas_limit, c(TxColumn::kGasCodes), c(TxColumn::kGasLiterals), put_u64);
        put_coded(price, r.price, c(TxColumn::kPriceCodes), c(TxColumn::kPriceLiterals), put_u256);
        if (r.form == 3)
            put_coded(tip, r.tip, c(TxColumn::kTipCodes), c(TxColumn::kTipLiterals), put_u256);
        if (r.to) addrs.put(*r.to, c(TxColumn::kAddressIndices));
        put_number(c(TxColumn::kValues), c(TxColumn::kValueMantissas), r.value);
        if (form == 1) {
            put_varint(c(TxColumn::kDataLengths), r.data.size());
            c(TxColumn::kDataBytes)
                .insert(c(TxColumn::kDataBytes).end(), r.data.begin(), r.data.end());
        } else if (form == 2) {
            put_varint(c(TxColumn::kDataLengths), (r.data.size() - 4) / 32);
            put_varint(c(TxColumn::kSelectorIndices), sels.index.at(selector_of(r.data)));
            for (size_t off = 4; off < r.data.size(); off += 32) {
                const uint8_t* w = r.data.data() + off;
                const WordKind k = word_kind(w);
                c(TxColumn::kWordKinds).push_back(static_cast<uint8_t>(k));
                if (k == WordKind::kAddress) {
                    addrs.put(word_address(w), c(TxColumn::kAddressIndices));
                } else if (k == WordKind::kNumber) {
                    put_number(c(TxColumn::kWordNumbers), c(TxColumn::kWordMantissas),
                               uint256::from_be32(w));
                } else {
                    c(TxColumn::kWordRaw).insert(c(TxColumn::kWordRaw).end(), w, w + 32);
                }
            }
        }
        if (kind & kAccessListBit) {
            put_varint(c(TxColumn::kAccessLists), r.access_list.size());
            c(TxColumn::kAccessLists)
                .insert(c(TxColumn::kAccessLists).end(), r.access_list.begin(),
                        r.access_list.end());
        }
        c(TxColumn::kSignatures).insert(c(TxColumn::kSignatures).end(), r.r.begin(), r.r.end());
        c(TxColumn::kSignatures).insert(c(TxColumn::kSignatures).end(), r.s.begin(), r.s.end());
    }

    addrs.write(c(TxColumn::kAddresses));
    addrs.write_refs(c(TxColumn::kRegistryRefs));
    if (literals) {
        literals->assign(addrs.repeated.begin(), addrs.repeated.end());
        literals->insert(literals->end(), addrs.single.begin(), addrs.single.end());
    }

    const size_t n_columns = registry ? col.size() : kColumnarColumns;
    Bytes out;
    size_t total = 0;
    for (const Bytes& b : col)
        total += b.size() + 4;
    out.reserve(total);
    for (size_t k = 0; k < n_columns; ++k) {
        const Bytes& b = col[k];
        put_varint(out, b.size());
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

}  // namespace fuse::batch
