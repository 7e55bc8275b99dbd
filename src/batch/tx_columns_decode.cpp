// Strict decoder of the columnar transaction section (docs/batch-format.md, "Format 0x01").
// Every failure is a BatchError; sizes are checked before anything is allocated from them.
#include <algorithm>

#include "batch/column_io.hpp"
#include "batch/tx_columns.hpp"
#include "core/rlp.hpp"

namespace fuse::batch {

namespace {

using columns::Reader;

/// A dictionary or table read from its column, with a use mark per entry (all must be used).
template <typename T>
struct Entries {
    std::vector<T> values;
    std::vector<T> sorted;  // for the literal-is-not-an-entry check
    std::vector<bool> used;

    bool finish_reading() {
        sorted = values;
        std::sort(sorted.begin(), sorted.end());
        used.assign(values.size(), false);
        return std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end();
    }
    bool contains(const T& v) const { return std::binary_search(sorted.begin(), sorted.end(), v); }
    bool all_used() const { return std::find(used.begin(), used.end(), false) == used.end(); }
};

struct Decoder {
    explicit Decoder(const BatchLimits& l) : limits(l) {}

    const BatchLimits& limits;
    std::array<Reader, static_cast<size_t>(TxColumn::kCount)> col;
    Entries<uint64_t> gas;
    Entries<uint256> price, tip;
    Entries<Address> addrs;
    const AddressRegistry* registry = nullptr;
    std::vector<Address> refs;    // (0x02) the registered entries, codes 1..refs.size()
    std::vector<bool> refs_used;  // each must be referenced at least once
    uint64_t repeated = 0;        // address entries referenced by index (each at least twice)
    size_t next_single = 0;       // the next single-use entry
    std::vector<uint32_t> uses;   // references per repeated entry (saturating at 2 is enough)
    Entries<std::array<uint8_t, 4>> sels;

    Reader& c(TxColumn k) { return col[static_cast<size_t>(k)]; }

    Result<uint64_t, BatchError> varint(TxColumn k) {
        auto v = c(k).varint();
        if (!v) return Unexpected{BatchError::kBadTxColumns};
        return *v;
    }
    Result<uint256, BatchError> number(TxColumn k, TxColumn mantissa) {
        auto v = c(k).number(c(mantissa));
        if (!v) return Unexpected{BatchError::kBadTxColumns};
        return *v;
    }
    Result<ByteView, BatchError> bytes(TxColumn k, size_t n) {
        auto v = c(k).bytes(n);
        if (!v) return Unexpected{BatchError::kBadTxColumns};
        return *v;
    }

    /// A dictionary-coded value: code 0 = literal (must not be an entry), k = entry k - 1.
    template <typename T, typename ReadLiteral>
    Result<T, BatchError> coded(Entries<T>& dict, TxColumn codes, ReadLiteral read_literal) {
        auto code = c(codes).byte();
        if (!code) return Unexpected{BatchError::kBadTxColumns};
        if (*code == 0) {
            auto v = read_literal();
            if (!v) return Unexpected{v.error()};
            if (dict.contains(*v)) return Unexpected{BatchError::kBadTxValue};
            return *v;
        }
        if (*code > dict.values.size()) return Unexpected{BatchError::kBadTxValue};
        dict.used[*code - 1] = true;
        return dict.values[*code - 1];
    }

    /// Code 0: the next single-use entry; 1 <= k <= q: registered entry k - 1; k > q: repeated
    /// literal entry k - q - 1 (q = refs.size(), 0 in format 0x01).
    Result<Address, BatchError> address() {
        auto i = varint(TxColumn::kAddressIndices);
        if (!i) return Unexpected{i.error()};
        if (*i == 0) {
            if (next_single >= addrs.values.size()) return Unexpected{BatchError::kBadTxValue};
            return addrs.values[next_single++];
        }
        if (*i <= refs.size()) {
            refs_used[*i - 1] = true;
            return refs[*i - 1];
        }
        *i -= refs.size();
        if (*i > repeated) return Unexpected{BatchError::kBadTxValue};
        if (uses[*i - 1] < 2 && ++uses[*i - 1] == 2) addrs.used[*i - 1] = true;
        return addrs.values[*i - 1];
    }

    Result<void, BatchError> read_tables();
    Result<void, BatchError> read_registry_refs();
    Result<void, BatchError> read_data(uint8_t form, Bytes& data);
    Result<Bytes, BatchError> read_tx(uint8_t kind);
};

Result<void, BatchError> Decoder::read_tables() {
    for (Reader& r = c(TxColumn::kGasDict); !r.empty();) {
        auto v = r.varint();
        if (!v) return Unexpected{BatchError::kBadTxColumns};
        gas.values.push_back(*v);
        if (gas.values.size() > kMaxDictEntries) return Unexpected{BatchError::kBadTxValue};
    }
    for (auto [k, dict] : {std::pair{TxColumn::kPriceDict, &price}, {TxColumn::kTipDict, &tip}}) {
        for (Reader& r = c(k); !r.empty();) {
            auto v = r.number();
            if (!v) return Unexpected{BatchError::kBadTxColumns};
            dict->values.push_back(*v);
            if (dict->values.size() > kMaxDictEntries) return Unexpected{BatchError::kBadTxValue};
        }
    }
    Reader& a = c(TxColumn::kAddresses);
    // Empty, or varint r ‖ at least one entry (one encoding of the empty table).
    const bool present = !a.empty();
    auto r = present ? a.varint() : std::optional<uint64_t>{0};
    if (!r || a.size() % 20 != 0 || *r > a.size() / 20 || (present && a.empty()))
        return Unexpected{BatchError::kBadTxColumns};
    repeated = *r;
    addrs.values.resize(a.size() / 20);
    for (Address& x : addrs.values)
        x = Address::from_view_right(*a.bytes(20));
    Reader& s = c(TxColumn::kSelectors);
    if (s.size() % 4 != 0) return Unexpected{BatchError::kBadTxColumns};
    sels.values.resize(s.size() / 4);
    for (auto& x : sels.values) {
        const ByteView b = *s.bytes(4);
        std::copy(b.begin(), b.end(), x.begin());
    }
    if (!gas.finish_reading() || !price.finish_reading() || !tip.finish_reading() ||
        !addrs.finish_reading() || !sels.finish_reading())
        return Unexpected{BatchError::kBadTxValue};  // a duplicated entry
    // Single-use entries count as used once consumed (checked at the end).
    for (size_t i = repeated; i < addrs.used.size(); ++i)
        addrs.used[i] = true;
    uses.assign(repeated, 0);
    next_single = repeated;
    return {};
}

Result<void, BatchError> Decoder::read_registry_refs() {
    // The first index, then each gap minus one: strictly increasing, all below the size.
    uint64_t next = 0;
    for (Reader& r = c(TxColumn::kRegistryRefs); !r.empty();) {
        auto v = r.varint();
        if (!v) return Unexpected{BatchError::kBadTxColumns};
        if (*v >= registry->size() - next) return Unexpected{BatchError::kUnknownRegistryIndex};
        const uint64_t index = next + *v;
        refs.push_back(registry->at(index));
        next = index + 1;
    }
    refs_used.assign(refs.size(), false);
    for (const Address& a : addrs.values)
        if (registry->find(a)) return Unexpected{BatchError::kRegisteredLiteral};
    return {};
}

Result<void, BatchError> Decoder::read_data(uint8_t form, Bytes& data) {
    if (form == 0) return {};
    auto n = varint(TxColumn::kDataLengths);
    if (!n) return Unexpected{n.error()};
    if (form == 1) {
        if (*n > limits.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
        if (*n == 0 || (*n >= 4 && (*n - 4) % 32 == 0))
            return Unexpected{BatchError::kBadTxValue};  // empty or ABI-shaped: other forms
        auto b = bytes(TxColumn::kDataBytes, *n);
        if (!b) return Unexpected{b.error()};
        data.assign(b->begin(), b->end());
        return {};
    }
    if (*n > limits.max_tx_size / 32) return Unexpected{BatchError::kTxTooLarge};
    auto si = varint(TxColumn::kSelectorIndices);
    if (!si) return Unexpected{si.error()};
    if (*si >= sels.values.size()) return Unexpected{BatchError::kBadTxValue};
    sels.used[*si] = true;
    data.reserve(4 + 32 * *n);
    data.assign(sels.values[*si].begin(), sels.values[*si].end());
    for (uint64_t i = 0; i < *n; ++i) {
        auto k = c(TxColumn::kWordKinds).byte();
        if (!k) return Unexpected{BatchError::kBadTxColumns};
        uint8_t w[32] = {};
        if (*k == static_cast<uint8_t>(WordKind::kAddress)) {
            auto a = address();
            if (!a) return Unexpected{a.error()};
            std::copy(a->bytes.begin(), a->bytes.end(), w + 12);
        } else if (*k == static_cast<uint8_t>(WordKind::kNumber)) {
            auto v = number(TxColumn::kWordNumbers, TxColumn::kWordMantissas);
            if (!v) return Unexpected{v.error()};
            v->to_be(w);
        } else if (*k == static_cast<uint8_t>(WordKind::kRaw)) {
            auto b = bytes(TxColumn::kWordRaw, 32);
            if (!b) return Unexpected{b.error()};
            std::copy(b->begin(), b->end(), w);
        } else {
            return Unexpected{BatchError::kBadTxValue};
        }
        if (static_cast<uint8_t>(word_kind(w)) != *k) return Unexpected{BatchError::kBadTxValue};
        data.insert(data.end(), w, w + 32);
    }
    return {};
}

Result<Bytes, BatchError> Decoder::read_tx(uint8_t kind) {
    const uint8_t form = kind & kFormMask;
    if (form == 0) {
        if (kind != 0) return Unexpected{BatchError::kBadTxValue};
        auto n = varint(TxColumn::kRaw);
        if (!n) return Unexpected{n.error()};
        if (*n == 0) return Unexpected{BatchError::kEmptyTx};
        if (*n > limits.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
        auto b = bytes(TxColumn::kRaw, *n);
        if (!b) return Unexpected{b.error()};
        return Bytes(b->begin(), b->end());
    }
    const uint8_t data_form = (kind >> kDataShift) & 0x03;
    if (data_form == 3 || (form == 1 && (kind & kAccessListBit)) ||
        (form != 1 && (kind & kChainIdBit)))
        return Unexpected{BatchError::kBadTxValue};
    TxRecord rec;
    rec.form = form;
    rec.y_parity = (kind & kYParityBit) ? 1 : 0;
    if (form != 1 || (kind & kChainIdBit)) {
        auto v = varint(TxColumn::kChainIds);
        if (!v) return Unexpected{v.error()};
        rec.chain_id = *v;
    }
    auto nonce = varint(TxColumn::kNonces);
    if (!nonce) return Unexpected{nonce.error()};
    rec.nonce = *nonce;
    auto gas_limit =
        coded(gas, TxColumn::kGasCodes, [&] { return varint(TxColumn::kGasLiterals); });
    if (!gas_limit) return Unexpected{gas_limit.error()};
    rec.gas_limit = *gas_limit;
    auto p = coded(price, TxColumn::kPriceCodes,
                   [&] { return number(TxColumn::kPriceLiterals, TxColumn::kPriceLiterals); });
    if (!p) return Unexpected{p.error()};
    rec.price = *p;
    if (form == 3) {
        auto t = coded(tip, TxColumn::kTipCodes,
                       [&] { return number(TxColumn::kTipLiterals, TxColumn::kTipLiterals); });
        if (!t) return Unexpected{t.error()};
        rec.tip = *t;
    }
    if (kind & kHasToBit) {
        auto to = address();
        if (!to) return Unexpected{to.error()};
        rec.to = *to;
    }
    auto value = number(TxColumn::kValues, TxColumn::kValueMantissas);
    if (!value) return Unexpected{value.error()};
    rec.value = *value;
    if (auto r = read_data(data_form, rec.data); !r) return Unexpected{r.error()};
    if (kind & kAccessListBit) {
        auto n = varint(TxColumn::kAccessLists);
        if (!n) return Unexpected{n.error()};
        if (*n > limits.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
        auto b = bytes(TxColumn::kAccessLists, *n);
        if (!b) return Unexpected{b.error()};
        // Exactly one RLP list, and not the empty one (that is the bit being clear).
        auto item = rlp::peek_item(*b);
        if (!item || !item->is_list || item->encoded.size() != b->size() || item->payload.empty())
            return Unexpected{BatchError::kBadTxValue};
        rec.access_list.assign(b->begin(), b->end());
    }
    auto sig = bytes(TxColumn::kSignatures, 64);
    if (!sig) return Unexpected{sig.error()};
    std::copy_n(sig->begin(), 32, rec.r.begin());
    std::copy_n(sig->begin() + 32, 32, rec.s.begin());
    Bytes tx = reconstruct_tx(rec);
    if (tx.size() > limits.max_tx_size) return Unexpected{BatchError::kTxTooLarge};
    return tx;
}

}  // namespace

Result<std::vector<Bytes>, BatchError> decode_tx_columns(ByteView section, size_t count,
                                                         const BatchLimits& limits,
                                                         const AddressRegistry* registry,
                                                         std::vector<Address>* literals) {
    Reader sec(section);
    Decoder d{limits};
    d.registry = registry;
    const size_t n_columns = registry ? d.col.size() : kColumnarColumns;
    for (size_t k = 0; k < n_columns; ++k) {
        Reader& r = d.col[k];
        auto n = sec.varint();
        if (!n) return Unexpected{BatchError::kBadTxColumns};
        auto b = sec.bytes(*n);
        if (!b) return Unexpected{BatchError::kBadTxColumns};
        r = Reader(*b);
    }
    if (!sec.empty() || d.c(TxColumn::kKinds).size() != count)
        return Unexpected{BatchError::kBadTxColumns};
    if (auto r = d.read_tables(); !r) return Unexpected{r.error()};
    if (registry)
        if (auto r = d.read_registry_refs(); !r) return Unexpected{r.error()};
    std::vector<Bytes> txs;
    txs.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        auto tx = d.read_tx(*d.c(TxColumn::kKinds).byte());
        if (!tx) return Unexpected{tx.error()};
        txs.push_back(std::move(*tx));
    }
    // Every column must be spent (the tables and dictionaries were consumed above).
    for (const Reader& r : d.col)
        if (!r.empty()) return Unexpected{BatchError::kBadTxColumns};
    if (!d.gas.all_used() || !d.price.all_used() || !d.tip.all_used() || !d.addrs.all_used() ||
        !d.sels.all_used() || d.next_single != d.addrs.values.size() ||
        std::find(d.refs_used.begin(), d.refs_used.end(), false) != d.refs_used.end())
        return Unexpected{BatchError::kBadTxValue};
    if (literals) *literals = std::move(d.addrs.values);
    return txs;
}

}  // namespace fuse::batch
