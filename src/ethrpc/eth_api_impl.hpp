#pragma once
/// Internals of EthApi shared by its .cpp files (not part of the public interface).

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "arbos/node_interface.hpp"
#include "ethrpc/batch_index.hpp"
#include "ethrpc/eth_api.hpp"
#include "ethrpc/filters.hpp"
#include "ethrpc/params.hpp"

namespace fuse::ethrpc {

/// The `logs` subscription kind: each subscriber has its own address/topic filter.
class LogsKind : public rpc::SubscriptionKind {
public:
    std::optional<rpc::RpcError> subscribe(const Json& params,
                                           const std::shared_ptr<rpc::Subscription>& sub) override;
    void unsubscribed(const rpc::Subscription& sub) override;
    /// Sends every log of `block` to the subscribers whose filter matches, one notification
    /// per log (as geth); `removed`: the block left the chain (geth's `"removed": true`).
    void publish(const arbos::Block& block, bool removed = false);
    size_t subscriber_count() const;

private:
    struct Entry {
        std::shared_ptr<rpc::Subscription> sub;
        std::vector<Address> addresses;
        std::vector<std::vector<Hash32>> topics;
    };
    mutable std::mutex mu_;
    std::vector<Entry> subs_;
};

/// Whether `log` passes an address list and topic positions (empty = any), geth's rule.
bool log_matches(const Log& log, const std::vector<Address>& addresses,
                 const std::vector<std::vector<Hash32>>& topics);

/// A block resolved for a state read, with the state to read (the block's transactions are
/// not loaded when it was named by number).
struct ResolvedState {
    arbos::Block block;
    std::unique_ptr<state::StateReader> state;
};

struct EthApi::Impl {
    Impl(storage::Database& d, const arbos::Genesis& g, std::optional<TxSink> s, Config c)
        : db(d), genesis(g), sink(std::move(s)), config(std::move(c)) {}

    storage::Database& db;
    const arbos::Genesis& genesis;
    std::optional<TxSink> sink;
    Config config;
    std::shared_ptr<rpc::BroadcastKind> heads = std::make_shared<rpc::BroadcastKind>();
    std::shared_ptr<LogsKind> logs = std::make_shared<LogsKind>();
    std::shared_ptr<PendingTxKind> pending_txs = std::make_shared<PendingTxKind>();
    FilterStore filters{config.filters};
    /// The node's record of batches (Config::batch_index, else the database's records).
    std::shared_ptr<const BatchIndex> batches;
    /// NodeInterface's node side (eth_api_node_interface.cpp), for eth_call/eth_estimateGas.
    std::unique_ptr<arbos::NodeInterfaceBackend> node_interface;

    /// The number a tag names; throws -32000 for an unset safe/finalized head, nullopt when
    /// the chain is empty.
    std::optional<uint64_t> resolve_number(const BlockNumberOrTag& n) const;
    /// The block an EIP-1898 id names, or nullopt when it does not exist (geth answers null).
    std::optional<arbos::Block> find_block(const BlockId& id) const;
    /// Block `number` with its transactions, from a small cache of recent blocks (receipt and
    /// transaction lookups by hash come in bursts for the newest blocks); null when absent.
    std::shared_ptr<const arbos::Block> recent_block(uint64_t number) const;
    mutable std::mutex cache_mu;
    mutable std::deque<std::shared_ptr<const arbos::Block>> cache;  ///< most recent use first
    static constexpr size_t kCacheBlocks = 8;

    /// Block `number` with its header and hash only (no transactions), or nullopt.
    std::optional<arbos::Block> header_block(uint64_t number) const;
    /// The block (header and hash; transactions only when named by hash) and its state for a
    /// state read or a call; -32000 "header not found" & co. when absent.
    ResolvedState resolve_state(const BlockId& id) const;

    Json get_logs(const LogQuery& q) const;
    Json fee_history(uint64_t count, const BlockNumberOrTag& newest,
                     const std::vector<double>& percentiles) const;
    uint256 gas_price() const;
    Json call(const Json& params) const;
    Json estimate_gas(const Json& params) const;
    Json create_access_list(const Json& params) const;  ///< eth_api_access_list.cpp
    Json get_proof(const Json& params) const;           ///< eth_api_proof.cpp
    /// The L1 base fee eth_estimateGas prices the L1 data fee with: the larger of the head's
    /// and the sequencer's current one, plus kEstimateL1PaddingPercent; the storage fault when
    /// `st` cannot be read.
    state::ReadResult<uint256> estimate_l1_base_fee(const state::StateReader& st) const;
    static constexpr uint64_t kEstimateL1PaddingPercent = 10;

    void register_state_methods(rpc::MethodRegistry& r);
    void register_chain_methods(rpc::MethodRegistry& r);
    void register_call_methods(rpc::MethodRegistry& r);
    void register_debug_methods(rpc::MethodRegistry& r);   ///< debug_api.cpp
    void register_filter_methods(rpc::MethodRegistry& r);  ///< eth_api_filters.cpp
    void register_extra_methods(rpc::MethodRegistry& r);   ///< eth_api_extra.cpp
    void register_txpool_methods(rpc::MethodRegistry& r);  ///< eth_api_txpool.cpp
    /// eth_api_simulate.cpp: eth_simulateV1.
    void register_simulate_methods(rpc::MethodRegistry& r);
    Json simulate(const Json& params) const;
    /// eth_api_node_interface.cpp: fusel2_getOutboxProof.
    void register_node_interface_methods(rpc::MethodRegistry& r);
    class NodeBackend;
    std::unique_ptr<arbos::NodeInterfaceBackend> make_node_interface() const;
    Json outbox_proof(const Json& params) const;
    /// The block that appended send `leaf` to the accumulator (nullopt: not in the chain).
    std::optional<uint64_t> block_of_send(uint64_t leaf) const;
    /// ArbSys's event recording accumulator node (level, last leaf): L2ToL1Tx at level 0,
    /// SendMerkleUpdate above.
    Result<storage::LogEntry, std::string> send_event(uint64_t level, uint64_t last_leaf) const;
    /// The sequencer's pool (empty without one).
    sequencer::PoolContent pool_content() const;
};

}  // namespace fuse::ethrpc
