#include "storage/codec.hpp"

#include <cstring>

#include "core/hash.hpp"
#include "core/rlp.hpp"

namespace fuse::storage {

namespace {

class Writer {
public:
    explicit Writer(size_t reserve = 0) { out_.reserve(reserve); }
    void u8(uint8_t v) { out_.push_back(v); }
    void u32(uint32_t v) {
        for (int i = 3; i >= 0; --i)
            out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 7; i >= 0; --i)
            out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
    void fixed(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
    void u256(const uint256& v) {
        uint8_t b[32];
        v.to_be(b);
        fixed(ByteView(b, 32));
    }
    void bytes(ByteView v) {
        u32(static_cast<uint32_t>(v.size()));
        fixed(v);
    }
    Bytes take() { return std::move(out_); }

private:
    Bytes out_;
};

/// Bounds-checked reader; any overrun sets `ok` false and reads zeros from then on.
class Reader {
public:
    explicit Reader(ByteView in) : in_(in) {}
    bool ok() const { return ok_; }
    bool done() const { return ok_ && pos_ == in_.size(); }
    ByteView take(size_t n) {
        if (!ok_ || in_.size() - pos_ < n) {
            ok_ = false;
            return {};
        }
        ByteView v = in_.subspan(pos_, n);
        pos_ += n;
        return v;
    }
    uint8_t u8() {
        ByteView v = take(1);
        return ok_ ? v[0] : 0;
    }
    uint32_t u32() {
        ByteView v = take(4);
        if (!ok_) return 0;
        return static_cast<uint32_t>(v[0]) << 24 | static_cast<uint32_t>(v[1]) << 16 |
               static_cast<uint32_t>(v[2]) << 8 | v[3];
    }
    uint64_t u64() {
        ByteView v = take(8);
        return ok_ ? read_be64(v.data()) : 0;
    }
    template <typename T>
    T fixed() {
        T out;
        ByteView v = take(T::size());
        if (ok_) std::memcpy(out.data(), v.data(), T::size());
        return out;
    }
    uint256 u256() {
        ByteView v = take(32);
        return ok_ ? uint256::from_be32(v.data()) : uint256{};
    }
    ByteView bytes() { return take(u32()); }
    /// A count of items each at least `min_size` bytes long (rejects absurd counts early).
    size_t count(size_t min_size) { return checked_count(u32(), min_size); }
    /// `n` (a count read with other bits beside it) checked as `count` does.
    size_t checked_count(size_t n, size_t min_size) {
        if (ok_ && min_size != 0 && n > (in_.size() - pos_) / min_size) ok_ = false;
        return ok_ ? n : 0;
    }

private:
    ByteView in_;
    size_t pos_ = 0;
    bool ok_ = true;
};

/// In a body's transaction count: the transactions' hashes are not stored.
constexpr uint32_t kBodyHashesOmitted = 0x80000000u;

void write_record(Writer& w, const AccountRecord& r) {
    w.u64(r.account.nonce);
    w.u256(r.account.balance);
    w.fixed(r.account.code_hash);
    w.fixed(r.storage_root);
}

AccountRecord read_record(Reader& r) {
    AccountRecord a;
    a.account.nonce = r.u64();
    a.account.balance = r.u256();
    a.account.code_hash = r.fixed<Hash32>();
    a.storage_root = r.fixed<Hash32>();
    return a;
}

}  // namespace

SlotKey make_slot_key(const Address& addr, const uint256& key) {
    SlotKey k;
    std::memcpy(k.data(), addr.data(), 20);
    key.to_be(k.data() + 20);
    return k;
}

size_t SlotKeyHasher::operator()(const SlotKey& k) const noexcept {
    uint64_t a, b, c;
    std::memcpy(&a, k.data() + 12, 8);  // address tail
    std::memcpy(&b, k.data() + 44, 8);  // slot key low bytes
    std::memcpy(&c, k.data() + 20, 8);  // slot key high bytes (hashed keys)
    uint64_t h = (a ^ 0x9E3779B97F4A7C15ull) * 0xC2B2AE3D27D4EB4Full;
    h ^= (b + (h >> 29)) * 0x165667B19E3779F9ull;
    h ^= (c + (h >> 32)) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h ^ (h >> 31));
}

std::array<uint8_t, 8> number_key(uint64_t n) {
    std::array<uint8_t, 8> k;
    for (int i = 0; i < 8; ++i)
        k[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (56 - 8 * i));
    return k;
}

uint64_t read_be64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = v << 8 | p[i];
    return v;
}

Bytes encode_account_record(const AccountRecord& r) {
    Writer w(104);
    write_record(w, r);
    return w.take();
}

std::optional<AccountRecord> decode_account_record(ByteView in) {
    Reader r(in);
    AccountRecord a = read_record(r);
    if (!r.done()) return std::nullopt;
    return a;
}

std::optional<AccountRecord> decode_account_rlp(ByteView rlp_bytes) {
    auto top = rlp::decode_single(rlp_bytes);
    if (!top || !top->is_list) return std::nullopt;
    rlp::Decoder d(top->payload);
    auto nonce = d.read_u64();
    auto balance = d.read_uint256();
    auto sroot = d.read_hash();
    auto chash = d.read_hash();
    if (!nonce || !balance || !sroot || !chash || !d.empty()) return std::nullopt;
    AccountRecord r;
    r.account.nonce = *nonce;
    r.account.balance = *balance;
    r.storage_root = *sroot;
    r.account.code_hash = *chash;
    return r;
}

Bytes encode_body(const arbos::Block& b) {
    Writer w(64 + b.txs.size() * 256);
    w.fixed(b.send_root);
    w.u64(b.send_count);
    w.u64(b.l1_block_number);
    // The flag: the transactions' hashes are not stored (each is keccak256 of its raw bytes,
    // 32 incompressible bytes a transaction); bodies written before it carry them.
    w.u32(static_cast<uint32_t>(b.txs.size()) | kBodyHashesOmitted);
    for (const arbos::ExecutedTx& t : b.txs) {
        w.bytes(t.raw);
        w.fixed(t.sender);
        w.u64(t.gas_used);
        w.u64(t.gas_used_for_l1);
        w.u256(t.effective_gas_price);
        w.u8(t.contract_address ? 1 : 0);
        if (t.contract_address) w.fixed(*t.contract_address);
        w.u64(t.first_log_index);
    }
    return w.take();
}

bool decode_body(ByteView in, arbos::Block& b) {
    Reader r(in);
    b.send_root = r.fixed<Hash32>();
    b.send_count = r.u64();
    b.l1_block_number = r.u64();
    const uint32_t word = r.u32();
    const bool hashes = (word & kBodyHashesOmitted) == 0;
    const size_t n = r.checked_count(word & ~kBodyHashesOmitted,
                                     (hashes ? 32 : 0) + 4 + 20 + 8 + 8 + 32 + 1 + 8);
    if (!r.ok()) return false;
    b.txs.clear();
    b.txs.resize(n);
    for (arbos::ExecutedTx& t : b.txs) {
        ByteView raw = r.bytes();
        t.raw.assign(raw.begin(), raw.end());
        t.hash = hashes ? r.fixed<Hash32>() : keccak256(t.raw);
        t.sender = r.fixed<Address>();
        t.gas_used = r.u64();
        t.gas_used_for_l1 = r.u64();
        t.effective_gas_price = r.u256();
        if (r.u8() != 0) t.contract_address = r.fixed<Address>();
        t.first_log_index = r.u64();
        if (!r.ok()) return false;
        auto tx = decode_block_transaction(t.raw);  // deposit types included
        if (!tx) return false;
        t.tx = std::move(*tx);
    }
    return r.done();
}

Bytes encode_receipts(const arbos::Block& b) {
    Writer w(4 + b.txs.size() * 300);
    w.u32(static_cast<uint32_t>(b.txs.size()));
    for (const arbos::ExecutedTx& t : b.txs)
        w.bytes(encode_receipt(t.receipt));
    return w.take();
}

bool decode_receipt_list(ByteView in, std::vector<Receipt>& out) {
    Reader r(in);
    size_t n = r.count(4);
    out.clear();
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        auto rc = decode_receipt(r.bytes());
        if (!r.ok() || !rc) return false;
        out.push_back(std::move(*rc));
    }
    return r.done();
}

bool decode_receipts(ByteView in, arbos::Block& b) {
    std::vector<Receipt> rs;
    if (!decode_receipt_list(in, rs) || rs.size() != b.txs.size()) return false;
    for (size_t i = 0; i < rs.size(); ++i)
        b.txs[i].receipt = std::move(rs[i]);
    return true;
}

Bytes encode_message(const arbos::Message& m, const arbos::Block* block) {
    Writer w(64);
    w.u64(m.l1_block_number);
    w.u256(m.l1_base_fee);
    w.u64(m.timestamp);
    w.u32(static_cast<uint32_t>(m.txs.size()));
    // The block holds the message's transactions in order, after the deposit transactions
    // ArbOS puts first (0x64, 0x66) and without those it refused: each found (looking a few
    // places ahead, so a refused one costs a bounded search) is written as its body index.
    constexpr size_t kLookAhead = 4;
    size_t j = 0;
    if (block != nullptr)
        while (j < block->txs.size() && !block->txs[j].raw.empty() &&
               (block->txs[j].raw[0] == 0x64 || block->txs[j].raw[0] == 0x66))
            ++j;
    for (const Bytes& tx : m.txs) {
        size_t k = j;
        if (block != nullptr)
            while (k < block->txs.size() && k < j + kLookAhead && block->txs[k].raw != tx)
                ++k;
        if (block != nullptr && k < block->txs.size() && k < j + kLookAhead) {
            w.u32(kBodyTxRef);
            w.u32(static_cast<uint32_t>(k));
            j = k + 1;
        } else {
            w.bytes(tx);
        }
    }
    if (m.deposit_ref) {
        w.u8(1);
        w.u64(m.deposit_ref->first_index);
        w.u64(m.deposit_ref->count);
        w.fixed(m.deposit_ref->acc);
    }
    return w.take();
}

std::optional<arbos::Message> decode_message(ByteView in, const arbos::Block* block) {
    Reader r(in);
    arbos::Message m;
    m.l1_block_number = r.u64();
    m.l1_base_fee = r.u256();
    m.timestamp = r.u64();
    size_t n = r.count(4);
    m.txs.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const uint32_t len = r.u32();
        if (len == kBodyTxRef) {
            const uint32_t k = r.u32();
            if (block == nullptr || k >= block->txs.size()) return std::nullopt;
            m.txs.push_back(block->txs[k].raw);
            continue;
        }
        ByteView tx = r.take(len);
        m.txs.emplace_back(tx.begin(), tx.end());
    }
    if (r.ok() && !r.done()) {  // a deposit ref follows (absent in older records)
        if (r.u8() != 1) return std::nullopt;
        batch::DepositRef ref;
        ref.first_index = r.u64();
        ref.count = r.u64();
        ref.acc = r.fixed<Hash32>();
        m.deposit_ref = ref;
    }
    if (!r.done()) return std::nullopt;
    return m;
}

bool message_refers_to_body(ByteView in) {
    Reader r(in);
    r.take(8 + 32 + 8);
    const size_t n = r.count(4);
    for (size_t i = 0; i < n && r.ok(); ++i) {
        const uint32_t len = r.u32();
        if (len == kBodyTxRef) return true;
        r.take(len);
    }
    return false;
}

Bytes encode_deposit(const Deposit& d) {
    Writer w(128 + d.data.size());
    w.u8(static_cast<uint8_t>(d.kind));
    w.fixed(d.l2_from);
    w.fixed(d.to);
    w.u256(d.value);
    w.u64(d.l2_gas_limit);
    w.u64(d.l1_block_number);
    w.u64(d.l1_timestamp);
    w.bytes(d.data);
    return w.take();
}

std::optional<Deposit> decode_deposit(uint64_t index, ByteView in) {
    Reader r(in);
    Deposit d;
    d.index = index;
    d.kind = static_cast<DepositKind>(r.u8());
    d.l2_from = r.fixed<Address>();
    d.to = r.fixed<Address>();
    d.value = r.u256();
    d.l2_gas_limit = r.u64();
    d.l1_block_number = r.u64();
    d.l1_timestamp = r.u64();
    ByteView data = r.bytes();
    d.data.assign(data.begin(), data.end());
    if (!r.done()) return std::nullopt;
    return d;
}

Bytes encode_undo(const UndoRecord& u) {
    Writer w(8 + u.accounts.size() * 125 + u.slots.size() * 84);
    w.u32(static_cast<uint32_t>(u.accounts.size()));
    for (const auto& [addr, rec] : u.accounts) {
        w.fixed(addr);
        w.u8(rec ? 1 : 0);
        if (rec) write_record(w, *rec);
    }
    w.u32(static_cast<uint32_t>(u.slots.size()));
    for (const auto& [key, value] : u.slots) {
        w.fixed(key);
        w.u256(value);
    }
    return w.take();
}

std::optional<UndoRecord> decode_undo(ByteView in) {
    Reader r(in);
    UndoRecord u;
    size_t n = r.count(21);
    for (size_t i = 0; i < n && r.ok(); ++i) {
        Address a = r.fixed<Address>();
        std::optional<AccountRecord> rec;
        if (r.u8() != 0) rec = read_record(r);
        u.accounts.emplace_back(a, rec);
    }
    size_t m = r.count(84);
    for (size_t i = 0; i < m && r.ok(); ++i) {
        SlotKey k = r.fixed<SlotKey>();
        u.slots.emplace_back(k, r.u256());
    }
    if (!r.done()) return std::nullopt;
    return u;
}

Bytes encode_tx_location(uint64_t block_number, uint32_t index) {
    Writer w(12);
    w.u64(block_number);
    w.u32(index);
    return w.take();
}

}  // namespace fuse::storage
