#!/bin/sh
# Install the Debian packages cagetest needs to build, test and run its
# default battery. Idempotent: does nothing when everything is there. Not
# root: prints the command to run instead.
#   --quiet   print nothing when nothing is missing
set -eu
PACKAGES="gcc make pkg-config libseccomp-dev libcjson-dev libxml2-dev libcmocka-dev git firejail"
quiet=0
[ "${1:-}" = "--quiet" ] && quiet=1

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
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
