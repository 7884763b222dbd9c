#!/usr/bin/env bash
# Installs the test-only third-party clients (npm packages under src/test/node) exactly as locked.
# Idempotent: skips npm when node_modules was installed from the same lockfile.
set -euo pipefail
cd "$(dirname "$0")/node"
command -v npm >/dev/null || { echo "setup.sh: npm not found; install Node.js >= 20 for the client tests" >&2; exit 1; }
stamp=node_modules/.installed-from
hash() { cat package.json $([ -f package-lock.json ] && echo package-lock.json) | sha256sum | cut -d" " -f1; }
want="$(hash)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
hash > "$stamp"
