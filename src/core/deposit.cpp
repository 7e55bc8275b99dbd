#include "core/deposit.hpp"

#include <cstring>

#include "core/hash.hpp"

namespace fuse {

namespace {

/// Writes `v` as a 32-byte big-endian ABI word at `out`.
void put_word(uint8_t* out, uint64_t v) {
    std::memset(out, 0, 32);
    for (int i = 0; i < 8; ++i)
        out[31 - i] = static_cast<uint8_t>(v >> (8 * i));
}

void put_address(uint8_t* out, const Address& a) {
    std::memset(out, 0, 12);
    std::memcpy(out + 12, a.data(), 20);
}

}  // namespace

Hash32 Deposit::deposit_hash() const {
    uint8_t words[9 * 32];
    put_word(words, static_cast<uint8_t>(kind));
    put_word(words + 32, index);
    put_address(words + 64, l2_from);
    put_address(words + 96, to);
    value.to_be(words + 128);
    put_word(words + 160, l2_gas_limit);
    put_word(words + 192, l1_block_number);
    put_word(words + 224, l1_timestamp);
    const Hash32 data_hash = keccak256(data);
    std::memcpy(words + 256, data_hash.data(), 32);
    return keccak256({words, sizeof words});
}

Hash32 chain_acc(const Hash32& prev, const Hash32& deposit_hash) {
    uint8_t buf[64];
    std::memcpy(buf, prev.data(), 32);
    std::memcpy(buf + 32, deposit_hash.data(), 32);
    return keccak256({buf, sizeof buf});
}

Hash32 chain_acc(const Hash32& prev, std::span<const Deposit> deposits) {
    Hash32 acc = prev;
    for (const Deposit& d : deposits)
        acc = chain_acc(acc, d.deposit_hash());
    return acc;
}

Hash32 deposit_request_id(uint64_t index) {
    Hash32 id;
    put_word(id.data(), index);
    return id;
}

Transaction make_deposit_transaction(const Deposit& d, uint64_t chain_id) {
    Transaction t;
    t.chain_id = chain_id;
    t.request_id = deposit_request_id(d.index);
    t.from = d.l2_from;
    t.to = d.to;
    t.value = d.value;
    if (d.kind == DepositKind::kNative) {
        t.type = TxType::kArbitrumDeposit;
        return t;
    }
    t.type = TxType::kArbitrumContract;
    t.gas_limit = d.l2_gas_limit;
    t.data = d.data;
    return t;
}

}  // namespace fuse
