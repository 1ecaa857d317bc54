# retry WHAT COMMAND [ARG...] runs the command up to three times, ten seconds apart, saying
# which attempt failed: the npm registry and Debian's archive now and then drop a connection,
# and a run that fetches from them should try again rather than fail. It returns the last
# attempt's failure. Sourced by .ci/run and the fetch scripts; a command that leaves partial
# files behind cleans them itself before it fetches (they are not retried on top of).
retry() {
  local what=$1 attempt
  shift
  for attempt in 1 2 3; do
    "$@" && return 0
    if [ "$attempt" = 3 ]; then
      echo "$what failed 3 times" >&2
      return 1
    fi
    echo "$what failed (attempt $attempt), retrying" >&2
    sleep 10
  done
}
