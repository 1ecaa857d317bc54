#!/usr/bin/env bash
# Fetches the Prometheus LTS line (prometheus, promtool) and Alertmanager from Debian's sid
# suite into a folder of this repository, without installing anything: the tests run them
# beside Debian 12's Prometheus 2.42 and Alertmanager 0.25 (see test/helpers/prometheus-lines.ts).
#
#   bash scripts/fetch-prometheus-lts.sh [DEST]     # DEST defaults to <repository>/.tools/prometheus-lts
#
# apt works on a private state of its own (sources list, package lists, caches, status) in
# a temporary folder: the machine's apt state is only read, never written, and nothing from
# sid reaches dpkg's database. The archive is the one this machine already uses, read from
# its apt sources at run time. Runs as any user; root is not needed.
set -euo pipefail

# The lines docs/tested-versions.md says the rules and configs are tested with. sid moves
# on: when it carries another line, this script fails rather than test something else
# unannounced.
PROMETHEUS_LINE=3.5
ALERTMANAGER_LINE=0.33
PACKAGES=(prometheus promtool prometheus-alertmanager)
DEST=${1:-$(cd "$(dirname "$0")/.." && pwd)/.tools/prometheus-lts}

# archive_uri prints the URI of the machine's Debian archive (not its security archive),
# from the deb822 sources or, failing that, the one-line sources.list.
archive_uri() {
  local uri=''
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /-security\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { if ($i !~ /-security\/?$/) { print $i; exit } else break } }' \
      /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || { echo "fetch-prometheus-lts: no Debian archive found in /etc/apt/sources.list(.d)" >&2; return 1; }
  echo "$uri"
}

uri=$(archive_uri)
state=$(mktemp -d "${TMPDIR:-/tmp}/tensorpix-apt-sid.XXXXXX")
trap 'rm -rf "$state"' EXIT
mkdir -p "$state"/{lists/partial,cache/archives/partial,sources.list.d,download}
cat >"$state/sources.list.d/sid.sources" <<EOF
Types: deb
URIs: $uri
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# As root, apt downloads as its sandbox user _apt: let it reach the state and write the
# download folder (apt itself hands it the partial/ folders).
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
  chmod 0755 "$state"
  chown _apt "$state/download"
fi

apt_private=(
  -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$state/sources.list.d"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::State::status=/dev/null"
  -o "Dir::State::extended_states=$state/extended_states"
  -o "Dir::Cache=$state/cache"
  -o "Dir::Cache::Archives=$state/cache/archives"
)

# The archive now and then drops a connection: try again rather than fail the run.
# shellcheck source=scripts/retry.sh
. "$(dirname "$0")/retry.sh"
fetch() {
  rm -f "$state/download"/*.deb
  apt-get -qq --error-on=any "${apt_private[@]}" update &&
    (cd "$state/download" && apt-get -qq "${apt_private[@]}" download "${PACKAGES[@]}")
}
retry "fetch-prometheus-lts: apt" fetch || exit 1

# Unpack into a fresh folder, then swap it in: an interrupted run leaves the old tools.
rm -rf "$DEST.new"
mkdir -p "$DEST.new"
for deb in "$state/download"/*.deb; do dpkg-deb -x "$deb" "$DEST.new"; done

# version_of prints the x.y.z a binary reports with --version.
version_of() { "$1" --version 2>&1 | sed -nE '1s/.*version ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p'; }

# on_line prints a tool's version, or fails unless it runs and is on the expected line.
on_line() {
  local version
  version=$(version_of "$DEST.new/usr/bin/$1")
  case "$version" in
  "$2".*) echo "$version" ;;
  *)
    echo "fetch-prometheus-lts: sid's $1 is '${version:-not runnable here}', not on the $2 line:" \
      "update PROMETHEUS_LINE/ALERTMANAGER_LINE here, docs/tested-versions.md and the compose images" >&2
    return 1
    ;;
  esac
}

if ! prometheus=$(on_line prometheus "$PROMETHEUS_LINE") ||
  ! promtool=$(on_line promtool "$PROMETHEUS_LINE") ||
  ! alertmanager=$(on_line prometheus-alertmanager "$ALERTMANAGER_LINE") ||
  ! amtool=$(on_line amtool "$ALERTMANAGER_LINE"); then
  rm -rf "$DEST.new"
  exit 1
fi

rm -rf "$DEST"
mv "$DEST.new" "$DEST"
echo "fetch-prometheus-lts: $DEST: prometheus $prometheus, promtool $promtool, alertmanager $alertmanager, amtool $amtool"
