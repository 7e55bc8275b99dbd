// txpool_content, txpool_contentFrom, txpool_status, txpool_inspect: the sequencer's pool in
// geth's shapes (go-ethereum internal/ethapi TxPoolAPI). Pending = contiguous from each
// sender's next nonce; queued = behind a nonce gap (refused after sequencer.nonce_gap_wait,
// docs/sequencer.md). A node without a sequencer (validator) has no pool: empty lists.

#include "core/address.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"

namespace fuse::ethrpc {
namespace {

template <typename F>
rpc::SyncHandler sync(F&& f) {
    return [f = std::forward<F>(f)](const Json& params,
                                    const rpc::CallContext&) -> Result<Json, rpc::RpcError> {
        return f(params);
    };
}

/// geth's txpool_inspect line: "<to>: V wei + G gas × P wei" (P: the gas price, or the fee
/// cap of a dynamic-fee transaction: tx.GasPrice()).
std::string inspect_line(const Transaction& tx) {
    const uint256& price = tx.type == TxType::kLegacy || tx.type == TxType::kAccessList
                               ? tx.gas_price
                               : tx.max_fee_per_gas;
    const std::string rest = tx.value.to_dec() + " wei + " + std::to_string(tx.gas_limit) +
                             " gas \u00d7 " + price.to_dec() + " wei";
    if (tx.to) return to_checksum_hex(*tx.to) + ": " + rest;
    return "contract creation: " + rest;
}

/// {address: {nonce: f(tx)}} of `list` (addresses EIP-55 as geth's Address.Hex(), nonces
/// in decimal).
template <typename F>
Json by_sender(const std::vector<sequencer::PooledTx>& list, F&& f) {
    Json out = Json::object();
    for (const auto& p : list)
        out[to_checksum_hex(p.sender)][std::to_string(p.tx.nonce)] = f(p);
    return out;
}

/// {nonce: f(tx)} of the transactions of `sender` in `list`.
template <typename F>
Json of_sender(const std::vector<sequencer::PooledTx>& list, const Address& sender, F&& f) {
    Json out = Json::object();
    for (const auto& p : list)
        if (p.sender == sender) out[std::to_string(p.tx.nonce)] = f(p);
    return out;
}

Json tx_of(const sequencer::PooledTx& p) {
    return pending_tx_json(p.tx, p.sender, p.hash);
}

Json line_of(const sequencer::PooledTx& p) {
    return inspect_line(p.tx);
}

}  // namespace

sequencer::PoolContent EthApi::Impl::pool_content() const {
    if (!sink || !sink->pool_content) return {};
    return sink->pool_content();
}

void EthApi::Impl::register_txpool_methods(rpc::MethodRegistry& r) {
    r.register_method("txpool_content", sync([this](const Json& params) {
                          Params(params, 0);
                          const auto c = pool_content();
                          return Json{{"pending", by_sender(c.pending, tx_of)},
                                      {"queued", by_sender(c.queued, tx_of)}};
                      }));
    r.register_method("txpool_contentFrom", sync([this](const Json& params) {
                          Params p(params, 1);
                          const Address a = p.required(0, decode_address);
                          const auto c = pool_content();
                          return Json{{"pending", of_sender(c.pending, a, tx_of)},
                                      {"queued", of_sender(c.queued, a, tx_of)}};
                      }));
    r.register_method("txpool_status", sync([this](const Json& params) {
                          Params(params, 0);
                          const auto c = pool_content();
                          return Json{{"pending", quantity(uint64_t(c.pending.size()))},
                                      {"queued", quantity(uint64_t(c.queued.size()))}};
                      }));
    r.register_method("txpool_inspect", sync([this](const Json& params) {
                          Params(params, 0);
                          const auto c = pool_content();
                          return Json{{"pending", by_sender(c.pending, line_of)},
                                      {"queued", by_sender(c.queued, line_of)}};
                      }));
}

}  // namespace fuse::ethrpc
