#!/bin/sh
# Root file systems to try build/dist/cagetest in, as a container image
# would give it, each built once and cached as a directory (CACHE/dist-NAME,
# printed on stdout); the live test enters them through an overlay, so the
# cached tree never changes.
#   minbase   Debian minbase (mmdebstrap, from apt's own Debian sources,
#             nothing else fetched) with bubblewrap; apt is purged, and with
#             it libseccomp2, so none of cagetest's libraries (libseccomp,
#             cJSON, libxml2) is in it
#   busybox   busybox-static's binary and its applets, nothing else
# Exit 77 when NAME cannot be built here (a tool missing, no network).
#   ci/images.sh CACHE minbase|busybox
set -eu
cache=${1:?usage: ci/images.sh CACHE minbase|busybox}
name=${2:?usage: ci/images.sh CACHE minbase|busybox}
say() { echo "images: $*" >&2; }
out=$cache/dist-$name
mkdir -p "$cache"
exec 9>"$cache/.dist-$name.lock"
flock 9 # one build at a time; the next waits, then finds it done
if [ -f "$out/.cagetest-image" ]; then
	echo "$out"
	exit 0
fi
tmp=$out.tmp
rm -rf "$tmp" "$out"
case $name in
minbase)
	command -v mmdebstrap >/dev/null 2>&1 || { say "needs mmdebstrap (apt-get install mmdebstrap)"; exit 77; }
	. /etc/os-release
	# apt's own sources: the files of the host's sources that are Debian's
	set --
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
		[ -s "$f" ] && grep -q '^[^#]*debian' "$f" && set -- "$@" "$f"
	done
	[ $# -gt 0 ] || { say "no Debian apt sources on this host"; exit 77; }
	# mmdebstrap hands apt a pipe by its number, which apt's sh (dash)
	# cannot name above 9: start it with no descriptor above 2 open
	(
		for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
		exec timeout 900 mmdebstrap --variant=minbase --include=bubblewrap --format=directory \
			--customize-hook='chroot "$1" dpkg --purge apt libseccomp2' \
			"${VERSION_CODENAME:?}" "$tmp" "$@"
	) >"$cache/dist-$name.log" 2>&1 || {
		tail -5 "$cache/dist-$name.log" >&2
		rm -rf "$tmp"
		say "mmdebstrap failed (no network?): log in $cache/dist-$name.log"
		exit 77
	}
	;;
busybox)
	bb=/bin/busybox
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
		{ say "needs busybox-static (apt-get install busybox-static)"; exit 77; }
	mkdir -p "$tmp/bin" "$tmp/etc" "$tmp/root" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp" "$tmp/var/tmp" \
		"$tmp/usr/local/bin"
	cp "$bb" "$tmp/bin/busybox"
	for a in $("$bb" --list); do
		[ -e "$tmp/bin/$a" ] || ln -s busybox "$tmp/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
	chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
	;;
*)
	say "unknown image $name (minbase, busybox)"
	exit 2
	;;
esac
touch "$tmp/.cagetest-image"
mv "$tmp" "$out"
echo "$out"
