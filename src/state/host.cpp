#include "state/host.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "core/hash.hpp"
#include "core/rlp.hpp"
#include "evm/interpreter.hpp"
#include "precompiles/precompiles.hpp"

namespace fuse::state {

using evm::CallKind;
using evm::ExecResult;
using evm::Message;
using evm::Status;

std::optional<Address> delegation_target(ByteView code) {
    if (code.size() != 23 || std::memcmp(code.data(), kDelegationPrefix, 3) != 0)
        return std::nullopt;
    Address a;
    std::memcpy(a.data(), code.data() + 3, 20);
    return a;
}

Address create_address(const Address& sender, uint64_t nonce) {
    rlp::Encoder enc(32);
    enc.begin_list().add(sender).add(nonce).end_list();
    const Hash32 h = keccak256(enc.bytes());
    return Address::from_view_right(h.view());
}

Address create2_address(const Address& sender, const Hash32& salt, ByteView initcode) {
    uint8_t buf[1 + 20 + 32 + 32];
    buf[0] = 0xff;
    std::memcpy(buf + 1, sender.data(), 20);
    std::memcpy(buf + 21, salt.data(), 32);
    const Hash32 code_hash = keccak256(initcode);
    std::memcpy(buf + 53, code_hash.data(), 32);
    const Hash32 h = keccak256({buf, sizeof(buf)});
    return Address::from_view_right(h.view());
}

bool StateHost::account_exists(const Address& addr) const noexcept {
    return state_.exists_non_empty(addr);
}

uint256 StateHost::get_storage(const Address& addr, const uint256& key) const noexcept {
    return state_.get_storage(addr, key);
}

evm::StorageStatus StateHost::set_storage(const Address& addr, const uint256& key,
                                          const uint256& value) noexcept {
    return state_.set_storage(addr, key, value);
}

uint256 StateHost::get_balance(const Address& addr) const noexcept {
    return state_.balance(addr);
}

size_t StateHost::get_code_size(const Address& addr) const noexcept {
    return state_.code(addr).size();
}

Hash32 StateHost::get_code_hash(const Address& addr) const noexcept {
    if (!state_.exists_non_empty(addr)) return {};
    return state_.code_hash(addr);
}

size_t StateHost::copy_code(const Address& addr, size_t offset, uint8_t* buf,
                            size_t size) const noexcept {
    const ByteView code = state_.code(addr);
    if (offset >= code.size()) return 0;
    const size_t n = std::min(size, code.size() - offset);
    std::memcpy(buf, code.data() + offset, n);
    return n;
}

bool StateHost::selfdestruct(const Address& addr, const Address& beneficiary) noexcept {
    const uint256 balance = state_.balance(addr);
    state_.touch(beneficiary);
    if (!state_.created_in_tx(addr)) {
        // EIP-6780: only the balance moves; the account stays.
        if (beneficiary != addr) {
            state_.add_balance(beneficiary, balance);
            state_.set_balance(addr, 0);
        }
        return false;
    }
    state_.add_balance(beneficiary, balance);
    state_.set_balance(addr, 0);  // burnt when the beneficiary is the account itself
    return state_.destruct(addr);
}

Hash32 StateHost::get_block_hash(int64_t number) const noexcept {
    if (!block_hash_) return Hash32{};
    // The block hash source reads the node's database, whose block reads throw on an I/O
    // error (docs/storage.md "Errors"): the host is where that stops.
    try {
        return block_hash_(number);
    } catch (const std::exception& e) {
        state_.record_fault(
            read_failed(std::string("block hash of ") + std::to_string(number) + ": " + e.what()));
        return Hash32{};
    }
}

void StateHost::emit_log(const Address& addr, ByteView data,
                         std::span<const uint256> topics) noexcept {
    Log log;
    log.address = addr;
    log.data = to_bytes(data);
    log.topics.reserve(topics.size());
    for (const uint256& t : topics)
        log.topics.push_back(t.to_hash());
    state_.add_log(std::move(log));
    if (tracer_) tracer_->on_log(addr, data, topics);
}

evm::AccessStatus StateHost::access_account(const Address& addr) noexcept {
    return state_.access_account(addr);
}

evm::AccessStatus StateHost::access_storage(const Address& addr, const uint256& key) noexcept {
    return state_.access_storage(addr, key);
}

uint256 StateHost::get_transient_storage(const Address& addr, const uint256& key) const noexcept {
    return state_.get_transient(addr, key);
}

void StateHost::set_transient_storage(const Address& addr, const uint256& key,
                                      const uint256& value) noexcept {
    state_.set_transient(addr, key, value);
}

ExecResult StateHost::call(const Message& msg) noexcept {
    if (tracer_) return traced_call(msg, std::nullopt);
    if (msg.kind == CallKind::kCreate || msg.kind == CallKind::kCreate2)
        return create(msg, std::nullopt);
    return execute_call(msg);
}

ExecResult StateHost::create_top(const Message& msg, uint64_t tx_nonce) noexcept {
    if (tracer_) return traced_call(msg, tx_nonce);
    return create(msg, tx_nonce);
}

ExecResult StateHost::traced_call(const Message& msg, std::optional<uint64_t> tx_nonce) noexcept {
    const bool is_create = msg.kind == CallKind::kCreate || msg.kind == CallKind::kCreate2;
    Message shown = msg;
    if (is_create) {
        // The address the create deploys to, as geth's tracers see it (before any check).
        shown.recipient =
            msg.kind == CallKind::kCreate2
                ? create2_address(msg.sender, msg.create2_salt, msg.input)
                : create_address(msg.sender, tx_nonce.value_or(state_.nonce(msg.sender)));
        shown.code_address = shown.recipient;
    }
    tracer_->on_enter(shown);
    ExecResult res = is_create ? create(msg, tx_nonce) : execute_call(msg);
    if (is_create && res.status == Status::kSuccess) {
        // geth reports the deployed code as a create's output.
        const ByteView code = state_.code(res.create_address);
        res.output.assign(code.begin(), code.end());
        tracer_->on_exit(shown, res);
        res.output.clear();
        return res;
    }
    tracer_->on_exit(shown, res);
    return res;
}

ExecResult StateHost::run_code(const Message& msg, const evm::CodeAnalysis& code) noexcept {
    if (tracer_) return evm::execute_traced(*this, *tracer_, rev_, msg, code);
    return evm::execute(*this, rev_, msg, code);
}

ExecResult StateHost::execute_call(const Message& msg) noexcept {
    ExecResult res;
    if (state_.faulted()) return storage_fault_result();
    // Checks that fail the call without consuming the gas given to it.
    if (msg.depth > kMaxCallDepth) {
        res.status = Status::kCallDepthExceeded;
        res.gas_left = msg.gas;
        return res;
    }
    const bool transfers = msg.kind == CallKind::kCall || msg.kind == CallKind::kCallCode;
    if (transfers && msg.depth > 0 && !msg.value.is_zero() &&
        state_.balance(msg.sender) < msg.value) {
        res.status = Status::kInsufficientBalance;
        res.gas_left = msg.gas;
        return res;
    }

    const size_t snap = state_.snapshot();
    if (msg.kind == CallKind::kCall) {
        if (!msg.value.is_zero()) {
            state_.sub_balance(msg.sender, msg.value);
            state_.add_balance(msg.recipient, msg.value);
        } else {
            state_.touch(msg.recipient);
        }
    }

    if (hook_ && hook_->contains(msg.code_address)) {
        return undo_if_failed(hook_->run(state_, msg), snap);
    }
    if (auto id = precompiles::find_precompile(msg.code_address, is_prague())) {
        const int64_t cost = precompiles::gas_cost(*id, msg.input);
        if (cost > msg.gas) {
            state_.revert(snap);
            res.status = Status::kOutOfGas;
            res.gas_left = 0;
            return res;
        }
        auto out = precompiles::run(*id, msg.input);
        if (!out) {
            state_.revert(snap);
            res.status = Status::kPrecompileFailure;
            res.gas_left = 0;
            return res;
        }
        res.status = Status::kSuccess;
        res.gas_left = msg.gas - cost;
        res.output = std::move(*out);
        return res;
    }

    ByteView code = state_.code(msg.code_address);
    Hash32 code_hash = state_.code_hash(msg.code_address);
    if (is_prague()) {
        if (auto target = delegation_target(code)) {
            // EIP-7702: run the delegate's code; a precompile delegate has no code to run.
            if (precompiles::find_precompile(*target, true)) {
                code = {};
            } else {
                code = state_.code(*target);
                code_hash = state_.code_hash(*target);
            }
        }
    }
    if (code.empty()) {
        res.status = Status::kSuccess;
        res.gas_left = msg.gas;
        return res;
    }
    const auto analysis =
        (analysis_cache_ != nullptr ? *analysis_cache_ : tx_analyses_).get(code_hash, code);
    return undo_if_failed(run_code(msg, *analysis), snap);
}

ExecResult StateHost::storage_fault_result() noexcept {
    // The state could not be read: nothing more runs, what ran is discarded by the caller of
    // the transaction (it checks ExecState::fault()).
    ExecResult res;
    res.status = Status::kInternalError;
    res.gas_left = 0;
    return res;
}

ExecResult StateHost::undo_if_failed(ExecResult res, size_t snap) noexcept {
    if (res.status != Status::kSuccess) {
        state_.revert(snap);
        res.gas_refund = 0;
        if (res.status != Status::kRevert) {  // exceptional halt: all gas and output are lost
            res.gas_left = 0;
            res.output.clear();
        }
    }
    return res;
}

ExecResult StateHost::create(const Message& msg, std::optional<uint64_t> tx_nonce) noexcept {
    ExecResult res;
    if (msg.depth > kMaxCallDepth) {
        res.status = Status::kCallDepthExceeded;
        res.gas_left = msg.gas;
        return res;
    }
    uint64_t nonce;
    if (tx_nonce) {
        nonce = *tx_nonce;
    } else {
        if (state_.balance(msg.sender) < msg.value) {
            res.status = Status::kInsufficientBalance;
            res.gas_left = msg.gas;
            return res;
        }
        nonce = state_.nonce(msg.sender);
        if (nonce == UINT64_MAX) {  // EIP-2681
            res.status = Status::kFailure;
            res.gas_left = msg.gas;
            return res;
        }
        state_.set_nonce(msg.sender, nonce + 1);
    }
    const Address addr = msg.kind == CallKind::kCreate2
                             ? create2_address(msg.sender, msg.create2_salt, msg.input)
                             : create_address(msg.sender, nonce);
    return create_at(msg, addr);
}

ExecResult StateHost::create_at(const Message& msg, const Address& addr) noexcept {
    ExecResult res;
    if (state_.faulted()) return storage_fault_result();
    state_.access_account(addr);  // EIP-2929: the new address is warm

    // EIP-684 / EIP-7610: no create over an account with nonce, code or storage.
    if (state_.nonce(addr) != 0 || state_.code_hash(addr) != kEmptyCodeHash ||
        state_.has_storage(addr)) {
        res.status = Status::kFailure;
        res.gas_left = 0;
        return res;
    }

    const size_t snap = state_.snapshot();
    state_.create_contract(addr);
    state_.set_nonce(addr, 1);  // EIP-161
    if (!msg.value.is_zero()) {
        state_.sub_balance(msg.sender, msg.value);
        state_.add_balance(addr, msg.value);
    }

    Message inner = msg;
    inner.recipient = addr;
    inner.code_address = addr;
    inner.input = {};
    inner.kind = msg.kind;
    res = tracer_ ? evm::execute_traced(*this, *tracer_, rev_, inner, msg.input)
                  : evm::execute(*this, rev_, inner, msg.input);
    if (res.status == Status::kSuccess) {
        Status fail = Status::kSuccess;
        if (res.output.size() > kMaxCodeSize) {
            fail = Status::kContractValidationFailure;
        } else if (!res.output.empty() && res.output[0] == 0xef) {
            fail = Status::kContractValidationFailure;  // EIP-3541
        } else {
            const int64_t deposit =
                static_cast<int64_t>(res.output.size()) * kCodeDepositGasPerByte;
            if (res.gas_left < deposit)
                fail = Status::kOutOfGas;
            else
                res.gas_left -= deposit;
        }
        if (fail != Status::kSuccess) {
            res.status = fail;
        } else {
            state_.set_code(addr, std::move(res.output));
            res.output.clear();
            res.create_address = addr;
            return res;
        }
    }
    state_.revert(snap);
    res.gas_refund = 0;
    if (res.status != Status::kRevert) {
        res.gas_left = 0;
        res.output.clear();
    }
    return res;
}

}  // namespace fuse::state
