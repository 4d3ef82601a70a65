#!/bin/sh
# Runs every test binary given and ends with one line: "N passed, N failed".
# A binary that crashes counts as failed.
#   tests/run-tests.sh BIN...               once
#   tests/run-tests.sh --repeat N BIN...    N rounds (make stress): lists every
#                                           test whose result changed between
#                                           rounds (a flake) and every one that
#                                           failed in all of them
# LOAD=N in the environment keeps N workers of tests/load.sh busy for the
# whole run (make stress N=5 LOAD=2): what only a busy machine shows.
set -u
BUILD=${BUILD:-build}
rounds=1
stress=0
if [ "${1:-}" = "--repeat" ]; then
	rounds=${2:?--repeat needs a count}
	stress=1
	shift 2
fi
# Sanitizer builds: reports go to files (children inside sandboxes too, where
# writable) and a distinct exit code, never mistaken for cagetest's own 1.
san_dir=$(cd "$(dirname "$0")/.." && pwd)/$BUILD/sanitizer-logs
rm -rf "$san_dir" && mkdir -p "$san_dir" && chmod 1777 "$san_dir"
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:log_path=$san_dir/asan:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=87:print_stacktrace=1:log_path=$san_dir/ubsan}"
# one line per test and round: "BINARY<tab>TEST<tab>ok|failed"
results=$(mktemp)
load_pid=
trap 'rm -f "$results"; [ -z "$load_pid" ] || { kill "$load_pid"; wait "$load_pid"; } 2>/dev/null' EXIT
trap 'exit 130' INT TERM HUP
if [ "${LOAD:-0}" -gt 0 ]; then
	# its workers also stop by themselves once this shell is gone
	"$(dirname "$0")/load.sh" "$LOAD" $$ &
	load_pid=$!
	echo "load: $LOAD workers of tests/load.sh for the whole run"
fi
passed=0
failed=0
failures=""
round=1
while [ "$round" -le "$rounds" ]; do
	[ "$stress" = 1 ] && echo "stress: round $round of $rounds"
	for t in "$@"; do
		name=$(basename "$t")
		out=$("$t" 2>&1)
		rc=$?
		ok=$(printf '%s\n' "$out" | sed -n 's/^\[       OK \] //p' | sort -u)
		# cmocka names a failed test twice: when it fails and in the closing list
		bad=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([a-z]\)/\1/p' | sort -u)
		if [ "$rc" != 0 ] && [ -z "$bad" ]; then
			bad="(crashed or setup failed)"
		fi
		p=$(printf '%s' "$ok" | grep -c .)
		f=$(printf '%s' "$bad" | grep -c .)
		{
			[ -n "$ok" ] && printf '%s\n' "$ok" | sed "s/^/$name\t/; s/\$/\tok/"
			[ -n "$bad" ] && printf '%s\n' "$bad" | sed "s/^/$name\t/; s/\$/\tfailed/"
		} >>"$results"
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" != 0 ]; then
			failures="$failures $name"
			printf '%s\n' "$out" | tail -40
		fi
		printf '%-28s %3d passed, %d failed\n' "$name" "$p" "$f"
	done
	round=$((round + 1))
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
[ -n "$failures" ] && echo "failing: $(printf '%s\n' $failures | sort -u | tr '\n' ' ')"
if [ "$stress" = 1 ]; then
	# a test is flaky when its rounds disagree; a test missing from a round
	# (its binary crashed before it) disagrees too
	summary=$(awk -F '\t' -v n="$rounds" '{ k = $1 ": " $2; c[k, $3]++; seen[k] = 1 }
		END { for (k in seen) {
			o = c[k, "ok"] + 0; f = c[k, "failed"] + 0
			if (o > 0 && o < n) print "changed: " k " (ok in " o " of " n " rounds)"
			else if (o == 0) print "failed:  " k " (in " f " of " n " rounds)" } }' "$results" | sort)
	[ -n "$summary" ] && printf '%s\n' "$summary"
	changed=$(printf '%s' "$summary" | grep -c '^changed:')
	echo "stress: $rounds rounds, $changed tests changed their result"
	[ "$changed" = 0 ] || failed=$((failed + changed))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
