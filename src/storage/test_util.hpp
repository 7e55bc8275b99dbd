#pragma once
/// Test helpers (storage tests only): random state diffs and hand-built blocks, so the storage
/// layer is tested without ArbOS.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "core/hash.hpp"
#include "core/transaction.hpp"
#include "storage/codec.hpp"
#include "storage/database.hpp"

namespace fuse::storage::testing {

/// A fresh directory under the system temp dir, removed by the destructor.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "fuse-storage-XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

inline Address test_address(uint64_t i) {
    Address a;
    for (int k = 0; k < 8; ++k)
        a[12 + static_cast<size_t>(k)] = static_cast<uint8_t>(i >> (8 * k));
    a[0] = 0xaa;
    return a;
}

/// A random block diff over `n_accounts` accounts: balance/nonce changes, storage writes
/// (zeros included, so slots get deleted), occasional storage wipes, account deletions and new
/// code.
inline state::StateDiff random_diff(std::mt19937_64& rng, uint64_t n_accounts, size_t updates) {
    state::StateDiff d;
    std::vector<Address> seen;
    for (size_t i = 0; i < updates; ++i) {
        Address addr = test_address(rng() % n_accounts);
        if (std::find(seen.begin(), seen.end(), addr) != seen.end()) continue;
        seen.push_back(addr);
        state::AccountUpdate u;
        u.address = addr;
        const uint64_t kind = rng() % 20;
        if (kind == 0) {  // deleted (nullopt account)
            d.accounts.push_back(std::move(u));
            continue;
        }
        state::Account a;
        a.nonce = rng() % 1000;
        a.balance = uint256(rng());
        if (kind == 1) {
            Bytes code(1 + rng() % 64);
            for (auto& b : code)
                b = static_cast<uint8_t>(rng());
            a.code_hash = keccak256(code);
            u.code = code;
        }
        u.account = a;
        u.storage_cleared = kind == 2;
        const size_t slots = rng() % 6;
        for (size_t s = 0; s < slots; ++s) {
            uint256 key(rng() % 16);
            uint256 value = rng() % 4 == 0 ? uint256{} : uint256(rng());
            bool dup = false;
            for (auto& c : u.storage)
                dup |= c.key == key;
            if (!dup) u.storage.push_back({key, value});
        }
        d.accounts.push_back(std::move(u));
    }
    return d;
}

/// A structurally valid signed-looking legacy transaction (never executed).
inline Bytes test_raw_tx(uint64_t nonce, uint64_t salt) {
    Transaction t;
    t.chain_id = 122;
    t.nonce = nonce;
    t.gas_price = uint256(1'000'000'000);
    t.gas_limit = 21000;
    t.to = test_address(salt);
    t.value = uint256(salt);
    t.r = uint256(salt + 1);
    t.s = uint256(salt + 2);
    return encode_transaction(t);
}

/// A block `number` on `parent_hash` with `state_root`, carrying `n_txs` transactions whose
/// receipts hold logs from a small set of addresses/topics (for log queries).
inline arbos::Block make_block(uint64_t number, const Hash32& parent_hash, const Hash32& state_root,
                               size_t n_txs, std::mt19937_64& rng) {
    arbos::Block b;
    b.header.number = number;
    b.header.parent_hash = parent_hash;
    b.header.state_root = state_root;
    b.header.gas_limit = 30'000'000;
    b.header.timestamp = 1'700'000'000 + number;
    b.header.base_fee_per_gas = uint256(100'000'000);
    b.l1_block_number = 1000 + number;
    b.send_count = number;
    const auto nk = number_key(number);
    b.send_root = keccak256(ByteView(nk.data(), nk.size()));
    uint64_t cumulative = 0;
    uint64_t log_index = 0;
    for (size_t i = 0; i < n_txs; ++i) {
        arbos::ExecutedTx t;
        t.raw = test_raw_tx(number * 100 + i, rng() % 1000);
        t.tx = decode_transaction(t.raw).value();
        t.hash = keccak256(t.raw);
        t.sender = test_address(rng() % 50);
        t.gas_used = 21000 + i;
        t.gas_used_for_l1 = i;
        t.effective_gas_price = uint256(100'000'000);
        if (i % 3 == 2) t.contract_address = test_address(9000 + i);
        t.first_log_index = log_index;
        cumulative += t.gas_used;
        t.receipt.success = i % 4 != 3;
        t.receipt.cumulative_gas_used = cumulative;
        const size_t n_logs = rng() % 3;
        for (size_t l = 0; l < n_logs; ++l) {
            Log log;
            log.address = test_address(7000 + rng() % 3);
            const size_t topics = rng() % 3;
            for (size_t k = 0; k < topics; ++k) {
                Hash32 topic;
                topic[31] = static_cast<uint8_t>(rng() % 4);
                topic[0] = static_cast<uint8_t>(k);
                log.topics.push_back(topic);
            }
            log.data = Bytes{static_cast<uint8_t>(number), static_cast<uint8_t>(i)};
            t.receipt.logs.push_back(log);
        }
        t.receipt.bloom = logs_bloom(t.receipt.logs);
        b.header.logs_bloom |= t.receipt.bloom;
        log_index += n_logs;
        b.txs.push_back(std::move(t));
    }
    b.header.gas_used = cumulative;
    b.hash = header_hash(b.header).value();
    return b;
}

}  // namespace fuse::storage::testing
