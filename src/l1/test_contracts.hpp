#pragma once
/// Test helpers: deploying the real contracts (contracts/out) through a TxSender.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/hex.hpp"
#include "l1/abi.hpp"
#include "l1/rpc_client.hpp"
#include "l1/test_util.hpp"
#include "l1/tx_sender.hpp"

namespace fuse::l1::testing {

/// An L1 client for tests against a local anvil: few retries, short back-off and timeouts (so
/// "L1 down" is seen quickly).
inline RpcClientConfig client_config(const std::string& url) {
    using namespace std::chrono_literals;
    RpcClientConfig c;
    c.url = url;
    c.max_attempts = 2;
    c.backoff_initial = 20ms;
    c.connect_timeout = 500ms;
    c.request_timeout = 3000ms;
    return c;
}

/// Deploys contracts/out/<name>.json with ABI-encoded constructor `args` of `types`
/// ("address,bytes32"); waits for the receipt.
inline Address deploy(TxSender& sender, const std::string& name, const std::string& types,
                      const std::vector<AbiValue>& args) {
    using namespace std::chrono_literals;
    const auto artifact = load_artifact(name);
    Bytes code = *from_hex(artifact.at("bytecode").get<std::string>());
    auto enc = abi_encode(*parse_types(types), args);
    EXPECT_TRUE(enc);
    code.insert(code.end(), enc->begin(), enc->end());
    const auto receipt = sender.wait(sender.submit(std::nullopt, code), 20s);
    EXPECT_TRUE(receipt.success) << name;
    return *receipt.contract_address;
}

/// SequencerInbox with `sender` as owner and only batch poster, Fuse's default time bounds.
inline Address deploy_inbox(TxSender& sender, size_t max_data_size) {
    const Address me = sender.address();
    return deploy(sender, "SequencerInbox",
                  "address,address[],(uint64,uint64,uint64,uint64),uint256",
                  {AbiValue::of(me), AbiValue::of_items({AbiValue::of(me)}),
                   AbiValue::of_items({AbiValue::of(uint256(17280)), AbiValue::of(uint256(12)),
                                       AbiValue::of(uint256(86400)), AbiValue::of(uint256(768))}),
                   AbiValue::of(uint256(max_data_size))});
}

}  // namespace fuse::l1::testing
