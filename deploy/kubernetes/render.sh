#!/usr/bin/env bash
# Renders every overlay offline into target/kubernetes/OVERLAY.yaml and validates them (validate.mjs):
#   deploy/kubernetes/render.sh [--no-validate]
# Needs `kubectl` (kubectl kustomize, built in since 1.14) or `kustomize`; node + npm for the validation
# (npm ci here installs kubernetes-models and its schemas into deploy/kubernetes/node_modules).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=$ROOT/target/kubernetes
mkdir -p "$OUT"
if command -v kubectl >/dev/null 2>&1; then kz() { kubectl kustomize "$1"; }
elif command -v kustomize >/dev/null 2>&1; then kz() { kustomize build "$1"; }
else echo "render.sh needs kubectl or kustomize on PATH" >&2; exit 1; fi
files=()
for o in "$HERE"/overlays/*/; do
  name=$(basename "$o")
  kz "$o" > "$OUT/$name.yaml"
  echo "rendered $name: $(grep -c '^kind:' "$OUT/$name.yaml") objects -> target/kubernetes/$name.yaml"
  files+=("$OUT/$name.yaml")
done
[ "${1:-}" = --no-validate ] && exit 0
if [ ! -d "$HERE/node_modules/kubernetes-models" ]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --silent)
fi
node "$HERE/validate.mjs" "${files[@]}"
