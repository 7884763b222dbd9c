#!/usr/bin/env bash
# Builds the Thinkloop JVM image FROM SCRATCH with buildah: nothing is pulled from an image registry.
#
#   deploy/container/build.sh [--no-aot] [--no-measure]
#
# The image holds: a jlink'd JDK 25 runtime with the modules jdeps finds in the Quarkus fast-jar (minus the
# build-time-only ones named below), the host's glibc and dynamic loader, the fast-jar, a health probe class,
# /etc/passwd with the non-root user 10001, and the data volume /data. Then (unless --no-aot) a second image
# thinkloop:jvm-aot adds a JDK 25 AOT cache (Leyden, JEP 483/515) recorded by a training run of the first image,
# and both are started side by side to print their start-up times. Files are stamped with time 0 and the
# image with --timestamp 0, so the same inputs give the same image id (the AOT cache itself is not bit-for-bit
# reproducible: it holds a heap snapshot).
#
# Env: JDK (default /usr/lib/jvm/temurin-25-jdk-amd64), IMAGE (default localhost/thinkloop).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JDK=${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
IMAGE=${IMAGE:-localhost/thinkloop}
APP=$ROOT/target/quarkus-app
STAGE=$ROOT/target/container
AOT=1
MEASURE=1
for a in "$@"; do
  case "$a" in
    --no-aot) AOT=0 ;;
    --no-measure) MEASURE=0 ;;
    *) echo "usage: $0 [--no-aot] [--no-measure]" >&2; exit 2 ;;
  esac
done
source "$HERE/lib.sh"

# Modules jdeps reports that the service never loads at run time, so they stay out of the runtime:
#   jdk.compiler  - only vertx-codegen's annotation processor (io.vertx.codegen.type) references javac
#   java.desktop  - java.beans in Jackson's optional Java7 support, snakeyaml's bean introspector and
#                   micrometer's logback binder; none is on the service's paths (Jackson guards its use),
#                   and it would add 15 MB plus X11/ALSA libraries. smoke.sh checks /q/openapi (snakeyaml).
#   java.rmi      - jakarta.transaction signatures; no transactions here
EXCLUDED_MODULES="jdk.compiler java.desktop java.rmi"
# Modules used through ServiceLoader or reflection, which jdeps cannot see:
#   jdk.zipfs     - the "jar:" file system provider; SmallRye's ClassPathUtils needs it at start-up
#                   (without it: "Unable to find provider supporting jar scheme")
ADDED_MODULES="jdk.incubator.vector jdk.zipfs"

[ -x "$JDK/bin/jlink" ] || { echo "no JDK 25 at $JDK (set JDK=...)" >&2; exit 1; }
if [ ! -f "$APP/quarkus-run.jar" ] || [ -n "$(find "$ROOT/src/main" "$ROOT/mcp-tools" "$ROOT/pom.xml" -newer "$APP/quarkus-run.jar" -print -quit)" ]; then
  step "packaging the service (mvn package -DskipTests)"
  "$ROOT/thinkloop" build -q >/dev/null
fi
mkdir -p "$STAGE"

# 1. Modules: jdeps over every class of the fast-jar, unpacked (modular jars name modules jdeps cannot
# resolve from a class path), multi-release overlays up to 25 applied. Cached by the jars' names and sizes.
key=$( (cd "$APP" && find . -name '*.jar' -printf '%p %s\n' | sort; "$JDK/bin/java" -version 2>&1) | sha256sum | cut -c1-16)
if [ "$(cat "$STAGE/modules.key" 2>/dev/null)" != "$key" ]; then
  step "jdeps: modules the service uses"
  rm -rf "$STAGE/classes" "$STAGE/versions"; mkdir -p "$STAGE/classes" "$STAGE/versions"
  for j in "$APP"/quarkus-run.jar "$APP"/app/*.jar "$APP"/quarkus/*.jar "$APP"/lib/boot/*.jar "$APP"/lib/main/*.jar; do
    unzip -qo "$j" '*.class' -x 'module-info.class' 'META-INF/*' -d "$STAGE/classes" 2>/dev/null || true
    unzip -qo "$j" 'META-INF/versions/*' -x '*module-info.class' -d "$STAGE/versions" 2>/dev/null || true
  done
  for v in $(ls "$STAGE/versions/META-INF/versions" 2>/dev/null | sort -n); do
    if [ "$v" -le 25 ]; then cp -r "$STAGE/versions/META-INF/versions/$v/." "$STAGE/classes/"; fi
  done
  "$JDK/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps -q "$STAGE/classes" > "$STAGE/jdeps.modules"
  rm -rf "$STAGE/classes" "$STAGE/versions"
  echo "$key" > "$STAGE/modules.key"
fi
modules=$(tr ',' '\n' < "$STAGE/jdeps.modules" | grep -vxF -f <(tr ' ' '\n' <<<"$EXCLUDED_MODULES") | paste -sd, -)
for m in $ADDED_MODULES; do grep -qw "$m" <<<"$modules" || modules="$modules,$m"; done
echo "jdeps found:  $(cat "$STAGE/jdeps.modules")"
echo "linked:       $modules   (left out: $EXCLUDED_MODULES; added: $ADDED_MODULES)"

# 2. The runtime: jlink, cached by module list and JDK version.
jkey=$(echo "$modules $("$JDK/bin/java" -version 2>&1)" | sha256sum | cut -c1-16)
if [ "$(cat "$STAGE/jre.key" 2>/dev/null)" != "$jkey" ]; then
  step "jlink"
  rm -rf "$STAGE/jre"
  "$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$STAGE/jre" 2>&1 | { grep -v 'incubator modules' || true; }
  echo "$jkey" > "$STAGE/jre.key"
fi

# 3. The root file system.
step "assembling the root file system"
R=$STAGE/rootfs
W=$STAGE/writable
rm -rf "$R" "$W"
mkdir -p "$R/opt" "$R/etc" "$R/app" "$R/opt/probe" "$W/data"
cp -a "$STAGE/jre" "$R/opt/java"
cp -a "$APP/." "$R/app/"
# The host's glibc and loader, and what the JVM's libraries link against (ldd), plus libgcc_s, which glibc
# loads itself for thread cancellation.
libs=$(ldd "$R/opt/java/bin/java" "$R"/opt/java/lib/*.so "$R/opt/java/lib/server/libjvm.so" 2>/dev/null \
  | grep -o '/[^ ]*' | grep -v "^$R" | sort -u)
libgcc=$(ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ {print $NF; exit}')
for l in $libs $libgcc; do
  mkdir -p "$R$(dirname "$l")"
  cp -L "$l" "$R$l"
done
# Users: root and the service's user; name service from files (hosts: also DNS).
printf 'root:x:0:0:root:/root:/sbin/nologin\nthinkloop:x:10001:10001:thinkloop:/data:/sbin/nologin\n' > "$R/etc/passwd"
printf 'root:x:0:\nthinkloop:x:10001:\n' > "$R/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$R/etc/nsswitch.conf"
mkdir -p "$R/tmp" && chmod 1777 "$R/tmp"
"$JDK/bin/javac" --release 25 -d "$R/opt/probe" "$HERE/probe/HealthProbe.java"
chmod 0750 "$W/data"
find "$R" "$W" -exec touch -h -d @0 {} +

# 4. The image.
step "buildah: $IMAGE:jvm"
buildah bud -q --format docker --timestamp 0 --layers=false -f "$HERE/Containerfile.jvm" -t "$IMAGE:jvm" "$STAGE" >/dev/null
echo "image $IMAGE:jvm  id $(podman image inspect "$IMAGE:jvm" --format '{{.Id}}' | cut -c1-12)  size $(image_size "$IMAGE:jvm")"

if [ "$AOT" = 1 ]; then
  # 5. AOT cache: a training run of the image records the classes it loads and links, the methods it profiles
  # and compiles (JDK 25: -XX:AOTCacheOutput does record + create in one run, at JVM exit). Training load:
  # start-up to readiness, a few authenticated API calls and a session, then SIGTERM.
  step "AOT training run"
  rm -rf "$STAGE/aot"; mkdir -p "$STAGE/aot"; chmod 0777 "$STAGE/aot"
  name=thinkloop-aot-train-$$
  port=$(free_port)
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman run -d --name "$name" --no-healthcheck -p "127.0.0.1:$port:8080" -e THINKLOOP_API_KEY=training \
    -v "$STAGE/aot:/aot" --entrypoint '["/opt/java/bin/java"]' "$IMAGE:jvm" \
    $(java_opts) -XX:AOTCacheOutput=/aot/app.aot -jar /app/quarkus-run.jar serve >/dev/null
  if ! wait_ready "$port" 300; then podman logs "$name" | tail -30; podman rm -f "$name" >/dev/null; exit 1; fi
  for p in /q/health /v1/engine /v1/tools /v1/sessions /q/metrics /q/openapi; do
    curl -s -o /dev/null -H 'Authorization: Bearer training' "http://127.0.0.1:$port$p" || true
  done
  # One agent turn on the embedded default model, so the engine's code is in the training profile too.
  sid=$(curl -s -H 'Authorization: Bearer training' -H 'Content-Type: application/json' -d '{}' \
    "http://127.0.0.1:$port/v1/sessions" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
  if [ -n "$sid" ]; then
    curl -s -o /dev/null -H 'Authorization: Bearer training' -H 'Content-Type: application/json' \
      -d '{"content":"Plan a day in Lisbon."}' "http://127.0.0.1:$port/v1/sessions/$sid/messages" || true
    for _ in $(seq 300); do
      curl -s -H 'Authorization: Bearer training' "http://127.0.0.1:$port/v1/sessions/$sid" \
        | grep -q '"activeTurnId" *: *"' || break
      sleep 0.2
    done
  fi
  podman stop -t 120 "$name" >/dev/null
  podman rm "$name" >/dev/null
  [ -s "$STAGE/aot/app.aot" ] || { echo "training run wrote no AOT cache" >&2; exit 1; }
  echo "AOT cache: $(du -h "$STAGE/aot/app.aot" | cut -f1)"
  step "buildah: $IMAGE:jvm-aot"
  buildah bud -q --format docker --timestamp 0 --layers=false --build-arg "BASE=$IMAGE:jvm" \
    -f "$HERE/Containerfile.aot" -t "$IMAGE:jvm-aot" "$STAGE" >/dev/null
  echo "image $IMAGE:jvm-aot  size $(image_size "$IMAGE:jvm-aot")"
fi

if [ "$MEASURE" = 1 ]; then
  step "start-up, side by side (3 starts each, fresh data volume per start)"
  variants="jvm"; [ "$AOT" = 1 ] && variants="jvm jvm-aot"
  printf '%-10s %8s %10s %12s\n' image size "http up s" "ready s"
  for v in $variants; do
    measure_startup "$IMAGE:$v" 3
  done
fi
