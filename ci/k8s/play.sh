#!/bin/sh
# Run the ci/k8s manifests' pods here with `podman kube play`, collect the
# reports they print (ci/k8s/collect.sh) and take everything down again.
#
#   ci/k8s/play.sh [--out DIR] [--timeout SEC] [--variants LIST] [MANIFEST...]
#
# MANIFEST: ci/k8s/job.yaml and ci/k8s/daemonset.yaml by default. Podman 4
# plays Pods, not Jobs or DaemonSets, so each Job's and DaemonSet's pod
# template is played as the Pod its controller would make (named KIND-NAME,
# e.g. job-cagetest-default, with its labels and spec); --variants (default:
# all) names the cagetest/variant labels or the pods to play.
# runtimeClassName gvisor is played with podman --runtime runsc (its network
# off), as a runsc RuntimeClass handler would run it; another
# runtimeClassName is "not run" with why. What Podman cannot give is given
# here: spec.nodeName is this host's name, and each pod's emptyDir volumes
# are its own (Podman 4 shares one volume among pods naming it alike). The
# image cagetest:latest is built from ci/k8s/Containerfile on the cached
# Debian minbase image (ci/containers/lib.sh) with build/dist/cagetest, in
# the private podman store, with the nofile/nproc limits runc needs here
# and runc (crun refuses hybrid cgroups).
#
# Writes DIR (default out/k8s): POD.skip for a pod that was not played or
# printed no report (how it ended), and what ci/k8s/collect.sh writes
# (POD.log, LABEL.json per report, pods.txt, the merged
# fleet.{json,html,md}). Everything runs in a pid namespace that dies with
# this script; the pods and their volumes are removed at the end. Exit 0
# when at least one report came back, 1 when none did, 2 on a usage error,
# 77 when podman cannot run here (the reason on stderr).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/ci/containers/lib.sh"

out=$top/out/k8s timeout=900 variants=all
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--variants) variants=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "play.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- "$here/job.yaml" "$here/daemonset.yaml"
dist=$top/build/dist/cagetest
[ -x "$dist" ] || { echo "play.sh: $dist is missing: make dist" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "play.sh: needs root (podman with runc on a private store)" >&2; exit 77; }
for t in podman runc yq jq; do
	command -v "$t" >/dev/null || { echo "play.sh: $t is not installed" >&2; exit 77; }
done

# Everything below runs in a pid namespace of its own, under an init that
# reaps what podman leaves (conmon), and dies with this script.
if [ -z "${CBOX_PLAY_INSIDE:-}" ]; then
	init=$(command -v docker-init || command -v tini-static || echo "")
	# shellcheck disable=SC2086
	$CBOX_CONTAIN ${init:+"$init" --} env CBOX_PLAY_INSIDE=1 "$0" --out "$out" --timeout "$timeout" \
		--variants "$variants" "$@" &
	contain=$!
	# unshare --fork ignores INT and TERM: a signal to this script goes to
	# the namespace's first process (the init hands it on), whose trap cleans up
	trap 'kill -TERM $(cat /proc/$contain/task/$contain/children 2>/dev/null) 2>/dev/null' INT TERM HUP
	while :; do
		wait $contain
		rc=$?
		kill -0 $contain 2>/dev/null || exit $rc # not a wait cut short by a trap
	done
fi

mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 2
rm -f "$out"/*.json "$out"/*.skip "$out/pods.txt"
cbox_session_begin || { echo "play.sh: $CBOX_WHY" >&2; exit 77; }
state=$CBOX_STATE
session=${state##*.} # this session's pods carry it: only they are collected
# the pods' network namespaces are bound under /run/netns: a tmpfs of this
# mount namespace, so a killed session leaves none of them on the host
mkdir -p /run/netns && mount -t tmpfs -o mode=0755 cagetest-netns /run/netns || exit 77
played="" volumes=""
cleanup() {
	for pod in $played; do
		PATH=$state/bin:$PATH podman pod rm -f -t 0 "$pod" >/dev/null 2>&1
	done
	for v in $volumes; do
		PATH=$state/bin:$PATH podman volume rm -f "$v" >/dev/null 2>&1
	done
	rm -rf --one-file-system "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

cbox_podman_wrapper "$state" || exit 77
export PATH="$state/bin:$PATH"

# Pods a killed session left in the store. Their network namespaces died
# with it, and Podman 4 cannot remove such a pod ("joining network namespace"):
# the private store is reset then (its images are imported again below).
stale=$(podman pod ps -q --filter "label=app.kubernetes.io/name=cagetest" 2>/dev/null)
if [ -n "$stale" ]; then
	echo "$stale" | xargs podman pod rm -f -t 0 >/dev/null 2>&1 || podman system reset -f >/dev/null 2>&1
fi
dir=$(cbox_image box no "bubblewrap firejail git socat ripgrep" 2>"$state/image.err") ||
	{ echo "play.sh: $(tail -1 "$state/image.err")" >&2; exit 77; }
base=$(cbox_podman_import "$dir") || { echo "play.sh: podman import: $base" >&2; exit 77; }

# cagetest:latest from the Containerfile, with only the dist in its context
mkdir -p "$state/ctx/build/dist" && cp "$dist" "$state/ctx/build/dist/cagetest" || exit 2
if ! podman build -q --pull=never -f "$here/Containerfile" --build-arg BASE="$base" --build-arg PACKAGES= \
	-t localhost/cagetest:latest "$state/ctx" >"$state/build.log" 2>&1; then
	echo "play.sh: podman build failed: $(tail -1 "$state/build.log")" >&2
	exit 77
fi

# Each controller's pod template, as the Pod it would make.
for manifest in "$@"; do
	yq -c 'select(.kind == "Job" or .kind == "DaemonSet") |
		{apiVersion: "v1", kind: "Pod", spec: .spec.template.spec,
		 metadata: {name: "\(.kind | ascii_downcase)-\(.metadata.name)", labels: .spec.template.metadata.labels}}' \
		"$manifest" || { echo "play.sh: $manifest: not YAML that yq reads" >&2; exit 2; }
done >"$state/pods.jsonl"
while read -r pod; do
	name=$(printf '%s' "$pod" | jq -r .metadata.name)
	variant=$(printf '%s' "$pod" | jq -r '.metadata.labels["cagetest/variant"] // "default"')
	case ",$variants," in ,all,|*",$variant,"*|*",$name,"*) ;; *) continue ;; esac
	class=$(printf '%s' "$pod" | jq -r '.spec.runtimeClassName // ""')
	case $class in
	"") set -- ;;
	gvisor) set -- --runtime runsc --runtime-flag network=none
		command -v runsc >/dev/null || { echo "runsc (gVisor) is not installed" >"$out/$name.skip"; continue; } ;;
	*) echo "no handler for runtimeClassName $class here (gvisor is runsc)" >"$out/$name.skip"; continue ;;
	esac
	# what Podman cannot give is given here: the node's name (this host's)
	# for the downward API's spec.nodeName, the runtime class it plays
	# itself, and a pod's own emptyDir (Podman 4 makes a volume named as the
	# emptyDir, shared by every pod that names one so: renamed POD-NAME)
	printf '%s' "$pod" | jq --arg node "$(cat /proc/sys/kernel/hostname)" --arg pod "$name" '
		(.spec.containers[].env[]? | select(.valueFrom.fieldRef.fieldPath == "spec.nodeName")) |= {name, value: $node} |
		(.spec.volumes[]?.name) |= "\($pod)-\(.)" | (.spec.containers[].volumeMounts[]?.name) |= "\($pod)-\(.)" |
		del(.spec.runtimeClassName) | .metadata.labels["cagetest/session"] = $session' --arg session "$session" >"$state/$name.json"
	volumes="$volumes $(jq -r '.spec.volumes[]?.name' "$state/$name.json" | xargs)"
	if podman "$@" kube play "$state/$name.json" >"$state/$name.log" 2>&1; then
		played="$played $name"
	else
		echo "podman kube play failed: $(grep -v '^\s*$' "$state/$name.log" | tail -1 | cut -c1-300)" >"$out/$name.skip"
	fi
done <"$state/pods.jsonl"
for f in "$out"/*.skip; do [ -f "$f" ] && printf '%s\tnot run: %s\n' "$(basename "$f" .skip)" "$(cat "$f")"; done
[ -n "$played" ] || { echo "play.sh: no pod was played" >&2; exit 1; }

"$here/collect.sh" --engine podman --selector "cagetest/session=$session" --wait "$timeout" --cagetest "$dist" "$out"
rc=$?
# a pod that printed no report: how its container ended, and the tail of its log
while IFS='	' read -r pod label phase; do
	[ "$label" = "no report" ] || continue
	why=$(podman inspect "$pod-cagetest" --format 'exit {{.State.ExitCode}}{{if .State.Error}}: {{.State.Error}}{{end}}' 2>&1 | head -1)
	last=$(grep -v '^\s*$' "$out/$pod.log" | tail -1 | cut -c1-200)
	printf 'printed no report (pod %s, container %s): %s\n' "$phase" "$why" "${last:-its log is empty}" >"$out/$pod.skip"
	printf '%s\tnot run: %s\n' "$pod" "$(cat "$out/$pod.skip")"
done <"$out/pods.txt"
exit $rc
