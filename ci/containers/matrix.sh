#!/bin/sh
# make containers: the drop-in build/dist/cagetest inside every runtime
# configuration of ci/containers/runtimes.json (through run.sh, on a Debian
# minbase image with bwrap, firejail, git, socat and ripgrep), with every
# backend and product that can be made available there and every mode, and
# on the host with the docker, podman and gvisor adapters beside them.
#
#   ci/containers/matrix.sh [--out DIR] [--timeout SEC] [RUNTIMES]
#   ci/containers/matrix.sh --report-only [--out DIR] [--cagetest BIN] [RUNTIMES]
#
# RUNTIMES: a comma list of configuration names, or all (the default).
# Codex and srt come from peers/ (ci/install-peers.sh: the newest pinned
# version of each), bound read-only at their own paths; srt's node is the
# host's, bound at its own path (the image has none; Debian's is older than
# srt wants). Writes, under DIR (default out/):
#   containers/NAME.json    each configuration's report (run --label NAME)
#   containers/NAME.skip    why a configuration did not run (also its row)
#   containers/run/         run.sh's per-configuration stdout, stderr, exit
#   containers.json .html .md   every report merged, labelled by configuration
#   containers-table.md     configuration x backend -> verdict and cause
# Every configuration is listed, "not run: why" when it could not start.
# --report-only runs nothing: it merges and tabulates what DIR/containers/
# already holds (with BIN, default build/dist/cagetest). Needs root (run.sh starts dockerd, podman, nspawn, LXC); exit 0 when the
# table was written, 2 on a usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/out timeout=1800 runtimes=all run=yes dist=$top/build/dist/cagetest
while [ $# -gt 0 ]; do
	case $1 in
	--report-only) run=no; shift ;;
	--cagetest) dist=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "matrix.sh: unknown option $1" >&2; exit 2 ;;
	*) runtimes=$1; shift ;;
	esac
done
[ -x "$dist" ] || { echo "matrix.sh: $dist is missing: make dist" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
res=$out/containers
secs=""
if [ "$run" = yes ]; then
	[ "$(id -u)" = 0 ] || { echo "matrix.sh: needs root (dockerd, podman, nspawn, LXC)" >&2; exit 2; }
	rm -rf "$res" && mkdir -p "$res/run" || exit 2
	chmod 1777 "$res" # uid 1000 writes its report too

	# The products: the newest pinned version of each, at their own paths.
	peers_path="" binds="--bind $dist:$dist:ro --bind $res:$res"
	for product in codex srt; do
		bin=$(awk -v p="$product" '$1 == p { print $3; exit }' "$top/peers/pinned.txt" 2>/dev/null)
		[ -n "$bin" ] && [ -x "$bin/$product" ] || continue
		peers_path=$peers_path${peers_path:+:}$bin
		prefix=$(cd "$bin/../.." && pwd)
		binds="$binds --bind $prefix:$prefix:ro"
	done
	node=$(command -v node 2>/dev/null) && node=$(readlink -f "$node") && binds="$binds --bind $node:/usr/bin/node:ro"
	[ -n "$peers_path" ] || echo "matrix.sh: no codex or srt in peers/ (ci/install-peers.sh): their rows will say unavailable" >&2

	# PATH exported: lxc-execute's shell has it as a variable only
	inner='export PATH=${1:+$1:}$PATH; b=landlock,bwrap,firejail,codex,srt
	[ "$2" = host ] && b=$b,docker,podman,gvisor
	exec "$3" run -b "$b" -m all -q --label "$2" --json "$4/$2.json"'
	t0=$(date +%s)
	# shellcheck disable=SC2086
	"$here/run.sh" --image box --packages "bubblewrap firejail git socat ripgrep" $binds \
		--out "$res/run" --timeout "$timeout" "$runtimes" -- sh -c "$inner" sh "$peers_path" {runtime} "$dist" "$res" ||
		exit 2
	secs=$(($(date +%s) - t0))
fi

# Every configuration: its report, or why there is none.
names=$("$here/run.sh" --list | cut -f1)
[ "$runtimes" = all ] || names=$(echo "$runtimes" | tr ',' ' ')
set --
for rt in $names; do
	if [ -f "$res/run/$rt.skip" ]; then
		cp "$res/run/$rt.skip" "$res/$rt.skip"
	elif [ -s "$res/$rt.json" ]; then
		set -- "$@" "$rt=$res/$rt.json"
	elif [ ! -f "$res/$rt.skip" ]; then
		printf 'ran, wrote no report (exit %s): %s\n' "$(cat "$res/run/$rt.rc" 2>/dev/null)" \
			"$(grep -v '^\s*$' "$res/run/$rt.err" 2>/dev/null | tail -1 | cut -c1-200)" >"$res/$rt.skip"
	fi
done
[ $# -gt 0 ] && "$dist" merge "$@" --json "$out/containers.json" --html "$out/containers.html" \
	--markdown "$out/containers.md" -q

# configuration x backend: the verdicts of the confined modes (danger-full-access
# confines nothing by design), each with the modes that have it and its cause
# (the first mode's; the counts of each where they differ by mode).
backends="landlock bwrap firejail codex srt docker podman gvisor"
{
	printf '| configuration |'
	for b in $backends; do printf ' %s |' "$b"; done
	printf '\n|---|'
	for b in $backends; do printf -- '---|'; done
	printf '\n'
	for rt in $names; do
		if [ -f "$res/$rt.skip" ]; then
			printf '| %s | not run: %s |\n' "$rt" "$(tr '|\n' '/ ' <"$res/$rt.skip")"
			continue
		fi
		jq -r --arg rt "$rt" --arg backends "$backends" '
			def short: {"read-only": "ro", "workspace-write": "ww", "workspace-net": "wn"}[.] // .;
			def said: gsub("/var/tmp/cagetest-[A-Za-z0-9]+/"; "SCRATCH/") |
				if length > 150 then (.[0:150] | sub(" [^ ]*$"; "")) + " ..." else . end;
			def cell($b): [.verdicts[]? | select(.backend == $b and .mode != "danger-full-access")] |
				if length == 0 then "-" else
				group_by(.verdict) | map(.[0].verdict as $v |
					if $v == "NOT ENFORCED" or $v == "NOT JUDGED"
					then "**\($v)** " + (map("\(.mode | short): \(.reason | said)") | join("; "))
					else "**\($v)** \(map(.mode | short) | join(", ")): \(.[0].reason | said)" end) |
				join("<br>") end;
			. as $r | "| \($rt) | " + ([$backends | split(" ")[] as $b | $r | cell($b) | gsub("\\|"; "/")] | join(" | ")) + " |"
		' "$res/$rt.json"
	done
} >"$out/containers-table.md"
printf 'matrix:%s reports in %s/, merged in %s/containers.{json,html,md}\n\n' "${secs:+ $secs s;}" "$res" "$out"
cat "$out/containers-table.md"
exit 0
