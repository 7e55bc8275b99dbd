#pragma once
/// The Ethereum JSON-RPC methods dapps use, registered on the rpc library's
/// registry, reading from storage and executing eth_call/eth_estimateGas through ArbOS. The same
/// API serves the sequencer (with `sequencer` set: eth_sendRawTransaction, pending nonces) and
/// the validator (read-only; eth_sendRawTransaction answers an error).
/// (Interface agreed up front; owner: "ethrpc". Extend freely, do not rename without saying so.)

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arbos/arbos.hpp"
#include "ethrpc/batch_index.hpp"
#include "ethrpc/filters.hpp"
#include "rpc/registry.hpp"
#include "rpc/server.hpp"
#include "rpc/subscriptions.hpp"
#include "storage/database.hpp"

#include "sequencer/sequencer.hpp"

namespace fuse::ethrpc {

struct Config {
    uint64_t max_logs_block_range = 10'000;  ///< eth_getLogs: to - from + 1 at most
    size_t max_logs = 10'000;                ///< eth_getLogs: results at most
    uint64_t max_call_gas = 50'000'000;      ///< eth_call / eth_estimateGas gas cap
    uint64_t fee_history_max_blocks = 1024;
    std::string client_version = "fusel2";
    FilterConfig filters;  ///< eth_newFilter & co.: idle timeout and limits (filters.hpp)
    /// eth_sendRawTransactionSync (EIP-7966): the wait when the request gives none or an
    /// invalid one (the EIP recommends 2 s), and the longest wait a request may ask for (kept
    /// below the server's handler timeout, 30 s).
    std::chrono::milliseconds send_sync_timeout{2'000};
    std::chrono::milliseconds send_sync_max_timeout{20'000};
    /// What the node knows of batches on L1 (NodeInterface.findBatchContainingBlock,
    /// getL1Confirmations); null: the records the node's poster, L1 guard and validator keep
    /// in the database (make_recorded_batch_index).
    std::shared_ptr<const BatchIndex> batch_index;
    /// With the default batch index: how deep the node's inbox reader reads L1 (its
    /// `l1.confirmations`), so getL1Confirmations counts from the L1 head; 0 counts from the
    /// block it read up to (never overstating).
    uint64_t l1_confirmations = 0;

    /// Empty if usable, else what is wrong (config.cpp).
    std::string validate() const;
};

/// What EthApi needs from a sequencer: eth_sendRawTransaction's submit (the callback fires
/// once, from any thread, when the tx is in a durable block or refused) and the "pending"
/// nonce. `Sequencer` provides both; a node without one (validator) has none.
struct TxSink {
    std::function<void(
        Bytes raw, std::function<void(Result<sequencer::Inclusion, sequencer::Rejection>)> done)>
        submit;
    /// The next nonce counting pooled transactions; the storage fault when it cannot be read.
    std::function<state::ReadResult<uint64_t>(const Address&)> pending_nonce;
    /// The L1 base fee the next block will be built on (eth_estimateGas prices the L1 data fee
    /// with it); unset: the fee stored with the head block.
    std::function<uint256()> l1_base_fee;
    /// The pool's pending and queued transactions (txpool_*); unset: an empty pool.
    std::function<sequencer::PoolContent()> pool_content;
};

class EthApi {
public:
    /// `sequencer` may be null (validator: read-only node). Defined in eth_api_sequencer.cpp,
    /// the only file that links against the Sequencer. Both constructors throw
    /// std::invalid_argument for an unusable `config` (FilterConfig::validate, sync timeouts).
    EthApi(storage::Database& db, const arbos::Genesis& genesis, sequencer::Sequencer* sequencer,
           Config config);
    /// The same with the sequencer's two entry points given directly (nullopt: read-only).
    EthApi(storage::Database& db, const arbos::Genesis& genesis, std::optional<TxSink> sink,
           Config config);
    ~EthApi();

    /// Registers every method and the newHeads/logs/newPendingTransactions subscription kinds.
    void register_methods(rpc::MethodRegistry& registry, rpc::SubscriptionKinds& kinds);
    /// The same on a server (its registry and its eth_subscribe kinds); before `start()`.
    void register_methods(rpc::Server& server);

    /// Feeds a new durable block to the subscriptions and the filters (any thread, in order).
    void on_block(const arbos::Block& block);
    /// The chain was rewound past `dropped` (oldest first): `logs` subscribers get each of
    /// their logs again with `"removed": true`, newest block first (geth's reorg notification);
    /// `newHeads` then sends the new chain's blocks as they come.
    void on_rewind(const std::vector<arbos::Block>& dropped);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fuse::ethrpc
