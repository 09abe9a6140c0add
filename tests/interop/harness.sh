#!/usr/bin/env bash
# One harness function per process, for callers that are not bash scripts (xunit tests via Process.Start):
#   tests/interop/harness.sh topo_up                      -> prints IKEF_RUN=... (and the other facts)
#   IKEF_RUN=/tmp/ikef123.abc tests/interop/harness.sh peer_start charon b responder mode=main
#   IKEF_RUN=... tests/interop/harness.sh peer_wait b child 1 10
#   IKEF_RUN=... tests/interop/harness.sh topo_down
# IKEF_RUN is the only state carried between calls (the prefix is read back from $IKEF_RUN/env).
# No trap is installed: the caller must run topo_down (e.g. in its fixture's Dispose).
set -uo pipefail
[ $# -ge 1 ] || { sed -n '2,9p' "$0" >&2; exit 2; }
IKEF_NO_TRAP=1
# shellcheck source=lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case $1 in
  topo_up) topo_up && topo_env ;;
  *) "$@" ;;
esac
