# Shared by build.sh, smoke.sh and ../ci.sh (sourced, not run).

# Sandboxes like the one these scripts were verified in need runc and explicit ulimits (containers.conf says
# why); a host that has its own CONTAINERS_CONF, or no runc, keeps its settings.
if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null 2>&1; then
  export CONTAINERS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf"
fi

step() { echo "== $*"; }

# The JVM options of the image's entrypoint (Containerfile.jvm), for runs that replace the entrypoint.
java_opts() {
  echo "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
}

image_size() {
  podman image inspect "$1" --format '{{.Size}}' | awk '{printf "%.0f MB", $1 / 1000000}'
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_ready PORT SECONDS [PATH]: polls until PATH (default /q/health/ready) answers 200.
wait_ready() {
  local port=$1 limit=$2 path=${3:-/q/health/ready} deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")" = 200 ] && return 0
    sleep 0.1
  done
  echo "not ready on port $port after ${limit}s" >&2
  return 1
}

now_ms() { date +%s%3N; }

# measure_startup IMAGE N: N fresh starts (new container, new data volume); prints the median seconds from
# `podman run` to /q/health/live = 200 (HTTP up) and to /q/health/ready = 200 (default model generated and
# loaded), and what Quarkus itself logs as "started in".
measure_startup() {
  local image=$1 n=$2 ups=() readys=() quarkus=() i
  for i in $(seq "$n"); do
    local port name t0 t1 t2
    port=$(free_port); name=thinkloop-measure-$$-$i
    t0=$(now_ms)
    podman run -d --name "$name" --no-healthcheck -p "127.0.0.1:$port:8080" -e THINKLOOP_API_KEY=measure "$image" >/dev/null
    wait_ready "$port" 300 /q/health/live || { podman logs "$name" | tail -20; podman rm -f "$name" >/dev/null; return 1; }
    t1=$(now_ms)
    wait_ready "$port" 300 || { podman logs "$name" | tail -20; podman rm -f "$name" >/dev/null; return 1; }
    t2=$(now_ms)
    quarkus+=("$(podman logs "$name" 2>&1 | sed -n 's/.* started in \([0-9.]*\)s.*/\1/p' | sed -n 1p)")
    podman rm -f -t 20 "$name" >/dev/null
    ups+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1000}')")
    readys+=("$(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.2f", (b - a) / 1000}')")
  done
  printf '%-10s %8s %10s %12s   (runs: up %s; ready %s; Quarkus "started in" %s s)\n' "${image##*:}" \
    "$(image_size "$image")" "$(printf '%s\n' "${ups[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")" \
    "$(printf '%s\n' "${readys[@]}" | sort -n | sed -n "$(((n + 1) / 2))p")" \
    "${ups[*]}" "${readys[*]}" "${quarkus[*]}"
}
