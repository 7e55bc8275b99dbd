#!/usr/bin/env bash
# Starts the local devnet: installs what is missing and builds (scripts/setup.sh), then runs
# `fusel2 devnet` with the given flags (docs/devnet.md), e.g.
#   scripts/devnet.sh                  # L1 on :8545, L2 on :8547, data in ./devnet-data
#   scripts/devnet.sh --fresh          # wipe ./devnet-data first: a new chain
# The datadir is relative to the repository root unless given as an absolute path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
source scripts/node-env.sh
fuse_use_node  # `fusel2 devnet` deploys the contracts with the `node` on PATH: the one setup chose
exec build/release/bin/fusel2 devnet "$@"
