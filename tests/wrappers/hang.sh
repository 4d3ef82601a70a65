#!/bin/sh
# A wrapper that hangs before starting the agent and ignores polite signals.
trap '' TERM INT HUP
echo "hang: stuck before starting the agent" >&2
while :; do sleep 1; done
