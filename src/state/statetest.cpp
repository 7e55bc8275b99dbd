#include "state/statetest.hpp"

#include <string>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "state/exec_state.hpp"

namespace fuse::state {

Hash32 state_test_block_hash(int64_t number) {
    const std::string s = std::to_string(number);
    return keccak256({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

namespace {

bool exception_listed(std::string_view list, std::string_view name) {
    while (!list.empty()) {
        const size_t bar = list.find('|');
        std::string_view item = list.substr(0, bar);
        if (item == name) return true;
        if (bar == std::string_view::npos) break;
        list.remove_prefix(bar + 1);
    }
    return false;
}

}  // namespace

StateTestOutcome run_state_test_case(const InMemoryState& pre, const BlockEnv& env,
                                     evm::Revision rev, const Address& fixture_sender,
                                     const StateTestExpectation& expected) {
    StateTestOutcome out;
    std::string got_exception;
    Hash32 root;
    Hash32 logs = logs_hash({});

    auto txn = decode_transaction(expected.txbytes);
    if (!txn) {
        if (txn.error() == TxError::kIntegerOverflow)
            got_exception = "TransactionException.RLP_INVALID_VALUE";
        else if (txn.error() == TxError::kCreationNotAllowed && !expected.txbytes.empty())
            got_exception = expected.txbytes[0] == 3
                                ? "TransactionException.TYPE_3_TX_CONTRACT_CREATION"
                                : "TransactionException.TYPE_4_TX_CONTRACT_CREATION";
        else
            got_exception = "TransactionException.INVALID_TRANSACTION_ENCODING";
        if (!expected.expect_exception.empty() &&
            !exception_listed(expected.expect_exception, got_exception)) {
            out.detail = std::string("transaction decoding failed: ") + to_string(txn.error()) +
                         "; expected " + expected.expect_exception;
            return out;
        }
        root = pre.state_root();
    } else {
        auto sender = recover_sender(*txn);
        if (!sender) {
            out.detail = std::string("sender recovery failed: ") + to_string(sender.error());
            return out;
        }
        if (*sender != fixture_sender) {
            out.detail = "recovered sender " + to_hex(*sender) + " != fixture sender " +
                         to_hex(fixture_sender);
            return out;
        }
        ExecState state(pre);
        auto res =
            apply_transaction(state, env, rev, *txn, *sender, env.gas_limit, state_test_block_hash);
        if (!res) {
            got_exception = exception_name(res.error().reason);
            root = pre.state_root();
        } else {
            logs = logs_hash(res->logs);
            InMemoryState post = pre;
            post.apply(state.diff());
            root = post.state_root();
        }
    }

    if (expected.expect_exception.empty() && !got_exception.empty()) {
        out.detail = "unexpected exception " + got_exception;
        return out;
    }
    if (!expected.expect_exception.empty()) {
        if (got_exception.empty()) {
            out.detail =
                "expected exception " + expected.expect_exception + ", transaction was accepted";
            return out;
        }
        if (!exception_listed(expected.expect_exception, got_exception)) {
            out.detail = "exception " + got_exception + ", expected " + expected.expect_exception;
            return out;
        }
    }
    if (root != expected.state_root) {
        out.detail = "state root " + to_hex(root) + ", expected " + to_hex(expected.state_root);
        return out;
    }
    if (logs != expected.logs_hash) {
        out.detail = "logs hash " + to_hex(logs) + ", expected " + to_hex(expected.logs_hash);
        return out;
    }
    out.passed = true;
    return out;
}

}  // namespace fuse::state
