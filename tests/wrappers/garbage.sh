#!/bin/sh
# A wrapper that prints garbage instead of running the agent: random bytes,
# record-looking lines with a made-up nonce, then exits 0.
printf '@cagetest 000000000000 {"t":"hello"}\n'
printf '@cagetest 000000000000 {"t":"probe","slot":0,"rc":-1,"errno":"EPERM"}\n'
head -c 2048 /dev/urandom
printf '\n{"t":"hello"}\n\033[2J not json {{{\n'
echo "garbage: printed garbage, never ran the agent" >&2
exit 0
