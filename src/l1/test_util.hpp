#pragma once
/// Test helpers: the contract artifacts of contracts/out (built by `node contracts/build.mjs`).

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace fuse::l1::testing {

inline std::string source_dir() {
    return FUSE_SOURCE_DIR;
}

/// The artifact contracts/out/<name>.json; throws with what to run when it is missing.
inline nlohmann::json load_artifact(const std::string& name) {
    const std::string path = source_dir() + "/contracts/out/" + name + ".json";
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error(
            "contract artifact " + path +
            " is missing: run `node contracts/build.mjs` (or scripts/setup.sh) first");
    std::stringstream ss;
    ss << in.rdbuf();
    return nlohmann::json::parse(ss.str());
}

}  // namespace fuse::l1::testing
