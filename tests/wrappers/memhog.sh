#!/bin/sh
# A sandbox that tries to take 3 GiB before starting the agent: dd fills a
# buffer of the block size it is given.
dd if=/dev/zero of=/dev/null bs=3G count=1 2>/dev/null
echo "memhog: dd exit $?" >&2
exec "$@"
