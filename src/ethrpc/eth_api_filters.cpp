// eth_newFilter, eth_newBlockFilter, eth_newPendingTransactionFilter, eth_getFilterChanges,
// eth_getFilterLogs, eth_uninstallFilter (go-ethereum eth/filters/api.go), over the FilterStore.

#include "ethrpc/eth_api_impl.hpp"

namespace fuse::ethrpc {
namespace {

using rpc::RpcError;

[[noreturn]] void fail(FilterError e, const FilterConfig& cfg) {
    throw rpc::RpcException(RpcError::server(filter_error_message(e, cfg)));
}

/// geth's rpc.ID: any JSON string.
std::string decode_filter_id(const Json& j) {
    if (!j.is_string())
        throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                         " into Go value of type rpc.ID");
    return j.get<std::string>();
}

bool decode_full_tx(const Json& j) {
    if (!j.is_boolean())
        throw ParamError(std::string("json: cannot unmarshal ") + j.type_name() +
                         " into Go value of type bool");
    return j.get<bool>();
}

}  // namespace

void EthApi::Impl::register_filter_methods(rpc::MethodRegistry& r) {
    // Polls cover every block up to the head even before on_block announced it (filters.hpp).
    filters.set_chain([this] { return db.head(storage::Head::kLatest); },
                      [this](uint64_t n) { return recent_block(n); });
    const auto installed = [this](Result<std::string, FilterError> id) {
        if (!id) fail(id.error(), filters.config());
        return Json(std::move(*id));
    };
    r.register_method(
        "eth_newFilter",
        [this, installed](const Json& params,
                          const rpc::CallContext& ctx) -> Result<Json, RpcError> {
            Params p(params, 1);
            LogQuery q = p.required(0, decode_log_query);
            return installed(filters.install_logs(client_of(ctx.remote), std::move(q)));
        });
    r.register_method("eth_newBlockFilter",
                      [this, installed](const Json& params,
                                        const rpc::CallContext& ctx) -> Result<Json, RpcError> {
                          Params(params, 0);
                          return installed(filters.install_blocks(client_of(ctx.remote)));
                      });
    r.register_method(
        "eth_newPendingTransactionFilter",
        [this, installed](const Json& params,
                          const rpc::CallContext& ctx) -> Result<Json, RpcError> {
            Params p(params, 1);
            const bool full = p.optional(0, decode_full_tx).value_or(false);
            return installed(filters.install_pending_txs(client_of(ctx.remote), full));
        });
    r.register_method(
        "eth_getFilterChanges",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 1);
            auto out = filters.changes(p.required(0, decode_filter_id));
            if (!out) fail(out.error(), filters.config());
            return std::move(*out);
        });
    r.register_method(
        "eth_getFilterLogs",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 1);
            auto q = filters.log_query(p.required(0, decode_filter_id));
            if (!q) fail(q.error(), filters.config());
            return get_logs(*q);
        });
    r.register_method(
        "eth_uninstallFilter",
        [this](const Json& params, const rpc::CallContext&) -> Result<Json, RpcError> {
            Params p(params, 1);
            return Json(filters.uninstall(p.required(0, decode_filter_id)));
        });
}

}  // namespace fuse::ethrpc
