#!/usr/bin/env bash
# Checks that package-lock.json is npm's own fixed point: what a plain `npm install` writes on a
# fresh clone, so installing never leaves the user's tree with a change they did not make
# (issue #15 point 5: npm used to add the other platforms' optional anvil/cast entries).
# Copies package.json and package-lock.json into a scratch folder, lets npm recompute the lock
# there (--package-lock-only: no node_modules, nothing unpacked; metadata from npm's cache when it
# has it) and compares. Reads the working tree's two files, so local edits elsewhere don't matter.
# Run by ctest as setup.lockfile_is_npms_own; scripts/setup.sh itself installs with --no-save.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d "${TMPDIR:-/tmp}/fusel2-lockfile.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cp package.json package-lock.json "$scratch/"
(cd "$scratch" && npm install --package-lock-only --prefer-offline --ignore-scripts --no-audit \
   --no-fund --loglevel=error >/dev/null)
if ! diff -u package-lock.json "$scratch/package-lock.json"; then
  echo "package-lock.json is not what \`npm install\` (npm $(npm --version), node $(node --version))" \
       "writes: commit npm's version (the diff above, + lines) so a fresh clone stays clean" >&2
  exit 1
fi
echo "package-lock.json is npm's own (npm $(npm --version), node $(node --version))"
