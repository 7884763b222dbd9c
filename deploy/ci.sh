#!/usr/bin/env bash
# The deployment checks, for CI (the lead's .ci/run calls this) or by hand, from the repository root:
#   deploy/ci.sh [--aot]
# 1. installs what the checks need from Debian if missing (podman, buildah, runc; needs root), quietly;
# 2. builds the JVM image FROM SCRATCH (deploy/container/build.sh; by default without the AOT variant and its
#    start-up measurement, which take minutes: --aot adds them);
# 3. runs the image's smoke test (deploy/container/smoke.sh);
# 4. renders every Kubernetes overlay and validates it offline (deploy/kubernetes/render.sh);
# 5. runs the single-node render with `podman kube play` and smoke-tests it (deploy/kubernetes/kube-play-smoke.sh).
# Expects the fast-jar in target/quarkus-app (built if missing). Prints each check and ends with
# "N passed, M failed"; exit status 0 only when all passed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
AOT_ARGS=(--no-aot --no-measure)
[ "${1:-}" = --aot ] && AOT_ARGS=()
start=$SECONDS
passed=0 failed=0
log=$ROOT/target/deploy-ci
mkdir -p "$log"

# run NAME LOGFILE COMMAND...: a step whose own "N passed, M failed" line (if any) is added to the totals.
run() {
  local name=$1 out=$log/$2.log t0=$SECONDS
  shift 2
  echo "== $name"
  "$@" > "$out" 2>&1
  local rc=$?
  grep -E '^(ok|FAIL) ' "$out" | sed 's/^/   /'
  local tally
  tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
  if [ -n "$tally" ]; then
    passed=$((passed + ${tally%% passed*}))
    local f=${tally#*, }; failed=$((failed + ${f%% failed}))
  elif [ $rc = 0 ]; then
    passed=$((passed + 1))
  fi
  if [ $rc != 0 ]; then
    [ -z "$tally" ] && failed=$((failed + 1))
    echo "   FAILED (exit $rc) after $((SECONDS - t0)) s; last lines of $out:"
    tail -25 "$out" | sed 's/^/   | /'
    return 1
  fi
  echo "   done in $((SECONDS - t0)) s"
}

install_tools() {
  local missing=()
  for t in podman buildah runc; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
  [ ${#missing[@]} = 0 ] && { echo "ok   podman, buildah, runc, node present"; return 0; }
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    && echo "ok   installed ${missing[*]}"
}

image_built() {
  deploy/container/build.sh "${AOT_ARGS[@]}" && podman image exists localhost/thinkloop:jvm \
    && echo "ok   image localhost/thinkloop:jvm built ($(podman image inspect localhost/thinkloop:jvm --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}'))"
}

if ! command -v kubectl >/dev/null 2>&1 && ! command -v kustomize >/dev/null 2>&1; then
  echo "note: neither kubectl nor kustomize is installed (Debian 12 packages neither); render.sh needs one"
fi
run "tools from Debian" tools install_tools || true
run "JVM image (build.sh ${AOT_ARGS[*]})" build image_built && {
  run "image smoke test (smoke.sh)" smoke deploy/container/smoke.sh localhost/thinkloop:jvm
  [ "${#AOT_ARGS[@]}" = 0 ] && run "AOT image smoke test" smoke-aot deploy/container/smoke.sh localhost/thinkloop:jvm-aot
}
run "Kubernetes overlays: render and validate offline" render deploy/kubernetes/render.sh
run "podman kube play of the single-node render" kube-play deploy/kubernetes/kube-play-smoke.sh
echo "deploy/ci.sh took $((SECONDS - start)) s (logs: target/deploy-ci/)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
