#!/usr/bin/env bash
# Runs the single-node render (as adapted by overlays/podman) with `podman kube play` and smoke-tests it:
# ready, 401 without the key, 200 with it, then `podman kube down` and the volume removed.
#   deploy/kubernetes/kube-play-smoke.sh        (after deploy/container/build.sh and render.sh)
# Prints one line per check and "N passed, M failed".
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$ROOT/deploy/container/lib.sh"
render=$ROOT/target/kubernetes/podman.yaml
[ -f "$render" ] || "$HERE/render.sh" --no-validate >/dev/null
KEY=play-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
play=$(mktemp --suffix=.yaml)
playdir=$(mktemp -d)
sed "s/THINKLOOP_API_KEY_PLACEHOLDER/$KEY/" "$render" > "$play"
port=$(sed -n 's/^ *hostPort: //p' "$play" | head -1)
passed=0 failed=0
check() { if "${@:2}"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
down() { podman kube down "$play" >/dev/null 2>&1 || true; podman volume rm -f thinkloop-data >/dev/null 2>&1 || true; rm -rf "$play" "$playdir"; }
down_only() { podman kube down "$play" >/dev/null 2>&1 || true; podman volume rm -f thinkloop-data >/dev/null 2>&1 || true; }
trap down EXIT
down_only
# From an empty directory: podman 4.3 builds an image instead of using the local one when the working directory
# holds a directory named like the image (the repository's ./thinkloop script counts), even with --build=false.
check "podman kube play target/kubernetes/podman.yaml" sh -c "cd '$playdir' && podman kube play --build=false '$play' >/dev/null" \
  || { echo "$passed passed, $failed failed"; exit 1; }
t0=$(now_ms)
if wait_ready "$port" 300; then
  echo "     ready after $(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}') s on hostPort $port"
  check "/q/health/ready is 200" true
else
  check "/q/health/ready is 200" false
  podman pod logs "$(podman pod ps -q --filter name=thinkloop | head -1)" 2>&1 | tail -30
fi
check "GET /v1/sessions without key is 401" test "$(status "http://127.0.0.1:$port/v1/sessions")" = 401
check "GET /v1/sessions with the key is 200" \
  test "$(status -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/v1/sessions")" = 200
check "the PVC became a podman volume holding /data" podman volume exists thinkloop-data
check "podman kube down" sh -c "podman kube down '$play' >/dev/null"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
