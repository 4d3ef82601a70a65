#!/bin/sh
# A load generator: N workers (default 2) that fork and exec /bin/true
# in a loop, the mix of CPU, process creation and page faults of a busy build
# machine, until this script gets SIGTERM, SIGINT or SIGHUP, or the process
# named by OWNER (default: the caller) is gone, so a killed caller leaves
# nothing running. `make stress LOAD=N` and test_live_stable start it.
#   tests/load.sh [N [OWNER]]
n=${1:-2}
owner=${2:-$PPID}
pids=
trap 'kill $pids 2>/dev/null; wait; exit 0' TERM INT HUP
i=0
while [ "$i" -lt "$n" ]; do
	(while kill -0 "$owner" 2>/dev/null; do /bin/true; done) &
	pids="$pids $!"
	i=$((i + 1))
done
wait
