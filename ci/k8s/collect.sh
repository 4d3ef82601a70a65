#!/bin/sh
# Collect the reports the ci/k8s pods printed and merge them into one, each
# labelled with its node (and variant: NODE, NODE-nonroot, NODE-gvisor).
#
#   ci/k8s/collect.sh [options] OUTDIR
#
# Options:
#   --engine kubectl|podman  where the pods run (default kubectl; podman:
#                            pods started by `podman kube play`, ci/k8s/play.sh)
#   -n NAMESPACE             kubectl's namespace (default: its current one)
#   --selector SEL           the pods (default app.kubernetes.io/name=cagetest)
#   --wait SEC               wait up to SEC for every running pod to print its report
#   --cagetest BIN           the cagetest that merges (default: build/dist/cagetest,
#                            build/cagetest, else cagetest on PATH)
# Writes OUTDIR/POD.log (each pod's log), OUTDIR/LABEL.json per pod that
# printed a report (LABEL-2 ... when two pods share one), OUTDIR/pods.txt
# (one line per pod: POD, LABEL or "no report", its phase), and the merged
# OUTDIR/fleet.{json,html,md}. Exit 0 when at least one report came back,
# 1 when none did, 2 on a usage error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
engine=kubectl ns="" selector=app.kubernetes.io/name=cagetest wait=0 cagetest="" out=""
while [ $# -gt 0 ]; do
	case $1 in
	--engine) engine=$2; shift 2 ;;
	-n|--namespace) ns=$2; shift 2 ;;
	--selector) selector=$2; shift 2 ;;
	--wait) wait=$2; shift 2 ;;
	--cagetest) cagetest=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "collect.sh: unknown option $1" >&2; exit 2 ;;
	*) out=$1; shift ;;
	esac
done
[ -n "$out" ] || { echo "collect.sh: name the output directory" >&2; exit 2; }
case $engine in kubectl|podman) ;; *) echo "collect.sh: --engine kubectl or podman" >&2; exit 2 ;; esac
command -v "$engine" >/dev/null || { echo "collect.sh: $engine is not on PATH" >&2; exit 2; }
if [ -z "$cagetest" ]; then
	for c in "$top/build/dist/cagetest" "$top/build/cagetest" "$(command -v cagetest)"; do
		[ -x "$c" ] && { cagetest=$c; break; }
	done
fi
[ -n "$cagetest" ] || { echo "collect.sh: no cagetest to merge with (make dist, or --cagetest BIN)" >&2; exit 2; }
mkdir -p "$out" || exit 2

# POD<TAB>PHASE of every selected pod; the log of one.
pods() {
	case $engine in
	kubectl) kubectl ${ns:+-n "$ns"} get pods -l "$selector" \
		-o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}' ;;
	podman) podman pod ps --filter "label=$selector" --format '{{.Name}}	{{.Status}}' ;;
	esac
}
logs() {
	case $engine in
	kubectl) kubectl ${ns:+-n "$ns"} logs "$1" -c cagetest ;;
	podman) podman logs "$1-cagetest" ;;
	esac
}
# The report between the marker lines, to $1; its label on stdout.
extract() {
	awk -v dst="$1" '
		/^--- cagetest report [^ ]+ / { label = $4; on = 1; next }
		/^--- end of cagetest report ---$/ { if (on) done = 1; on = 0; next }
		on { print > dst }
		END { if (done) print label; else exit 1 }'
}

deadline=$(($(date +%s) + wait))
while :; do
	missing=0
	: >"$out/pods.txt"
	used=" "
	pods >"$out/.pods" 2>"$out/.pods.err" || { echo "collect.sh: $engine: $(tail -1 "$out/.pods.err")" >&2; exit 1; }
	while IFS='	' read -r pod phase; do
		[ -n "$pod" ] || continue
		logs "$pod" >"$out/$pod.log" 2>&1
		if label=$(extract "$out/.report" <"$out/$pod.log") && [ -s "$out/.report" ]; then
			# two pods on one node with one variant (a Job's and a DaemonSet's)
			k=2 want=$label
			while case $used in *" $label "*) true ;; *) false ;; esac; do label=$want-$k k=$((k + 1)); done
			used="$used$label "
			mv "$out/.report" "$out/$label.json"
			printf '%s\t%s\t%s\n' "$pod" "$label" "$phase" >>"$out/pods.txt"
		else
			rm -f "$out/.report"
			printf '%s\tno report\t%s\n' "$pod" "$phase" >>"$out/pods.txt"
			# a pod that ended without one never prints it
			case $phase in Succeeded|Failed|Exited*|Dead*|Error*) ;; *) missing=$((missing + 1)) ;; esac
		fi
	done <"$out/.pods"
	[ "$missing" = 0 ] || [ "$(date +%s)" -ge "$deadline" ] && break
	sleep 5
done
rm -f "$out/.pods" "$out/.pods.err"
cat "$out/pods.txt"

set --
for f in "$out"/*.json; do
	case $f in */fleet.json) continue ;; esac
	[ -f "$f" ] && set -- "$@" "$(basename "$f" .json)=$f"
done
[ $# -gt 0 ] || { echo "collect.sh: no pod printed a report" >&2; exit 1; }
# its exit status is the reports' verdict (1 on an escape), not ours
"$cagetest" merge "$@" --json "$out/fleet.json" --html "$out/fleet.html" --markdown "$out/fleet.md" -q
[ -s "$out/fleet.json" ] || { echo "collect.sh: $cagetest merge wrote nothing" >&2; exit 1; }
echo "collect.sh: $# reports merged into $out/fleet.{json,html,md}"
exit 0
