#!/usr/bin/env bash
# Runs the build, the unit tests and the end-to-end test against the newest versions that
# package.json's ranges allow, as a user gets them from `npm install` without our lock file.
# A release within a range that breaks the exporter then shows here, not first at a user's.
#
# Works in a scratch copy of the working tree (a temporary directory outside it, removed at
# the end): package-lock.json is left out, `npm install --no-package-lock` resolves every range
# afresh, and the dependency names are read from package.json, never listed here.
#
# Exit status: 0 when everything passes, or when the npm registry cannot be reached: that is
# said on a line of its own ("latest-deps: SKIPPED: ...") and nothing else is skipped. Any
# other failure exits 1 with a line naming the step ("latest-deps: FAILED: <step> ...").
#
# Usage: bash scripts/latest-deps.sh [jest options for the unit tests, e.g. --maxWorkers=1]
# The tests' external tools and settings (TENSORPIX_PROMETHEUS_LTS_DIR, CI) come from the
# environment, as for `npm test`.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }

scratch="$(mktemp -d -t tensorpix-latest-deps.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

fail() {
  echo "latest-deps: FAILED: $* (after $(elapsed))" >&2
  exit 1
}
skip() {
  echo "latest-deps: SKIPPED: $* (after $(elapsed))"
  exit 0
}
# step runs a command in the scratch copy, its output kept in a log that is printed if it fails.
step() {
  local name="$1"
  shift
  local log="$scratch/.log-${name// /-}"
  local at
  at=$(date +%s)
  echo "latest-deps: $name: $*"
  if ! (cd "$scratch/app" && "$@") >"$log" 2>&1; then
    # jest's failed suites and tests, then the end; the whole log outlives the scratch copy.
    grep -E '^(FAIL |  ● )' "$log" >&2
    tail -n 40 "$log" >&2
    local kept
    kept="$(mktemp -t tensorpix-latest-deps-log.XXXXXX)"
    cp "$log" "$kept"
    fail "$name ($*); its whole output: $kept"
  fi
  echo "latest-deps: $name passed in $(($(date +%s) - at)) s"
}

# The files git would commit (tracked, and new ones not ignored), without the lock file; out
# of a git checkout (this script's own test runs inside such a copy), all but what is built
# or installed.
mkdir "$scratch/app"
if [ "$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null)" = "$REPO" ]; then
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
    grep -zv '^package-lock\.json$' |
    tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$scratch/app"
else
  tar -C "$REPO" --exclude=./node_modules --exclude=./dist --exclude=./.tools --exclude=./coverage \
    --exclude=./package-lock.json -cf - . | tar -xf - -C "$scratch/app"
fi
[ -f "$scratch/app/package.json" ] || fail "copying the working tree into $scratch/app"

# The registry npm is configured with: unreachable is the one reason to skip.
registry="$(cd "$scratch/app" && npm config get registry)"
reachable=no
for attempt in 1 2 3; do
  if (cd "$scratch/app" && npm ping --fetch-retries=0 --fetch-timeout=30000) >"$scratch/.ping" 2>&1; then
    reachable=yes
    break
  fi
  [ "$attempt" = 3 ] || sleep 5
done
[ "$reachable" = yes ] ||
  skip "the npm registry ($registry) cannot be reached ($(grep -m1 -o 'E[A-Z0-9_]*' "$scratch/.ping" || echo 'npm ping failed')): the newest dependency versions were not tried"

# --prefer-online revalidates every cached package document, so the newest release is seen.
# The registry now and then drops a connection: a network error is tried again, and one that
# lasts means it cannot be reached after all.
network='E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH|SOCKETTIMEOUT)'
for attempt in 1 2 3; do
  echo "latest-deps: install: npm install --no-package-lock (attempt $attempt)"
  if (cd "$scratch/app" && npm install --no-package-lock --prefer-online --no-audit --no-fund --fetch-retries=4) \
    >"$scratch/.install" 2>&1; then
    break
  fi
  if ! grep -Eq "$network" "$scratch/.install"; then
    tail -n 40 "$scratch/.install" >&2
    fail "install (npm install --no-package-lock)"
  fi
  [ "$attempt" = 3 ] && skip "the npm registry ($registry) stopped answering during the install ($(grep -Eom1 "$network" "$scratch/.install")): the newest dependency versions were not tried"
  sleep 10
done

# What differs from the lock file: the versions this run is about.
(cd "$scratch/app" && node -e '
  const { existsSync, readFileSync } = require("node:fs");
  const pkg = require("./package.json");
  const lock = existsSync(process.argv[1]) ? JSON.parse(readFileSync(process.argv[1], "utf8")) : {};
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).sort();
  let newer = 0;
  for (const name of names) {
    const locked = lock.packages?.[`node_modules/${name}`]?.version ?? "(not locked)";
    const installed = require(`./node_modules/${name}/package.json`).version;
    if (locked !== installed) newer++;
    console.log(`latest-deps:   ${name} ${locked === installed ? installed : `${locked} -> ${installed}`}`);
  }
  console.log(`latest-deps: ${names.length} direct dependencies, ${newer} newer than package-lock.json`);
' "$REPO/package-lock.json") || fail "reading the installed versions"

step build npm run build
# `npm test --ignore-scripts` runs the test script (jest, started with node --expose-gc) without
# its pretest build again.
step "unit tests" npm test --ignore-scripts -- "$@"
step e2e npx jest --config jest.e2e.config.js

echo "latest-deps: PASSED: build, unit tests and e2e against the newest versions package.json allows ($(elapsed))"
