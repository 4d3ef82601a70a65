#!/bin/sh
# Runs every test binary given, then the live tests, and ends with one line:
# "N passed, N failed". A binary that crashes counts as failed.
set -u
BUILD=${BUILD:-build}
# Sanitizer builds: reports go to files (children inside sandboxes too, where
# writable) and a distinct exit code, never mistaken for cagetest's own 1.
san_dir=$(cd "$(dirname "$0")/.." && pwd)/$BUILD/sanitizer-logs
rm -rf "$san_dir" && mkdir -p "$san_dir" && chmod 1777 "$san_dir"
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:log_path=$san_dir/asan:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=87:print_stacktrace=1:log_path=$san_dir/ubsan}"
passed=0
failed=0
failures=""
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
	# cmocka names a failed test twice: when it fails and in the closing list
	f=$(printf '%s\n' "$out" | grep '^\[  FAILED  \] [a-z]' | sort -u | wc -l)
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
# LeakSanitizer cannot stop the world where seccomp denies ptrace (an agent in
# a sandbox): that is the sandbox working, not a bug; real findings fail.
for log in "$san_dir"/*; do
	[ -f "$log" ] || continue
	if grep -qE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer: detected' "$log"; then
		failed=$((failed + 1))
		failures="$failures sanitizer:$(basename "$log")"
		head -40 "$log"
	fi
done
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
