#pragma once
/// A simple in-memory Host for the interpreter's unit tests, the fuzz target and the
/// benchmark. Not the real state: no tries, no tx-level rules; nested calls and creates are
/// executed with whole-map snapshots. Header-only so any test can use it.

#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/hash.hpp"
#include "evm/interpreter.hpp"

namespace fuse::evm::test {

/// One storage slot: its value at tx start and now (EIP-2200 needs both).
struct Slot {
    uint256 original;
    uint256 current;
};

struct Account {
    uint64_t nonce = 0;
    uint256 balance;
    Bytes code;
    std::unordered_map<Hash32, Slot, FixedBytesHasher> storage;
};

struct LogRecord {
    Address address;
    Bytes data;
    std::vector<uint256> topics;
};

inline constexpr size_t kMaxCodeSize = 24576;  // EIP-170

/// (account, storage key) for warm-slot and transient-storage maps.
struct SlotKey {
    Address address;
    Hash32 key;
    friend bool operator==(const SlotKey&, const SlotKey&) = default;
};
struct SlotKeyHasher {
    size_t operator()(const SlotKey& k) const noexcept {
        return FixedBytesHasher{}(k.key) ^ (FixedBytesHasher{}(k.address) * 31);
    }
};

class TestHost : public Host {
public:
    Revision rev = Revision::kCancun;
    TxContext tx;
    std::unordered_map<Address, Account> accounts;
    std::unordered_set<Address> warm_accounts;
    std::unordered_set<SlotKey, SlotKeyHasher> warm_slots;
    std::unordered_map<SlotKey, uint256, SlotKeyHasher> transient;
    std::map<int64_t, Hash32> block_hashes;
    std::vector<LogRecord> logs;
    std::vector<Message> calls;  ///< Every message passed to call() (input views may dangle).
    std::vector<std::pair<Address, Address>> selfdestructs;
    AnalysisCache* cache = nullptr;  ///< Optional: analyses by code hash.

    /// Runs `code` as the top frame of a transaction from msg.sender to msg.recipient.
    ExecResult execute_top(const Message& msg, ByteView code) {
        warm_accounts.insert(msg.sender);
        warm_accounts.insert(msg.recipient);
        return execute(*this, rev, msg, code);
    }

    /// Marks every slot clean (current becomes original), as at a new transaction.
    void commit_tx() {
        for (auto& [addr, acc] : accounts)
            for (auto& [k, s] : acc.storage)
                s.original = s.current;
        warm_accounts.clear();
        warm_slots.clear();
        transient.clear();
    }

    bool account_exists(const Address& addr) const noexcept override {
        return accounts.count(addr) != 0;
    }
    uint256 get_storage(const Address& addr, const uint256& key) const noexcept override {
        const auto a = accounts.find(addr);
        if (a == accounts.end()) return {};
        const auto s = a->second.storage.find(key.to_hash());
        return s == a->second.storage.end() ? uint256() : s->second.current;
    }
    /// EIP-2200 classification, as EVMC defines evmc_storage_status.
    StorageStatus set_storage(const Address& addr, const uint256& key,
                              const uint256& value) noexcept override {
        Slot& s = accounts[addr].storage[key.to_hash()];
        const uint256 cur = s.current;
        const uint256 orig = s.original;
        s.current = value;
        if (cur == value) return StorageStatus::kAssigned;
        if (orig == cur) {
            if (orig.is_zero()) return StorageStatus::kAdded;
            return value.is_zero() ? StorageStatus::kDeleted : StorageStatus::kModified;
        }
        if (!orig.is_zero()) {
            if (cur.is_zero())
                return value == orig ? StorageStatus::kDeletedRestored
                                     : StorageStatus::kDeletedAdded;
            if (value.is_zero()) return StorageStatus::kModifiedDeleted;
            if (value == orig) return StorageStatus::kModifiedRestored;
            return StorageStatus::kAssigned;
        }
        return value.is_zero() ? StorageStatus::kAddedDeleted : StorageStatus::kAssigned;
    }
    uint256 get_balance(const Address& addr) const noexcept override {
        const auto a = accounts.find(addr);
        return a == accounts.end() ? uint256() : a->second.balance;
    }
    size_t get_code_size(const Address& addr) const noexcept override {
        const auto a = accounts.find(addr);
        return a == accounts.end() ? 0 : a->second.code.size();
    }
    Hash32 get_code_hash(const Address& addr) const noexcept override {
        const auto a = accounts.find(addr);
        return a == accounts.end() ? Hash32{} : keccak256(a->second.code);
    }
    size_t copy_code(const Address& addr, size_t offset, uint8_t* buf,
                     size_t size) const noexcept override {
        const auto a = accounts.find(addr);
        if (a == accounts.end() || offset >= a->second.code.size()) return 0;
        const size_t n = std::min(size, a->second.code.size() - offset);
        std::memcpy(buf, a->second.code.data() + offset, n);
        return n;
    }
    bool selfdestruct(const Address& addr, const Address& beneficiary) noexcept override {
        selfdestructs.emplace_back(addr, beneficiary);
        const uint256 bal = get_balance(addr);
        accounts[addr].balance = 0;
        accounts[beneficiary].balance += bal;
        return true;
    }
    const TxContext& get_tx_context() const noexcept override { return tx; }
    Hash32 get_block_hash(int64_t number) const noexcept override {
        const auto it = block_hashes.find(number);
        return it == block_hashes.end() ? Hash32{} : it->second;
    }
    void emit_log(const Address& addr, ByteView data,
                  std::span<const uint256> topics) noexcept override {
        logs.push_back({addr, to_bytes(data), {topics.begin(), topics.end()}});
    }
    AccessStatus access_account(const Address& addr) noexcept override {
        return warm_accounts.insert(addr).second ? AccessStatus::kCold : AccessStatus::kWarm;
    }
    AccessStatus access_storage(const Address& addr, const uint256& key) noexcept override {
        return warm_slots.insert(SlotKey{addr, key.to_hash()}).second ? AccessStatus::kCold
                                                                      : AccessStatus::kWarm;
    }
    uint256 get_transient_storage(const Address& addr, const uint256& key) const noexcept override {
        const auto it = transient.find(SlotKey{addr, key.to_hash()});
        return it == transient.end() ? uint256() : it->second;
    }
    void set_transient_storage(const Address& addr, const uint256& key,
                               const uint256& value) noexcept override {
        transient[SlotKey{addr, key.to_hash()}] = value;
    }

    /// Address of CREATE: keccak256(rlp([sender, nonce]))[12:] (Yellow Paper eq. 88).
    static Address create_address(const Address& sender, uint64_t nonce) {
        Bytes rlp = {0, 0x94};
        rlp.insert(rlp.end(), sender.bytes.begin(), sender.bytes.end());
        if (nonce == 0) {
            rlp.push_back(0x80);
        } else if (nonce < 0x80) {
            rlp.push_back(static_cast<uint8_t>(nonce));
        } else {
            uint8_t be[8];
            int n = 0;
            for (uint64_t v = nonce; v; v >>= 8)
                ++n;
            for (int i = 0; i < n; ++i)
                be[i] = static_cast<uint8_t>(nonce >> (8 * (n - 1 - i)));
            rlp.push_back(static_cast<uint8_t>(0x80 + n));
            rlp.insert(rlp.end(), be, be + n);
        }
        rlp[0] = static_cast<uint8_t>(0xc0 + rlp.size() - 1);
        return Address::from_view_right(keccak256(rlp).view());
    }

    /// Address of CREATE2 (EIP-1014).
    static Address create2_address(const Address& sender, const Hash32& salt, ByteView initcode) {
        Bytes buf = {0xff};
        buf.insert(buf.end(), sender.bytes.begin(), sender.bytes.end());
        buf.insert(buf.end(), salt.bytes.begin(), salt.bytes.end());
        const Hash32 h = keccak256(initcode);
        buf.insert(buf.end(), h.bytes.begin(), h.bytes.end());
        return Address::from_view_right(keccak256(buf).view());
    }

    ExecResult call(const Message& msg) noexcept override {
        calls.push_back(msg);
        ExecResult fail{Status::kFailure, msg.gas, 0, {}, {}};
        if (msg.depth > 1024) return fail;
        const bool is_create = msg.kind == CallKind::kCreate || msg.kind == CallKind::kCreate2;
        if (!msg.value.is_zero() && get_balance(msg.sender) < msg.value) return fail;
        const auto snapshot = accounts;
        const auto transient_snapshot = transient;
        const size_t num_logs = logs.size();
        auto revert = [&] {
            accounts = snapshot;
            transient = transient_snapshot;
            logs.resize(num_logs);
        };

        if (is_create) {
            Account& sender = accounts[msg.sender];
            const Address addr = msg.kind == CallKind::kCreate
                                     ? create_address(msg.sender, sender.nonce)
                                     : create2_address(msg.sender, msg.create2_salt, msg.input);
            ++sender.nonce;
            warm_accounts.insert(addr);
            if (const auto it = accounts.find(addr);
                it != accounts.end() && (it->second.nonce != 0 || !it->second.code.empty()))
                return {Status::kFailure, 0, 0, {}, {}};
            Account& acc = accounts[addr];
            acc.nonce = 1;
            accounts[msg.sender].balance -= msg.value;
            acc.balance += msg.value;
            Message inner = msg;
            inner.recipient = addr;
            inner.code_address = addr;
            ExecResult r = execute(*this, rev, inner, msg.input);
            if (r.status == Status::kSuccess) {
                const int64_t deposit = 200 * static_cast<int64_t>(r.output.size());
                if (r.output.size() > kMaxCodeSize || (!r.output.empty() && r.output[0] == 0xef))
                    r = {Status::kContractValidationFailure, 0, 0, {}, {}};
                else if (r.gas_left < deposit)
                    r = {Status::kOutOfGas, 0, 0, {}, {}};
                else {
                    r.gas_left -= deposit;
                    accounts[addr].code = std::move(r.output);
                    r.output.clear();
                    r.create_address = addr;
                }
            }
            if (r.status != Status::kSuccess) {
                revert();
                ++accounts[msg.sender].nonce;  // the creator's nonce bump survives failure
            }
            return r;
        }

        if (msg.kind == CallKind::kCall && !msg.value.is_zero()) {
            accounts[msg.sender].balance -= msg.value;
            accounts[msg.recipient].balance += msg.value;
        }
        Bytes code;
        if (const auto it = accounts.find(msg.code_address); it != accounts.end())
            code = it->second.code;
        if (rev >= Revision::kPrague && code.size() == 23 && code[0] == 0xef && code[1] == 0x01 &&
            code[2] == 0x00) {  // EIP-7702: run the delegate's code
            const Address target = Address::from_view_right(ByteView(code).subspan(3));
            const auto it = accounts.find(target);
            code = it == accounts.end() ? Bytes() : it->second.code;
        }
        ExecResult r;
        if (cache != nullptr) {
            const auto a = cache->get(keccak256(code), code);
            r = execute(*this, rev, msg, *a);
        } else {
            r = execute(*this, rev, msg, code);
        }
        if (r.status != Status::kSuccess) revert();
        return r;
    }
};

}  // namespace fuse::evm::test
