// Columnar form of one transaction and its exact reconstruction (docs/batch-format.md,
// "Format 0x01"). The encoder only uses the columnar form when reconstruct_tx gives back the
// original bytes, so the round trip is exact whatever the parser below accepts.
#include "batch/tx_columns.hpp"
#include "core/rlp.hpp"

namespace fuse::batch {

namespace {

ByteView trim(const std::array<uint8_t, 32>& be) {
    size_t i = 0;
    while (i < 32 && be[i] == 0)
        ++i;
    return ByteView{be}.subspan(i);
}

/// Reads an RLP integer of at most 32 bytes as 32 big-endian bytes.
bool read_word(rlp::Decoder& d, std::array<uint8_t, 32>& out) {
    auto v = d.read_uint256();
    if (!v) return false;
    v->to_be(out.data());
    return true;
}

}  // namespace

Bytes reconstruct_tx(const TxRecord& rec) {
    rlp::Encoder enc(256 + rec.data.size() + rec.access_list.size());
    enc.begin_list();
    if (rec.form != 1) enc.add(rec.chain_id.value_or(0));
    enc.add(rec.nonce);
    if (rec.form == 3) enc.add(rec.tip);
    enc.add(rec.price).add(rec.gas_limit);
    if (rec.to)
        enc.add(*rec.to);
    else
        enc.add(ByteView{});
    enc.add(rec.value).add(ByteView{rec.data});
    if (rec.form == 1) {
        if (rec.chain_id)
            enc.add(uint256{*rec.chain_id} * uint256{2} + uint256{35u + rec.y_parity});
        else
            enc.add(uint64_t{27u + rec.y_parity});
    } else {
        if (rec.access_list.empty())
            enc.begin_list().end_list();
        else
            enc.add_raw(rec.access_list);
        enc.add(uint64_t{rec.y_parity});
    }
    enc.add(trim(rec.r)).add(trim(rec.s));
    enc.end_list();
    if (rec.form == 1) return enc.take();
    Bytes out;
    out.reserve(1 + enc.bytes().size());
    out.push_back(static_cast<uint8_t>(rec.form - 1));
    out.insert(out.end(), enc.bytes().begin(), enc.bytes().end());
    return out;
}

std::optional<TxRecord> to_record(ByteView tx) {
    if (tx.empty()) return std::nullopt;
    TxRecord rec;
    ByteView body = tx;
    if (tx[0] == 0x01 || tx[0] == 0x02) {
        rec.form = static_cast<uint8_t>(tx[0] + 1);
        body = tx.subspan(1);
    } else if (tx[0] < 0xc0) {
        return std::nullopt;  // other typed envelopes, or not a list
    }
    auto item = rlp::peek_item(body);
    if (!item || !item->is_list || item->encoded.size() != body.size()) return std::nullopt;
    rlp::Decoder d(item->payload);
    if (rec.form != 1) {
        auto c = d.read_u64();
        if (!c) return std::nullopt;
        rec.chain_id = *c;
    }
    auto nonce = d.read_u64();
    if (!nonce) return std::nullopt;
    rec.nonce = *nonce;
    if (rec.form == 3) {
        auto tip = d.read_uint256();
        if (!tip) return std::nullopt;
        rec.tip = *tip;
    }
    auto price = d.read_uint256();
    if (!price) return std::nullopt;
    rec.price = *price;
    auto gas = d.read_u64();
    if (!gas) return std::nullopt;
    rec.gas_limit = *gas;
    auto to = d.read_optional_address();
    if (!to) return std::nullopt;
    rec.to = *to;
    auto value = d.read_uint256();
    if (!value) return std::nullopt;
    rec.value = *value;
    auto data = d.read_bytes();
    if (!data) return std::nullopt;
    rec.data.assign(data->begin(), data->end());
    if (rec.form == 1) {
        auto v = d.read_uint256();
        if (!v) return std::nullopt;
        if (*v == uint256{27} || *v == uint256{28}) {
            rec.y_parity = static_cast<uint8_t>(v->low64() - 27);
        } else if (*v >= uint256{35}) {
            const uint256 t = *v - uint256{35};
            const uint256 chain = t / uint256{2};
            if (chain > uint256{UINT64_MAX}) return std::nullopt;
            rec.chain_id = chain.low64();
            rec.y_parity = static_cast<uint8_t>(t.low64() & 1);
        } else {
            return std::nullopt;
        }
    } else {
        auto al = d.next();
        if (!al || !al->is_list) return std::nullopt;
        if (!al->payload.empty()) rec.access_list.assign(al->encoded.begin(), al->encoded.end());
        auto y = d.read_u64();
        if (!y || *y > 1) return std::nullopt;
        rec.y_parity = static_cast<uint8_t>(*y);
    }
    if (!read_word(d, rec.r) || !read_word(d, rec.s) || !d.empty()) return std::nullopt;
    if (reconstruct_tx(rec) != Bytes(tx.begin(), tx.end())) return std::nullopt;
    return rec;
}

WordKind word_kind(const uint8_t* w) {
    bool high_zero = true;
    for (int i = 0; i < 8; ++i)
        high_zero = high_zero && w[i] == 0;
    if (!high_zero) return WordKind::kRaw;
    bool pad_zero = true;
    for (int i = 8; i < 12; ++i)
        pad_zero = pad_zero && w[i] == 0;
    if (pad_zero && (w[12] | w[13] | w[14] | w[15]) != 0) return WordKind::kAddress;
    return WordKind::kNumber;
}

}  // namespace fuse::batch
