#!/usr/bin/env bash
# Installs the JupyterHub the tests run against, from Debian's packages:
#   apt-get install -y jupyterhub python3-jupyter-server      (about 90 s on a fresh machine)
# Called by the test fixture (test/peers/jupyterhub.ts) when /usr/bin/jupyterhub is missing; safe to
# run by hand or from CI. Concurrent callers (test files running in parallel) wait on one lock.
# The proxy (configurable-http-proxy) comes from npm, not Debian (Debian's copy fails): it is a
# devDependency of @stagecoach/storage and @stagecoach/server, installed by `pnpm install`.
set -euo pipefail

have() { [ -x /usr/bin/jupyterhub ] && /usr/bin/python3 -c 'import jupyterhub, jupyter_server' >/dev/null 2>&1; }
if have; then exit 0; fi

exec 9>/tmp/stagecoach-jupyterhub-install.lock
flock 9
if have; then exit 0; fi

echo "› installing Debian's jupyterhub + python3-jupyter-server for the JupyterHub tests (once, about 90 s)" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "JupyterHub is not installed and this user cannot install it. Run as root:" >&2
    echo "  apt-get update && apt-get install -y jupyterhub python3-jupyter-server" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q jupyterhub python3-jupyter-server >&2; then
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q jupyterhub python3-jupyter-server >&2
fi
have || { echo "apt-get finished but /usr/bin/jupyterhub or the Python modules jupyterhub/jupyter_server are still missing" >&2; exit 1; }
