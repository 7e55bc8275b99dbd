#!/usr/bin/env bash
# The README's quick start on a truly fresh Debian 12 (issue #15 point 5), as root:
#   scripts/fresh-debian.sh [--keep] [--root DIR]
#
# 1. Makes a fresh Debian 12 (bookworm) root with debootstrap (--variant=minbase: fewer packages
#    than any real install, so nothing is there by accident) from deb.debian.org, with the
#    sources.list of a real install (bookworm, -updates, -security) and the host's resolv.conf.
# 2. Puts a clean `git clone` of this repository at HEAD in /root/fusel2 (uncommitted changes are
#    not included) and a copy of ../shared (FUSE_SHARED_DIR) in /root/shared beside it.
# 3. Mounts /proc, /sys and /dev into it and, in a chroot with a clean environment, runs the
#    README's two commands: `scripts/test.sh` (the whole suite), then `scripts/devnet.sh` in the
#    background until its banner prints "Ctrl-C to stop.", then SIGINT to its process group (what
#    Ctrl-C does) and checks that it stops cleanly (exit 0) leaving no process behind. The devnet
#    runs in a private network namespace (loopback only; it needs no network once test.sh has set
#    up) so its fixed ports 8545/8547/8548 cannot meet another devnet on a shared host.
# 4. Checks `git status --porcelain --untracked-files=all` in the clone is empty, prints a
#    summary (also in the log folder's summary.txt), unmounts and deletes the root (--keep keeps it).
#
# Needs network to deb.debian.org and registry.npmjs.org only (setup fetches Node 20 from the npm
# registry: Debian 12's nodejs is 18). A host whose HTTPS goes through an intercepting proxy
# trusts that proxy's CA from /usr/local/share/ca-certificates (the local admin's CAs, not
# Debian's): those are copied into the root likewise and given to Node as NODE_EXTRA_CA_CERTS, as
# the admin of a fresh machine on that network would (--no-host-ca: don't). Needs ~15 GB free where the root goes (default: a new
# folder in /var/tmp; --root DIR or FRESH_ROOT to choose) and takes long: the whole project
# builds from scratch. Logs in build/fresh-debian/ (FRESH_LOG_DIR). FRESH_MIRROR picks the mirror.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "${FUSE_SHARED_DIR:-$repo/../shared}" && pwd)
mirror="${FRESH_MIRROR:-http://deb.debian.org/debian}"
logdir="${FRESH_LOG_DIR:-$repo/build/fresh-debian}"
root="${FRESH_ROOT:-}"
keep=0
netns=1
host_ca=1
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --root) root="$2"; shift ;;
    --shared-network) netns=0 ;;  # run the devnet in the host's network namespace
    --no-host-ca) host_ca=0 ;;    # don't pass the host's local CAs in (see below)
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '\033[1m[fresh-debian %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "error: $*"; exit 1; }
dur() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"
sha=$(git -C "$repo" rev-parse HEAD)
subject=$(git -C "$repo" log -1 --format=%s | cut -c1-100)
[ -z "$(git -C "$repo" status --porcelain)" ] ||
  log "note: the checkout has uncommitted changes; the fresh root gets HEAD ($sha) only"

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi

if [ -z "$root" ]; then
  root=$(mktemp -d /var/tmp/fusel2-fresh-debian.XXXXXX)
else
  mkdir -p "$root"
  [ -z "$(ls -A "$root")" ] || die "$root is not empty"
fi
root=$(cd "$root" && pwd)
[ "$root" != / ] || die "the root cannot be /"
free_gb=$(df --output=avail -BG "$root" | tail -n1 | tr -dc 0-9)
if [ "$free_gb" -lt 15 ]; then
  rmdir "$root"
  die "only ${free_gb} GB free under $(dirname "$root") (needs ~15 GB)"
fi
mkdir -p "$logdir"
rm -f "$logdir"/*.log "$logdir/summary.txt"

devnet_pid=""
# Processes whose root is the fresh root (anything left running inside it).
procs_in_root() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
  done
  return 0
}
mounts_in_root() { findmnt -rn -o TARGET | awk -v r="$root/" 'index($0, r) == 1' | sort -r; }
cleanup() {
  local rc=$? pids m
  set +e
  [ -n "$devnet_pid" ] && kill -0 "$devnet_pid" 2>/dev/null && kill -TERM -- "-$devnet_pid"
  pids=$(procs_in_root)
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null; sleep 3
    pids=$(procs_in_root); [ -n "$pids" ] && kill -KILL $pids 2>/dev/null; sleep 1
  fi
  for m in $(mounts_in_root); do umount -R "$m" 2>/dev/null || umount -lR "$m" 2>/dev/null; done
  if [ "$keep" = 1 ]; then
    log "kept the root: $root"
  elif [ -n "$(mounts_in_root)" ]; then
    log "not deleting $root: still mounted: $(mounts_in_root | tr '\n' ' ')"
  else
    rm -rf --one-file-system "$root"
  fi
  exit "$rc"
}
trap cleanup EXIT  # only from here on: $root is set and is ours
trap 'exit 130' INT TERM

# The chroot with a clean environment, as a freshly logged-in root would have it.
root_env=(/usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
in_root() { chroot "$root" "${root_env[@]}" "$@"; }

t_all=$SECONDS
log "debootstrap bookworm (minbase) from $mirror into $root"
t=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$logdir/debootstrap.log" 2>&1 ||
  die "debootstrap failed: see $logdir/debootstrap.log"
t_debootstrap=$((SECONDS - t))
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
[ -s "$root/etc/hosts" ] || printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
host_cas=""
if [ "$host_ca" = 1 ] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cat /usr/local/share/ca-certificates/*.crt >"$root/usr/local/share/ca-certificates/host-local-cas.crt"
  root_env+=(NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-local-cas.crt)
  host_cas=$(cd /usr/local/share/ca-certificates && ls -- *.crt | tr '\n' ' ')
  log "passing the host's local CAs in (NODE_EXTRA_CA_CERTS): $host_cas"
fi
# Packages installed in a chroot must not start services on the host.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

log "cloning $sha into /root/fusel2, copying $shared to /root/shared"
git clone -q --no-hardlinks "$repo" "$root/root/fusel2"
[ "$(git -C "$root/root/fusel2" rev-parse HEAD)" = "$sha" ] ||
  git -C "$root/root/fusel2" checkout -q --detach "$sha"
cp -a "$shared" "$root/root/shared"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

node_before=$(in_root sh -c 'command -v node >/dev/null && node --version || echo none')
log "node in the fresh root before set-up: $node_before"

# --- scripts/test.sh -------------------------------------------------------------------------
log "running scripts/test.sh (log: $logdir/test.log)"
t=$SECONDS
set +e
in_root /bin/bash -c 'cd /root/fusel2 && scripts/test.sh' >"$logdir/test.log" 2>&1
test_rc=$?
set -e
t_test=$((SECONDS - t))
test_summary=$(grep -E 'tests passed, [0-9]+ tests failed out of' "$logdir/test.log" | tail -n1 || true)
test_time=$(grep -E '^Total Test time' "$logdir/test.log" | tail -n1 || true)
test_failed=$(sed -n '/The following tests FAILED/,$p' "$logdir/test.log" | grep -E '^\s+[0-9]+ - ' || true)
log "scripts/test.sh: exit $test_rc after $(dur $t_test): ${test_summary:-no ctest summary}"
[ "$test_rc" -eq 0 ] || tail -n 40 "$logdir/test.log"

node_after=$(in_root /bin/bash -c 'cd /root/fusel2 && source scripts/node-env.sh && fuse_use_node &&
  echo "$(node --version) at $(command -v node) (npm $(npm --version))"' 2>&1 || true)

# --- scripts/devnet.sh -----------------------------------------------------------------------
log "running scripts/devnet.sh until its banner (log: $logdir/devnet.log)"
t=$SECONDS
run_devnet=(chroot "$root" "${root_env[@]}" /bin/bash -c 'cd /root/fusel2 && exec scripts/devnet.sh')
# setsid: its own process group, as a shell gives a foreground job. env --default-signal: a
# script's background job starts with SIGINT and SIGQUIT ignored, a terminal's foreground job
# does not. setsid, env, unshare, sh and chroot exec in turn, so $! ends up being
# scripts/devnet.sh and then `fusel2 devnet` itself.
launch=(setsid env --default-signal=INT,QUIT)
if [ "$netns" = 1 ]; then
  "${launch[@]}" unshare --net /bin/sh -c 'ip link set lo up && exec "$@"' sh "${run_devnet[@]}" \
    >"$logdir/devnet.log" 2>&1 </dev/null &
else
  "${launch[@]}" "${run_devnet[@]}" >"$logdir/devnet.log" 2>&1 </dev/null &
fi
devnet_pid=$!
banner=0
while kill -0 "$devnet_pid" 2>/dev/null && [ $((SECONDS - t)) -lt 1800 ]; do
  if grep -q 'Ctrl-C to stop\.' "$logdir/devnet.log"; then banner=1; break; fi
  sleep 2
done
t_banner=$((SECONDS - t))
devnet_status=""
if [ "$banner" = 1 ]; then
  log "devnet banner after $(dur $t_banner); fusel2 status inside:"
  sleep 10  # let it seal and post a little
  set +e
  nsenter --net="/proc/$devnet_pid/ns/net" chroot "$root" "${root_env[@]}" \
    /bin/sh -c 'cd /root/fusel2 && exec build/release/bin/fusel2 status' >"$logdir/devnet-status.log" 2>&1
  devnet_status_rc=$?
  set -e
  sed 's/^/    /' "$logdir/devnet-status.log"
  devnet_status="fusel2 status: exit $devnet_status_rc"
  log "Ctrl-C: SIGINT to the devnet's process group"
  kill -INT -- "-$devnet_pid"
  t=$SECONDS
  while kill -0 "$devnet_pid" 2>/dev/null && [ $((SECONDS - t)) -lt 120 ]; do sleep 1; done
fi
set +e
if kill -0 "$devnet_pid" 2>/dev/null; then
  kill -KILL -- "-$devnet_pid"
  wait "$devnet_pid"
  devnet_rc="still running (killed)"
else
  wait "$devnet_pid"
  devnet_rc=$?
fi
set -e
devnet_pid=""
t_stop=$((SECONDS - t))
sleep 1
leftover=$(for p in $(procs_in_root); do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)
stopped_line=$(grep -E 'stopped cleanly|stopped with errors' "$logdir/devnet.log" | tail -n1 || true)
log "scripts/devnet.sh: banner=$banner exit=$devnet_rc ${stopped_line:+(\"$stopped_line\")}"
[ "$banner" = 1 ] && [ "$devnet_rc" = 0 ] || tail -n 40 "$logdir/devnet.log"

# --- the checkout ------------------------------------------------------------------------------
git_status=$(in_root git -C /root/fusel2 status --porcelain --untracked-files=all 2>&1) ||
  git_status="git status failed: $git_status"
ignored=$(in_root git -C /root/fusel2 status --porcelain --ignored=matching 2>&1 | grep '^!!' |
  cut -c4- | tr '\n' ' ' || true)

ok=1
[ "$test_rc" -eq 0 ] || ok=0
[ "$banner" = 1 ] && [ "$devnet_rc" = 0 ] && [ -z "$leftover" ] || ok=0
[ -z "$git_status" ] || ok=0
{
  echo "Fresh Debian 12 (debootstrap bookworm minbase, $mirror), repository at $sha"
  echo "  ($subject)"
  echo "debootstrap:       $(dur $t_debootstrap)${host_cas:+; local CAs of the host passed in: $host_cas}"
  echo "node:              before set-up: $node_before; after: $node_after"
  echo "scripts/test.sh:   exit $test_rc in $(dur $t_test); ${test_summary:-no ctest summary}"
  [ -n "$test_time" ] && echo "                   $test_time"
  [ -n "$test_failed" ] && echo "$test_failed" | sed 's/^/   failed: /'
  echo "scripts/devnet.sh: banner $([ "$banner" = 1 ] && echo "after $(dur $t_banner)" || echo "NOT printed");" \
       "SIGINT -> exit $devnet_rc in ${t_stop}s${stopped_line:+ (\"$stopped_line\")}; ${devnet_status:-}"
  [ -n "$leftover" ] && echo "$leftover" | sed 's/^/   left running: /'
  if [ -z "$git_status" ]; then
    echo "git status --porcelain --untracked-files=all: empty (tree clean)"
  else
    echo "git status --porcelain --untracked-files=all: NOT empty:"
    echo "$git_status" | sed 's/^/   /'
  fi
  echo "ignored (generated): $ignored"
  echo "total:             $(dur $((SECONDS - t_all)))  result: $([ $ok = 1 ] && echo PASS || echo FAIL)"
} | tee "$logdir/summary.txt"
[ "$ok" = 1 ]
