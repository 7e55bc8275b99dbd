#pragma once
/// Typed calls and the deposit event of the L1 `Bridge` (docs/bridge.md): what the node's deposit
/// reader (inbox/deposit_reader.hpp) and the tests need. Selectors and the topic are checked
/// against the ABI in contracts/out by bridge_test.cpp.

#include <cstdint>

#include "core/bytes.hpp"
#include "core/deposit.hpp"
#include "core/result.hpp"
#include "l1/abi.hpp"
#include "l1/contracts.hpp"

namespace fuse::l1 {

namespace sig {
inline constexpr const char* kDepositNative = "depositNative(address)";
inline constexpr const char* kSendMessage = "sendMessage(address,uint256,bytes)";
inline constexpr const char* kDepositCount = "depositCount()";
inline constexpr const char* kDepositAccs = "depositAccs(uint256)";
inline constexpr const char* kTotalDeposited = "totalDeposited()";
/// topic0 0x99aeafdd…8a4a (docs/bridge.md).
inline constexpr const char* kDepositQueued =
    "DepositQueued(uint256,address,address,uint8,uint256,uint256,uint256,uint256,bytes,bytes32,"
    "bytes32)";
}  // namespace sig

/// One `DepositQueued` event: the deposit as L2 executes it, and the hash and accumulator the
/// Bridge computed for it (a reader recomputes both: `Deposit::deposit_hash`, `chain_acc`).
struct DepositQueued {
    Deposit deposit;
    Hash32 deposit_hash;
    Hash32 acc;
};

/// Decodes the event from a log: kValueMismatch when topic0 or the topic count is wrong,
/// kDirtyPadding for an indexed address with high bits set, kTooLarge when the index, gas limit,
/// L1 block number or timestamp does not fit 64 bits. The kind is taken as the byte the event
/// carries (the reader refuses kinds other than 0 and 1).
Result<DepositQueued, AbiError> decode_deposit_queued(const Log& log);

/// Calldata of depositNative(to) (selector 0x33bb7f91).
Bytes encode_deposit_native(const Address& to);
/// Calldata of sendMessage(to, l2GasLimit, data) (selector 0x9f3ce55a).
Bytes encode_send_message(const Address& to, uint64_t l2_gas_limit, ByteView data);

}  // namespace fuse::l1
