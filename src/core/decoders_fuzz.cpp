// libFuzzer target for every decoder in core (fuzz preset): the first byte picks the decoder,
// the rest is its input. Invariants: nothing crashes (ASan/UBSan), and whatever a strict
// decoder accepts re-encodes to exactly the same bytes:
//   0 RLP validation, and every item of a sequence re-encoded from its payload;
//   1 transactions (signed types 0-4) with sender and authority recovery;
//   2 receipts;  3 headers;
//   4 block transactions, the deposit types 0x64/0x66 included;
//   5 a deposit built from the bytes: its L2 transaction decodes back to itself.
// Seeds: FUSE_FUZZ_SEEDS=dir (core/fuzz_seeds.hpp).

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/block.hpp"
#include "core/deposit.hpp"
#include "core/fuzz_seeds.hpp"
#include "core/receipt.hpp"
#include "core/rlp.hpp"
#include "core/secp256k1.hpp"
#include "core/transaction.hpp"

namespace {

using namespace fuse;

void require(bool ok) {
    if (!ok) std::abort();
}

/// Re-encodes every item of a valid top-level sequence from its decoded payload.
void check_rlp(ByteView in) {
    if (!rlp::validate(in)) return;
    for (ByteView rest = in; !rest.empty();) {
        auto item = rlp::peek_item(rest);
        require(item.has_value());
        Bytes again;
        if (item->is_list) {
            rlp::Encoder e;
            e.begin_list();
            for (ByteView inner = item->payload; !inner.empty();) {
                auto sub = rlp::peek_item(inner);
                require(sub.has_value());
                e.add_raw(sub->encoded);
                inner = inner.subspan(sub->encoded.size());
            }
            e.end_list();
            again = e.take();
        } else {
            again = rlp::encode(item->payload);
        }
        require(again == to_bytes(item->encoded));
        rest = rest.subspan(item->encoded.size());
    }
}

/// Reads n bytes (zero-padded at the end of the input).
struct Reader {
    ByteView in;
    void take(uint8_t* out, size_t n) {
        const size_t k = std::min(n, in.size());
        std::memcpy(out, in.data(), k);
        std::memset(out + k, 0, n - k);
        in = in.subspan(k);
    }
    uint64_t u64() {
        uint8_t b[8];
        take(b, 8);
        uint64_t v = 0;
        for (uint8_t x : b)
            v = v << 8 | x;
        return v;
    }
};

void check_deposit(ByteView in) {
    Reader r{in};
    Deposit d;
    uint8_t kind = 0;
    r.take(&kind, 1);
    d.kind = (kind & 1) ? DepositKind::kMessage : DepositKind::kNative;
    d.index = r.u64();
    r.take(d.l2_from.bytes.data(), 20);
    r.take(d.to.bytes.data(), 20);
    uint8_t value[32];
    r.take(value, 32);
    d.value = uint256::from_be32(value);
    d.l2_gas_limit = r.u64();
    d.l1_block_number = r.u64();
    d.l1_timestamp = r.u64();
    const uint64_t chain_id = r.u64();
    if (d.kind == DepositKind::kMessage) d.data = to_bytes(r.in);
    const Transaction t = make_deposit_transaction(d, chain_id);
    const Bytes raw = encode_transaction(t);
    auto back = decode_block_transaction(raw);
    require(back.has_value());
    require(encode_transaction(*back) == raw);
    require(tx_hash(*back) == tx_hash(t));
    require(!decode_transaction(raw));  // unsigned deposit types never come from users
    require(chain_acc(Hash32{}, std::span<const Deposit>(&d, 1)) ==
            chain_acc(Hash32{}, d.deposit_hash()));
}

/// Seeds: a signed transaction of every type (as transaction_test's SignRecoverEveryType), a
/// receipt with a log, a header, both deposit transactions, and RLP lists.
void write_seeds() {
    Hash32 key;
    key[31] = 1;
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee, TxType::kBlob,
                        TxType::kSetCode}) {
        Transaction t;
        t.type = type;
        t.chain_id = 122;
        t.nonce = 7;
        t.gas_limit = 100000;
        if (type == TxType::kLegacy || type == TxType::kAccessList) {
            t.gas_price = uint256{5};
        } else {
            t.max_priority_fee_per_gas = uint256{2};
            t.max_fee_per_gas = uint256{9};
        }
        Address to;
        to[19] = 0x10;
        t.to = to;
        t.value = uint256{12345};
        t.data = {1, 2, 3};
        if (type != TxType::kLegacy) t.access_list.push_back({to, {Hash32{}}});
        if (type == TxType::kBlob) {
            t.max_fee_per_blob_gas = uint256{3};
            t.blob_versioned_hashes.push_back(Hash32{});
        }
        if (type == TxType::kSetCode) {
            Authorization a;
            a.chain_id = uint256{122};
            a.address = to;
            a.nonce = 3;
            auto sig = sign(a.signing_hash(), key);
            a.r = sig->r;
            a.s = sig->s;
            a.y_parity = sig->y_parity;
            t.authorization_list.push_back(a);
        }
        require(sign_transaction(t, key).has_value());
        const Bytes raw = encode_transaction(t);
        fuzz::write_seed(1, raw);
        fuzz::write_seed(4, raw);
        fuzz::write_seed(0, raw);
    }
    Receipt r;
    r.type = TxType::kDynamicFee;
    r.success = true;
    r.cumulative_gas_used = 21000;
    r.logs.push_back(Log{Address{}, {Hash32{}, Hash32{}}, {1, 2, 3}});
    fuzz::write_seed(2, encode_receipt(r));
    fuzz::write_seed(3, encode_header(BlockHeader{}).value());
    for (DepositKind kind : {DepositKind::kNative, DepositKind::kMessage}) {
        Deposit d;
        d.kind = kind;
        d.index = 5;
        d.l2_from[0] = 0x11;
        d.to[19] = 0x22;
        d.value = uint256{1'000'000};
        if (kind == DepositKind::kMessage) {
            d.l2_gas_limit = 100'000;
            d.data = {0xde, 0xad};
        }
        fuzz::write_seed(4, encode_transaction(make_deposit_transaction(d, 122)));
    }
    Bytes deposit_body(1 + 8 + 20 + 20 + 32 + 8 * 4, 0x01);
    fuzz::write_seed(5, deposit_body);
    rlp::Encoder e;
    e.begin_list().add(uint64_t{1}).add(Bytes(40, 7)).begin_list().end_list().end_list();
    fuzz::write_seed(0, e.bytes());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fuzz::seed_mode(write_seeds);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const ByteView in{data + 1, size - 1};
    switch (data[0] % 6) {
        case 0:
            check_rlp(in);
            break;
        case 1:
            if (auto txn = decode_transaction(in)) {
                require(encode_transaction(*txn) == to_bytes(in));
                (void)recover_sender(*txn);
                for (const auto& a : txn->authorization_list)
                    (void)a.recover_authority();
            }
            break;
        case 2:
            if (auto r = decode_receipt(in)) require(encode_receipt(*r) == to_bytes(in));
            break;
        case 3:
            if (auto h = decode_header(in)) require(encode_header(*h).value() == to_bytes(in));
            break;
        case 4:
            if (auto txn = decode_block_transaction(in)) {
                require(encode_transaction(*txn) == to_bytes(in));
                if (!is_deposit_type(txn->type)) require(decode_transaction(in).has_value());
            }
            break;
        default:
            check_deposit(in);
            break;
    }
    return 0;
}
