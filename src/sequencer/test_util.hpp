#pragma once
/// Helpers for the sequencer's tests: deterministic keys and signed transactions.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/bytes.hpp"
#include "core/secp256k1.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"

namespace fuse::sequencer::testing {

/// A fresh directory under the system temp dir, removed by the destructor.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "fuse-seq-XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// Private key number `i` (1-based, never zero).
inline Hash32 test_key(uint64_t i) {
    return (uint256{i} + uint256{0x1000}).to_hash();
}

inline Address test_address(uint64_t i) {
    Transaction probe;
    probe.type = TxType::kDynamicFee;
    probe.chain_id = 1;
    probe.gas_limit = 21'000;
    (void)sign_transaction(probe, test_key(i));
    return recover_sender(probe).value();
}

struct TxSpec {
    uint64_t key = 1;
    uint64_t nonce = 0;
    uint64_t chain_id = 412346;
    uint64_t gas_limit = 21'000;
    uint256 max_fee = 1'000'000'000;
    uint256 tip = 0;
    uint256 value = 1;
    Address to = Address{};
    Bytes data;
    TxType type = TxType::kDynamicFee;
};

inline Transaction make_tx(const TxSpec& spec) {
    Transaction t;
    t.type = spec.type;
    t.chain_id = spec.chain_id;
    t.nonce = spec.nonce;
    t.gas_limit = spec.gas_limit;
    if (spec.type == TxType::kLegacy || spec.type == TxType::kAccessList) {
        t.gas_price = spec.max_fee;
    } else {
        t.max_fee_per_gas = spec.max_fee;
        t.max_priority_fee_per_gas = spec.tip;
    }
    t.to = spec.to;
    t.value = spec.value;
    t.data = spec.data;
    (void)sign_transaction(t, test_key(spec.key));
    return t;
}

inline Bytes make_raw(const TxSpec& spec) {
    return encode_transaction(make_tx(spec));
}

}  // namespace fuse::sequencer::testing
