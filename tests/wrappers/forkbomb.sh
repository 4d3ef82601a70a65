#!/bin/sh
# A sandbox that fork-bombs before starting the agent. Bounded by itself too
# (2500 children: safe under pid_max 32768) so a host without a pids limit
# survives the test that shows the harness's own bound. The odd duration
# marks the bomb's processes: test_live_runaway counts `sleep 59.0117`.
i=0
while [ $i -lt 2500 ]; do
	sleep 59.0117 2>/dev/null &
	i=$((i + 1))
done 2>/dev/null
echo "forkbomb: $(jobs -p | wc -l) children alive" >&2
exec "$@"
