#!/usr/bin/env bash
# Builds the real Dockerfile and runs the image, on a CI machine without a Docker daemon and
# without bridge networking: buildah builds, podman runs, both as root on vfs storage in a
# private temporary directory, and every container uses the host's network.
#
# The base image is made (FROM scratch) from the node binary of the line the Dockerfile's
# default base names (node:26-...), as scripts/fetch-node-lines.sh unpacked it into
# .tools/node-lines, and this machine's npm, so the test pulls no image; the Dockerfile gets
# it through --build-arg NODE_IMAGE. Without that binary it falls back to the machine's own
# node, saying so (with CI set, it fails instead). npm inside the
# build reaches the registry as this machine's npm does: same registry (npm config get
# registry), same proxy variables, same extra CA certificates.
#
# Checks: the exporter runs as a non-root uid; --demo serves the balance on /metrics; the
# image's HEALTHCHECK exits 0; `podman stop` ends it by SIGTERM (exit code 0) in under 3 s;
# the image holds no dev dependency and no TypeScript source; it runs on a read-only root
# filesystem; its Node.js is on a line CI runs the suite on (scripts/fetch-node-lines.sh). Prints PASS/FAIL lines and exits 1 if any check fails.
#
# Usage (root, from anywhere): bash scripts/container-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=localhost/tensorpix-node-base:test
IMAGE=localhost/tensorpix-exporter:test
CONTAINER=tensorpix-exporter-test-$$
STOP_LIMIT_MS=3000

started=$(date +%s%N)
failures=0
pass() { echo "PASS: $*"; }
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
elapsed() { echo "$(( ($(date +%s%N) - $1) / 1000000 ))"; }
step() { echo "--- $* ($(elapsed "$started") ms since start)"; }

if [ "$(id -u)" != 0 ]; then
  echo "FAIL: run as root (buildah and podman use rootful vfs storage here)" >&2
  exit 1
fi

step "installing buildah, podman, runc"
missing=()
for tool in buildah podman runc curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/tensorpix-container-test.XXXXXX)
cleanup() {
  set +e
  # Only ever in the private storage below: `buildah rm -a` elsewhere would remove other
  # people's working containers.
  if [ "${CONTAINERS_STORAGE_CONF:-}" = "$work/storage.conf" ]; then
    podman rm -f -t 0 "$CONTAINER" >/dev/null 2>&1
    podman image unmount -a >/dev/null 2>&1
    buildah rm -a >/dev/null 2>&1
    podman rmi -f "$IMAGE" "$BASE_IMAGE" >/dev/null 2>&1
  fi
  # Anything the runtime left mounted under the private storage must go before rm -rf.
  grep -o " ${work}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "FAIL: unexpected error (exit status $?) at line $LINENO of $0"' ERR

# Private storage and engine settings: the test neither sees nor touches other images or
# containers on the machine, and leaves nothing behind.
cat >"$work/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$work/run"
graphroot = "$work/storage"
EOF
# Containers get nofile=65536 unless this machine's hard limit is lower: a process cannot
# raise its hard limit without CAP_SYS_RESOURCE, which a sandboxed CI root may lack.
nofile=$(ulimit -Hn)
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ]; then nofile=65536; fi
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/events.log"
tmp_dir = "$work/libpod-tmp"
EOF
export CONTAINERS_STORAGE_CONF=$work/storage.conf
export CONTAINERS_CONF=$work/containers.conf
podman() { command podman --storage-driver vfs --runtime runc --cgroup-manager cgroupfs "$@"; }
buildah() { command buildah --storage-driver vfs "$@"; }

# The line of the Dockerfile's default base image, and the lines CI runs the suite on: those
# scripts/fetch-node-lines.sh fetches and the machine's own.
image_line=$(sed -nE 's/^ARG NODE_IMAGE=node:([0-9]+)-.*/\1/p' Dockerfile)
read -r -a tested_lines <<<"$(sed -nE 's/^NODE_LINES=\(([0-9 ]+)\)$/\1/p' scripts/fetch-node-lines.sh)"
tested_lines+=("$(node -p 'process.versions.node.split(".")[0]')")
node_bin=${TENSORPIX_NODE_LINES_DIR:-$PWD/.tools/node-lines}/$image_line/bin/node
if [ ! -x "$node_bin" ]; then
  why="no Node $image_line binary at $node_bin (bash scripts/fetch-node-lines.sh fetches it)"
  if [ -n "${CI:-}" ]; then
    echo "FAIL: $why" >&2
    exit 1
  fi
  node_bin=$(readlink -f "$(command -v node)")
  echo "WARNING: $why; the base image is made from this machine's node instead"
fi

step "building $BASE_IMAGE from $node_bin ($("$node_bin" --version)) and npm $(npm --version)"
t=$(date +%s%N)
rootfs=$work/rootfs
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$rootfs"/{bin,etc,root,tmp,usr/bin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
cp "$node_bin" "$rootfs/usr/local/bin/node"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
# npm runs package scripts (npm run build) with /bin/sh, and its bin files start with
# #!/usr/bin/env node. The runtime stage uses neither.
cp "$(readlink -f /bin/sh)" "$rootfs/bin/sh"
cp "$(readlink -f /usr/bin/env)" "$rootfs/usr/bin/env"
for binary in "$node_bin" /bin/sh /usr/bin/env; do
  ldd "$binary" | grep -o '/[^ ]*' | while read -r lib; do
    [ -e "$rootfs$lib" ] || cp -L --parents "$lib" "$rootfs"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
# The CA certificates this machine's npm and node trust (a TLS-inspecting proxy's CA, for
# one) go into the base image; Node adds NODE_EXTRA_CA_CERTS to its own roots.
ca_bundle=$rootfs/etc/ssl/certs/ca-certificates.crt
: >"$ca_bundle"
for ca in "$(npm config get cafile)" "${NODE_EXTRA_CA_CERTS:-}"; do
  if [ -n "$ca" ] && [ "$ca" != null ] && [ -f "$ca" ]; then cat "$ca" >>"$ca_bundle"; fi
done
ctr=$(buildah from scratch)
buildah copy --quiet "$ctr" "$rootfs" / >/dev/null
buildah config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  --cmd node "$ctr"
buildah commit --quiet --format docker "$ctr" "$BASE_IMAGE" >/dev/null
buildah rm "$ctr" >/dev/null
echo "base image built in $(elapsed "$t") ms"

step "building $IMAGE from ./Dockerfile"
t=$(date +%s%N)
version=$(node -p 'require("./package.json").version')
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
build_args=(
  --build-arg "NODE_IMAGE=$BASE_IMAGE"
  --build-arg "VERSION=$version"
  --build-arg "REVISION=$revision"
)
registry=$(npm config get registry)
if [ -n "$registry" ]; then build_args+=(--build-arg "NPM_CONFIG_REGISTRY=$registry"); fi
# Proxy variables are predefined build arguments; npm reads them like the host's npm does.
for var in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
  if [ -n "${!var:-}" ]; then build_args+=(--build-arg "$var=${!var}"); fi
done
# --format docker: the OCI image format has no HEALTHCHECK.
buildah bud --pull=never --isolation chroot --network host --format docker \
  "${build_args[@]}" -t "$IMAGE" . >"$work/build.log" 2>&1 || {
  tail -40 "$work/build.log"
  echo "FAIL: buildah bud (log above)"
  exit 1
}
echo "image built in $(elapsed "$t") ms"

step "inspecting the image"
mnt=$(podman image mount "$IMAGE")
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
app_size=$(du -sk "$mnt/app" | cut -f1)
echo "image size: $((size / 1024 / 1024)) MiB in all; /app (dist, node_modules, package.json): $((app_size / 1024)) MiB"
echo "  (the base here holds an unstripped node, $(($(stat -c %s "$node_bin") / 1024 / 1024)) MiB)"

if [ -e "$mnt/app/src" ]; then fail "image holds /app/src"; else pass "no /app/src in the image"; fi
# Our sources only: some packages ship their own type tests as .ts inside node_modules.
ts_files=$(find "$mnt/app" -path "$mnt/app/node_modules" -prune -o -name '*.ts' ! -name '*.d.ts' -print | head -5)
if [ -n "$ts_files" ]; then
  fail "TypeScript sources in the image: ${ts_files//$mnt/}"
else
  pass "no TypeScript sources in /app outside node_modules"
fi
# Every package the lockfile marks dev-only must be missing from the image.
dev_in_image=$(node -e '
  const { existsSync } = require("node:fs");
  const lock = require(process.argv[1] + "/package-lock.json");
  const found = Object.entries(lock.packages)
    .filter(([path, entry]) => path && entry.dev && existsSync(process.argv[2] + "/" + path));
  console.log(found.map(([path]) => path).join(" "));
' "$PWD" "$mnt/app")
if [ -n "$dev_in_image" ]; then
  fail "dev dependencies in the image: ${dev_in_image:0:300}"
else
  pass "no dev dependencies in /app/node_modules (none of $(node -p 'Object.keys(require("./package.json").devDependencies).length') devDependencies, e.g. typescript, jest, ts-jest, eslint)"
fi
podman image unmount "$IMAGE" >/dev/null

config=$(podman image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{json .Config.Healthcheck.Test}}' "$IMAGE")
echo "image config: user|entrypoint|cmd|healthcheck = $config"
IFS='|' read -r user entrypoint cmd healthcheck <<<"$config"
if [ "$user" = 10001:10001 ]; then pass "image USER is $user"; else fail "image USER is '$user', want 10001:10001"; fi
if [ "$entrypoint" = '["node","--max-semi-space-size=2","--heap-growing-percent=20","/app/dist/main.js"]' ]; then
  pass "ENTRYPOINT $entrypoint"
else
  fail "ENTRYPOINT is $entrypoint"
fi
case "$cmd" in null | '[]') pass "CMD is empty (no --demo by default)" ;; *) fail "CMD is $cmd, want empty" ;; esac
case "$healthcheck" in *healthcheck.js*) pass "HEALTHCHECK $healthcheck" ;; *) fail "no HEALTHCHECK: $healthcheck" ;; esac
labels=$(podman image inspect --format '{{json .Labels}}' "$IMAGE")
for label in source version licenses title description revision; do
  if ! grep -q "\"org.opencontainers.image.$label\"" <<<"$labels"; then fail "label org.opencontainers.image.$label missing"; fi
done
if grep -q '"org.opencontainers.image.licenses":"Apache-2.0"' <<<"$labels"; then
  pass "OCI labels present: $labels"
else
  fail "licence label is not Apache-2.0: $labels"
fi

image_node=$(podman run --rm --pull=never --network host --no-healthcheck --entrypoint node "$IMAGE" --version)
if [[ " ${tested_lines[*]} " == *" $(sed -E 's/^v([0-9]+)\..*/\1/' <<<"$image_node") "* ]]; then
  pass "the image runs Node.js $image_node, a line CI tests (${tested_lines[*]})"
else
  fail "the image runs Node.js $image_node, not a line CI tests (${tested_lines[*]})"
fi

step "running $IMAGE --demo"
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
# Podman runs periodic health checks from systemd timers; there may be no systemd here.
# `podman healthcheck run` below runs the image's HEALTHCHECK all the same.
export DISABLE_HC_SYSTEMD=true
podman run -d --name "$CONTAINER" --pull=never --network host --read-only \
  --cap-drop=ALL --security-opt no-new-privileges \
  "$IMAGE" --demo "--web.listen-address=127.0.0.1:$port" >/dev/null
t=$(date +%s%N)
until curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null; do
  if [ "$(elapsed "$t")" -gt 20000 ] || [ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER")" != true ]; then
    podman logs "$CONTAINER" 2>&1 | tail -20
    echo "FAIL: the exporter did not become ready on 127.0.0.1:$port"
    exit 1
  fi
  sleep 0.2
done
pass "ready on 127.0.0.1:$port after $(elapsed "$t") ms (read-only root filesystem, all capabilities dropped)"

pid=$(podman inspect --format '{{.State.Pid}}' "$CONTAINER")
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
echo "exporter process $pid: real/effective/saved/fs uid = $uids"
if [ "$uids" = "10001 10001 10001 10001" ]; then pass "runs as uid 10001, not root"; else fail "runs as uid $uids"; fi

metrics=$(curl -fsS "http://127.0.0.1:$port/metrics" || true)
if balance=$(grep '^tensorpix_credits_balance_usd{account="demo"}' <<<"$metrics"); then
  pass "/metrics serves $balance"
else
  fail "/metrics has no tensorpix_credits_balance_usd{account=\"demo\"}"
fi

build_info=$(grep '^tensorpix_exporter_build_info' <<<"$metrics" || true)
if grep -q "version=\"$version\",revision=\"$revision\"" <<<"$build_info"; then
  pass "$build_info"
else
  fail "build info does not carry version $version and revision $revision: $build_info"
fi

if podman healthcheck run "$CONTAINER"; then
  pass "the image's HEALTHCHECK (node /app/scripts/healthcheck.js) exits 0"
else
  fail "the image's HEALTHCHECK failed"
fi

t=$(date +%s%N)
podman stop -t 10 "$CONTAINER" >/dev/null
stop_ms=$(elapsed "$t")
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")
echo "podman stop took $stop_ms ms; exit code $exit_code"
if [ "$stop_ms" -lt "$STOP_LIMIT_MS" ] && [ "$exit_code" = 0 ]; then
  pass "SIGTERM stops it in $stop_ms ms with exit code 0"
else
  fail "stop took $stop_ms ms (limit $STOP_LIMIT_MS) with exit code $exit_code (137 = SIGKILL)"
fi
if grep -q '"signal":"SIGTERM"' <(podman logs "$CONTAINER" 2>&1); then
  pass "the exporter logged its SIGTERM shutdown"
else
  fail "no shutdown line in the logs"
fi

step "done"
echo "container test took $(elapsed "$started") ms"
if [ "$failures" -gt 0 ]; then
  echo "FAIL: $failures check(s) failed"
  exit 1
fi
echo "PASS: container image"
