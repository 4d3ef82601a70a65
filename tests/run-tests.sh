#!/bin/sh
# Runs every test binary given, then the live tests, and ends with one line:
# "N passed, N failed". A binary that crashes counts as failed.
set -u
BUILD=${BUILD:-build}
passed=0
failed=0
failures=""
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	f=$(printf '%s\n' "$out" | grep -c '^\[  FAILED  \] [a-z]')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1 # crashed or setup failed
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" != 0 ]; then
		failures="$failures $(basename "$t")"
		printf '%s\n' "$out" | tail -40
	fi
	printf '%-28s %3d passed, %d failed\n' "$(basename "$t")" "$p" "$f"
done
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
