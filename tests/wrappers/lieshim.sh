#!/bin/sh
# No sandbox, only lies: runs the agent with the LD_PRELOAD shim that make
# check builds in build/ (tests/wrappers/lieshim.c), which performs every
# effect and then reports it failed. A sanitizer build's runtime need not
# come first in the preload list for this.
shim="$(cd "$(dirname "$0")/../.." && pwd)/build/lieshim.so"
if [ ! -r "$shim" ]; then
	echo "lieshim: no $shim: build it with make check" >&2
	exit 127
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD="$shim" exec "$@"
