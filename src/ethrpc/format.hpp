#pragma once
/// JSON shapes of blocks, transactions, receipts and logs exactly as geth answers them
/// (go-ethereum internal/ethapi RPCMarshalHeader / RPCMarshalBlock / newRPCTransaction /
/// MarshalReceipt, core/types Log), plus the fields Arbitrum adds (`l1BlockNumber`,
/// `sendCount`, `sendRoot` on blocks; `gasUsedForL1`, `l1BlockNumber` on receipts).
/// Quantities are "0x"-prefixed hex without leading zeros ("0x0"); data is even-length hex.

#include <cstdint>
#include <string>

#include "arbos/arbos.hpp"
#include "core/block.hpp"
#include "core/receipt.hpp"
#include "rpc/errors.hpp"

namespace fuse::ethrpc {

using Json = rpc::Json;

/// JSON-RPC QUANTITY.
std::string quantity(uint64_t v);
inline std::string quantity(const uint256& v) {
    return v.to_hex();
}

/// Where a log sits, for its JSON.
struct LogPosition {
    uint64_t block_number = 0;
    Hash32 block_hash;
    uint64_t block_timestamp = 0;
    Hash32 tx_hash;
    uint32_t tx_index = 0;
    uint64_t log_index = 0;  ///< within the block
};
Json log_json(const Log& log, const LogPosition& pos);

/// The header fields of a block (and of a newHeads notification): geth's RPCMarshalHeader plus
/// Arbitrum's l1BlockNumber, sendCount and sendRoot.
Json header_json(const arbos::Block& block);

/// eth_getBlockBy*: the header fields, `size`, `uncles`, `transactions` (full objects or hashes)
/// and `withdrawals` when the header has a withdrawals root.
Json block_json(const arbos::Block& block, bool full_txs);

/// RLP size of the block (header, transactions, no uncles, withdrawals if any), as geth's `size`.
uint64_t block_size(const arbos::Block& block);

/// A mined transaction (eth_getTransactionByHash, full blocks): fields per type as geth; the
/// deposit types 0x64 / 0x66 as Nitro (`requestId`, `chainId`, v = r = s = 0x0, nonce 0x0, no
/// access list or yParity; 0x66 also `maxFeePerGas` 0x0).
Json tx_json(const arbos::Block& block, uint32_t index);

/// A transaction not in a block yet (txpool_content): block fields null, and a dynamic-fee
/// transaction's gasPrice its fee cap (geth's newRPCPendingTransaction).
Json pending_tx_json(const Transaction& tx, const Address& from, const Hash32& hash);

/// A receipt (eth_getTransactionReceipt, eth_getBlockReceipts).
Json receipt_json(const arbos::Block& block, uint32_t index);

}  // namespace fuse::ethrpc
