#!/usr/bin/env bash
# Two Thinkloop replicas sharing their sessions on Redis, behind haproxy, on this machine (no containers):
#   deploy/local/multi-replica.sh            # runs until Ctrl-C; the front is http://127.0.0.1:${FRONT_PORT:-8080}
#   deploy/local/multi-replica.sh --check    # starts everything, proves a session moves between replicas, stops
# Needs redis-server and haproxy (Debian: apt-get install redis-server haproxy). Backend: THINKLOOP_MODEL_BACKEND
# (default synthetic, a token source for demos; e.g. remote with THINKLOOP_MODEL_REMOTE_BASE_URL for a real model).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CHECK=0; [ "${1:-}" = "--check" ] && CHECK=1
FRONT_PORT="${FRONT_PORT:-8080}" R1="${R1_PORT:-8081}" R2="${R2_PORT:-8082}" REDIS_PORT="${REDIS_PORT:-6380}"
WORK="$(mktemp -d /tmp/thinkloop-multi.XXXXXX)"
KEY="${THINKLOOP_API_KEY:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export THINKLOOP_API_KEY="$KEY" THINKLOOP_MODEL_BACKEND="${THINKLOOP_MODEL_BACKEND:-synthetic}"
export THINKLOOP_SESSIONS_STORE=redis THINKLOOP_SESSIONS_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM
for bin in redis-server haproxy; do command -v "$bin" >/dev/null || { echo "missing: $bin (apt-get install $bin)"; exit 2; }; done

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --appendonly yes --appendfsync everysec --save "" \
  --dir "$WORK" > "$WORK/redis.log" 2>&1 & PIDS+=($!)
"$ROOT/thinkloop" --help > /dev/null   # builds first when sources changed: the replicas below must not race to build
for port in "$R1" "$R2"; do
  THINKLOOP_DATA_DIR="$WORK/replica-$port" THINKLOOP_SESSIONS_REPLICA_ID="replica-$port" \
    "$ROOT/thinkloop" serve --port "$port" > "$WORK/replica-$port.log" 2>&1 & PIDS+=($!)
done
sed -e "s/FRONT_PORT/$FRONT_PORT/" -e "s/R1_PORT/$R1/" -e "s/R2_PORT/$R2/" "$ROOT/deploy/local/haproxy.cfg" > "$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" > "$WORK/haproxy.log" 2>&1 & PIDS+=($!)
for port in "$R1" "$R2"; do
  for _ in $(seq 1 180); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/q/health/ready")" = 200 ] && break; sleep 1
  done
done
echo "replicas on $R1 and $R2 (logs in $WORK), Redis on $REDIS_PORT, haproxy on $FRONT_PORT; API key in \$THINKLOOP_API_KEY or: $KEY"
[ "$CHECK" = 1 ] || { echo "Ctrl-C stops everything"; wait; exit 0; }

api() { curl -s -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "$@"; }
api -X POST "http://127.0.0.1:$FRONT_PORT/v1/sessions" -d '{"id":"moving"}' > /dev/null
code=$(api -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$R1/v1/sessions/moving/messages" -d '{"content":"hello"}')
echo "turn started on replica $R1: HTTP $code"
for _ in $(seq 1 60); do
  n=$(api "http://127.0.0.1:$R2/v1/sessions/moving/transcript" | grep -o '"role"' | wc -l)
  [ "$n" -ge 2 ] && break; sleep 0.5
done
echo "replica $R2 reads the transcript: $n messages"
code2=$(api -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$R2/v1/sessions/moving/messages" -d '{"content":"again"}')
for _ in $(seq 1 60); do
  n2=$(api "http://127.0.0.1:$R1/v1/sessions/moving/transcript" | grep -o '"role"' | wc -l)
  [ "$n2" -ge 4 ] && break; sleep 0.5
done
echo "second turn on replica $R2 (HTTP $code2); replica $R1 reads $n2 messages"
[ "$code" = 202 ] && [ "$n" -ge 2 ] && [ "$code2" = 202 ] && [ "$n2" -ge 4 ] && echo "check passed" || { echo "check FAILED (logs in $WORK)"; exit 1; }
