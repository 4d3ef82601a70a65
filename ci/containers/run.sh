#!/bin/sh
# Run one command inside several container runtimes, on a Debian minbase
# image built from Debian packages; start what they need, stop it all after.
#
#   ci/containers/run.sh [options] RUNTIMES -- CMD [ARG...]
#   ci/containers/run.sh [--runtimes FILE] --list
#
# RUNTIMES: a comma list of configuration names, or `all`. The configurations
# are ci/containers/runtimes.json (one object each: name, runtime, requires,
# engine_flags, flags, description); `--list` prints them, one a line:
# NAME<TAB>RUNTIME<TAB>FLAGS<TAB>DESCRIPTION. The runtimes (engines):
#   host    no container: the command on the host, with `docker` and `podman`
#           first on PATH talking to the session's private dockerd and podman
#           store, where the image is also tagged cagetest-box (what the
#           docker, podman and gvisor adapters run); binds are not applied
#           (bind SRC:SRC to use one command everywhere)
#   docker  the private dockerd: `docker run FLAGS`
#   podman  `podman ENGINE_FLAGS run FLAGS` on a private store
#   nspawn  systemd-nspawn on the unpacked root (a volatile overlay)
#   lxc     lxc-execute on the unpacked root (an overlay)
# Every container gets no network of its own but loopback (nspawn shares the
# host's, its default), and explicit nofile/nproc limits where runc needs them.
#
# Options:
#   --runtimes FILE     the configurations (default: runtimes.json beside this script)
#   --image NAME        image in $CAGETEST_IMAGES (/var/tmp/cagetest-images); default minbase
#   --packages "P ..."  Debian packages to add to it (e.g. "bubblewrap firejail git socat ripgrep")
#   --with-libs         keep apt and libseccomp2 (default: the image lacks every
#                       library cagetest links: the drop-in binary's test bed)
#   --bind SRC:DST[:ro] bind SRC from the host at DST (repeatable)
#   --out DIR           per configuration: DIR/NAME.out, .err, .rc, .secs; or NAME.skip with the reason
#   --timeout SEC       for each command (default 120); the runtime's start is bounded too
# In CMD, {runtime} stands for the configuration's name (e.g. --evidence /out/{runtime}).
#
# A configuration that cannot start here (a missing tool, a daemon that
# fails, a failed trial `true`) is skipped with its reason, never counted as
# run. Only one session runs at a time (a lock in the image cache). Exit 0
# when the session ran (whatever the runtimes did), 2 on a usage error or a
# bad runtimes file.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

rtfile=$here/runtimes.json image=minbase packages="" withlibs=no out="" timeout=120 binds="" list=no
while [ $# -gt 0 ]; do
	case $1 in
	--runtimes) rtfile=$2; shift 2 ;;
	--list) list=yes; shift ;;
	--image) image=$2; shift 2 ;;
	--packages) packages=$2; shift 2 ;;
	--with-libs) withlibs=yes; shift ;;
	--bind) binds="$binds $2"; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	-h|--help) usage ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	*) runtimes=$1; shift ;;
	esac
done
why=$(cbox_runtimes_check "$rtfile") || { echo "run.sh: $why" >&2; exit 2; }
if [ "$list" = yes ]; then
	cbox_runtimes_list "$rtfile"
	exit 0
fi
[ -n "${runtimes:-}" ] && [ $# -gt 0 ] || usage
all=$(cbox_rt_names "$rtfile" | xargs)
[ "$runtimes" = all ] && runtimes=$all
runtimes=$(echo "$runtimes" | tr ',' ' ')
for rt in $runtimes; do
	case " $all " in *" $rt "*) ;; *) echo "run.sh: unknown runtime $rt (known: $all)" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (it starts dockerd, podman and nspawn)" >&2; exit 2; }
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/var/tmp}/cagetest-containers.XXXXXX")
mkdir -p "$out" || exit 2

state="" ran_pid=""
cleanup() {
	[ -n "$ran_pid" ] && kill -KILL -- "-$ran_pid" 2>/dev/null
	cbox_dockerd_stop
	[ -n "$state" ] && rm -rf --one-file-system "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

skip() { printf '%s\n' "$2" >"$out/$1.skip"; printf '%-18s not run: %s\n' "$1" "$2"; }
skip_all() { for rt in $runtimes; do skip "$rt" "$1"; done; exit 0; }

cbox_session_begin || skip_all "$CBOX_WHY"
state=$CBOX_STATE
chmod 0755 "$state"

dir=$(cbox_image "$image" "$withlibs" "$packages" 2>"$state/image.err") ||
	skip_all "$(tail -1 "$state/image.err" | sed 's/^containers: //')"
root=$dir/root

# Per engine: the bind options in its own syntax.
bind_args() {
	local b src rest dst ro kind
	for b in $binds; do
		src=${b%%:*} rest=${b#*:}
		dst=${rest%%:*} ro=""
		[ "$rest" != "$dst" ] && ro=${rest#*:}
		case $1 in
		docker|podman) printf '%s\n' "-v" "$src:$dst${ro:+:ro}" ;;
		nspawn) printf '%s\n' "--bind${ro:+-ro}=$src:$dst" ;;
		lxc) kind=file; [ -d "$src" ] && kind=dir
			printf 'lxc.mount.entry = %s %s none bind%s,create=%s 0 0\n' "$src" "${dst#/}" "${ro:+,ro}" "$kind" ;;
		esac
	done
}

# Start what an engine needs (once per session); print the reason and fail
# when it cannot. Runs in this shell (never in $(...)): it starts dockerd.
docker_tag="" docker_failed="" podman_tag="" podman_failed="" lxc_conf="" host_path=""
prepare_docker() {
	[ -n "$docker_tag" ] && return 0
	[ -n "$docker_failed" ] && { echo "$docker_failed"; return 1; }
	if ! cbox_dockerd_start "$state/docker" >"$state/dockerd.why"; then
		docker_failed=$(cat "$state/dockerd.why")
		echo "$docker_failed"
		return 1
	fi
	docker_tag=$(cbox_docker_import "$dir" 2>&1) || { docker_failed="docker import: $docker_tag"; docker_tag=""; echo "$docker_failed"; return 1; }
}
prepare_podman() {
	command -v podman >/dev/null || { echo "podman is not installed"; return 1; }
	[ -n "$podman_tag" ] && return 0
	[ -n "$podman_failed" ] && { echo "$podman_failed"; return 1; }
	podman_tag=$(cbox_podman_import "$dir") || { podman_failed="podman import: $podman_tag"; podman_tag=""; echo "$podman_failed"; return 1; }
}
prepare() {
	local need
	for need in $(cbox_rt_field "$rtfile" "$1" requires); do
		command -v "$need" >/dev/null || { echo "$need is not installed"; return 1; }
	done
	case $(cbox_rt_field "$rtfile" "$1" runtime) in
	host)
		[ -n "$host_path" ] && return 0
		# the engines the adapters find on PATH: the session's own, when they start
		mkdir -p "$state/bin" || return 1
		if prepare_docker >/dev/null; then
			cbox_docker_tag "$docker_tag" "$CBOX_BOX_TAG" || { echo "docker tag failed"; return 1; }
			printf '#!/bin/sh\nexec %s "$@"\n' "$CBOX_DOCKER" >"$state/bin/docker" && chmod 0755 "$state/bin/docker"
		fi
		if prepare_podman >/dev/null; then
			cbox_podman tag "$podman_tag" "localhost/$CBOX_BOX_TAG" || { echo "podman tag failed"; return 1; }
			cbox_podman_wrapper "$state" || { echo "cannot write the podman wrapper"; return 1; }
		fi
		host_path=$state/bin:$PATH ;;
	docker)
		prepare_docker ;;
	podman)
		prepare_podman ;;
	nspawn)
		command -v systemd-nspawn >/dev/null || { echo "systemd-nspawn is not installed (Debian: systemd-container)"; return 1; } ;;
	lxc)
		command -v lxc-execute >/dev/null || { echo "lxc-execute is not installed (Debian: lxc)"; return 1; }
		[ -n "$lxc_conf" ] && return 0
		mkdir -p "$state/lxc/upper" "$state/lxc/path" || return 1
		lxc_conf=$state/lxc/config
		{
			echo "lxc.uts.name = cagetest"
			echo "lxc.rootfs.path = overlay:$root:$state/lxc/upper"
			echo "lxc.net.0.type = empty"
			[ -f /usr/share/lxc/config/common.conf ] && echo "lxc.include = /usr/share/lxc/config/common.conf"
			bind_args lxc
		} >"$lxc_conf" ;;
	esac
}

# Run "$@" in configuration $1 with stdout/stderr to files $2.out/.err; the
# exit status in $rc. Runs in this shell, so that the traps can kill it.
in_runtime() {
	local rt=$1 base=$2 n a flags engine_flags; shift 2
	n=$#
	while [ "$n" -gt 0 ]; do # {runtime} in an argument becomes the configuration's name
		a=$1; shift; n=$((n - 1))
		set -- "$@" "$(printf '%s' "$a" | sed "s/{runtime}/$rt/g")"
	done
	flags=$(cbox_rt_words "$rtfile" "$rt" flags)
	engine_flags=$(cbox_rt_words "$rtfile" "$rt" engine_flags)
	case $(cbox_rt_field "$rtfile" "$rt" runtime) in
	host) # no pid namespace: the host's /proc must show dockerd's containers (cagetest inspects its probes there)
		set -- env PATH="$host_path" "$@" ;;
	docker)
		eval "set -- $flags \"\$docker_tag\" \"\$@\""
		set -- $CBOX_DOCKER run --rm --network none $(bind_args docker) "$@" ;;
	podman)
		eval "set -- $flags \"\$podman_tag\" \"\$@\""
		set -- $(for l in $(cbox_ulimits); do echo --ulimit "$l"; done) $(bind_args podman) "$@"
		eval "set -- $engine_flags run --rm --network none \"\$@\""
		set -- $CBOX_CONTAIN $CBOX_PODMAN "$@" ;;
	nspawn)
		eval "set -- $flags -- \"\$@\""
		set -- $CBOX_CONTAIN systemd-nspawn -q --register=no --keep-unit -M "cagetest-$$" -D "$root" \
			--volatile=overlay --pipe $(bind_args nspawn) "$@" ;;
	lxc)
		eval "set -- $flags -- /bin/sh -c 'exec \"\$@\"' sh \"\$@\"" # lxc-init does not search PATH
		set -- $CBOX_CONTAIN env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin lxc-execute -n "cagetest-$$" \
			-P "$state/lxc/path" -f "$lxc_conf" "$@" ;;
	esac
	# bounded; timeout leads a process group of its own and dies with this
	# shell, and the namespaces go down with the command; the session lock
	# (fd 9) stays out of the containers
	setpriv --pdeathsig KILL timeout -k 5 "$timeout" "$@" </dev/null >"$base.out" 2>"$base.err" 9>&- &
	ran_pid=$!
	wait "$ran_pid"
	rc=$?
	ran_pid=""
}

secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
for rt in $runtimes; do
	t0=$(date +%s.%N)
	rm -f "$out/$rt.out" "$out/$rt.err" "$out/$rt.rc" "$out/$rt.skip" "$out/$rt.secs"
	prepare "$rt" >"$state/why" || { skip "$rt" "$(cat "$state/why")"; continue; }
	# the runtime must run a plain `true` before its result means anything
	in_runtime "$rt" "$state/probe" true
	if [ "$rc" != 0 ]; then
		skip "$rt" "it cannot start a container here (exit $rc): $(grep -v '^\s*$' "$state/probe.err" | tail -1 | cut -c1-300)"
		continue
	fi
	in_runtime "$rt" "$out/$rt" "$@"
	echo "$rc" >"$out/$rt.rc"
	secs "$t0" >"$out/$rt.secs"
	printf '%-18s ran: exit %s (%s s with its start)\n' "$rt" "$rc" "$(cat "$out/$rt.secs")"
done
exit 0
