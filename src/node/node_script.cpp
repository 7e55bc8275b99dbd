#include "node/node_script.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#ifndef FUSE_SOURCE_DIR
#define FUSE_SOURCE_DIR "."
#endif

namespace fuse::node {

std::filesystem::path repo_dir() {
    if (const char* env = std::getenv("FUSE_REPO_DIR"); env != nullptr && *env != '\0') return env;
    return FUSE_SOURCE_DIR;
}

void exec_node_script(const std::filesystem::path& script, const std::vector<std::string>& args) {
    const auto path = repo_dir() / script;
    if (!std::filesystem::exists(path)) {
        throw std::runtime_error(path.string() +
                                 " not found: set FUSE_REPO_DIR to the Fuse L2 source tree");
    }
    const char* node_env = std::getenv("FUSE_NODE");
    const std::string node = node_env != nullptr && *node_env != '\0' ? node_env : "node";
    std::vector<std::string> all{node, path.string()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(all.size() + 1);
    for (auto& a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    ::execvp(node.c_str(), argv.data());
    throw std::runtime_error("cannot run " + node + ": " + std::strerror(errno) +
                             " (set FUSE_NODE to node's path)");
}

}  // namespace fuse::node
