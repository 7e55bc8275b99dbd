#include "core/block.hpp"

#include <cstring>

#include "core/hash.hpp"
#include "core/rlp.hpp"

namespace fuse {

const char* to_string(HeaderError e) {
    switch (e) {
        case HeaderError::kMalformedRlp:
            return "block header RLP is malformed (non-canonical, truncated, trailing bytes or a "
                   "list where a field belongs)";
        case HeaderError::kWrongFieldCount:
            return "block header must have 15 to 21 fields";
        case HeaderError::kBadFieldLength:
            return "block header field has the wrong length (hash 32, address 20, bloom 256, "
                   "nonce 8 bytes)";
        case HeaderError::kIntegerOverflow:
            return "block header integer too wide for its field";
        case HeaderError::kMissingField:
            return "block header has a later fork's field without an earlier fork's field";
    }
    return "unknown header error";
}

namespace {

// Number of optional trailing fields to write, or nullopt for a gap.
std::optional<size_t> optional_count(const BlockHeader& h) {
    const bool present[] = {h.base_fee_per_gas.has_value(),
                            h.withdrawals_root.has_value(),
                            h.blob_gas_used.has_value(),
                            h.excess_blob_gas.has_value(),
                            h.parent_beacon_block_root.has_value(),
                            h.requests_hash.has_value()};
    size_t n = 0;
    while (n < 6 && present[n])
        ++n;
    for (size_t i = n; i < 6; ++i)
        if (present[i]) return std::nullopt;
    return n;
}

HeaderError from_rlp(rlp::RlpError e) {
    switch (e) {
        case rlp::RlpError::kIntegerOverflow:
            return HeaderError::kIntegerOverflow;
        case rlp::RlpError::kUnexpectedLength:
            return HeaderError::kBadFieldLength;
        default:
            return HeaderError::kMalformedRlp;
    }
}

}  // namespace

Result<Bytes, HeaderError> encode_header(const BlockHeader& h) {
    const auto opt = optional_count(h);
    if (!opt) return Unexpected{HeaderError::kMissingField};
    rlp::Encoder e(600 + h.extra_data.size());
    e.begin_list();
    e.add(h.parent_hash).add(h.ommers_hash).add(h.beneficiary).add(h.state_root);
    e.add(h.transactions_root).add(h.receipts_root).add(h.logs_bloom.view());
    e.add(h.difficulty).add(h.number).add(h.gas_limit).add(h.gas_used).add(h.timestamp);
    e.add(h.extra_data).add(h.mix_hash).add(ByteView{h.nonce.data(), 8});
    if (*opt > 0) e.add(*h.base_fee_per_gas);
    if (*opt > 1) e.add(*h.withdrawals_root);
    if (*opt > 2) e.add(*h.blob_gas_used);
    if (*opt > 3) e.add(*h.excess_blob_gas);
    if (*opt > 4) e.add(*h.parent_beacon_block_root);
    if (*opt > 5) e.add(*h.requests_hash);
    e.end_list();
    return e.take();
}

#define HD_TRY(dst, expr)                                 \
    do {                                                  \
        auto r_ = (expr);                                 \
        if (!r_) return Unexpected{from_rlp(r_.error())}; \
        dst = std::move(*r_);                             \
    } while (0)

Result<BlockHeader, HeaderError> decode_header(ByteView in) {
    auto item = rlp::decode_single(in);
    if (!item) return Unexpected{HeaderError::kMalformedRlp};
    if (!item->is_list) return Unexpected{HeaderError::kMalformedRlp};
    size_t n = 0;
    for (ByteView p = item->payload; !p.empty(); ++n) {
        auto it = rlp::peek_item(p);
        if (!it) return Unexpected{HeaderError::kMalformedRlp};
        p = p.subspan(it->encoded.size());
    }
    if (n < 15 || n > 21) return Unexpected{HeaderError::kWrongFieldCount};

    rlp::Decoder f(item->payload);
    BlockHeader h;
    HD_TRY(h.parent_hash, f.read_hash());
    HD_TRY(h.ommers_hash, f.read_hash());
    HD_TRY(h.beneficiary, f.read_address());
    HD_TRY(h.state_root, f.read_hash());
    HD_TRY(h.transactions_root, f.read_hash());
    HD_TRY(h.receipts_root, f.read_hash());
    ByteView b;
    HD_TRY(b, f.read_bytes());
    if (b.size() != 256) return Unexpected{HeaderError::kBadFieldLength};
    std::memcpy(h.logs_bloom.data(), b.data(), 256);
    HD_TRY(h.difficulty, f.read_uint256());
    HD_TRY(h.number, f.read_u64());
    HD_TRY(h.gas_limit, f.read_u64());
    HD_TRY(h.gas_used, f.read_u64());
    HD_TRY(h.timestamp, f.read_u64());
    HD_TRY(b, f.read_bytes());
    h.extra_data.assign(b.begin(), b.end());
    HD_TRY(h.mix_hash, f.read_hash());
    HD_TRY(b, f.read_bytes());
    if (b.size() != 8) return Unexpected{HeaderError::kBadFieldLength};
    std::memcpy(h.nonce.data(), b.data(), 8);
    if (n > 15) HD_TRY(h.base_fee_per_gas, f.read_uint256());
    if (n > 16) HD_TRY(h.withdrawals_root, f.read_hash());
    if (n > 17) HD_TRY(h.blob_gas_used, f.read_u64());
    if (n > 18) HD_TRY(h.excess_blob_gas, f.read_u64());
    if (n > 19) HD_TRY(h.parent_beacon_block_root, f.read_hash());
    if (n > 20) HD_TRY(h.requests_hash, f.read_hash());
    return h;
}

#undef HD_TRY

Result<Hash32, HeaderError> header_hash(const BlockHeader& h) {
    auto enc = encode_header(h);
    if (!enc) return Unexpected{enc.error()};
    return keccak256(*enc);
}

}  // namespace fuse
