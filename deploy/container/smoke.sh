#!/usr/bin/env bash
# Smoke test of a Thinkloop image: runs it, waits for /q/health/ready, checks that the API refuses a request
# without the key (401) and serves it with the key (200), that /q/openapi and the image's own health check
# (the probe class, no shell) work, then stops it with SIGTERM and checks it stopped within the grace period.
#
#   deploy/container/smoke.sh [IMAGE]      (default localhost/thinkloop:jvm)
#
# Prints one line per check and ends with "N passed, M failed"; exit status 0 only when all passed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
IMAGE=${1:-localhost/thinkloop:jvm}
KEY=smoke-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
name=thinkloop-smoke-$$
port=$(free_port)
passed=0 failed=0
check() { # check NAME COMMAND...
  if "${@:2}"; then echo "ok   $1"; passed=$((passed + 1)); else echo "FAIL $1"; failed=$((failed + 1)); fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
cleanup() { podman rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

t0=$(now_ms)
# stderr aside: without systemd (as in this sandbox) podman logs that it cannot schedule the periodic health
# check; the check itself is run below with `podman healthcheck run`.
podman run -d --name "$name" -p "127.0.0.1:$port:8080" -e THINKLOOP_API_KEY="$KEY" "$IMAGE" >/dev/null \
  2> >(grep -v 'systemd connection' >&2)
check "container starts ($IMAGE)" podman container exists "$name"
if wait_ready "$port" 300; then
  echo "     ready after $(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}') s"
  check "/q/health/ready is 200" true
else
  check "/q/health/ready is 200" false
  podman logs "$name" 2>&1 | tail -30
fi
check "GET /v1/sessions without key is 401" test "$(status "http://127.0.0.1:$port/v1/sessions")" = 401
check "GET /v1/sessions with a wrong key is 401" \
  test "$(status -H 'Authorization: Bearer wrong' "http://127.0.0.1:$port/v1/sessions")" = 401
check "GET /v1/sessions with the key is 200" \
  test "$(status -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/v1/sessions")" = 200
check "GET /v1/engine with the key is 200" \
  test "$(status -H "Authorization: Bearer $KEY" "http://127.0.0.1:$port/v1/engine")" = 200
check "GET /q/openapi is 200 (YAML: runs without java.desktop)" test "$(status "http://127.0.0.1:$port/q/openapi")" = 200
check "the image's health check (probe class, no shell) passes" podman healthcheck run "$name"
check "runs as the non-root user 10001" test "$(podman inspect "$name" --format '{{.Config.User}}')" = 10001:10001
check "/data is a volume" test -n "$(podman inspect "$name" --format '{{range .Mounts}}{{if eq .Destination "/data"}}x{{end}}{{end}}')"
t1=$(now_ms)
podman stop -t 30 "$name" >/dev/null 2> >(grep -v 'systemd connection' >&2)
stop_s=$(awk -v a="$t1" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}')
check "SIGTERM stops it gracefully within 30 s (took ${stop_s} s)" \
  sh -c "podman logs '$name' 2>&1 | grep -q 'stopped in'"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
