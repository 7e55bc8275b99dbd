#!/usr/bin/env bash
# Checks the CLI contract: --help lists subcommands, --version works, unknown flags exit 2.
set -u
bin="$1"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

out=$("$bin" --help 2>&1); rc=$?
check "--help exits 0" "[ $rc -eq 0 ]"
check "--help lists version subcommand" "grep -q 'version' <<<\"\$out\""
out=$("$bin" --version 2>&1); rc=$?
check "--version exits 0" "[ $rc -eq 0 ]"
check "--version prints fusel2" "grep -q '^fusel2 ' <<<\"\$out\""
out=$("$bin" --no-such-flag 2>&1); rc=$?
check "unknown flag exits 2" "[ $rc -eq 2 ]"
check "unknown flag is named in the error" "grep -q 'no-such-flag' <<<\"\$out\""
out=$("$bin" no-such-command 2>&1); rc=$?
check "unknown subcommand exits 2" "[ $rc -eq 2 ]"
# every subcommand answers --help with exit 0
for sub in $("$bin" --help | awk '/^Subcommands:/{f=1;next} f && NF {print $1}'); do
  "$bin" "$sub" --help >/dev/null 2>&1; rc=$?
  check "$sub --help exits 0" "[ $rc -eq 0 ]"
done
exit $fail
