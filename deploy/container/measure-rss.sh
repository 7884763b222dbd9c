#!/usr/bin/env bash
# Measures the service's resident memory (VmRSS of the JVM, from /proc on the host) in the image, the figures the
# Kubernetes resource requests are sized from:
#   deploy/container/measure-rss.sh [IMAGE]          (default localhost/thinkloop:jvm)
# For two backends: `embedded` (the single-node overlay: the untrained default model in process) and `synthetic`
# (a token source with no model in process, standing in for `remote`, which the scale-out overlay uses): RSS at
# idle (10 s after ready) and the peak while one agent turn runs (sampled every 0.2 s).
# MEMORY=1g runs the containers with that memory limit (the JVM sizes its heap from it: MaxRAMPercentage=75);
# without it the heap may grow to 75% of the host's memory and the peak says little. BACKENDS="embedded" picks.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"
IMAGE=${1:-localhost/thinkloop:jvm}
rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }
auth=(-H 'Authorization: Bearer measure')
printf '%-10s %10s %14s %12s\n' backend "idle MB" "turn peak MB" "turn s"
limit=(); [ -n "${MEMORY:-}" ] && limit=(--memory "$MEMORY")
echo "memory limit: ${MEMORY:-none}"
for backend in ${BACKENDS:-embedded synthetic}; do
  name=thinkloop-rss-$$-$backend
  port=$(free_port)
  podman run -d --name "$name" --no-healthcheck "${limit[@]}" -p "127.0.0.1:$port:8080" -e THINKLOOP_API_KEY=measure \
    -e THINKLOOP_MODEL_BACKEND=$backend "$IMAGE" >/dev/null
  wait_ready "$port" 300 || { podman logs "$name" | tail; podman rm -f "$name" >/dev/null; exit 1; }
  pid=$(podman inspect "$name" --format '{{.State.Pid}}')
  sleep 10   # idle: let start-up garbage settle before sampling (a measurement interval, not synchronisation)
  idle=$(rss_mb "$pid")
  sid=$(curl -s "${auth[@]}" -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/v1/sessions" \
    | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  t0=$(now_ms)
  curl -s -o /dev/null "${auth[@]}" -H 'Content-Type: application/json' -d '{"content":"Plan a day in Lisbon."}' \
    "http://127.0.0.1:$port/v1/sessions/$sid/messages"
  peak=$idle
  for _ in $(seq 600); do
    r=$(rss_mb "$pid"); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
    curl -s "${auth[@]}" "http://127.0.0.1:$port/v1/sessions/$sid" | grep -q '"activeTurnId" *: *"' || break
    sleep 0.2
  done
  secs=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN {printf "%.1f", (b - a) / 1000}')
  printf '%-10s %10s %14s %12s\n' "$backend" "$idle" "$peak" "$secs"
  podman rm -f -t 20 "$name" >/dev/null
done
