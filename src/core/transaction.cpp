#include "core/transaction.hpp"

#include "core/hash.hpp"
#include "core/rlp.hpp"

namespace fuse {

const char* to_string(TxError e) {
    switch (e) {
        case TxError::kEmptyInput:
            return "transaction is empty";
        case TxError::kUnsupportedType:
            return "unsupported EIP-2718 transaction type (supported: legacy, 1, 2, 3, 4)";
        case TxError::kNotAList:
            return "transaction RLP: expected a list";
        case TxError::kUnexpectedList:
            return "transaction RLP: a field that must be a string is a list";
        case TxError::kRlpTruncated:
            return "transaction RLP is truncated";
        case TxError::kRlpNonCanonical:
            return "transaction RLP is not canonical (length or integer encoding)";
        case TxError::kRlpTrailingBytes:
            return "transaction has trailing bytes after its RLP";
        case TxError::kRlpTooLarge:
            return "transaction RLP exceeds the decoder's size or nesting limits";
        case TxError::kWrongFieldCount:
            return "transaction RLP list has the wrong number of fields for its type";
        case TxError::kIntegerOverflow:
            return "transaction field value too large for its type (RLP_INVALID_VALUE)";
        case TxError::kBadFieldLength:
            return "transaction address must be 20 bytes and hashes 32 bytes";
        case TxError::kCreationNotAllowed:
            return "blob (type 3) and set-code (type 4) transactions cannot create contracts";
        case TxError::kInvalidV:
            return "invalid signature v / y_parity (legacy v must be 27, 28 or chain_id*2+35/36)";
        case TxError::kInvalidSignatureValues:
            return "signature r and s must be in [1, secp256k1n - 1]";
        case TxError::kHighS:
            return "signature s is above secp256k1n/2 (EIP-2)";
        case TxError::kRecoveryFailed:
            return "no sender recovers from the signature";
        case TxError::kBadAuthorization:
            return "EIP-7702 authorization tuple has a field out of bounds";
    }
    return "unknown transaction error";
}

namespace {

using rlp::Decoder;
using rlp::RlpError;

TxError from_rlp(RlpError e) {
    switch (e) {
        case RlpError::kInputTooShort:
            return TxError::kRlpTruncated;
        case RlpError::kTrailingBytes:
            return TxError::kRlpTrailingBytes;
        case RlpError::kNonCanonicalSingleByte:
        case RlpError::kNonCanonicalSize:
        case RlpError::kLeadingZeroInLength:
        case RlpError::kLeadingZeroInInteger:
            return TxError::kRlpNonCanonical;
        case RlpError::kIntegerOverflow:
            return TxError::kIntegerOverflow;
        case RlpError::kUnexpectedList:
            return TxError::kUnexpectedList;
        case RlpError::kUnexpectedString:
            return TxError::kNotAList;
        case RlpError::kUnexpectedLength:
            return TxError::kBadFieldLength;
        case RlpError::kLengthOverflow:
        case RlpError::kTooDeep:
        case RlpError::kTooLarge:
            return TxError::kRlpTooLarge;
    }
    return TxError::kRlpNonCanonical;
}

#define TX_TRY(dst, expr)                                 \
    do {                                                  \
        auto r_ = (expr);                                 \
        if (!r_) return Unexpected{from_rlp(r_.error())}; \
        dst = std::move(*r_);                             \
    } while (0)

// Opens the next list and checks it holds exactly `count` items (headers checked as we count).
Result<Decoder, TxError> open_list(Decoder& d, size_t count) {
    auto list = d.read_list();
    if (!list) return Unexpected{from_rlp(list.error())};
    ByteView p = list->remaining();
    size_t n = 0;
    while (!p.empty()) {
        auto item = rlp::peek_item(p);
        if (!item) return Unexpected{from_rlp(item.error())};
        p = p.subspan(item->encoded.size());
        if (++n > count) return Unexpected{TxError::kWrongFieldCount};
    }
    if (n != count) return Unexpected{TxError::kWrongFieldCount};
    return *list;
}

Result<void, TxError> read_access_list(Decoder& d, std::vector<AccessListEntry>& out) {
    auto list = d.read_list();
    if (!list) return Unexpected{from_rlp(list.error())};
    while (!list->empty()) {
        auto entry = open_list(*list, 2);
        if (!entry) return Unexpected{entry.error()};
        AccessListEntry e;
        TX_TRY(e.address, entry->read_address());
        TX_TRY(e.storage_keys, entry->read_hash_list());
        out.push_back(std::move(e));
    }
    return {};
}

Result<void, TxError> read_authorizations(Decoder& d, std::vector<Authorization>& out) {
    auto list = d.read_list();
    if (!list) return Unexpected{from_rlp(list.error())};
    while (!list->empty()) {
        auto t = open_list(*list, 6);
        if (!t) return Unexpected{t.error()};
        Authorization a;
        uint64_t y = 0;
        TX_TRY(a.chain_id, t->read_uint256());
        TX_TRY(a.address, t->read_address());
        TX_TRY(a.nonce, t->read_u64());
        TX_TRY(y, t->read_u64());
        TX_TRY(a.r, t->read_uint256());
        TX_TRY(a.s, t->read_uint256());
        if (y > 0xff) return Unexpected{TxError::kBadAuthorization};
        a.y_parity = static_cast<uint8_t>(y);
        out.push_back(a);
    }
    return {};
}

Result<void, TxError> read_typed_signature(Decoder& d, Transaction& txn) {
    uint64_t y = 0;
    TX_TRY(y, d.read_u64());
    TX_TRY(txn.r, d.read_uint256());
    TX_TRY(txn.s, d.read_uint256());
    if (y > 1) return Unexpected{TxError::kInvalidV};
    txn.y_parity = static_cast<uint8_t>(y);
    txn.v = uint256{y};
    return {};
}

Result<Transaction, TxError> decode_legacy(ByteView in) {
    Decoder top(in);
    auto f = open_list(top, 9);
    if (!f) return Unexpected{f.error()};
    if (!top.empty()) return Unexpected{TxError::kRlpTrailingBytes};
    Transaction txn;
    TX_TRY(txn.nonce, f->read_u64());
    TX_TRY(txn.gas_price, f->read_uint256());
    TX_TRY(txn.gas_limit, f->read_u64());
    TX_TRY(txn.to, f->read_optional_address());
    TX_TRY(txn.value, f->read_uint256());
    ByteView data;
    TX_TRY(data, f->read_bytes());
    txn.data.assign(data.begin(), data.end());
    TX_TRY(txn.v, f->read_uint256());
    TX_TRY(txn.r, f->read_uint256());
    TX_TRY(txn.s, f->read_uint256());

    const uint256& v = txn.v;
    if (v == uint256{27} || v == uint256{28}) {
        txn.y_parity = static_cast<uint8_t>(v.low64() - 27);
    } else if (v >= uint256{35}) {
        // chain_id = (v - 35) / 2 must fit 64 bits.
        const uint256 t = v - uint256{35};
        if (t.w[3] != 0 || t.w[2] != 0 || t.w[1] > 1) return Unexpected{TxError::kInvalidV};
        txn.chain_id = (t.w[1] << 63) | (t.w[0] >> 1);
        txn.y_parity = static_cast<uint8_t>(t.w[0] & 1);
    } else {
        return Unexpected{TxError::kInvalidV};
    }
    return txn;
}

Result<Transaction, TxError> decode_typed(TxType type, ByteView in) {
    static constexpr size_t kFieldCount[] = {9, 11, 12, 14, 13};
    Decoder top(in);
    auto f = open_list(top, kFieldCount[static_cast<size_t>(type)]);
    if (!f) return Unexpected{f.error()};
    if (!top.empty()) return Unexpected{TxError::kRlpTrailingBytes};
    Transaction txn;
    txn.type = type;
    uint64_t chain_id = 0;
    TX_TRY(chain_id, f->read_u64());
    txn.chain_id = chain_id;
    TX_TRY(txn.nonce, f->read_u64());
    if (type == TxType::kAccessList) {
        TX_TRY(txn.gas_price, f->read_uint256());
    } else {
        TX_TRY(txn.max_priority_fee_per_gas, f->read_uint256());
        TX_TRY(txn.max_fee_per_gas, f->read_uint256());
    }
    TX_TRY(txn.gas_limit, f->read_u64());
    TX_TRY(txn.to, f->read_optional_address());
    if (!txn.to && (type == TxType::kBlob || type == TxType::kSetCode))
        return Unexpected{TxError::kCreationNotAllowed};
    TX_TRY(txn.value, f->read_uint256());
    ByteView data;
    TX_TRY(data, f->read_bytes());
    txn.data.assign(data.begin(), data.end());
    if (auto r = read_access_list(*f, txn.access_list); !r) return Unexpected{r.error()};
    if (type == TxType::kBlob) {
        TX_TRY(txn.max_fee_per_blob_gas, f->read_uint256());
        TX_TRY(txn.blob_versioned_hashes, f->read_hash_list());
    }
    if (type == TxType::kSetCode) {
        if (auto r = read_authorizations(*f, txn.authorization_list); !r)
            return Unexpected{r.error()};
    }
    if (auto r = read_typed_signature(*f, txn); !r) return Unexpected{r.error()};
    return txn;
}

/// ArbitrumDepositTx (0x64) or ArbitrumContractTx (0x66); unsigned, so v = r = s = 0.
Result<Transaction, TxError> decode_deposit(TxType type, ByteView in) {
    const bool contract = type == TxType::kArbitrumContract;
    Decoder top(in);
    auto f = open_list(top, contract ? 8 : 5);
    if (!f) return Unexpected{f.error()};
    if (!top.empty()) return Unexpected{TxError::kRlpTrailingBytes};
    Transaction txn;
    txn.type = type;
    uint64_t chain_id = 0;
    TX_TRY(chain_id, f->read_u64());
    txn.chain_id = chain_id;
    TX_TRY(txn.request_id, f->read_hash());
    TX_TRY(txn.from, f->read_address());
    if (contract) {
        TX_TRY(txn.max_fee_per_gas, f->read_uint256());
        TX_TRY(txn.gas_limit, f->read_u64());
        TX_TRY(txn.to, f->read_optional_address());
    } else {
        Address to;
        TX_TRY(to, f->read_address());
        txn.to = to;
    }
    TX_TRY(txn.value, f->read_uint256());
    if (contract) {
        ByteView data;
        TX_TRY(data, f->read_bytes());
        txn.data.assign(data.begin(), data.end());
    }
    return txn;
}

#undef TX_TRY

/// Deposit types: [chainId, requestId, from, (gasFeeCap, gas,) to, value, (data)].
void write_deposit_fields(rlp::Encoder& e, const Transaction& txn) {
    const bool contract = txn.type == TxType::kArbitrumContract;
    e.begin_list().add(txn.chain_id.value_or(0)).add(txn.request_id).add(txn.from);
    if (contract) e.add(txn.max_fee_per_gas).add(txn.gas_limit);
    if (txn.to) {
        e.add(*txn.to);
    } else {
        e.add(ByteView{});
    }
    e.add(txn.value);
    if (contract) e.add(txn.data);
    e.end_list();
}

uint256 legacy_v(const Transaction& txn) {
    if (!txn.chain_id) return uint256{27u + txn.y_parity};
    const uint256 c{*txn.chain_id};
    return c + c + uint256{35u + txn.y_parity};
}

// Writes the fields; `signed_form` false gives the signing payload (EIP-155 for legacy).
void write_fields(rlp::Encoder& e, const Transaction& txn, bool signed_form) {
    if (is_deposit_type(txn.type)) return write_deposit_fields(e, txn);
    e.begin_list();
    if (txn.type != TxType::kLegacy) e.add(txn.chain_id.value_or(0));
    e.add(txn.nonce);
    if (txn.type == TxType::kLegacy || txn.type == TxType::kAccessList) {
        e.add(txn.gas_price);
    } else {
        e.add(txn.max_priority_fee_per_gas).add(txn.max_fee_per_gas);
    }
    e.add(txn.gas_limit);
    if (txn.to) {
        e.add(*txn.to);
    } else {
        e.add(ByteView{});
    }
    e.add(txn.value).add(txn.data);
    if (txn.type != TxType::kLegacy) {
        e.begin_list();
        for (const auto& entry : txn.access_list) {
            e.begin_list().add(entry.address).add_list(entry.storage_keys).end_list();
        }
        e.end_list();
    }
    if (txn.type == TxType::kBlob)
        e.add(txn.max_fee_per_blob_gas).add_list(txn.blob_versioned_hashes);
    if (txn.type == TxType::kSetCode) {
        e.begin_list();
        for (const auto& a : txn.authorization_list) {
            e.begin_list().add(a.chain_id).add(a.address).add(a.nonce);
            e.add(uint64_t{a.y_parity}).add(a.r).add(a.s).end_list();
        }
        e.end_list();
    }
    if (signed_form) {
        if (txn.type == TxType::kLegacy) {
            e.add(legacy_v(txn));
        } else {
            e.add(uint64_t{txn.y_parity});
        }
        e.add(txn.r).add(txn.s);
    } else if (txn.type == TxType::kLegacy && txn.chain_id) {
        e.add(*txn.chain_id).add(uint64_t{0}).add(uint64_t{0});  // EIP-155
    }
    e.end_list();
}

Bytes encode_with_type(const Transaction& txn, bool signed_form) {
    rlp::Encoder e(256 + txn.data.size());
    write_fields(e, txn, signed_form);
    Bytes body = e.take();
    if (txn.type != TxType::kLegacy) body.insert(body.begin(), static_cast<uint8_t>(txn.type));
    return body;
}

}  // namespace

Result<Transaction, TxError> decode_transaction(ByteView in) {
    if (in.empty()) return Unexpected{TxError::kEmptyInput};
    if (in.size() > rlp::kMaxInputSize) return Unexpected{TxError::kRlpTooLarge};
    const uint8_t first = in[0];
    if (first >= 0xc0) return decode_legacy(in);
    if (first >= 0x80) return Unexpected{TxError::kNotAList};
    if (first == 0 || first > static_cast<uint8_t>(TxType::kSetCode))
        return Unexpected{TxError::kUnsupportedType};
    return decode_typed(static_cast<TxType>(first), in.subspan(1));
}

Result<Transaction, TxError> decode_block_transaction(ByteView in) {
    if (!in.empty() && in.size() <= rlp::kMaxInputSize &&
        is_deposit_type(static_cast<TxType>(in[0])))
        return decode_deposit(static_cast<TxType>(in[0]), in.subspan(1));
    return decode_transaction(in);
}

Bytes encode_transaction(const Transaction& txn) {
    return encode_with_type(txn, true);
}

Hash32 signing_hash(const Transaction& txn) {
    return keccak256(encode_with_type(txn, false));
}

Hash32 tx_hash(const Transaction& txn) {
    return keccak256(encode_transaction(txn));
}

Result<Address, TxError> recover_sender(const Transaction& txn) {
    if (is_deposit_type(txn.type)) return Unexpected{TxError::kUnsupportedType};
    if (txn.y_parity > 1) return Unexpected{TxError::kInvalidV};
    if (!is_valid_signature_values(txn.r, txn.s))
        return Unexpected{TxError::kInvalidSignatureValues};
    if (!is_low_s(txn.s)) return Unexpected{TxError::kHighS};
    auto a = ecrecover(signing_hash(txn), txn.r, txn.s, txn.y_parity);
    if (!a) return Unexpected{TxError::kRecoveryFailed};
    return *a;
}

Result<void, TxError> sign_transaction(Transaction& txn, const Hash32& private_key) {
    auto sig = sign(signing_hash(txn), private_key);
    if (!sig) return Unexpected{TxError::kInvalidSignatureValues};
    txn.r = sig->r;
    txn.s = sig->s;
    txn.y_parity = sig->y_parity;
    txn.v = txn.type == TxType::kLegacy ? legacy_v(txn) : uint256{sig->y_parity};
    return {};
}

Hash32 Authorization::signing_hash() const {
    rlp::Encoder e(64);
    e.begin_list().add(chain_id).add(address).add(nonce).end_list();
    Bytes msg = e.take();
    msg.insert(msg.begin(), uint8_t{0x05});
    return keccak256(msg);
}

std::optional<Address> Authorization::recover_authority() const {
    if (y_parity > 1 || !is_valid_signature_values(r, s) || !is_low_s(s)) return std::nullopt;
    return ecrecover(signing_hash(), r, s, y_parity);
}

bool Authorization::valid_for_chain(uint64_t chain) const {
    return (chain_id.is_zero() || chain_id == uint256{chain}) && nonce != ~uint64_t{0};
}

}  // namespace fuse
