// The rest of geth's eth/net/web3 surface: accounts and signing (no keys here), transaction
// counts and transactions by block index, uncles (none), raw transactions, net_listening,
// net_peerCount, web3_sha3 and eth_sendRawTransactionSync (EIP-7966).

#include <chrono>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "ethrpc/eth_api_impl.hpp"
#include "ethrpc/format.hpp"
#include "ethrpc/refusal.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;

template <typename F>
rpc::SyncHandler sync(F&& f) {
    return [f = std::forward<F>(f)](const Json& params,
                                    const rpc::CallContext&) -> Result<Json, RpcError> {
        return f(params);
    };
}

/// geth's answer when a method needs a key of the node's keystore (accounts.ErrUnknownAccount),
/// with what to do instead.
const char* const kNoKeys =
    "unknown account: this node holds no keys; sign with your wallet or client and send the "
    "signed transaction with eth_sendRawTransaction";

/// EIP-7966 error codes.
constexpr int kSyncTimeoutCode = 4;
constexpr int kSyncNonceGapCode = 6;

std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

}  // namespace

void EthApi::Impl::register_extra_methods(rpc::MethodRegistry& r) {
    r.register_method("eth_accounts", sync([](const Json& params) {
                          Params(params, 0);
                          return Json::array();
                      }));
    for (const char* name :
         {"eth_sign", "eth_signTransaction", "eth_sendTransaction", "personal_sign",
          "eth_signTypedData", "eth_signTypedData_v3", "eth_signTypedData_v4"})
        r.register_method(name, sync([](const Json&) -> Json {
                              throw rpc::RpcException(RpcError::server(kNoKeys));
                          }));
    r.register_method("eth_createAccessList",
                      sync([this](const Json& params) { return create_access_list(params); }));
    r.register_method("eth_getProof",
                      sync([this](const Json& params) { return get_proof(params); }));
    r.register_method("net_listening", sync([](const Json& params) {
                          Params(params, 0);
                          return Json(true);
                      }));
    r.register_method("net_peerCount", sync([](const Json& params) {
                          Params(params, 0);
                          return Json("0x0");
                      }));
    r.register_method("web3_sha3", sync([](const Json& params) {
                          Params p(params, 1);
                          return Json(to_hex(keccak256(p.required(0, decode_bytes))));
                      }));

    // Blocks by number or hash; null when absent (geth).
    const auto by_number = [this](const Params& p) {
        const auto n = p.required(0, decode_block_number);
        return find_block(BlockId{n, std::nullopt, false});
    };
    const auto by_hash = [this](const Params& p) {
        return db.block_by_hash(p.required(0, decode_hash));
    };
    const auto tx_count = [](const std::optional<arbos::Block>& b) {
        return b ? Json(quantity(uint64_t(b->txs.size()))) : Json(nullptr);
    };
    const auto uncle_count = [](const std::optional<arbos::Block>& b) {
        return b ? Json("0x0") : Json(nullptr);
    };
    // The transaction at an index (hexutil.Uint); null (raw: "0x", as geth) when absent.
    const auto at_index = [](const Params& p, const std::optional<arbos::Block>& b, bool raw) {
        const uint64_t i = p.required(1, decode_uint64);
        if (!b || i >= b->txs.size()) return raw ? Json("0x") : Json(nullptr);
        return raw ? Json(to_hex(b->txs[i].raw)) : tx_json(*b, uint32_t(i));
    };
    r.register_method("eth_getBlockTransactionCountByNumber", sync([=](const Json& params) {
                          return tx_count(by_number(Params(params, 1)));
                      }));
    r.register_method("eth_getBlockTransactionCountByHash", sync([=](const Json& params) {
                          return tx_count(by_hash(Params(params, 1)));
                      }));
    r.register_method("eth_getUncleCountByBlockNumber", sync([=](const Json& params) {
                          return uncle_count(by_number(Params(params, 1)));
                      }));
    r.register_method("eth_getUncleCountByBlockHash", sync([=](const Json& params) {
                          return uncle_count(by_hash(Params(params, 1)));
                      }));
    for (const char* name :
         {"eth_getUncleByBlockNumberAndIndex", "eth_getUncleByBlockHashAndIndex"})
        r.register_method(name, sync([](const Json& params) {
                              Params(params, 2);
                              return Json(nullptr);
                          }));
    r.register_method("eth_getTransactionByBlockNumberAndIndex", sync([=](const Json& params) {
                          Params p(params, 2);
                          return at_index(p, by_number(p), false);
                      }));
    r.register_method("eth_getTransactionByBlockHashAndIndex", sync([=](const Json& params) {
                          Params p(params, 2);
                          return at_index(p, by_hash(p), false);
                      }));
    r.register_method("eth_getRawTransactionByBlockNumberAndIndex", sync([=](const Json& params) {
                          Params p(params, 2);
                          return at_index(p, by_number(p), true);
                      }));
    r.register_method("eth_getRawTransactionByBlockHashAndIndex", sync([=](const Json& params) {
                          Params p(params, 2);
                          return at_index(p, by_hash(p), true);
                      }));
    r.register_method("eth_getRawTransactionByHash", sync([this](const Json& params) {
                          Params p(params, 1);
                          const auto loc = db.tx_location(p.required(0, decode_hash));
                          if (!loc) return Json("0x");
                          const auto block = recent_block(loc->block_number);
                          if (!block || loc->index >= block->txs.size()) return Json("0x");
                          return Json(to_hex(block->txs[loc->index].raw));
                      }));

    // EIP-7966: submit, then answer with the receipt once the block is durable, or code 4 with
    // the transaction hash when that takes longer than the timeout.
    r.register_async_method("eth_sendRawTransactionSync", [this](Json params,
                                                                 const rpc::CallContext& ctx,
                                                                 rpc::Reply reply) {
        Params p(params, 2);
        Bytes raw = p.required(0, decode_bytes);
        auto timeout = config.send_sync_timeout;
        if (const Json* t = p.get(1)) {
            // An invalid timeout (not an integer, 0, above the maximum) means the default.
            try {
                const uint64_t ms = decode_hex_or_decimal64(*t);
                if (ms > 0 && ms <= uint64_t(config.send_sync_max_timeout.count()))
                    timeout = std::chrono::milliseconds(ms);
            } catch (const ParamError&) {
            }
        }
        if (!sink) {
            reply.reject(RpcError::server(
                "transactions are not accepted by this node (read-only validator); send "
                "them to the sequencer"));
            return;
        }
        const Hash32 hash = keccak256(raw);
        // A nonce gap: refused before it reaches the pool, with the expected nonce (code 6).
        if (const auto tx = decode_transaction(raw)) {
            if (const auto sender = recover_sender(*tx)) {
                const auto next = sink->pending_nonce(*sender);
                if (!next) {
                    reply.reject(storage_error(next.error()));
                    return;
                }
                const uint64_t expected = *next;
                if (tx->nonce > expected) {
                    reply.reject(RpcError{kSyncNonceGapCode,
                                          "nonce too high: next nonce " + std::to_string(expected) +
                                              ", tx nonce " + std::to_string(tx->nonce),
                                          Json(quantity(expected))});
                    return;
                }
            }
        }
        uint64_t token = 0;
        const auto timeouts = ctx.timeouts.lock();
        if (timeouts)
            token = timeouts->arm(timeout, [reply, hash, timeout] {
                reply.reject(RpcError{kSyncTimeoutCode,
                                      "the transaction was added to the transaction pool but "
                                      "wasn't processed in " +
                                          duration_text(timeout),
                                      Json(to_hex(hash))});
            });
        std::weak_ptr<rpc::TimeoutScheduler> weak = timeouts;
        sink->submit(
            std::move(raw),
            [this, reply, token, weak](Result<sequencer::Inclusion, sequencer::Rejection> result) {
                if (auto t = weak.lock(); t && token) t->disarm(token);
                if (!result) {
                    reply.reject(refusal_error(result.error().reason, result.error().message));
                    return;
                }
                const auto block = recent_block(result->block_number);
                if (!block || result->index >= block->txs.size()) {
                    reply.reject(
                        RpcError::internal("receipt of an included transaction not found"));
                    return;
                }
                reply.resolve(receipt_json(*block, result->index));
            });
    });
}

}  // namespace fuse::ethrpc
