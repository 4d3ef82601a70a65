#!/bin/sh
# A plain bwrap sandbox of the kind agent launchers build: the root read-only,
# the workspace writable, its .git, .codex and .agents re-bound read-only,
# the box in a user namespace of bwrap's, and no seccomp filter.
#   bwrap-ro-git.sh allow|deny WORKSPACE -- AGENT...
# allow: the box may make user namespaces of its own (the ns.* probes must
# see it undo the read-only binds); deny: --disable-userns forbids them.
userns=$1 ws=$2
shift 2
[ "$1" = -- ] && shift
set -- --chdir "$ws" -- "$@"
for n in .agents .codex .git; do
	[ -e "$ws/$n" ] && set -- --ro-bind "$ws/$n" "$ws/$n" "$@"
done
[ "$userns" = deny ] && set -- --disable-userns "$@"
exec bwrap --unshare-user --unshare-pid --die-with-parent --cap-drop ALL --ro-bind / / --dev /dev \
	--proc /proc --bind "$ws" "$ws" "$@"
