#!/usr/bin/env bash
# Runs the whole test suite: sets up and builds first (scripts/setup.sh), then ctest, which
# drives the C++ unit tests, the official state-test fixtures, and the node (ethers v6) tests.
#   scripts/test.sh                 everything (what CI runs)
#   QUICK=1 scripts/test.sh         skips tests labelled "slow"
#   PRESET=asan scripts/test.sh     the unit tests under ASan+UBSan
#   PRESET=tsan scripts/test.sh     the threaded libraries' unit tests under TSan (docs/sanitizers.md)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${PRESET:-release}"
scripts/setup.sh "$preset"
source scripts/node-env.sh
fuse_use_node  # the Node setup chose (scripts/node-env.sh), for everything the tests start
args=(--preset "$preset" -j"$(nproc)" --timeout 1800)
[ -n "${QUICK:-}" ] && args+=(--label-exclude slow)
exec ctest "${args[@]}" "$@"
