#pragma once
// Helpers for the arbos tests: signed transactions from the dev keys and a chain in memory.

#include <gtest/gtest.h>

#include <deque>

#include "arbos/abi_test_util.hpp"
#include "arbos/arbos.hpp"
#include "arbos/memory_world.hpp"
#include "core/hex.hpp"
#include "core/transaction.hpp"

namespace fuse::arbos::test {

inline constexpr uint64_t kChainId = 412346;
inline const uint256 kGwei = uint256(1'000'000'000);

inline Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}

/// A signed EIP-1559 transaction from dev account `from`.
inline Bytes make_tx(size_t from, uint64_t nonce, std::optional<Address> to, const uint256& value,
                     uint64_t gas = 21'000, Bytes data = {}, uint256 max_fee = uint256(0),
                     uint256 tip = uint256(0), uint64_t chain_id = kChainId) {
    Transaction t;
    t.type = TxType::kDynamicFee;
    t.chain_id = chain_id;
    t.nonce = nonce;
    t.max_fee_per_gas = max_fee.is_zero() ? kGwei : max_fee;
    t.max_priority_fee_per_gas = tip;
    t.gas_limit = gas;
    t.to = to;
    t.value = value;
    t.data = std::move(data);
    EXPECT_TRUE(sign_transaction(t, dev_accounts()[from].private_key));
    return encode_transaction(t);
}

/// A chain in memory: genesis, then blocks built from messages.
struct Chain {
    Genesis genesis;
    MemoryWorld world;
    std::deque<Block> blocks;  ///< deque: references stay valid

    explicit Chain(Genesis g) : genesis(std::move(g)) {
        blocks.push_back(make_genesis_block(world, genesis));
    }
    const Block& head() const { return blocks.back(); }
    BlockHashFn hashes() const {
        return [this](int64_t n) {
            return n >= 0 && static_cast<size_t>(n) < blocks.size() ? blocks[n].hash : Hash32{};
        };
    }
    Message message(std::vector<Bytes> txs, uint64_t dt = 1, uint256 l1_base_fee = uint256(0),
                    uint64_t l1_block = 1) const {
        Message m;
        m.timestamp = head().header.timestamp + dt;
        m.l1_block_number = l1_block;
        m.l1_base_fee = l1_base_fee;
        m.txs = std::move(txs);
        return m;
    }
    const Block& execute(const Message& m) {
        blocks.push_back(execute_message(world, genesis, head(), m, nullptr, hashes()));
        return blocks.back();
    }
    uint256 balance(const Address& a) const {
        auto acc = world.read_account(a).value();
        return acc ? acc->balance : uint256{};
    }
};

}  // namespace fuse::arbos::test
