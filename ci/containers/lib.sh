# Container plumbing shared by ci/containers/*.sh (sourced; POSIX sh plus
# `local`, which dash, bash and busybox sh have).
#
# Everything a session starts lives in a PID namespace of its own, entered
# by an unshare that dies with its parent (a parent-death signal) and takes
# the namespace down when it dies (--kill-child): the kernel then kills every
# process in it (dockerd, containerd, shims, conmon, runsc, the containers).
# So even a SIGKILL of the calling shell leaves nothing running. Mounts are made in a private mount namespace, so
# nothing is left mounted on the host either. Nothing here touches a real
# daemon's socket or data: dockerd and podman get their own under the cache.

CBOX_CACHE=${CAGETEST_IMAGES:-/var/tmp/cagetest-images}
# Debian's CLI matches Debian's daemon (another docker may come first on PATH)
CBOX_DOCKER_CLI=${CAGETEST_DOCKER_CLI:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || command -v docker)}

cbox_log() { printf '%s\n' "containers: $*" >&2; }

# --- the runtime configurations (runtimes.json) ---------------------------------

# The runtimes a configuration may name, and the tag the host configuration
# gives the image in the private stores (the container adapters run it).
CBOX_ENGINES="host docker podman nspawn lxc"
CBOX_BOX_TAG=cagetest-box

# cbox_runtimes_check FILE: nothing when FILE is a valid list of
# configurations, else the first problem ("FILE: WHERE: WHAT") and failure.
cbox_runtimes_check() {
	local why
	command -v jq >/dev/null || { echo "$1: jq is needed to read it (Debian: jq)"; return 1; }
	why=$(jq -r --arg engines "$CBOX_ENGINES" '
		def strs: type == "array" and all(.[]; type == "string");
		($engines | split(" ")) as $known |
		if type != "object" then "expected a JSON object"
		elif (.runtimes | type) != "array" or (.runtimes | length) == 0 then "runtimes: expected a non-empty array"
		else [.runtimes | to_entries[] | .key as $i | .value as $v | "runtimes[\($i)]" as $w |
			if ($v | type) != "object" then "\($w): expected an object"
			elif ($v | keys - ["name", "runtime", "requires", "engine_flags", "flags", "description"] | length) > 0
			then "\($w): unknown key \($v | keys - ["name", "runtime", "requires", "engine_flags", "flags", "description"] | .[0])"
			elif ($v.name | type) != "string" or ($v.name | test("^[a-z0-9][a-z0-9-]{0,39}$") | not)
			then "\($w).name: required, [a-z0-9-], at most 40 bytes"
			elif ($known | index($v.runtime)) == null then "\($w).runtime: one of \($engines)"
			elif ($v.description | type) != "string" or $v.description == "" then "\($w).description: required"
			elif ($v.flags // [] | strs | not) then "\($w).flags: expected an array of strings"
			elif ($v.requires // [] | strs | not) then "\($w).requires: expected an array of strings"
			elif ($v.engine_flags // [] | strs | not) then "\($w).engine_flags: expected an array of strings"
			elif ($v.engine_flags // [] | length) > 0 and $v.runtime != "podman" then "\($w).engine_flags: only for podman"
			else empty end] +
			[.runtimes | group_by(.name)[] | select(length > 1) | "runtimes: \(.[0].name) is given twice"] | .[0] // empty
		end' "$1" 2>&1) || { echo "$1: not JSON: $(echo "$why" | tail -1)"; return 1; }
	[ -z "$why" ] || { echo "$1: $why"; return 1; }
}

cbox_rt_names() { jq -r '.runtimes[].name' "$1"; }
# cbox_rt_field FILE NAME KEY: a string key, or an array key one item a line
cbox_rt_field() {
	jq -r --arg n "$2" --arg k "$3" '.runtimes[] | select(.name == $n) | .[$k] // empty | if type == "array" then .[] else . end' "$1"
}
# cbox_rt_words FILE NAME KEY: an array key as shell words (for eval)
cbox_rt_words() { jq -r --arg n "$2" --arg k "$3" '.runtimes[] | select(.name == $n) | .[$k] // [] | @sh' "$1"; }
# NAME<TAB>RUNTIME<TAB>FLAGS (engine flags, then run flags)<TAB>DESCRIPTION
cbox_runtimes_list() {
	jq -r '.runtimes[] | [.name, .runtime, ((.engine_flags // []) + (.flags // []) | join(" ")), .description] | join("\t")' "$1"
}

# A command prefix: run inside new mount (private) and PID namespaces that
# die with it. (Paths in the cache must not hold spaces: options are words.)
CBOX_CONTAIN="setpriv --pdeathsig KILL unshare --mount --propagation private --pid --fork --mount-proc --kill-child=SIGKILL --"
cbox_contained() { $CBOX_CONTAIN "$@"; }

# The hard limits runc must be given on hosts whose defaults exceed them
# (runc fails "error setting rlimits" otherwise): this shell's own, bounded.
cbox_ulimits() {
	local n u
	n=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
	u=$(awk '/^Max processes/ { print $4 }' /proc/self/limits)
	{ [ "$n" = unlimited ] || [ "$n" -gt 1048576 ]; } && n=1048576
	# podman lowers its own RLIMIT_NPROC to 32768 before it starts conmon
	{ [ "$u" = unlimited ] || [ "$u" -gt 32768 ]; } && u=32768
	echo "nofile=$n:$n nproc=$u:$u"
}

# --- sessions ----------------------------------------------------------------

# cbox_session_begin: wait (up to 600 s) for the cache's session lock, kept
# on fd 9 until this shell exits, and make the session's state directory,
# CBOX_STATE. One session at a time, so any other state directory is one a
# killed session (SIGKILL: no trap ran) left: removed here. Fails with the
# reason in CBOX_WHY. Call it in this shell, never in $(...).
cbox_session_begin() {
	mkdir -p "$CBOX_CACHE" || { CBOX_WHY="cannot create $CBOX_CACHE"; return 1; }
	exec 9>"$CBOX_CACHE/.session.lock"
	flock -w 600 9 || { CBOX_WHY="another container session held $CBOX_CACHE/.session.lock for 600 s"; return 1; }
	rm -rf --one-file-system "$CBOX_CACHE"/.session.??????
	CBOX_STATE=$(mktemp -d "$CBOX_CACHE/.session.XXXXXX") || { CBOX_WHY="cannot create a state directory"; return 1; }
}

# --- images ------------------------------------------------------------------

# The Debian release and apt's own Debian sources of this host.
cbox_suite() { . /etc/os-release && echo "${VERSION_CODENAME:-bookworm}"; }
cbox_sources() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && grep -qE '^[^#]*(deb\.debian\.org|security\.debian\.org|/debian)' "$f" && echo "$f"
	done
}

# cbox_image NAME WITHLIBS "PKG ..."
# A Debian minbase root from Debian packages (mmdebstrap, apt's own sources),
# kept in $CBOX_CACHE/ctr-NAME: rootfs.tar, root/ (unpacked), key. Rebuilt only
# when the package list changes. WITHLIBS=no purges apt and libseccomp2 and
# checks that no libseccomp, cJSON or libxml2 is left: the image a drop-in
# binary must run in. Prints the directory; fails with the reason on stderr.
cbox_image() {
	local name=$1 withlibs=$2 pkgs dir key
	pkgs=$(printf '%s\n' $3 | sort -u | xargs)
	dir=$CBOX_CACHE/ctr-$name
	key="$(cbox_suite) minbase withlibs=$withlibs packages=$pkgs"
	mkdir -p "$CBOX_CACHE" || return 1
	if [ "$(cat "$dir/key" 2>/dev/null)" != "$key" ]; then
		(
			flock -w 900 8 || { cbox_log "image $name: another build held the lock for 900 s"; exit 1; }
			[ "$(cat "$dir/key" 2>/dev/null)" = "$key" ] && exit 0
			cbox_build "ctr-$name" "$withlibs" "$pkgs" "$key"
		) 8>"$CBOX_CACHE/.build.lock" || return 1
	fi
	echo "$dir"
}

cbox_build() {
	local name=$1 withlibs=$2 pkgs=$3 key=$4 tmp=$CBOX_CACHE/.$1.new sources left
	command -v mmdebstrap >/dev/null || { cbox_log "image $name: mmdebstrap is not installed (apt-get install mmdebstrap)"; return 1; }
	sources=$(cbox_sources)
	[ -n "$sources" ] || { cbox_log "image $name: no Debian apt sources in /etc/apt"; return 1; }
	rm -rf "$tmp" && mkdir -p "$tmp" || return 1
	set -- --variant=minbase --mode=root --format=tar --quiet
	[ -n "$pkgs" ] && set -- "$@" --include="$(echo $pkgs | tr ' ' ',')"
	[ "$withlibs" = no ] && set -- "$@" \
		--customize-hook='chroot "$1" dpkg --purge apt >/dev/null' \
		--customize-hook='chroot "$1" dpkg --purge --force-depends libseccomp2 >/dev/null'
	cbox_log "image $name: building ($key)"
	# mmdebstrap's own temporary directory goes under the cache, not /tmp.
	# It hands apt a pipe by its number, which apt's sh (dash) cannot name
	# above 9: it starts with no descriptor above 2 open (the caller's locks
	# stay held by the caller)
	# shellcheck disable=SC2086
	if ! (for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
	      TMPDIR=$CBOX_CACHE exec timeout 900 mmdebstrap "$@" "$(cbox_suite)" "$tmp/rootfs.tar" $sources) \
		>"$tmp/build.log" 2>&1; then
		mv "$tmp/build.log" "$CBOX_CACHE/$name.build.log"
		cbox_log "image $name: mmdebstrap failed (no network?): $(grep -v '^\s*$' "$CBOX_CACHE/$name.build.log" | tail -1) (log: $CBOX_CACHE/$name.build.log)"
		rm -rf "$tmp"
		return 1
	fi
	mkdir "$tmp/root" && tar -C "$tmp/root" --numeric-owner -xpf "$tmp/rootfs.tar" || { rm -rf "$tmp"; return 1; }
	if [ "$withlibs" = no ]; then
		left=$(find "$tmp/root" \( -name 'libseccomp.so*' -o -name 'libcjson.so*' -o -name 'libxml2.so*' \) | head -3)
		[ -z "$left" ] || { cbox_log "image $name: cagetest's libraries are still in it: $left"; rm -rf "$tmp"; return 1; }
	fi
	echo "$key" >"$tmp/key"
	# the tag changes with every build, so engines never run a stale import
	echo "cagetest-$name:$(date +%s)" >"$tmp/tag"
	rm -rf "$CBOX_CACHE/$name" && mv "$tmp" "$CBOX_CACHE/$name"
}

# --- the private dockerd -------------------------------------------------------

# cbox_dockerd_start STATE: dockerd on STATE/docker.sock with its data root in
# the cache (images stay imported across sessions) and its exec root in
# STATE; no bridge, no iptables, no forwarding, explicit ulimits. Its own
# key.json goes to STATE, not /etc/docker. Sets CBOX_DOCKERD_PID (the
# unshare process) and CBOX_DOCKER, the CLI command that talks to it (with
# a config directory of its own; nothing is exported to other tools).
cbox_dockerd_start() {
	local state=$1 init i
	command -v dockerd >/dev/null || { echo "dockerd is not installed (Debian: docker.io)"; return 1; }
	[ -n "$CBOX_DOCKER_CLI" ] || { echo "no docker CLI (Debian: docker.io)"; return 1; }
	mkdir -p "$state/docker-exec" "$CBOX_CACHE/docker-root" || return 1
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$state" >"$state/daemon.json" || return 1
	set -- --config-file "$state/daemon.json" --data-root "$CBOX_CACHE/docker-root" \
		--exec-root "$state/docker-exec" --pidfile "$state/dockerd.pid" -H "unix://$state/docker.sock" \
		--bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--userland-proxy=false
	for i in $(cbox_ulimits); do set -- "$@" --default-ulimit "$i"; done
	init=$(command -v docker-init || command -v tini-static || echo "")
	# an init as the namespace's first process reaps what dockerd orphans
	$CBOX_CONTAIN ${init:+"$init" --} dockerd "$@" >"$state/dockerd.log" 2>&1 9>&- &
	CBOX_DOCKERD_PID=$!
	CBOX_DOCKER="$CBOX_DOCKER_CLI --config $state/docker-cli -H unix://$state/docker.sock"
	i=0
	while [ $i -lt 120 ]; do
		$CBOX_DOCKER version >/dev/null 2>&1 && return 0
		kill -0 "$CBOX_DOCKERD_PID" 2>/dev/null || break
		sleep 0.25; i=$((i + 1))
	done
	echo "dockerd did not start: $(grep -E 'level=(error|fatal)|failed' "$state/dockerd.log" | tail -1 | cut -c1-300)"
	cbox_dockerd_stop
	return 1
}

# Ask dockerd to stop (it stops its containers and containerd), then take its
# namespace down in any case.
cbox_dockerd_stop() {
	local child i
	[ -n "${CBOX_DOCKERD_PID:-}" ] || return 0
	# the namespace's first process: the init that forwards signals to dockerd
	child=$(cat "/proc/$CBOX_DOCKERD_PID/task/$CBOX_DOCKERD_PID/children" 2>/dev/null)
	[ -n "$child" ] && kill -TERM $child 2>/dev/null
	i=0
	while kill -0 "$CBOX_DOCKERD_PID" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.25; i=$((i + 1)); done
	kill -KILL "$CBOX_DOCKERD_PID" 2>/dev/null
	wait "$CBOX_DOCKERD_PID" 2>/dev/null
	CBOX_DOCKERD_PID=
}

# cbox_docker_tag TAG NAME: NAME also names the image TAG.
cbox_docker_tag() { $CBOX_DOCKER tag "$1" "$2" >/dev/null; }

# Import an image's rootfs into the private dockerd once (tagged by build);
# earlier builds of it are removed.
cbox_docker_import() {
	local tag old
	tag=$(cat "$1/tag")
	$CBOX_DOCKER image inspect "$tag" >/dev/null 2>&1 && { echo "$tag"; return 0; }
	$CBOX_DOCKER import "$1/rootfs.tar" "$tag" >/dev/null || return 1
	for old in $($CBOX_DOCKER image ls --format '{{.Repository}}:{{.Tag}}' "${tag%:*}"); do
		[ "$old" = "$tag" ] || $CBOX_DOCKER image rm "$old" >/dev/null 2>&1
	done
	echo "$tag"
}

# --- podman ----------------------------------------------------------------------

# Podman with its own storage, run root and tmp dir in the cache (the
# session lock makes them this session's alone), cgroupfs, no journald,
# contained like everything else.
CBOX_PODMAN="$(command -v podman || echo podman) --root $CBOX_CACHE/podman/root --runroot $CBOX_CACHE/podman/run --tmpdir $CBOX_CACHE/podman/tmp --cgroup-manager cgroupfs --events-backend file"
cbox_podman() { $CBOX_CONTAIN $CBOX_PODMAN "$@"; }

# cbox_podman_wrapper STATE: STATE/bin/podman, the private podman as a
# command other tools find on PATH (the container adapters): the session's
# store, cgroupfs, file events, runc (crun refuses hybrid cgroups; a later
# --runtime wins), and the nofile/nproc limits runc needs (a containers.conf
# of its own in STATE: only podman's built-in defaults besides).
cbox_podman_wrapper() {
	local l
	mkdir -p "$1/bin" || return 1
	{
		echo "[containers]"
		printf 'default_ulimits = ['
		for l in $(cbox_ulimits); do printf '"%s", ' "$l"; done | sed 's/, $//'
		echo "]"
	} >"$1/containers.conf" || return 1
	printf '#!/bin/sh
CONTAINERS_CONF=%s exec %s --runtime runc "$@"
' "$1/containers.conf" "$CBOX_PODMAN" >"$1/bin/podman" &&
		chmod 0755 "$1/bin/podman"
}

# Import an image's rootfs into the private podman store once (tagged by
# build); earlier builds of it are removed.
cbox_podman_import() {
	local tag old
	tag=localhost/$(cat "$1/tag")
	cbox_podman image exists "$tag" 2>/dev/null && { echo "$tag"; return 0; }
	if ! cbox_podman import "$1/rootfs.tar" "$tag" >/dev/null 2>"$1/podman-import.err"; then
		# a store left unusable (another podman version, a killed import): start afresh
		rm -rf --one-file-system "$CBOX_CACHE/podman"
		cbox_podman import "$1/rootfs.tar" "$tag" >/dev/null 2>"$1/podman-import.err" ||
			{ tail -1 "$1/podman-import.err"; return 1; }
	fi
	for old in $(cbox_podman image ls --format '{{.Repository}}:{{.Tag}}' "${tag%:*}"); do
		[ "$old" = "$tag" ] || cbox_podman image rm "$old" >/dev/null 2>&1
	done
	echo "$tag"
}
