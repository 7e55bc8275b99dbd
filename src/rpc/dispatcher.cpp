#include "rpc/dispatcher.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace fuse::rpc {

using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kReplace = Json::error_handler_t::replace;

std::string dump(const Json& j) {
    return j.dump(-1, ' ', false, kReplace);
}

/// nlohmann's exception text without its "[json.exception.parse_error.101] " prefix.
std::string strip_json_prefix(const char* what) {
    std::string_view s(what);
    if (const auto p = s.find("] "); s.starts_with("[json.exception") && p != s.npos)
        s.remove_prefix(p + 2);
    return std::string(s);
}

/// Replaces a response over the size limit with geth's "response too large" error.
std::string limit_size(std::string response, const Json& id, size_t max_bytes) {
    if (response.size() <= max_bytes) return response;
    return make_error_response(id, RpcError{code::kResponseTooLarge, "response too large", {}});
}

}  // namespace

namespace detail {

/// Shared state of one asynchronous call (see Reply).
struct ReplyState {
    Json id;
    bool notification = false;
    MethodStats* stats = nullptr;
    Clock::time_point start;
    size_t max_response_bytes = 0;
    ResponseFn done;
    std::weak_ptr<TimeoutScheduler> scheduler;
    uint64_t timer_token = 0;
    bool has_timer = false;
    std::atomic<bool> settled{false};

    bool finish(bool ok, const Json* result, const RpcError* error) {
        if (settled.exchange(true, std::memory_order_acq_rel)) return false;
        if (has_timer) {
            if (auto s = scheduler.lock()) s->disarm(timer_token);
        }
        std::string response;
        if (!notification) {
            try {
                response = ok ? make_result_response(id, *result) : make_error_response(id, *error);
            } catch (const std::exception& e) {
                ok = false;
                response = make_error_response(id, RpcError::internal(e.what()));
            }
            response = limit_size(std::move(response), id, max_response_bytes);
        }
        stats->record(Clock::now() - start, ok);
        auto fn = std::move(done);
        fn(std::move(response));
        return true;
    }

    ~ReplyState() {
        if (!settled.load(std::memory_order_acquire)) {
            const RpcError e = RpcError::internal("method handler dropped its reply");
            finish(false, nullptr, &e);
        }
    }
};

}  // namespace detail

bool Reply::resolve(const Json& result) const {
    return state_->finish(true, &result, nullptr);
}

bool Reply::reject(const RpcError& error) const {
    return state_->finish(false, nullptr, &error);
}

bool Reply::settled() const noexcept {
    return state_->settled.load(std::memory_order_acquire);
}

std::string make_error_response(const Json& id, const RpcError& error) {
    std::string s = R"({"jsonrpc":"2.0","id":)";
    s += dump(id);
    s += R"(,"error":)";
    s += dump(error.to_json());
    s += '}';
    return s;
}

std::string make_result_response(const Json& id, const Json& result) {
    std::string s = R"({"jsonrpc":"2.0","id":)";
    s += dump(id);
    s += R"(,"result":)";
    s += dump(result);
    s += '}';
    return s;
}

bool json_nesting_exceeds(std::string_view body, size_t max_depth) noexcept {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : body) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

void Dispatcher::handle(std::string_view body, const CallContext& ctx, ResponseFn done) const {
    const Json null_id;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return done(make_error_response(null_id, RpcError::parse_error("empty request body")));
    if (json_nesting_exceeds(body, limits_.max_json_depth))
        return done(make_error_response(
            null_id, RpcError::parse_error("exceeded max depth of " +
                                           std::to_string(limits_.max_json_depth))));
    Json message;
    try {
        message = Json::parse(body);
    } catch (const Json::exception& e) {
        return done(
            make_error_response(null_id, RpcError::parse_error(strip_json_prefix(e.what()))));
    }
    if (message.is_array()) return handle_batch(message, ctx, std::move(done));
    run_item(message, ctx, std::move(done));
}

void Dispatcher::handle_batch(Json& batch, const CallContext& ctx, ResponseFn done) const {
    const Json null_id;
    if (batch.empty())
        return done(make_error_response(null_id, RpcError::invalid_request("empty batch")));
    if (batch.size() > limits_.max_batch_items) {
        // As geth: one error carrying the id of the first call in the batch.
        Json id;
        for (const auto& item : batch) {
            if (item.is_object() && item.contains("id") && item.contains("method")) {
                id = item["id"];
                break;
            }
        }
        std::string out = "[";
        out += make_error_response(id, RpcError::invalid_request("batch too large"));
        out += ']';
        return done(std::move(out));
    }

    struct BatchState {
        std::vector<std::string> parts;
        std::vector<Json> ids;
        std::atomic<size_t> remaining;
        size_t max_bytes;
        ResponseFn done;
    };
    auto state = std::make_shared<BatchState>();
    state->parts.resize(batch.size());
    state->ids.resize(batch.size());
    state->remaining.store(batch.size());
    state->max_bytes = limits_.max_response_bytes;
    state->done = std::move(done);
    for (size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].is_object()) {
            const auto it = batch[i].find("id");
            if (it != batch[i].end() && (it->is_string() || it->is_number())) state->ids[i] = *it;
        }
    }

    for (size_t i = 0; i < batch.size(); ++i) {
        run_item(batch[i], ctx, [state, i](std::string part) {
            state->parts[i] = std::move(part);
            if (state->remaining.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
            // Last item: assemble in request order, cutting off at the response size limit.
            std::string out = "[";
            bool over = false;
            for (size_t k = 0; k < state->parts.size(); ++k) {
                if (state->parts[k].empty()) continue;
                if (!over && out.size() + state->parts[k].size() + 2 > state->max_bytes)
                    over = true;
                if (out.size() > 1) out += ',';
                if (over) {
                    out += make_error_response(
                        state->ids[k], RpcError{code::kResponseTooLarge, "response too large", {}});
                } else {
                    out += state->parts[k];
                }
            }
            auto fn = std::move(state->done);
            if (out.size() == 1) return fn(std::string());  // only notifications
            out += ']';
            fn(std::move(out));
        });
    }
}

void Dispatcher::run_item(Json& request, const CallContext& ctx, ResponseFn done) const {
    const Json null_id;
    if (!request.is_object())
        return done(make_error_response(null_id, RpcError::invalid_request()));
    const auto id_it = request.find("id");
    const bool notification = id_it == request.end();
    Json id;
    if (!notification) {
        if (!(id_it->is_null() || id_it->is_string() || id_it->is_number()))
            return done(make_error_response(
                null_id,
                RpcError::invalid_request("invalid request: id must be a string, number or null")));
        id = std::move(*id_it);
    }
    const auto ver = request.find("jsonrpc");
    if (ver == request.end() || !ver->is_string() || ver->get_ref<const std::string&>() != "2.0")
        return done(make_error_response(id, RpcError::invalid_request()));
    const auto method_it = request.find("method");
    if (method_it == request.end() || !method_it->is_string() ||
        method_it->get_ref<const std::string&>().empty())
        return done(make_error_response(id, RpcError::invalid_request()));
    const auto& name = method_it->get_ref<const std::string&>();

    Json params = Json::array();
    if (const auto p = request.find("params"); p != request.end() && !p->is_null()) {
        if (!p->is_array() && !p->is_object())
            return done(make_error_response(
                id,
                RpcError::invalid_request("invalid request: params must be an array or object")));
        params = std::move(*p);
    }

    const auto start = Clock::now();
    const MethodRegistry::Method* method = methods_.find(name);
    if (method == nullptr) {
        metrics_.unknown_method()->record(Clock::now() - start, false);
        if (notification) return done(std::string());
        return done(make_error_response(id, RpcError::method_not_found(name)));
    }

    if (method->async) {
        auto state = std::make_shared<detail::ReplyState>();
        state->id = std::move(id);
        state->notification = notification;
        state->stats = method->stats;
        state->start = start;
        state->max_response_bytes = limits_.max_response_bytes;
        state->done = std::move(done);
        if (limits_.handler_timeout.count() > 0) {
            if (auto sched = ctx.timeouts.lock()) {
                state->scheduler = sched;
                state->has_timer = true;
                state->timer_token =
                    sched->arm(limits_.handler_timeout, [weak = std::weak_ptr(state)] {
                        if (auto s = weak.lock()) {
                            const RpcError e{code::kTimeout, "request timed out", {}};
                            s->finish(false, nullptr, &e);
                        }
                    });
            }
        }
        try {
            method->async(std::move(params), ctx, Reply(state));
        } catch (const RpcException& e) {
            state->finish(false, nullptr, &e.error());
        } catch (const Json::exception& e) {
            const RpcError err = RpcError::invalid_params(strip_json_prefix(e.what()));
            state->finish(false, nullptr, &err);
        } catch (const std::exception& e) {
            const RpcError err =
                RpcError::internal(std::string("method handler crashed: ") + e.what());
            state->finish(false, nullptr, &err);
        }
        return;
    }

    bool ok = false;
    std::string response;
    try {
        auto result = method->sync(params, ctx);
        ok = result.has_value();
        if (!notification)
            response =
                ok ? make_result_response(id, *result) : make_error_response(id, result.error());
    } catch (const RpcException& e) {
        response = make_error_response(id, e.error());
    } catch (const Json::exception& e) {
        response = make_error_response(id, RpcError::invalid_params(strip_json_prefix(e.what())));
    } catch (const std::exception& e) {
        response = make_error_response(
            id, RpcError::internal(std::string("method handler crashed: ") + e.what()));
    }
    method->stats->record(Clock::now() - start, ok);
    if (notification) return done(std::string());
    done(limit_size(std::move(response), id, limits_.max_response_bytes));
}

}  // namespace fuse::rpc
