#!/bin/sh
# No sandbox, only lies: runs the agent ("$1", in the build dir) with the
# LD_PRELOAD shim built beside it (tests/wrappers/lieshim.c), which performs
# every effect and then reports it failed. A sanitizer build's runtime need
# not come first in the preload list for this.
shim="$(dirname "$1")/lieshim.so"
if [ ! -r "$shim" ]; then
	echo "lieshim: no $shim: build it with make check" >&2
	exit 127
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD="$shim" exec "$@"
