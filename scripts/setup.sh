#!/usr/bin/env bash
# Installs what is missing (Debian packages, npm packages), then configures and builds.
# Idempotent: when nothing is missing it only runs an incremental build.
#   scripts/setup.sh [preset]        preset: release (default), debug, asan, tsan
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git clang-format
  librocksdb-dev libsecp256k1-dev libcrypto++-dev libbrotli-dev libgmp-dev
  libboost-dev nlohmann-json3-dev libsimdjson-dev libcli11-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev openssl ca-certificates
  nodejs npm
)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# The Node the project runs (scripts/node-env.sh): the one on PATH if new enough, else the pinned
# one this script obtains from the npm registry.
source scripts/node-env.sh
fuse_use_node

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # node and npm may come from elsewhere (e.g. nodesource); only install them if absent.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=($(printf '%s\n' "${missing[@]}" | grep -vxE 'nodejs|npm' || true))
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian 12's nodejs is 18; package.json's engines (and anvil's, ethers') ask for >= 20.
if ! fuse_node_ok; then
  log "node $(node --version 2>/dev/null || echo missing) is older than package.json's engines" \
      "(>= $(fuse_node_min_major)): fetching Node $FUSE_NODE_VERSION from the npm registry into $(fuse_node_home)"
  fuse_obtain_node
fi

# npm packages into ./node_modules, pinned by package-lock.json. `npm ci` fails on the foundry
# packages' lockfiles (TOOLCHAIN.md); `npm install --no-save` installs from the committed lock and
# never writes package.json or package-lock.json, so set-up leaves the checkout as it was
# (the test setup.lockfile_is_npms_own checks that the lock is what a plain `npm install` writes).
stamp=node_modules/.fuse-lock-stamp
if [ ! -f "$stamp" ] || ! cat package.json package-lock.json | cmp -s - "$stamp"; then
  log "installing npm packages"
  npm install --no-save --no-audit --no-fund --loglevel=error >/dev/null
  cat package.json package-lock.json >"$stamp"
fi

if [ -f contracts/build.mjs ]; then
  node contracts/build.mjs >/dev/null
fi

# CMake runs the js tests and the generators with FUSE_NODE: the node chosen above.
node_bin=$(command -v node)
if [ ! -f "build/$preset/build.ninja" ]; then
  log "configuring build/$preset"
  cmake --preset "$preset" -DFUSE_SHARED_DIR="${FUSE_SHARED_DIR:-$(pwd)/../shared}" \
        -DFUSE_NODE:FILEPATH="$node_bin" >/dev/null
elif ! grep -qxF "FUSE_NODE:FILEPATH=$node_bin" "build/$preset/CMakeCache.txt"; then
  log "reconfiguring build/$preset for node $node_bin"
  cmake --preset "$preset" -DFUSE_NODE:FILEPATH="$node_bin" >/dev/null
fi
log "building build/$preset"
cmake --build --preset "$preset" -- -j"$(nproc)" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0
