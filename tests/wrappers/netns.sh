#!/bin/sh
# A user's own little sandbox, driven through an adapter file with no code
# change: it reads the config the adapter wrote, checks it was given the
# right mode, and cuts the network off with a fresh network namespace when
# the config says so.
conf=$NETNS_CONF
[ -f "$conf" ] || { echo "netns: no config at '$conf'" >&2; exit 9; }
mode=$1
shift
grep -qx "mode=$mode" "$conf" || { echo "netns: config is not for mode $mode" >&2; exit 9; }
if grep -qx "network=off" "$conf"; then
	if [ "$(id -u)" = 0 ]; then
		exec unshare --net -- "$@"
	fi
	exec unshare --user --map-root-user --net -- "$@"
fi
exec "$@"
