#!/usr/bin/env bash
# Installs what the Node-driven tests need (src/test/node): npm packages from the lockfile (MCP peers,
# the conformance suite and its Node 22, playwright-core, the openai client), and Debian's
# Chromium for the console's browser test. Idempotent: does nothing when all is installed.
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

command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm not found; the interop tests that drive npm peers will fail (THINKLOOP_SKIP_INTEROP=1 skips them)" >&2; exit 0; }
want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
echo "setup.sh: installing Node test packages (npm ci in $DIR)" >&2
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$STAMP"
