#include "state/exec_state.hpp"

#include <algorithm>

#include "core/hash.hpp"
#include "core/rlp.hpp"

namespace fuse::state {

using evm::AccessStatus;
using evm::StorageStatus;

Hash32 logs_hash(const std::vector<Log>& logs) {
    rlp::Encoder enc(256);
    enc.begin_list();
    for (const Log& log : logs) {
        enc.begin_list().add(log.address).add_list(log.topics).add(ByteView{log.data}).end_list();
    }
    enc.end_list();
    return keccak256(enc.bytes());
}

void ExecState::record_fault(StorageFault f) noexcept {
    if (!fault_) fault_ = std::move(f);
}

template <typename T, typename U>
T ExecState::checked(ReadResult<T>&& r, U&& fallback) noexcept {
    if (r) return std::move(*r);
    record_fault(r.error());
    return T(std::forward<U>(fallback));
}

ExecState::Entry& ExecState::get(const Address& addr) {
    auto [it, inserted] = accounts_.try_emplace(addr);
    if (inserted && !fault_) {
        if (auto acc = checked(base_.read_account(addr), std::nullopt)) {
            it->second.h.acc = *acc;
            it->second.h.exists = true;
        }
    }
    return it->second;
}

ExecState::Header& ExecState::modify(const Address& addr, Entry& e) {
    header_journal_.push_back(e.h);
    journal_.push_back({Op::kHeader, addr, {}, {}, false});
    e.h.dirty = true;
    return e.h;
}

ExecState::Slot& ExecState::slot(Entry& e, const Address& addr, const uint256& key) {
    auto [it, inserted] = e.storage.try_emplace(key);
    if (inserted && !e.h.storage_cleared && !fault_) {
        it->second.current = checked(base_.read_storage(addr, key), uint256{});
        it->second.original = it->second.current;
    }
    return it->second;
}

bool ExecState::exists(const Address& addr) {
    return get(addr).h.exists;
}

bool ExecState::exists_non_empty(const Address& addr) {
    const Entry& e = get(addr);
    return e.h.exists && !e.h.acc.is_empty();
}

uint256 ExecState::balance(const Address& addr) {
    return get(addr).h.acc.balance;
}

uint64_t ExecState::nonce(const Address& addr) {
    return get(addr).h.acc.nonce;
}

const Hash32& ExecState::code_hash(const Address& addr) {
    return get(addr).h.acc.code_hash;
}

ByteView ExecState::code(const Address& addr) {
    Entry& e = get(addr);
    if (!e.h.code) {
        // Loading is a cache fill, not a change: not journalled.
        if (e.h.acc.code_hash == kEmptyCodeHash || fault_)
            e.h.code = std::make_shared<const Bytes>();
        else
            e.h.code =
                std::make_shared<const Bytes>(checked(base_.read_code(e.h.acc.code_hash), Bytes{}));
    }
    return *e.h.code;
}

bool ExecState::has_storage(const Address& addr) {
    Entry& e = get(addr);
    for (const auto& [k, s] : e.storage)
        if (!s.current.is_zero()) return true;
    return !e.h.storage_cleared && !fault_ && checked(base_.has_storage(addr), false);
}

bool ExecState::created_in_tx(const Address& addr) {
    return get(addr).h.created;
}

void ExecState::add_balance(const Address& addr, const uint256& amount) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.exists = true;
    h.touched = true;
    h.acc.balance = h.acc.balance + amount;
}

void ExecState::sub_balance(const Address& addr, const uint256& amount) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.touched = true;
    h.acc.balance = h.acc.balance - amount;
}

void ExecState::set_balance(const Address& addr, const uint256& amount) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.exists = true;
    h.acc.balance = amount;
}

void ExecState::set_nonce(const Address& addr, uint64_t nonce) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.exists = true;
    h.acc.nonce = nonce;
}

void ExecState::set_code(const Address& addr, Bytes code) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.exists = true;
    h.code_dirty = true;
    h.acc.code_hash = code.empty() ? kEmptyCodeHash : keccak256(code);
    h.code = std::make_shared<const Bytes>(std::move(code));
}

void ExecState::create_contract(const Address& addr) {
    Entry& e = get(addr);
    Header& h = modify(addr, e);
    h.exists = true;
    h.created = true;
    h.touched = true;
}

void ExecState::touch(const Address& addr) {
    Entry& e = get(addr);
    if (e.h.touched) return;
    const bool dirty = e.h.dirty;
    Header& h = modify(addr, e);
    h.dirty = dirty;  // touching alone changes nothing to write
    h.touched = true;
}

bool ExecState::destruct(const Address& addr) {
    Entry& e = get(addr);
    if (e.h.destructed) return false;
    Header& h = modify(addr, e);
    h.destructed = true;
    return true;
}

uint256 ExecState::get_storage(const Address& addr, const uint256& key) {
    Entry& e = get(addr);
    return slot(e, addr, key).current;
}

StorageStatus ExecState::set_storage(const Address& addr, const uint256& key,
                                     const uint256& value) {
    Entry& e = get(addr);
    Slot& s = slot(e, addr, key);
    const uint256 current = s.current;
    const uint256& original = s.original;
    if (current == value) return StorageStatus::kAssigned;
    StorageStatus status;
    if (original == current) {
        if (original.is_zero())
            status = StorageStatus::kAdded;
        else if (value.is_zero())
            status = StorageStatus::kDeleted;
        else
            status = StorageStatus::kModified;
    } else if (!original.is_zero()) {
        if (current.is_zero())
            status =
                original == value ? StorageStatus::kDeletedRestored : StorageStatus::kDeletedAdded;
        else if (value.is_zero())
            status = StorageStatus::kModifiedDeleted;
        else if (original == value)
            status = StorageStatus::kModifiedRestored;
        else
            status = StorageStatus::kAssigned;
    } else {
        status = original == value ? StorageStatus::kAddedDeleted : StorageStatus::kAssigned;
    }
    journal_.push_back({Op::kStorage, addr, key, current, s.dirty});
    s.current = value;
    s.dirty = true;
    return status;
}

uint256 ExecState::get_transient(const Address& addr, const uint256& key) {
    Entry& e = get(addr);
    auto it = e.transient.find(key);
    return it == e.transient.end() ? uint256{} : it->second;
}

void ExecState::set_transient(const Address& addr, const uint256& key, const uint256& value) {
    Entry& e = get(addr);
    uint256& v = e.transient[key];
    journal_.push_back({Op::kTransient, addr, key, v, false});
    v = value;
}

AccessStatus ExecState::access_account(const Address& addr) {
    Entry& e = get(addr);
    if (e.warm) return AccessStatus::kWarm;
    e.warm = true;
    journal_.push_back({Op::kWarmAccount, addr, {}, {}, false});
    return AccessStatus::kCold;
}

std::vector<AccessListEntry> ExecState::warm_set() const {
    std::vector<AccessListEntry> out;
    for (const auto& [addr, e] : accounts_) {
        if (!e.warm) continue;
        AccessListEntry entry{addr, {}};
        for (const auto& [key, s] : e.storage)
            if (s.warm) entry.storage_keys.push_back(key.to_hash());
        std::sort(entry.storage_keys.begin(), entry.storage_keys.end());
        out.push_back(std::move(entry));
    }
    std::sort(out.begin(), out.end(), [](const AccessListEntry& a, const AccessListEntry& b) {
        return a.address < b.address;
    });
    return out;
}

AccessStatus ExecState::access_storage(const Address& addr, const uint256& key) {
    Entry& e = get(addr);
    Slot& s = slot(e, addr, key);
    if (s.warm) return AccessStatus::kWarm;
    s.warm = true;
    journal_.push_back({Op::kWarmSlot, addr, key, {}, false});
    return AccessStatus::kCold;
}

void ExecState::add_log(Log log) {
    logs_.push_back(std::move(log));
    journal_.push_back({Op::kLog, {}, {}, {}, false});
}

void ExecState::revert(size_t snapshot) {
    while (journal_.size() > snapshot) {
        JournalEntry& j = journal_.back();
        switch (j.op) {
            case Op::kHeader:
                accounts_.find(j.addr)->second.h = std::move(header_journal_.back());
                header_journal_.pop_back();
                break;
            case Op::kStorage: {
                Slot& s = accounts_.find(j.addr)->second.storage.find(j.key)->second;
                s.current = j.value;
                s.dirty = j.flag;
                break;
            }
            case Op::kTransient:
                accounts_.find(j.addr)->second.transient[j.key] = j.value;
                break;
            case Op::kWarmAccount:
                accounts_.find(j.addr)->second.warm = false;
                break;
            case Op::kWarmSlot:
                accounts_.find(j.addr)->second.storage.find(j.key)->second.warm = false;
                break;
            case Op::kLog:
                logs_.pop_back();
                break;
        }
        journal_.pop_back();
    }
}

void ExecState::finalize_tx() {
    for (auto& [addr, e] : accounts_) {
        Header& h = e.h;
        if (h.exists && (h.destructed || (h.touched && h.acc.is_empty()))) {
            h.exists = false;
            h.acc = Account{};
            h.code = std::make_shared<const Bytes>();
            h.code_dirty = false;
            h.storage_cleared = true;
            h.dirty = true;
            e.storage.clear();
        }
        h.created = false;
        h.destructed = false;
        h.touched = false;
        e.warm = false;
        e.transient.clear();
        for (auto& [key, s] : e.storage) {
            s.original = s.current;
            s.warm = false;
        }
    }
    journal_.clear();
    header_journal_.clear();
}

StateDiff ExecState::diff() const {
    StateDiff out;
    for (const auto& [addr, e] : accounts_) {
        AccountUpdate u;
        bool any_storage = false;
        for (const auto& [key, s] : e.storage) {
            if (s.dirty) {
                any_storage = true;
                break;
            }
        }
        if (!e.h.dirty && !any_storage && !e.h.storage_cleared) continue;
        u.address = addr;
        if (e.h.exists) {
            u.account = e.h.acc;
            if (e.h.code_dirty && e.h.code) u.code = *e.h.code;
            for (const auto& [key, s] : e.storage)
                if (s.dirty || (e.h.storage_cleared && !s.current.is_zero()))
                    u.storage.push_back({key, s.current});
        }
        u.storage_cleared = e.h.storage_cleared;
        out.accounts.push_back(std::move(u));
    }
    return out;
}

}  // namespace fuse::state
