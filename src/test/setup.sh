#!/usr/bin/env bash
# Installs the third-party MCP peers the tests drive (src/test/node: the TypeScript SDK, server-everything,
# supergateway, the conformance suite and the Node 22 it needs). Idempotent: does nothing when the
# installed tree matches the lockfile.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/node" && pwd)"
STAMP="$DIR/node_modules/.thinkloop-lock.sha256"
command -v npm >/dev/null 2>&1 || { echo "setup.sh: npm not found; the MCP interop tests will be skipped" >&2; exit 0; }
want="$(sha256sum "$DIR/package-lock.json" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
echo "setup.sh: installing MCP test peers (npm ci in $DIR)" >&2
(cd "$DIR" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$STAMP"
