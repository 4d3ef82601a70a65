#!/bin/sh
# `make run`: the default battery into OUTDIR, every report format. Escapes
# found are the finding, not a failed build: exit 0 when cagetest ran and
# judged (its exit 0 or 1), its own status when it could not (2: usage or
# input error, 3: could not judge). `cagetest run` itself keeps its exit
# codes (README: Exit status) for CI gates.
#   ci/run-battery.sh CAGETEST OUTDIR [cagetest run options...]
set -u
bin=$1 out=$2
shift 2
mkdir -p "$out" || exit 2
"$bin" run --json "$out/cagetest.json" --junit "$out/cagetest.junit.xml" --html "$out/cagetest.html" \
	--markdown "$out/cagetest.md" --tap "$out/cagetest.tap" "$@"
rc=$?
case $rc in
0 | 1)
	# stderr, like cagetest's summary: the two stay in order in a CI log
	echo "reports: $out/cagetest.html (open it in a browser), $out/cagetest.json, .junit.xml, .md, .tap" >&2
	[ $rc = 1 ] && echo "make run: the battery ran and judged; the escapes above are its findings" \
		"(cagetest run exits 1 on them: gate CI on that, see README, Exit status)" >&2
	exit 0 ;;
*)
	echo "make run: cagetest could not run or judge the battery (exit $rc; see README, Exit status)" >&2
	exit "$rc" ;;
esac
