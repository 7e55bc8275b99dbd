#include "core/receipt.hpp"

#include <cstring>

#include "core/hash.hpp"
#include "core/rlp.hpp"

namespace fuse {

const char* to_string(ReceiptError e) {
    switch (e) {
        case ReceiptError::kEmptyInput:
            return "receipt is empty";
        case ReceiptError::kUnsupportedType:
            return "unsupported EIP-2718 receipt type";
        case ReceiptError::kMalformedRlp:
            return "receipt RLP is malformed (non-canonical, truncated, trailing bytes or wrong "
                   "shape)";
        case ReceiptError::kWrongFieldCount:
            return "receipt or log has the wrong number of fields";
        case ReceiptError::kBadStatus:
            return "receipt status must be 0 or 1 (pre-Byzantium state roots are not supported)";
        case ReceiptError::kBadFieldLength:
            return "receipt bloom must be 256 bytes, log address 20 and topics 32";
        case ReceiptError::kIntegerOverflow:
            return "receipt cumulative gas does not fit 64 bits";
    }
    return "unknown receipt error";
}

Bloom logs_bloom(std::span<const Log> logs) {
    Bloom b;
    for (const auto& log : logs)
        b.add(log);
    return b;
}

void append_log(rlp::Encoder& e, const Log& log) {
    e.begin_list().add(log.address).add_list(log.topics).add(log.data).end_list();
}

Hash32 logs_hash(std::span<const Log> logs) {
    rlp::Encoder e;
    e.begin_list();
    for (const auto& log : logs)
        append_log(e, log);
    e.end_list();
    return keccak256(e.bytes());
}

Bytes encode_receipt(const Receipt& r) {
    rlp::Encoder e(300);
    e.begin_list();
    e.add(uint64_t{r.success ? 1u : 0u}).add(r.cumulative_gas_used).add(r.bloom.view());
    e.begin_list();
    for (const auto& log : r.logs)
        append_log(e, log);
    e.end_list().end_list();
    Bytes out = e.take();
    if (r.type != TxType::kLegacy) out.insert(out.begin(), static_cast<uint8_t>(r.type));
    return out;
}

namespace {

ReceiptError from_rlp(rlp::RlpError e) {
    switch (e) {
        case rlp::RlpError::kIntegerOverflow:
            return ReceiptError::kIntegerOverflow;
        case rlp::RlpError::kUnexpectedLength:
            return ReceiptError::kBadFieldLength;
        default:
            return ReceiptError::kMalformedRlp;
    }
}

size_t count_items(ByteView payload) {
    size_t n = 0;
    while (!payload.empty()) {
        auto item = rlp::peek_item(payload);
        if (!item) return ~size_t{0};
        payload = payload.subspan(item->encoded.size());
        ++n;
    }
    return n;
}

#define RC_TRY(dst, expr)                                 \
    do {                                                  \
        auto r_ = (expr);                                 \
        if (!r_) return Unexpected{from_rlp(r_.error())}; \
        dst = std::move(*r_);                             \
    } while (0)

Result<Receipt, ReceiptError> decode_body(TxType type, ByteView in) {
    Receipt r;
    r.type = type;
    rlp::Decoder top(in);
    rlp::Decoder f(ByteView{});
    RC_TRY(f, top.read_list());
    if (!top.empty()) return Unexpected{ReceiptError::kMalformedRlp};
    const size_t n = count_items(f.remaining());
    if (n == ~size_t{0}) return Unexpected{ReceiptError::kMalformedRlp};
    if (n != 4) return Unexpected{ReceiptError::kWrongFieldCount};
    ByteView status;
    RC_TRY(status, f.read_bytes());
    if (status.empty()) {
        r.success = false;
    } else if (status.size() == 1 && status[0] == 1) {
        r.success = true;
    } else {
        return Unexpected{ReceiptError::kBadStatus};
    }
    RC_TRY(r.cumulative_gas_used, f.read_u64());
    ByteView bloom;
    RC_TRY(bloom, f.read_bytes());
    if (bloom.size() != 256) return Unexpected{ReceiptError::kBadFieldLength};
    std::memcpy(r.bloom.data(), bloom.data(), 256);
    rlp::Decoder logs(ByteView{});
    RC_TRY(logs, f.read_list());
    while (!logs.empty()) {
        rlp::Decoder lf(ByteView{});
        RC_TRY(lf, logs.read_list());
        const size_t fields = count_items(lf.remaining());
        if (fields == ~size_t{0}) return Unexpected{ReceiptError::kMalformedRlp};
        if (fields != 3) return Unexpected{ReceiptError::kWrongFieldCount};
        Log log;
        RC_TRY(log.address, lf.read_address());
        RC_TRY(log.topics, lf.read_hash_list());
        ByteView data;
        RC_TRY(data, lf.read_bytes());
        log.data.assign(data.begin(), data.end());
        r.logs.push_back(std::move(log));
    }
    return r;
}

#undef RC_TRY

}  // namespace

Result<Receipt, ReceiptError> decode_receipt(ByteView in) {
    if (in.empty()) return Unexpected{ReceiptError::kEmptyInput};
    if (in.size() > rlp::kMaxInputSize) return Unexpected{ReceiptError::kMalformedRlp};
    if (in[0] >= 0xc0) return decode_body(TxType::kLegacy, in);
    if (in[0] >= 0x80) return Unexpected{ReceiptError::kMalformedRlp};
    // Types 1-4 and ArbOS's deposit types 0x64 and 0x66 (same receipt body, as in Nitro).
    if ((in[0] == 0 || in[0] > static_cast<uint8_t>(TxType::kSetCode)) &&
        !is_deposit_type(static_cast<TxType>(in[0])))
        return Unexpected{ReceiptError::kUnsupportedType};
    return decode_body(static_cast<TxType>(in[0]), in.subspan(1));
}

}  // namespace fuse
