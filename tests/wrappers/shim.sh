#!/bin/sh
# No sandbox, only an LD_PRELOAD shim that make check builds in build/:
#   shim.sh lieshim CMD...   every effect made, then reported failed (lieshim.c)
#   shim.sh slowshim CMD...  a woken waiter kept runnable for 0.6 s (slowshim.c)
# A sanitizer build's runtime need not come first in the preload list for this.
shim="$(cd "$(dirname "$0")/../.." && pwd)/build/$1.so"
shift
if [ ! -r "$shim" ]; then
	echo "shim.sh: no $shim: build it with make check" >&2
	exit 127
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
LD_PRELOAD="$shim" exec "$@"
