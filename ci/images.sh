#!/bin/sh
# Root file systems to try build/dist/cagetest in, as a container image
# would give it, each built once and cached as a directory (printed on
# stdout); the live test enters them through an overlay, so the cached tree
# never changes.
#   minbase   Debian minbase with bubblewrap, built as the container tests'
#             images are (ci/containers/lib.sh cbox_image: mmdebstrap from
#             apt's own Debian sources, nothing else fetched; apt and
#             libseccomp2 purged and none of cagetest's libraries left), in
#             CACHE/ctr-dist-minbase/root
#   busybox   busybox-static's binary and its applets, nothing else
# Exit 77 when NAME cannot be built here (a tool missing, no network).
#   ci/images.sh CACHE minbase|busybox
set -eu
cache=${1:?usage: ci/images.sh CACHE minbase|busybox}
name=${2:?usage: ci/images.sh CACHE minbase|busybox}
say() { echo "images: $*" >&2; }
if [ "$name" = minbase ]; then
	# the container tests' image builder, under this cache (it keeps its own
	# lock and key); lib.sh is written for scripts without set -eu
	set +eu
	CAGETEST_IMAGES=$cache
	. "$(dirname "$0")/containers/lib.sh"
	dir=$(cbox_image dist-minbase no bubblewrap) || { say "no minbase image (see above)"; exit 77; }
	echo "$dir/root"
	exit 0
fi
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
