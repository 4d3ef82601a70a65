#!/bin/sh
# A sandbox that fork-bombs before starting the agent. Bounded by itself too
# (2500 children: safe under pid_max 32768) so a host without a pids limit
# survives the test that shows the harness's own bound.
i=0
while [ $i -lt 2500 ]; do
	sleep 60 2>/dev/null &
	i=$((i + 1))
done 2>/dev/null
echo "forkbomb: $(jobs -p | wc -l) children alive" >&2
exec "$@"
