#pragma once
/// Shared set-up of the server tests: a real server on 127.0.0.1 port 0 with test methods,
/// and a worker thread that settles asynchronous replies later (as the sequencer will).

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "rpc/server.hpp"

namespace fuse::rpc::testing {

/// Runs functions at given times on one background thread; joined in the destructor.
class DelayedExecutor {
public:
    DelayedExecutor() : thread_([this] { loop(); }) {}
    ~DelayedExecutor() {
        {
            std::lock_guard lock(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    void after(std::chrono::milliseconds delay, std::function<void()> fn) {
        {
            std::lock_guard lock(mu_);
            tasks_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
        }
        cv_.notify_all();
    }

private:
    void loop() {
        std::unique_lock lock(mu_);
        while (true) {
            if (tasks_.empty()) {
                if (stop_) return;
                cv_.wait(lock);
                continue;
            }
            const auto when = tasks_.begin()->first;
            if (!stop_ && std::chrono::steady_clock::now() < when) {
                cv_.wait_until(lock, when);
                continue;
            }
            auto fn = std::move(tasks_.begin()->second);
            tasks_.erase(tasks_.begin());
            lock.unlock();
            fn();
            lock.lock();
        }
    }
    std::mutex mu_;
    std::condition_variable cv_;
    std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> tasks_;
    bool stop_ = false;
    std::thread thread_;
};

inline ServerConfig test_config() {
    ServerConfig cfg;
    cfg.address = "127.0.0.1";
    cfg.port = 0;
    cfg.io_threads = 2;
    cfg.read_timeout = std::chrono::milliseconds(3000);
    cfg.write_timeout = std::chrono::milliseconds(3000);
    cfg.dispatch.handler_timeout = std::chrono::milliseconds(2000);
    return cfg;
}

/// Methods used by the tests:
///  echo(params) -> params;  add(a, b) -> a + b (ints, else -32602);
///  fail() -> -32000 with data;  throw() -> throws std::runtime_error;
///  big(n) -> a string of n 'x';  async_echo(x, delay_ms) -> x, settled on another thread;
///  async_never() -> keeps its reply unsettled (until `executor` runs it after 60 s);
///  async_drop() -> drops its reply.
inline void register_test_methods(Server& server, DelayedExecutor& executor) {
    auto& m = server.methods();
    m.register_method("echo", [](const Json& params, const CallContext&) -> Result<Json, RpcError> {
        return Json(params);
    });
    m.register_method("add", [](const Json& params, const CallContext&) -> Result<Json, RpcError> {
        if (!params.is_array() || params.size() != 2)
            return Unexpected{RpcError::invalid_params("expected 2 arguments")};
        return Json(params.at(0).get<int64_t>() + params.at(1).get<int64_t>());
    });
    m.register_method("fail", [](const Json&, const CallContext&) -> Result<Json, RpcError> {
        return Unexpected{RpcError{code::kServerError, "execution reverted", Json("0x08c379a0")}};
    });
    m.register_method("throw", [](const Json&, const CallContext&) -> Result<Json, RpcError> {
        throw std::runtime_error("boom");
    });
    m.register_method("transport",
                      [](const Json&, const CallContext& ctx) -> Result<Json, RpcError> {
                          return Json(ctx.transport == Transport::kHttp ? "http" : "ws");
                      });
    m.register_method("big", [](const Json& params, const CallContext&) -> Result<Json, RpcError> {
        return Json(std::string(params.at(0).get<size_t>(), 'x'));
    });
    m.register_async_method("async_echo", [&executor](Json params, const CallContext&, Reply r) {
        const auto delay = std::chrono::milliseconds(params.at(1).get<int>());
        executor.after(delay, [r, v = params.at(0)] { r.resolve(v); });
    });
    m.register_async_method("async_never", [&executor](Json, const CallContext&, Reply r) {
        executor.after(std::chrono::seconds(60), [r] { r.resolve(Json("too late")); });
    });
    m.register_async_method("async_drop", [](Json, const CallContext&, Reply) {});
}

}  // namespace fuse::rpc::testing
