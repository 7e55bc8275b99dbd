#!/usr/bin/env bash
# The soak (issue #15 point 6; bench/README.md "Soak"): a whole rollup on this machine (anvil,
# sequencer + batch poster, proposer, watcher) under a steady mixed load; latency, memory and disk
# over time, then every acknowledged transaction and every posted root checked. Exit 0 = every
# check passed.
#   bench/soak.sh                       30 minutes at 150 tx/s
#   bench/soak.sh --minutes 5 --rate 300 --out /tmp/soak.json
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
source scripts/node-env.sh
fuse_use_node
cmake --build build/release --target loadgen -j"$(nproc)" >/dev/null
node bench/loadgen/build_token.mjs >/dev/null
exec node bench/soak.mjs "$@"
