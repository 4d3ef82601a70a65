#!/bin/sh
# The static libraries `make dist` links that Debian does not ship as it
# needs them: cJSON (libcjson-dev has only the .so) and libxml2 without ICU,
# zlib, lzma, iconv, HTTP and FTP (Debian's libxml2.a needs ICU and its
# 30 MB of data; cagetest only writes UTF-8 XML with xmlwriter). Both are
# built from the Debian source packages of exactly the versions installed
# here, Debian's patches applied (apt-get source, from apt's own Debian
# sources, through a private apt state: the system's apt is not touched).
# Built once per version pair into CACHE/VERSIONS/, whose path is printed
# on stdout; libseccomp.a comes with libseccomp-dev, libc.a with libc6-dev.
# Exit 77 when that cannot be done here (a tool missing, the sources out of
# reach), 1 when a build fails.
#   ci/dist-libs.sh CACHE
set -eu
cache=${1:?usage: ci/dist-libs.sh CACHE}
say() { echo "dist-libs: $*" >&2; }
for t in apt-get dpkg-source dpkg-query ar make; do
	command -v "$t" >/dev/null 2>&1 || { say "needs $t (Debian: apt-get install dpkg-dev make binutils)"; exit 77; }
done
src_of() { dpkg-query -W -f='${source:Package}=${source:Version}' "$1" 2>/dev/null; }
cjson=$(src_of libcjson-dev) && xml=$(src_of libxml2-dev) ||
	{ say "needs libcjson-dev and libxml2-dev installed (ci/install-deps.sh)"; exit 77; }
out=$cache/$(printf '%s+%s' "$cjson" "$xml" | tr '=~:' '-__')
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; the next waits, then finds it done
if [ -f "$out/done" ]; then
	echo "$out"
	exit 0
fi
rm -rf "$out" && mkdir -p "$out/src" "$out/lib" "$out/include/cjson" "$out/include/libxml2"

# apt's own Debian sources, as deb-src lines, in a private apt state
apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/parts"
sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list 2>/dev/null >"$apt/sources.list" || true
rm -f "$apt/parts/"*
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && grep -q 'debian' "$f" || continue
	sed 's/^Types: *deb$/Types: deb-src/; s/^deb /deb-src /' "$f" >"$apt/parts/$(basename "$f")"
done
set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts="$apt/parts" \
	-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User=root -q
say "fetching the Debian sources of $cjson and $xml"
timeout 300 apt-get "$@" update >"$out/apt.log" 2>&1 || true
(cd "$out/src" && timeout 300 apt-get "$@" source "$cjson" "$xml") >>"$out/apt.log" 2>&1 || {
	tail -5 "$out/apt.log" >&2
	say "cannot fetch the sources (make dist needs them once: apt-get source $cjson $xml)"
	exit 77
}

cflags="-O2 -fPIE -fstack-protector-strong -D_FORTIFY_SOURCE=2"
say "building cJSON"
cj=$(echo "$out"/src/cjson-*/cJSON.c)
cc $cflags -c "$cj" -o "$out/src/cJSON.o"
ar rcs "$out/lib/libcjson.a" "$out/src/cJSON.o"
cp "$(dirname "$cj")/cJSON.h" "$out/include/cjson/"

say "building libxml2 (no ICU, zlib, lzma, iconv, HTTP, FTP)"
xd=$(echo "$out"/src/libxml2-*/configure)
xd=${xd%/configure}
# Debian's patches touch Makefile.am (tests and docs only): keep the
# shipped configure and Makefile.in instead of needing automake
(cd "$xd" && touch aclocal.m4 && sleep 1 && touch configure config.h.in Makefile.in ./*/Makefile.in &&
	./configure --quiet --disable-shared --enable-static --with-pic --without-python --without-icu \
		--without-zlib --without-lzma --without-iconv --without-http --without-ftp --without-modules \
		--without-debug CFLAGS="$cflags" &&
	make -j"$(nproc)" libxml2.la) >"$out/libxml2.log" 2>&1 || {
	tail -20 "$out/libxml2.log" >&2
	say "building libxml2 failed (log: $out/libxml2.log)"
	exit 1
}
cp "$xd/.libs/libxml2.a" "$out/lib/"
mkdir -p "$out/include/libxml2/libxml"
cp "$xd"/include/libxml/*.h "$out/include/libxml2/libxml/"
rm -rf "$out/src"
touch "$out/done"
echo "$out"
