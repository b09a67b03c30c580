#!/usr/bin/env bash
# Installs everything patternbench needs, skipping what is already present:
# Debian packages (redis, postgresql-15, etcd, chromium, docker-compose),
# npm dependencies, and k6 + toxiproxy built from source at pinned versions
# into the git-ignored .tools/bin. Safe to run again; prints one line a step.
set -euo pipefail
cd "$(dirname "$0")/.."

K6_VERSION=v2.2.0
TOXIPROXY_VERSION=v2.12.0
TOOLS="$PWD/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"

say() { printf 'install: %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need_apt+=(postgresql-15)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need_apt+=(docker-compose)
# The docker runtime's engine (the docker tests start dockerd when none runs) and the base of its local images.
[ -x /usr/sbin/dockerd ] || need_apt+=(docker.io)
[ -x /usr/sbin/debootstrap ] || need_apt+=(debootstrap)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages: ${need_apt[*]} — run as root or: sudo apt-get install -y ${need_apt[*]}"
    exit 1
  fi
  say "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps apt from starting the packaged services: patternbench
  # starts its own instances on free ports and wants nothing else listening.
  # An existing one (container images ship one) is put back afterwards, even
  # when the install fails.
  policy=/usr/sbin/policy-rc.d
  if [ -e "$policy" ]; then cp -p "$policy" "$policy.patternbench-saved"; fi
  trap 'if [ -e "$policy.patternbench-saved" ]; then mv -f "$policy.patternbench-saved" "$policy"; else rm -f "$policy"; fi' EXIT
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [ -e "$policy.patternbench-saved" ]; then mv -f "$policy.patternbench-saved" "$policy"; else rm -f "$policy"; fi
  trap - EXIT
else
  say "Debian packages present"
fi

# --- npm ---------------------------------------------------------------------
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
else
  say "node_modules up to date"
fi

# --- The compiled command ----------------------------------------------------
# `patternbench check` and `--help` start from a bundle built with esbuild
# (scripts/build-cli.mjs; git-ignored .build/): Node's start-up alone, not
# tsx's too. bin/patternbench rebuilds it when a source is newer, so this
# step only saves the first command that wait.
say "building the compiled command (.build/cli/main.mjs)"
node scripts/build-cli.mjs >/dev/null

# --- Go tools, pinned --------------------------------------------------------
# toxiproxy: go install names a binary after its package folder (server, cli),
# so each is built into a scratch GOBIN and renamed. k6: `go install
# go.k6.io/k6/v2@v2.2.0` fails because the module proxy serves no version list
# for that path, so tools/k6 is a build module whose go.sum pins every
# checksum. A version stamp beside each binary skips a rebuild.
fresh() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$BIN/.$1.version"; say "$1 built"; }

build_toxiproxy() { # name package
  local name=$1 pkg=$2 want="$2@$TOXIPROXY_VERSION"
  if fresh "$name" "$want"; then say "$name $TOXIPROXY_VERSION present"; return; fi
  say "building $name from $want"
  local scratch; scratch=$(mktemp -d)
  GOBIN="$scratch" GOFLAGS=-buildvcs=false go install "$want"
  mv "$scratch"/* "$BIN/$name"; rm -rf "$scratch"
  stamp "$name" "$want"
}

build_k6() {
  local want="go.k6.io/k6/v2@$K6_VERSION"
  if fresh k6 "$want"; then say "k6 $K6_VERSION present"; return; fi
  say "building k6 from $want (tools/k6/go.sum)"
  (cd tools/k6 && GOFLAGS=-buildvcs=false go build -o "$BIN/k6" go.k6.io/k6/v2)
  stamp k6 "$want"
}

# k6 v2.2.0's go.mod needs Go 1.25 or newer (Debian 12's golang package is 1.19).
go_minor=$(go env GOVERSION 2>/dev/null | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$go_minor" ] || [ "$go_minor" -lt 25 ]; then
  say "Go 1.25 or newer is needed to build k6 $K6_VERSION (found: $(go env GOVERSION 2>/dev/null || echo none))"
  exit 1
fi

build_k6 &
k6_pid=$!
trap 'kill "$k6_pid" 2>/dev/null' EXIT # a failed toxiproxy build must not orphan the k6 build
build_toxiproxy toxiproxy-server github.com/Shopify/toxiproxy/v2/cmd/server
build_toxiproxy toxiproxy-cli github.com/Shopify/toxiproxy/v2/cmd/cli
wait "$k6_pid"
trap - EXIT
say "ready: $("$BIN/k6" version | head -1); toxiproxy $("$BIN/toxiproxy-server" --version 2>&1 | head -1)"
