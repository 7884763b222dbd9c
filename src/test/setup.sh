#!/usr/bin/env bash
# Installs what the Node-driven tests need (src/test/node): npm packages from the lockfile (MCP peers,
# the conformance suite and its Node 22, playwright-core, the openai client), and Debian's
# Chromium for the console's browser test, and redis-server, postgresql and haproxy for the scale-out test.
# Idempotent: does nothing when all is installed.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/node" && pwd)"
STAMP="$DIR/node_modules/.thinkloop-lock.sha256"

# Chromium for the console's browser test (playwright-core drives /usr/bin/chromium; it downloads no browser).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup.sh: installing chromium (apt-get)" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
fi

# The scale-out test's peers (ScaleOutIT): redis-server, PostgreSQL's initdb/postgres, haproxy, from Debian.
# Installed as root (or with passwordless sudo) when one is missing; otherwise the test says what is missing.
missing=""
[ -x /usr/bin/redis-server ] || missing="$missing redis-server"
[ -x /usr/sbin/haproxy ] || missing="$missing haproxy"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = "none" ]; then
    echo "setup.sh: missing$missing and not root: ScaleOutIT will fail (THINKLOOP_SKIP_INTEROP=1 skips it)" >&2
  else
    echo "setup.sh: installing$missing (apt-get)" >&2
    $SUDO apt-get update -qq
    # no service is started: the test runs its own servers on free ports
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
  fi
fi

command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm not found; the interop tests that drive npm peers will fail (THINKLOOP_SKIP_INTEROP=1 skips them)" >&2; exit 0; }
want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
echo "setup.sh: installing Node test packages (npm ci in $DIR)" >&2
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$STAMP"
