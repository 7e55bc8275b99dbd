#pragma once
/// Deposits from the L1 `Bridge` contract (DESIGN.md §3a; docs/arbos.md "Deposits"): one value
/// per `DepositQueued` event, its hash and the Bridge's hash accumulator, and the unsigned L2
/// transaction ArbOS executes for it (Arbitrum's ArbitrumDepositTx 0x64 / ArbitrumContractTx
/// 0x66). In core so that the batch format, ArbOS, storage and the L1 reader share one type.

#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "core/transaction.hpp"
#include "core/uint256.hpp"

namespace fuse {

/// The Bridge's `kind` byte.
enum class DepositKind : uint8_t {
    kNative = 0,   ///< depositNative(to): mints `value` to `to` (L2 tx type 0x64)
    kMessage = 1,  ///< sendMessage(to, l2GasLimit, data): a call from `l2_from` (type 0x66)
};

/// One deposit as the Bridge's `DepositQueued` event reports it.
struct Deposit {
    /// A byte read from L1; only kNative and kMessage are executable (ArbOS checks).
    DepositKind kind = DepositKind::kNative;
    uint64_t index = 0;  ///< the Bridge's deposit index, from 0
    /// The L1 sender, or its alias (sender + 0x1111…1111 mod 2^160) when it is a contract.
    Address l2_from;
    Address to;
    uint256 value;              ///< wei minted on L2
    uint64_t l2_gas_limit = 0;  ///< kind 1: the call's gas (paid on L1); kind 0: 0
    uint64_t l1_block_number = 0;
    uint64_t l1_timestamp = 0;
    Bytes data;  ///< kind 1: the call data; kind 0: empty

    /// keccak256(abi.encode(uint8 kind, uint256 index, address l2From, address to, uint256
    /// value, uint256 l2GasLimit, uint256 l1BlockNumber, uint256 l1Timestamp, bytes32
    /// keccak256(data))): nine 32-byte words, as the Bridge computes `depositHash`.
    Hash32 deposit_hash() const;

    friend bool operator==(const Deposit&, const Deposit&) = default;
};

/// The Bridge's accumulator step: acc_i = keccak256(acc_{i-1} ‖ depositHash_i), acc_{-1} = 0.
Hash32 chain_acc(const Hash32& prev, const Hash32& deposit_hash);

/// `prev` chained over every deposit of `deposits`, in order (`prev` when empty).
Hash32 chain_acc(const Hash32& prev, std::span<const Deposit> deposits);

/// Arbitrum's request id of a deposit: its index as a 32-byte big-endian word.
Hash32 deposit_request_id(uint64_t index);

/// The unsigned L2 transaction that carries `d` in a block (docs/arbos.md "Deposits"):
/// kind 0 -> type 0x64 [chainId, requestId, from, to, value];
/// kind 1 -> type 0x66 [chainId, requestId, from, gasFeeCap = 0, gas = l2GasLimit, to, value,
/// data]. Its hash is keccak256(type ‖ rlp(fields)) (`tx_hash`).
Transaction make_deposit_transaction(const Deposit& d, uint64_t chain_id);

}  // namespace fuse
