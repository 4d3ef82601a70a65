#!/bin/sh
# A wrapper that runs the agent (unconfined), then never exits.
trap '' TERM INT HUP
"$@"
echo "hang-after: the agent is done, the wrapper stays" >&2
while :; do sleep 1; done
