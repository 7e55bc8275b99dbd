#include "ethrpc/eth_api.hpp"

#include <stdexcept>

#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/refusal.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;
using rpc::RpcException;
using Handler = rpc::SyncHandler;

[[noreturn]] void server_error(std::string message) {
    throw RpcException(RpcError::server(std::move(message)));
}

bool decode_bool(const Json& j) {
    if (!j.is_boolean())
        throw ParamError(std::string("json: cannot unmarshal ") +
                         (j.is_string()   ? "string"
                          : j.is_number() ? "number"
                                          : j.type_name()) +
                         " into Go value of type bool");
    return j.get<bool>();
}

BlockId latest_id() {
    return BlockId{BlockNumberOrTag{BlockTag::kLatest, 0}, std::nullopt, false};
}

template <typename F>
Handler sync(F&& f) {
    return [f = std::forward<F>(f)](const Json& params,
                                    const rpc::CallContext&) -> Result<Json, RpcError> {
        return f(params);
    };
}

}  // namespace

// ---- block resolution

std::optional<uint64_t> EthApi::Impl::resolve_number(const BlockNumberOrTag& n) const {
    switch (n.tag) {
        case BlockTag::kNumber:
            return n.number;
        case BlockTag::kEarliest:
            return 0;
        case BlockTag::kLatest:
        case BlockTag::kPending:
            return db.head(storage::Head::kLatest);
        case BlockTag::kSafe:
            if (auto h = db.head(storage::Head::kSafe)) return h;
            server_error("safe block not found");
        case BlockTag::kFinalized:
            if (auto h = db.head(storage::Head::kFinalized)) return h;
            server_error("finalized block not found");
    }
    return std::nullopt;
}

std::optional<arbos::Block> EthApi::Impl::find_block(const BlockId& id) const {
    if (id.hash) {
        auto block = db.block_by_hash(*id.hash);
        if (block && id.require_canonical && db.block_hash(block->header.number) != *id.hash)
            server_error("hash " + to_hex(*id.hash) + " is not currently canonical");
        return block;
    }
    if (!id.number) server_error("invalid arguments; neither block nor hash specified");
    const auto n = resolve_number(*id.number);
    if (!n) return std::nullopt;
    return db.block_by_number(*n);
}

std::shared_ptr<const arbos::Block> EthApi::Impl::recent_block(uint64_t number) const {
    std::shared_ptr<const arbos::Block> hit;
    {
        std::lock_guard lock(cache_mu);
        for (auto it = cache.begin(); it != cache.end(); ++it) {
            if ((*it)->header.number != number) continue;
            hit = *it;
            cache.erase(it);
            cache.push_front(hit);
            break;
        }
    }
    // A validator may rewind and rebuild: the cached block must still be the canonical one.
    if (hit && db.block_hash(number) == hit->hash) return hit;
    auto loaded = db.block_by_number(number);
    if (!loaded) return nullptr;
    auto block = std::make_shared<const arbos::Block>(std::move(*loaded));
    std::lock_guard lock(cache_mu);
    std::erase_if(cache, [&](const auto& b) { return b->header.number == number; });
    cache.push_front(block);
    if (cache.size() > kCacheBlocks) cache.pop_back();
    return block;
}

std::optional<arbos::Block> EthApi::Impl::header_block(uint64_t number) const {
    auto header = db.header_by_number(number);
    if (!header) return std::nullopt;
    arbos::Block b;
    b.header = std::move(*header);
    auto hash = db.block_hash(number);
    if (hash)
        b.hash = *hash;
    else if (auto h = header_hash(b.header))
        b.hash = *h;
    return b;
}

ResolvedState EthApi::Impl::resolve_state(const BlockId& id) const {
    if (!id.hash && !id.number) server_error("invalid arguments; neither block nor hash specified");
    const bool latest =
        id.number && (id.number->tag == BlockTag::kLatest || id.number->tag == BlockTag::kPending);
    if (latest) {
        // The latest snapshot (flat state, fast) belongs to head h when the head did not move
        // while it was taken: a commit writes state and head in one batch, and heads only grow.
        for (int attempt = 0; attempt < 3; ++attempt) {
            const auto before = db.head(storage::Head::kLatest);
            if (!before) server_error("header not found");
            auto snapshot = db.latest_state();
            if (db.head(storage::Head::kLatest) != before) continue;
            auto block = header_block(*before);
            if (block && snapshot) return {std::move(*block), std::move(snapshot)};
        }
        // Blocks arrive faster than we read: fall through to the head's state via the trie.
    }
    std::optional<arbos::Block> block;
    if (id.hash) {
        block = find_block(id);
    } else if (const auto n = resolve_number(*id.number)) {
        block = header_block(*n);
    }
    if (!block) server_error(id.hash ? "header for hash not found" : "header not found");
    // A pruned node keeps the state of its recent window only (docs/storage.md "Pruning").
    if (const uint64_t oldest = db.oldest_state_block(); block->header.number < oldest)
        server_error(storage::pruned_state_message(block->header.number, oldest));
    auto state = db.state_at_block(block->header.number);
    if (!state)
        server_error("missing trie node " + to_hex(block->header.state_root) + " (state of block " +
                     std::to_string(block->header.number) + " is not available)");
    return {std::move(*block), std::move(state)};
}

// ---- state reads

void EthApi::Impl::register_state_methods(rpc::MethodRegistry& r) {
    r.register_method("eth_getBalance", sync([this](const Json& params) {
                          Params p(params, 2);
                          const Address a = p.required(0, decode_address);
                          const auto id = p.optional(1, decode_block_id).value_or(latest_id());
                          const auto s = resolve_state(id);
                          const auto acc = or_storage_error(s.state->read_account(a));
                          return Json(quantity(acc ? acc->balance : uint256{}));
                      }));
    r.register_method("eth_getTransactionCount", sync([this](const Json& params) {
                          Params p(params, 2);
                          const Address a = p.required(0, decode_address);
                          const auto id = p.optional(1, decode_block_id).value_or(latest_id());
                          if (sink && id.number && id.number->tag == BlockTag::kPending)
                              return Json(quantity(or_storage_error(sink->pending_nonce(a))));
                          const auto s = resolve_state(id);
                          const auto acc = or_storage_error(s.state->read_account(a));
                          return Json(quantity(acc ? acc->nonce : 0));
                      }));
    r.register_method("eth_getCode", sync([this](const Json& params) {
                          Params p(params, 2);
                          const Address a = p.required(0, decode_address);
                          const auto id = p.optional(1, decode_block_id).value_or(latest_id());
                          const auto s = resolve_state(id);
                          const auto acc = or_storage_error(s.state->read_account(a));
                          if (!acc || acc->code_hash == kEmptyCodeHash) return Json("0x");
                          return Json(to_hex(or_storage_error(s.state->read_code(acc->code_hash))));
                      }));
    r.register_method("eth_getStorageAt", sync([this](const Json& params) {
                          Params p(params, 3);
                          const Address a = p.required(0, decode_address);
                          const std::string key = p.required(1, decode_string);
                          const auto id = p.optional(2, decode_block_id).value_or(latest_id());
                          const auto slot = decode_storage_slot(key);
                          if (!slot) server_error("unable to decode storage key: " + slot.error());
                          const auto s = resolve_state(id);
                          const uint256 v =
                              or_storage_error(s.state->read_storage(a, uint256::from_hash(*slot)));
                          return Json(to_hex(v.to_hash()));
                      }));
}

// ---- chain reads

void EthApi::Impl::register_chain_methods(rpc::MethodRegistry& r) {
    r.register_method("eth_chainId", sync([this](const Json& params) {
                          Params(params, 0);
                          return Json(quantity(genesis.chain_id));
                      }));
    r.register_method("net_version", sync([this](const Json& params) {
                          Params(params, 0);
                          return Json(std::to_string(genesis.chain_id));
                      }));
    r.register_method("web3_clientVersion", sync([this](const Json& params) {
                          Params(params, 0);
                          return Json(config.client_version);
                      }));
    r.register_method("eth_syncing", sync([](const Json& params) {
                          Params(params, 0);
                          return Json(false);
                      }));
    r.register_method("eth_blockNumber", sync([this](const Json& params) {
                          Params(params, 0);
                          return Json(quantity(db.head(storage::Head::kLatest).value_or(0)));
                      }));
    r.register_method("eth_gasPrice", sync([this](const Json& params) {
                          Params(params, 0);
                          return Json(quantity(gas_price()));
                      }));
    r.register_method("eth_maxPriorityFeePerGas", sync([](const Json& params) {
                          Params(params, 0);
                          return Json("0x0");  // tips are not paid on Fuse L2 (as Arbitrum)
                      }));
    r.register_method("eth_getBlockByNumber", sync([this](const Json& params) {
                          Params p(params, 2);
                          const auto n = p.required(0, decode_block_number);
                          const bool full = p.required(1, decode_bool);
                          const auto block = find_block(BlockId{n, std::nullopt, false});
                          return block ? block_json(*block, full) : Json(nullptr);
                      }));
    r.register_method("eth_getBlockByHash", sync([this](const Json& params) {
                          Params p(params, 2);
                          const Hash32 h = p.required(0, decode_hash);
                          const bool full = p.required(1, decode_bool);
                          const auto block = db.block_by_hash(h);
                          return block ? block_json(*block, full) : Json(nullptr);
                      }));
    r.register_method("eth_getBlockReceipts", sync([this](const Json& params) {
                          Params p(params, 1);
                          const auto block = find_block(p.required(0, decode_block_id));
                          if (!block) return Json(nullptr);
                          Json out = Json::array();
                          for (uint32_t i = 0; i < block->txs.size(); ++i)
                              out.push_back(receipt_json(*block, i));
                          return out;
                      }));
    const auto by_hash = [this](const Json& params, bool receipt) {
        Params p(params, 1);
        const Hash32 h = p.required(0, decode_hash);
        const auto loc = db.tx_location(h);
        if (!loc) return Json(nullptr);
        const auto block = recent_block(loc->block_number);
        if (!block || loc->index >= block->txs.size()) return Json(nullptr);
        return receipt ? receipt_json(*block, loc->index) : tx_json(*block, loc->index);
    };
    r.register_method("eth_getTransactionByHash",
                      sync([by_hash](const Json& params) { return by_hash(params, false); }));
    r.register_method("eth_getTransactionReceipt",
                      sync([by_hash](const Json& params) { return by_hash(params, true); }));
    r.register_method("eth_getLogs", sync([this](const Json& params) {
                          Params p(params, 1);
                          return get_logs(p.required(0, decode_log_query));
                      }));
    r.register_method("eth_feeHistory", sync([this](const Json& params) {
                          Params p(params, 3);
                          const uint64_t count = p.required(0, decode_hex_or_decimal64);
                          const auto newest = p.required(1, decode_block_number);
                          const auto pct =
                              p.optional(2, decode_percentiles).value_or(std::vector<double>{});
                          return fee_history(count, newest, pct);
                      }));
}

// ---- EthApi

EthApi::EthApi(storage::Database& db, const arbos::Genesis& genesis, std::optional<TxSink> sink,
               Config config)
    : impl_(std::make_unique<Impl>(db, genesis, std::move(sink), std::move(config))) {
    if (const auto e = impl_->config.filters.validate(); !e.empty())
        throw std::invalid_argument("ethrpc config: " + e);
    impl_->batches = impl_->config.batch_index
                         ? impl_->config.batch_index
                         : std::shared_ptr<const BatchIndex>(
                               make_recorded_batch_index(db, impl_->config.l1_confirmations));
    impl_->node_interface = impl_->make_node_interface();
    if (impl_->config.send_sync_timeout.count() <= 0 ||
        impl_->config.send_sync_max_timeout < impl_->config.send_sync_timeout)
        throw std::invalid_argument(
            "ethrpc config: send_sync_timeout must be positive and at most send_sync_max_timeout");
}

EthApi::~EthApi() = default;

void EthApi::register_methods(rpc::Server& server) {
    rpc::SubscriptionKinds kinds;
    register_methods(server.methods(), kinds);
    server.add_subscription_kind("newHeads", impl_->heads);
    server.add_subscription_kind("logs", impl_->logs);
    server.add_subscription_kind("newPendingTransactions", impl_->pending_txs);
}

void EthApi::register_methods(rpc::MethodRegistry& registry, rpc::SubscriptionKinds& kinds) {
    impl_->register_state_methods(registry);
    impl_->register_chain_methods(registry);
    impl_->register_call_methods(registry);
    impl_->register_debug_methods(registry);
    impl_->register_filter_methods(registry);
    impl_->register_extra_methods(registry);
    impl_->register_txpool_methods(registry);
    impl_->register_node_interface_methods(registry);
    impl_->register_simulate_methods(registry);
    Impl* impl = impl_.get();
    registry.register_async_method(
        "eth_sendRawTransaction", [impl](Json params, const rpc::CallContext&, rpc::Reply reply) {
            Params p(params, 1);
            Bytes raw = p.required(0, decode_bytes);
            if (!impl->sink) {
                reply.reject(RpcError::server(
                    "transactions are not accepted by this node (read-only validator); send "
                    "them to the sequencer"));
                return;
            }
            impl->sink->submit(
                std::move(raw), [reply](Result<sequencer::Inclusion, sequencer::Rejection> result) {
                    if (result)
                        reply.resolve(Json(to_hex(result->tx_hash)));
                    else
                        reply.reject(refusal_error(result.error().reason, result.error().message));
                });
        });
    kinds.add("newHeads", impl_->heads);
    kinds.add("logs", impl_->logs);
    kinds.add("newPendingTransactions", impl_->pending_txs);
}

void EthApi::on_block(const arbos::Block& block) {
    if (impl_->heads->subscriber_count() > 0) impl_->heads->publish(header_json(block));
    if (impl_->logs->subscriber_count() > 0) impl_->logs->publish(block);
    if (impl_->pending_txs->subscriber_count() > 0) impl_->pending_txs->publish(block);
    impl_->filters.on_block(block);
}

void EthApi::on_rewind(const std::vector<arbos::Block>& dropped) {
    if (impl_->logs->subscriber_count() == 0) return;
    for (auto it = dropped.rbegin(); it != dropped.rend(); ++it)
        impl_->logs->publish(*it, /*removed=*/true);
}

}  // namespace fuse::ethrpc
