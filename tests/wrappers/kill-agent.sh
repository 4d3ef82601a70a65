#!/bin/sh
# A wrapper that kills the agent right after its hello record: the hello
# reaches the host, no probe record does.
fifo="${TMPDIR:-/tmp}/kill-agent.$$"
mkfifo "$fifo" || exit 1
"$@" >"$fifo" &
agent=$!
exec 3<"$fifo"
rm -f "$fifo"
IFS= read -r hello <&3
kill -KILL "$agent"
printf '%s\n' "$hello"
echo "kill-agent: killed the agent (pid $agent) after its hello" >&2
wait "$agent"
exit 0
