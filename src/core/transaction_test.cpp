#include "core/transaction.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/rlp.hpp"

namespace fuse {
namespace {

Bytes hx(std::string_view s) {
    return from_hex(s).value();
}
std::string addr_hex(const Address& a) {
    return to_hex(a.view());
}

constexpr const char* kSender = "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b";

// Decodes, checks the byte-identical re-encoding and the tx hash, and recovers the sender.
Transaction check_round_trip(std::string_view raw_hex, std::string_view sender) {
    const Bytes raw = hx(raw_hex);
    auto txn = decode_transaction(raw);
    EXPECT_TRUE(txn) << (txn ? "" : to_string(txn.error()));
    if (!txn) return {};
    EXPECT_EQ(encode_transaction(*txn), raw);
    EXPECT_EQ(tx_hash(*txn), keccak256(raw));
    auto from = recover_sender(*txn);
    EXPECT_TRUE(from) << (from ? "" : to_string(from.error()));
    if (from) {
        EXPECT_EQ(addr_hex(*from), sender);
    }
    return *txn;
}

// EIP-155's worked example (chain id 1, key 0x4646...46).
TEST(Transaction, Eip155Example) {
    const auto txn = check_round_trip(
        "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
        "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f"
        "761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
        "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
    EXPECT_EQ(txn.type, TxType::kLegacy);
    EXPECT_EQ(txn.chain_id, std::optional<uint64_t>{1});
    EXPECT_EQ(txn.nonce, 9u);
    EXPECT_EQ(txn.gas_price, uint256{20'000'000'000});
    EXPECT_EQ(txn.gas_limit, 21000u);
    EXPECT_EQ(txn.value, uint256{1'000'000'000'000'000'000});
    EXPECT_EQ(txn.v, uint256{37});
    EXPECT_EQ(txn.y_parity, 0);
    EXPECT_EQ(to_hex(signing_hash(txn).view()),
              "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53");
}

// Transactions from the official state-test fixtures (the `txbytes` of passing cases).
TEST(Transaction, FixtureLegacyWithoutChainId) {
    const auto txn = check_round_trip(
        "0xf862800a8203e894095e7baea6a6c7c4c2dfeb977efac326af552d87830186a0801ba0bb6249049eb387"
        "32aa28ef23385945e51c9582c7fab78bd33f6086bd4181615da035118c5432cd6a3bdd6f989d4eee3d43d1"
        "1736e640bc249d9a2c37e01db3d4b5",
        kSender);
    EXPECT_FALSE(txn.chain_id);
    EXPECT_EQ(txn.v, uint256{27});
    EXPECT_EQ(txn.value, uint256{100000});
}

TEST(Transaction, FixtureAccessList) {
    const auto txn = check_round_trip(
        "0x01f89b0180078304ef0094000000000000000000000000000000000000aaaa0180f838f7940000000000"
        "000000000000000000000000000000e1a000000000000000000000000000000000000000000000000000"
        "0000000000000001a02e16eb72206c93c471b5894800495ee9c64ae2d9823bcc4d6adeb5d9d9af0dd4a0"
        "3be6691e933a0816c59d059a556c27c6753e6ce76d1e357b9201865c80b28df3",
        kSender);
    EXPECT_EQ(txn.type, TxType::kAccessList);
    ASSERT_EQ(txn.access_list.size(), 1u);
    EXPECT_EQ(txn.access_list[0].storage_keys.size(), 1u);
    EXPECT_EQ(txn.gas_price, uint256{7});
}

TEST(Transaction, FixtureDynamicFee) {
    const auto txn = check_round_trip(
        "0x02f8690180808207d083061a8094a00000000000000000000000000000000000000a808470ac643ec001"
        "a0d291a8b33b4d2414a921a32715b55846147d0a6ffe6c5992a115e0fa60ab4d57a02f5701d3d33d024aa8"
        "0b46ed86dba7bfbd825b2172f4c5c6aeeadb1c28685d57",
        kSender);
    EXPECT_EQ(txn.type, TxType::kDynamicFee);
    EXPECT_EQ(txn.max_priority_fee_per_gas, uint256{0});
    EXPECT_EQ(txn.max_fee_per_gas, uint256{2000});
    EXPECT_EQ(to_hex(txn.data), "0x70ac643e");
}

TEST(Transaction, FixtureBlob) {
    const auto txn = check_round_trip(
        "0x03f885018080078252099400000000000000000000000000000000000010008080c001e1a00100000000"
        "00000000000000000000000000000000000000000000000000000080a064bead2e0c347f1df5d3c9581ae8"
        "6788db672a37f0cca82fb49be31891b568a1a03460d9f4cfe6ae2550568d034d96d2cec67d7a7be1312f7c"
        "4790b5d891a67a10",
        kSender);
    EXPECT_EQ(txn.type, TxType::kBlob);
    EXPECT_EQ(txn.max_fee_per_blob_gas, uint256{1});
    ASSERT_EQ(txn.blob_versioned_hashes.size(), 1u);
    EXPECT_EQ(txn.blob_versioned_hashes[0][0], 0x01);
}

TEST(Transaction, FixtureSetCode) {
    const auto txn = check_round_trip(
        "0x04f8c101808007830f42409400000000000000000000000000000000000010008080c0f85cf85a809"
        "4a94f5374fce5edbc8e2a8697c15331677e6ebf0b8080a054c7c92b1eede176959eefeb0ccce5c0e7949"
        "91f16c1e8ac01700d162eb563bfa071b8d0e049596a2602ef18ca11a6d1c3e6a6ee21394b652ac0ad915"
        "33ac3a77201a0412add516b4681b7b69278537b60dab4cac3da236ec18fdd4b7d5b7387eb8acfa05d1e1"
        "87e84b91247c8f50b665fae1835a365d92091239d72cb3934727fd8c8fe",
        "0x8a0a19589531694250d570040a0c4b74576919b8");
    EXPECT_EQ(txn.type, TxType::kSetCode);
    ASSERT_EQ(txn.authorization_list.size(), 1u);
    const Authorization& a = txn.authorization_list[0];
    EXPECT_TRUE(a.chain_id.is_zero());
    EXPECT_EQ(addr_hex(a.address), kSender);
    // self_set_code_cost: the authority delegates to its own address.
    auto authority = a.recover_authority();
    ASSERT_TRUE(authority);
    EXPECT_EQ(addr_hex(*authority), kSender);
    EXPECT_TRUE(a.valid_for_chain(1));
    EXPECT_TRUE(a.valid_for_chain(122));
}

// ValueOverflowParis: a value of 2^256 + 1 (33 bytes); the fixture expects RLP_INVALID_VALUE.
TEST(Transaction, RejectsValueWiderThan256Bits) {
    const Bytes raw =
        hx("0xf880806482520894d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0a101000000000000000000000000"
           "0000000000000000000000000000000000000001801ba0c16787a8e25e941d67691954642876c08f009961"
           "63ae7dfadbbfd6cd436f549da06180e5626cae31590f40641fe8f63734316c4bfeb4cdfab6714198c1044d"
           "2e28");
    EXPECT_EQ(decode_transaction(raw).error(), TxError::kIntegerOverflow);
}

Transaction make_txn(TxType type) {
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
    return t;
}

TEST(Transaction, SignRecoverEveryType) {
    Hash32 key;
    key[31] = 1;
    const Address me = *address_from_private_key(key);
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee, TxType::kBlob,
                        TxType::kSetCode}) {
        Transaction t = make_txn(type);
        if (type == TxType::kSetCode) {
            Authorization a;
            a.chain_id = uint256{122};
            a.address = *t.to;
            a.nonce = 3;
            auto sig = sign(a.signing_hash(), key);
            a.r = sig->r;
            a.s = sig->s;
            a.y_parity = sig->y_parity;
            EXPECT_EQ(a.recover_authority(), me);
            EXPECT_TRUE(a.valid_for_chain(122));
            EXPECT_FALSE(a.valid_for_chain(1));
            t.authorization_list.push_back(a);
        }
        ASSERT_TRUE(sign_transaction(t, key));
        EXPECT_EQ(recover_sender(t).value_or(Address{}), me);
        const Bytes raw = encode_transaction(t);
        auto back = decode_transaction(raw);
        ASSERT_TRUE(back) << to_string(back.error());
        EXPECT_EQ(*back, t);
        EXPECT_EQ(encode_transaction(*back), raw);
        if (type != TxType::kLegacy) {
            EXPECT_EQ(raw[0], static_cast<uint8_t>(type));
        }
    }
}

TEST(Transaction, LegacyWithoutChainIdAndCreation) {
    Hash32 key;
    key[31] = 2;
    Transaction t = make_txn(TxType::kLegacy);
    t.chain_id.reset();
    t.to.reset();
    ASSERT_TRUE(sign_transaction(t, key));
    EXPECT_TRUE(t.v == uint256{27} || t.v == uint256{28});
    auto back = decode_transaction(encode_transaction(t));
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->chain_id);
    EXPECT_FALSE(back->to);
    EXPECT_EQ(recover_sender(*back).value_or(Address{}), *address_from_private_key(key));
    // The same fields with a chain id sign a different hash (EIP-155).
    Transaction p = t;
    p.chain_id = 1;
    EXPECT_NE(signing_hash(p), signing_hash(t));
}

TEST(Transaction, SignatureRules) {
    Hash32 key;
    key[31] = 3;
    Transaction t = make_txn(TxType::kDynamicFee);
    ASSERT_TRUE(sign_transaction(t, key));
    Transaction high = t;
    high.s = kSecp256k1N - t.s;
    high.y_parity ^= 1;
    EXPECT_EQ(recover_sender(high).error(), TxError::kHighS);
    Transaction zero_r = t;
    zero_r.r = uint256{};
    EXPECT_EQ(recover_sender(zero_r).error(), TxError::kInvalidSignatureValues);
    Transaction big_s = t;
    big_s.s = kSecp256k1N;
    EXPECT_EQ(recover_sender(big_s).error(), TxError::kInvalidSignatureValues);

    Authorization a;
    a.address = *t.to;
    auto sig = sign(a.signing_hash(), key);
    a.r = sig->r;
    a.s = kSecp256k1N - sig->s;
    a.y_parity = static_cast<uint8_t>(1 - sig->y_parity);
    EXPECT_FALSE(a.recover_authority());  // high s is skipped under EIP-7702
    a.s = sig->s;
    a.y_parity = 2;
    EXPECT_FALSE(a.recover_authority());
    a.y_parity = sig->y_parity;
    EXPECT_TRUE(a.recover_authority());
    a.nonce = ~uint64_t{0};
    EXPECT_FALSE(a.valid_for_chain(5));
}

// Re-wraps the fields of a typed transaction's RLP list after `edit`.
Bytes reencode_typed(uint8_t type, const std::vector<Bytes>& fields) {
    rlp::Encoder e;
    e.begin_list();
    for (const auto& f : fields)
        e.add_raw(f);
    e.end_list();
    Bytes out = e.take();
    out.insert(out.begin(), type);
    return out;
}

std::vector<Bytes> split_fields(ByteView raw) {
    rlp::Decoder d(raw.subspan(raw[0] < 0x80 ? 1 : 0));
    auto list = d.read_list();
    std::vector<Bytes> out;
    while (!list->empty())
        out.push_back(to_bytes(list->next()->encoded));
    return out;
}

TEST(Transaction, RejectsMalformedEnvelopes) {
    Hash32 key;
    key[31] = 4;
    Transaction t = make_txn(TxType::kDynamicFee);
    ASSERT_TRUE(sign_transaction(t, key));
    const Bytes raw = encode_transaction(t);
    auto fields = split_fields(raw);
    ASSERT_EQ(fields.size(), 12u);

    EXPECT_EQ(decode_transaction(ByteView{}).error(), TxError::kEmptyInput);
    for (uint8_t type : {uint8_t{0x00}, uint8_t{0x05}, uint8_t{0x7f}}) {
        Bytes b = raw;
        b[0] = type;
        EXPECT_EQ(decode_transaction(b).error(), TxError::kUnsupportedType);
    }
    EXPECT_EQ(decode_transaction(hx("0x8180")).error(), TxError::kNotAList);
    EXPECT_EQ(decode_transaction(hx("0x0280")).error(), TxError::kNotAList);
    Bytes trailing = raw;
    trailing.push_back(0);
    EXPECT_EQ(decode_transaction(trailing).error(), TxError::kRlpTrailingBytes);
    Bytes truncated(raw.begin(), raw.end() - 1);
    EXPECT_EQ(decode_transaction(truncated).error(), TxError::kRlpTruncated);

    auto less = fields;
    less.pop_back();
    EXPECT_EQ(decode_transaction(reencode_typed(2, less)).error(), TxError::kWrongFieldCount);
    auto more = fields;
    more.push_back(rlp::encode(uint64_t{1}));
    EXPECT_EQ(decode_transaction(reencode_typed(2, more)).error(), TxError::kWrongFieldCount);
    // The 2930 shape under the 1559 type byte is one field short.
    Transaction t1 = make_txn(TxType::kAccessList);
    ASSERT_TRUE(sign_transaction(t1, key));
    Bytes wrong_type = encode_transaction(t1);
    wrong_type[0] = 2;
    EXPECT_EQ(decode_transaction(wrong_type).error(), TxError::kWrongFieldCount);

    auto bad = fields;
    bad[1] = hx("0x820007");  // nonce with a leading zero
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kRlpNonCanonical);
    bad = fields;
    bad[1] = hx("0x89010000000000000000");  // nonce of 2^64
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kIntegerOverflow);
    bad = fields;
    bad[5] = hx("0x8401020304");  // 4-byte `to`
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kBadFieldLength);
    bad = fields;
    bad[7] = hx("0xc0");  // data as a list
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kUnexpectedList);
    bad = fields;
    bad[8] = hx("0x80");  // access list as a string
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kNotAList);
    bad = fields;
    bad[8] = hx("0xc2c0c0");  // access-list entries that are not [address, keys]
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kWrongFieldCount);
    bad = fields;
    bad[9] = hx("0x02");  // y_parity 2
    EXPECT_EQ(decode_transaction(reencode_typed(2, bad)).error(), TxError::kInvalidV);
}

TEST(Transaction, RejectsBadLegacyV) {
    Transaction t = make_txn(TxType::kLegacy);
    t.r = uint256{1};
    t.s = uint256{1};
    const Bytes raw = encode_transaction(t);
    auto fields = split_fields(raw);
    ASSERT_EQ(fields.size(), 9u);
    for (uint64_t v : {0u, 1u, 26u, 29u, 34u}) {
        fields[6] = rlp::encode(v);
        rlp::Encoder e;
        e.begin_list();
        for (const auto& f : fields)
            e.add_raw(f);
        e.end_list();
        EXPECT_EQ(decode_transaction(e.bytes()).error(), TxError::kInvalidV) << v;
    }
    fields[6] = rlp::encode(uint64_t{35 + 2 * 122 + 1});
    rlp::Encoder e;
    e.begin_list();
    for (const auto& f : fields)
        e.add_raw(f);
    e.end_list();
    auto ok = decode_transaction(e.bytes());
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->chain_id, std::optional<uint64_t>{122});
    EXPECT_EQ(ok->y_parity, 1);
}

TEST(Transaction, RejectsCreationForBlobAndSetCode) {
    for (TxType type : {TxType::kBlob, TxType::kSetCode}) {
        Transaction t = make_txn(type);
        t.to.reset();
        EXPECT_EQ(decode_transaction(encode_transaction(t)).error(), TxError::kCreationNotAllowed);
    }
}

TEST(Transaction, MutatedAndRandomInputsNeverCrash) {
    Hash32 key;
    key[31] = 5;
    std::vector<Bytes> seeds;
    for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee, TxType::kBlob,
                        TxType::kSetCode}) {
        Transaction t = make_txn(type);
        if (type == TxType::kSetCode) t.authorization_list.push_back(Authorization{});
        ASSERT_TRUE(sign_transaction(t, key));
        seeds.push_back(encode_transaction(t));
    }
    std::mt19937_64 rng(2024);
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes b = seeds[i % seeds.size()];
        const int edits = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < edits; ++k) {
            switch (rng() % 3) {
                case 0:
                    b[rng() % b.size()] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    b.resize(rng() % (b.size() + 1));
                    break;
                default:
                    b.insert(b.begin() + static_cast<std::ptrdiff_t>(rng() % (b.size() + 1)),
                             static_cast<uint8_t>(rng()));
            }
            if (b.empty()) break;
        }
        auto txn = decode_transaction(b);
        if (txn) {
            ++accepted;
            EXPECT_EQ(encode_transaction(*txn), b);  // only canonical inputs are accepted
            (void)recover_sender(*txn);
        }
    }
    EXPECT_GT(accepted, 0);
}

TEST(Transaction, ErrorsHaveReasons) {
    for (int e = 0; e <= static_cast<int>(TxError::kBadAuthorization); ++e)
        EXPECT_NE(std::string(to_string(static_cast<TxError>(e))), "unknown transaction error");
}

}  // namespace
}  // namespace fuse
