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
# genesis: the dev genesis written to a file gives the same hash when read back
tmp=$(mktemp -d)
out=$("$bin" genesis --dev --write "$tmp/g.json" 2>&1); rc=$?
check "genesis --dev exits 0" "[ $rc -eq 0 ]"
hash=$(grep -o '"hash": "0x[0-9a-f]\{64\}"' <<<"$out")
check "genesis --dev prints a 32-byte hash" "[ -n \"\$hash\" ]"
out2=$("$bin" genesis --genesis "$tmp/g.json" 2>&1); rc=$?
check "genesis --genesis of the dev alloc (unbacked) exits 1" "[ $rc -eq 1 ]"
check "the refusal names the unbacked total and the flag" "grep -q 'allocates 100000000000000000000000 wei (100000 FUSE) to 10 accounts' <<<\"\$out2\" && grep -q -- '--allow-unbacked-alloc' <<<\"\$out2\""
out2=$("$bin" genesis --genesis "$tmp/g.json" --allow-unbacked-alloc 2>&1); rc=$?
check "genesis --genesis --allow-unbacked-alloc of the written file exits 0" "[ $rc -eq 0 ]"
check "written genesis has the same hash" "grep -qF \"\$hash\" <<<\"\$out2\""
out=$("$bin" genesis --dev --dev-chain-id 7 2>&1)
check "another chain id gives another hash" "! grep -qF \"\$hash\" <<<\"\$out\""
"$bin" genesis >/dev/null 2>&1; rc=$?
check "genesis without --dev or --genesis exits 2" "[ $rc -eq 2 ]"
echo '{"chainId": "x"}' >"$tmp/bad.json"
out=$("$bin" genesis --genesis "$tmp/bad.json" 2>&1); rc=$?
check "bad genesis file exits 1 naming the field" "[ $rc -eq 1 ] && grep -q chainId <<<\"\$out\""
rm -rf "$tmp"
exit $fail
