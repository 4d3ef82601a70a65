#!/bin/sh
# A sandbox that fails before the agent starts (as codex does when its helper
# is missing): no hello record, a message on stderr, a non-zero status.
echo "die-early: cannot set up the sandbox: no such helper" >&2
exit 101
