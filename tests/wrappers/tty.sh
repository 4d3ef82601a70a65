#!/bin/sh
# No sandbox, only a terminal that hides what was pushed into it, unless the
# host reads it right (proc.tiocsti):
#   tty.sh flood CMD...   5000 bytes of output first: the host's pty master
#                         holds 4095 unread, so the echo of anything injected
#                         waits in the tty layer's flip buffer and reaches the
#                         master only through its deferred work as the host
#                         reads; and the box reads its own input back after
#                         the command, so the echo is all that is left
#   tty.sh noecho CMD...  echo off: the injected bytes only sit in the
#                         terminal's input queue, for the host's shell to run
how=$1
shift
case "$how" in
flood)
	printf '%5000s' '' >&0
	"$@"
	rc=$?
	dd iflag=nonblock of=/dev/null 2>/dev/null <&0
	exit $rc
	;;
noecho)
	stty -echo <&0 || exit 1
	exec "$@"
	;;
esac
echo "tty.sh: flood or noecho, not $how" >&2
exit 2
