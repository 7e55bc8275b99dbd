#include "rpc/registry.hpp"

#include <stdexcept>

namespace fuse::rpc {

void MethodRegistry::register_method(std::string name, SyncHandler handler) {
    if (!handler) throw std::logic_error("rpc: empty handler for " + name);
    add(std::move(name), Method{std::move(handler), {}, nullptr});
}

void MethodRegistry::register_async_method(std::string name, AsyncHandler handler) {
    if (!handler) throw std::logic_error("rpc: empty handler for " + name);
    add(std::move(name), Method{{}, std::move(handler), nullptr});
}

void MethodRegistry::add(std::string name, Method m) {
    if (frozen_) throw std::logic_error("rpc: method " + name + " registered after server start");
    if (name.empty()) throw std::logic_error("rpc: empty method name");
    if (methods_.contains(name))
        throw std::logic_error("rpc: method " + name + " registered twice");
    m.stats = metrics_.method(name);
    methods_.emplace(std::move(name), std::move(m));
}

const MethodRegistry::Method* MethodRegistry::find(std::string_view name) const {
    const auto it = methods_.find(name);
    return it == methods_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::names() const {
    std::vector<std::string> out;
    out.reserve(methods_.size());
    for (const auto& [name, m] : methods_)
        out.push_back(name);
    return out;
}

}  // namespace fuse::rpc
