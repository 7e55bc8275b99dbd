#pragma once
// Test helpers for deposits (header only, not part of the library's API): the real Bridge from
// contracts/out deployed on an InboxEnv's anvil, and deposits made through it.

#include "inbox/deposit_reader.hpp"
#include "inbox/test_env.hpp"
#include "l1/bridge.hpp"
#include "l1/test_util.hpp"

namespace fuse::inbox::testing {

/// The L2 gas price the test Bridge charges messages (wei per L2 gas).
inline constexpr uint64_t kTestL2GasPrice = 1'000'000'000;

/// The Bridge (owner and outbox: the env's sender; message limits as deploy.mjs' defaults).
struct BridgeEnv : InboxEnv {
    Address bridge;
    uint64_t bridge_block = 0;

    explicit BridgeEnv(std::vector<std::string> anvil_args = {}) : InboxEnv(std::move(anvil_args)) {
        const auto artifact = l1::testing::load_artifact("Bridge");
        Bytes code = *from_hex(artifact.at("bytecode").get<std::string>());
        const Address me = sender->address();
        auto args = l1::abi_encode(
            *l1::parse_types("address,address,uint256,uint64,uint64,uint64"),
            {l1::AbiValue::of(me), l1::AbiValue::of(me), l1::AbiValue::of(uint256(kTestL2GasPrice)),
             l1::AbiValue::of(uint256(65536)), l1::AbiValue::of(uint256(21000)),
             l1::AbiValue::of(uint256(10'000'000))});
        code.insert(code.end(), args->begin(), args->end());
        const auto receipt = sender->wait(sender->submit(std::nullopt, code), 20s);
        if (!receipt.success || !receipt.contract_address)
            throw std::runtime_error("Bridge deployment failed");
        bridge = *receipt.contract_address;
        bridge_block = receipt.block_number;
    }

    /// depositNative(to) with `value` wei; the receipt.
    l1::TxReceipt deposit(const Address& to, const uint256& value) {
        const auto r =
            sender->wait(sender->submit(bridge, l1::encode_deposit_native(to), value), 20s);
        if (!r.success) throw std::runtime_error("depositNative reverted");
        return r;
    }

    /// sendMessage(to, gas, data) paying the fee plus `value` for the call.
    l1::TxReceipt message(const Address& to, uint64_t gas, const Bytes& data,
                          const uint256& value = {}) {
        const uint256 paid = value + uint256(gas) * uint256(kTestL2GasPrice);
        const auto r =
            sender->wait(sender->submit(bridge, l1::encode_send_message(to, gas, data), paid), 20s);
        if (!r.success) throw std::runtime_error("sendMessage reverted");
        return r;
    }

    /// The deposits of a receipt, decoded from its DepositQueued logs.
    static std::vector<l1::DepositQueued> deposits_of(const l1::TxReceipt& r) {
        std::vector<l1::DepositQueued> out;
        for (const auto& log : r.logs)
            if (auto d = l1::decode_deposit_queued(log)) out.push_back(std::move(*d));
        return out;
    }

    DepositReaderConfig deposit_config() const {
        DepositReaderConfig c;
        c.bridge = bridge;
        c.deploy_block = bridge_block;
        return c;
    }
};

}  // namespace fuse::inbox::testing
