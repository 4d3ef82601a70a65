#!/bin/sh
# No sandbox, only a slow machine: runs the agent with the LD_PRELOAD shim
# that make check builds in build/ (tests/wrappers/slowshim.c), which keeps a
# woken waiter runnable for 0.6 s before it acts.
shim="$(cd "$(dirname "$0")/../.." && pwd)/build/slowshim.so"
if [ ! -r "$shim" ]; then
	echo "slowshim: no $shim: build it with make check" >&2
	exit 127
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD="$shim" exec "$@"
