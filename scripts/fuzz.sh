#!/usr/bin/env bash
# Builds the libFuzzer targets (`fuzz` preset: clang, ASan+UBSan; every src/<lib>/*_fuzz.cpp)
# and runs each for SECONDS (docs/sanitizers.md "Fuzzing"). Corpora are kept between runs under
# build/fuzz-corpus/<target> (seeded by the target itself on first use: FUSE_FUZZ_SEEDS, and
# for batch_fuzz also by batch_test's seed writer); logs under build/fuzz-logs, crash inputs
# under build/fuzz-artifacts. Prints a summary table; exits non-zero on any finding.
#   scripts/fuzz.sh 600                  every target, 10 minutes each, one after the other
#   FUZZ_TARGETS='ethrpc|l1' scripts/fuzz.sh 60    only targets matching the regex
#   FUZZ_JOBS=2 scripts/fuzz.sh 600      two targets at a time (each still gets SECONDS)
#   FUZZ_NO_BUILD=1 ...                  use the binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:?usage: scripts/fuzz.sh SECONDS}"
jobs="${FUZZ_JOBS:-1}"
filter="${FUZZ_TARGETS:-.}"
build=build/fuzz

if [ -z "${FUZZ_NO_BUILD:-}" ]; then
  [ -f "$build/build.ninja" ] || cmake --preset fuzz >/dev/null
  cmake --build "$build" --target fuzz_all batch_test -j"$(nproc)"
fi

mapfile -t targets < <(find "$build/src" -name '*_fuzz' -type f -perm -u+x | sort |
                       grep -E "/[^/]*(${filter})[^/]*$" || true)
[ "${#targets[@]}" -gt 0 ] || { echo "no fuzz target matches '$filter'" >&2; exit 2; }
mkdir -p build/fuzz-corpus build/fuzz-logs build/fuzz-artifacts

run_one() {  # target binary -> writes build/fuzz-logs/<name>.{log,rc}
  local bin="$1" name corpus log
  name="$(basename "$bin")"
  corpus="build/fuzz-corpus/$name"
  log="build/fuzz-logs/$name.log"
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    mkdir -p "$corpus"
    FUSE_FUZZ_SEEDS="$corpus" "$bin" >/dev/null 2>&1 || { echo "$name: seed writer failed" >&2; }
    if [ "$name" = batch_fuzz ] && [ -x "$build/src/batch/batch_test" ]; then
      FUSE_WRITE_FUZZ_CORPUS="$corpus" "$build/src/batch/batch_test" \
        --gtest_filter=TxColumns.WritesFuzzSeedsOnRequest >/dev/null 2>&1 || true
    fi
  fi
  local rc=0
  nice -n 15 "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="build/fuzz-artifacts/$name-" "$corpus" \
    >"$log" 2>&1 || rc=$?
  echo "$rc" >"build/fuzz-logs/$name.rc"
}

running=0
for bin in "${targets[@]}"; do
  echo "fuzzing $(basename "$bin") for ${seconds}s ($(date -u +%H:%M:%S) UTC)"
  run_one "$bin" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
done
wait

status=0
printf '\n%-28s %12s %9s %9s %9s %7s  %s\n' target runs 'execs/s' 'cov' 'ft' corpus result
for bin in "${targets[@]}"; do
  name="$(basename "$bin")"
  log="build/fuzz-logs/$name.log"
  rc="$(cat "build/fuzz-logs/$name.rc" 2>/dev/null || echo 1)"
  runs="$(grep -o 'stat::number_of_executed_units:[[:space:]]*[0-9]*' "$log" | awk '{print $2}' | tail -1)"
  eps="$(grep -o 'stat::average_exec_per_sec:[[:space:]]*[0-9]*' "$log" | awk '{print $2}' | tail -1)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
  cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
  ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
  corp="$(sed -nE 's/.* corp: ([0-9]+)\/.*/\1/p' <<<"$last")"
  result=ok
  if [ "$rc" != 0 ] || grep -qE 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:' "$log"; then
    result="FINDING (rc $rc, see $log)"
    status=1
  fi
  printf '%-28s %12s %9s %9s %9s %7s  %s\n' "$name" "${runs:--}" "${eps:--}" "${cov:--}" \
    "${ft:--}" "${corp:--}" "$result"
done
exit "$status"
