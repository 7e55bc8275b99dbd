# Every dependency comes from Debian's packages (see ../shared/TOOLCHAIN.md and scripts/setup.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(RocksDB CONFIG REQUIRED)
find_package(Boost REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)
pkg_check_modules(CRYPTOPP REQUIRED IMPORTED_TARGET libcrypto++)
pkg_check_modules(BROTLI REQUIRED IMPORTED_TARGET libbrotlienc libbrotlidec)
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)

# Node.js for the js tests and the test-vector generators: at least package.json's engines.node.
# scripts/setup.sh passes -DFUSE_NODE=<the node it chose> (scripts/node-env.sh: the one on PATH if
# new enough, else the pinned Node it fetched from the npm registry, since Debian 12's is 18).
find_program(FUSE_NODE node REQUIRED)
file(READ "${CMAKE_SOURCE_DIR}/package.json" _fuse_package_json)
string(JSON _fuse_node_engine GET "${_fuse_package_json}" engines node)
string(REGEX MATCH "[0-9]+" FUSE_NODE_MIN_MAJOR "${_fuse_node_engine}")
execute_process(COMMAND "${FUSE_NODE}" --version OUTPUT_VARIABLE _fuse_node_version
                OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _fuse_node_rc)
string(REGEX MATCH "^v([0-9]+)" _fuse_node_major "${_fuse_node_version}")
if(NOT _fuse_node_rc EQUAL 0 OR CMAKE_MATCH_1 LESS FUSE_NODE_MIN_MAJOR)
  message(FATAL_ERROR "FUSE_NODE=${FUSE_NODE} is node '${_fuse_node_version}'; package.json asks "
                      "for ${_fuse_node_engine}. Run scripts/setup.sh (it obtains one) or pass "
                      "-DFUSE_NODE=/path/to/node.")
endif()
# Tests that run node put its folder first on PATH, so what they start in turn (`fusel2 deploy`,
# forge's contracts/forge/solc.mjs, `#!/usr/bin/env node` scripts) runs the same Node.
cmake_path(GET FUSE_NODE PARENT_PATH _fuse_node_dir)
set(FUSE_NODE_ENV_MODIFICATION "PATH=path_list_prepend:${_fuse_node_dir}" "FUSE_NODE=set:${FUSE_NODE}")
