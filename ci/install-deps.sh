#!/bin/sh
# Install the Debian packages cagetest needs to build, test and run its
# default battery. Idempotent: does nothing when everything is there. Not
# root: prints the command to run instead.
#   --quiet   print nothing when nothing is missing; required packages only
#             (every build runs this: it must stay fast)
# Without --quiet the optional packages are installed too when root: chromium
# (the test that renders the HTML report in a headless browser skips without it),
# dpkg-dev (make dist unpacks Debian sources with dpkg-source), mmdebstrap and
# busybox-static (the roots the dist is tested in; that test skips without them),
# yq (ci/k8s/play.sh reads the manifests with it; the k8s test skips without it).
# jq is required: ci/containers/run.sh reads its runtimes.json with it.
#   --containers  (root) the container runtimes too, for the container tests
#             and make containers: docker.io, podman, runc, runsc, systemd-container,
#             lxc, mmdebstrap. Only when asked: docker.io brings a system daemon,
#             so nothing is started while they install (the tests start a private
#             dockerd of their own). .ci/run asks for them.
set -eu
# build and unit tests; live tests (real sandboxes and tools); fuzzing and memory checks
PACKAGES="gcc make pkg-config libseccomp-dev libcjson-dev libxml2-dev libcmocka-dev git
	bubblewrap firejail socat ripgrep dbus-daemon iproute2 jq
	clang libclang-rt-dev valgrind"
OPTIONAL="chromium dpkg-dev mmdebstrap busybox-static yq"
CONTAINERS="docker.io podman runc runsc systemd-container lxc mmdebstrap uidmap slirp4netns"
quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if [ "${1:-}" = "--containers" ]; then
	[ "$(id -u)" = 0 ] || { echo "install-deps: --containers needs root" >&2; exit 1; }
	want=""
	for p in $CONTAINERS; do installed "$p" || want="$want $p"; done
	[ -z "$want" ] && { echo "install-deps: container runtimes present"; exit 0; }
	echo "install-deps: installing container runtimes:$want"
	# no service starts while they install: a policy-rc.d of our own, removed after
	policy=/usr/sbin/policy-rc.d
	[ -e $policy ] && own=0 || { own=1; printf '#!/bin/sh\nexit 101\n' >$policy; chmod 755 $policy; }
	rc=0
	{ apt-get update >/dev/null &&
	  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $want >/dev/null; } || rc=$?
	[ $own = 1 ] && rm -f $policy
	[ $rc = 0 ] || echo "install-deps: could not install the container runtimes (their tests will skip)" >&2
	exit 0
fi

# Optional packages: best effort, never an error.
if [ $quiet = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	for p in $OPTIONAL; do
		installed "$p" && continue
		echo "install-deps: installing optional $p"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$p" >/dev/null 2>&1; } ||
			echo "install-deps: could not install optional $p (its test will skip)"
	done
fi

missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ $quiet = 1 ] || echo "install-deps: all packages present"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-deps: missing:$missing (not a Debian system: install them with your package manager)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing:$missing" >&2
	echo "install-deps: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null
	apt-get install -y --no-install-recommends $missing
}
