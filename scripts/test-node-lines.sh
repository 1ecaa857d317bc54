#!/usr/bin/env bash
# Runs the whole suite — `npm test` (unit, process, abuse matrix, the week test) and
# `npm run test:e2e` — on each Node.js line named, one line after the other, and prints each
# line's totals and time, then the total time. A failure names its line; the script exits 1
# if any line failed.
#
#   bash scripts/test-node-lines.sh [LINE...]    # default: machine 22 24 26
#
# A line is a major version whose binary scripts/fetch-node-lines.sh unpacked into
# .tools/node-lines/<major>/bin (or the folder TENSORPIX_NODE_LINES_DIR names), or `machine`
# for the node already on PATH. Each line's bin folder goes first on PATH, so npm, jest,
# ts-jest and every process the tests spawn (they use process.execPath) run on that line.
# A missing line is skipped with how to get it; with CI set, it fails.
#
# Both commands build dist/ first (npm test's pretest, test:e2e's own `npm run build`), with
# the line's tsc: some 10 s each. They are not run with --ignore-scripts to skip that, since
# npm hands the setting on (npm_config_ignore_scripts) to the npm the tests themselves run.
#
# The lines run in sequence, not in parallel: the suite's own jest workers already share the
# machine's cores, and the process tests (timeouts, the abuse matrix's latency bound, start-up
# and shutdown limits) measure time, which a second suite on the same cores would stretch.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES_DIR=${TENSORPIX_NODE_LINES_DIR:-$PWD/.tools/node-lines}
[ "$#" -gt 0 ] || set -- machine 22 24 26

logs=$(mktemp -d "${TMPDIR:-/tmp}/tensorpix-node-lines.XXXXXX")
trap 'rm -rf "$logs"' EXIT
now() { date +%s; }
started=$(now)
summary=()
failed=()
# totals prints the Test Suites and Tests lines of a jest log, indented.
totals() { grep -E '^(Test Suites|Tests):' "$1" | sed 's/^/    /' || echo "    (no totals: jest did not finish)"; }

for line in "$@"; do
  if [ "$line" = machine ]; then
    path=$PATH
  else
    bin=$LINES_DIR/$line/bin
    if [ ! -x "$bin/node" ]; then
      why="Node $line is missing from $bin (bash scripts/fetch-node-lines.sh fetches it)"
      if [ -n "${CI:-}" ]; then
        echo "FAIL: $why" >&2
        failed+=("node $line (missing)")
        summary+=("node $line: FAILED, not fetched")
      else
        echo "SKIP: $why" >&2
        summary+=("node $line: skipped, not fetched")
      fi
      continue
    fi
    path=$bin:$PATH
  fi
  version=$(PATH=$path node --version)
  name="node $line ($version)"
  [ "$line" = machine ] && name="node $version (the machine's)"
  echo "=== $name: npm test, npm run test:e2e"
  t=$(now)
  log=$logs/$line.log
  ok=true
  # jest prints its progress and totals to stderr; the log keeps a copy to pick the totals from.
  PATH=$path npm test 2>&1 | tee "$log" || ok=false
  PATH=$path npm run test:e2e 2>&1 | tee "$log.e2e" || ok=false
  seconds=$(($(now) - t))
  result=passed
  if [ "$ok" = false ]; then
    result=FAILED
    failed+=("$name")
  fi
  summary+=("$name: $result in $((seconds / 60)) min $((seconds % 60)) s" "  npm test:" "$(totals "$log")"
    "  npm run test:e2e:" "$(totals "$log.e2e")")
  echo "=== $name: $result in ${seconds} s"
done

total=$(($(now) - started))
echo
echo "=== Node lines: totals"
printf '%s\n' "${summary[@]}"
echo "total time: $((total / 60)) min $((total % 60)) s"
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'FAIL: %s\n' "${failed[@]}"
  exit 1
fi
