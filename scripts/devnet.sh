#!/usr/bin/env bash
# Starts the local devnet: sets up and builds first, then runs `fusel2 devnet`.
# Until the devnet role exists (see the open issues), this starts what exists: the binary's help.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
bin=build/release/bin/fusel2
if "$bin" devnet --help >/dev/null 2>&1; then
  exec "$bin" devnet "$@"
fi
echo "fusel2 devnet is not built yet; available subcommands:" >&2
exec "$bin" --help
