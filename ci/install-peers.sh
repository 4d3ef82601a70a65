#!/bin/sh
# Install the external sandboxes the codex and srt adapters drive, for
# `make check-peers`: @openai/codex and @anthropic-ai/sandbox-runtime from
# npm into peers/ (ignored by git), and the Debian packages srt needs.
# Idempotent: does nothing when they are there (--update reinstalls).
# Prints the directory to put on PATH.
#   CODEX_PKG, SRT_PKG   npm specs to install (default: the latest)
set -eu
cd "$(dirname "$0")/.."
CODEX_PKG=${CODEX_PKG:-@openai/codex}
SRT_PKG=${SRT_PKG:-@anthropic-ai/sandbox-runtime}
bin="$PWD/peers/node_modules/.bin"

missing=""
for p in bubblewrap socat ripgrep; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-peers: run as root: apt-get install -y$missing" >&2
		exit 1
	fi
	echo "install-peers: installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
		apt-get update >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
	}
fi

if [ "${1:-}" = "--update" ] || [ ! -x "$bin/codex" ] || [ ! -x "$bin/srt" ]; then
	command -v npm >/dev/null 2>&1 || { echo "install-peers: npm not found (apt-get install npm)" >&2; exit 1; }
	mkdir -p peers
	[ -f peers/package.json ] || echo '{"private": true, "description": "cagetest check-peers: sandboxes under test"}' >peers/package.json
	echo "install-peers: npm install $CODEX_PKG $SRT_PKG into peers/"
	npm install --prefix peers --no-audit --no-fund --loglevel=error "$CODEX_PKG" "$SRT_PKG"
fi
echo "install-peers: $(PATH="$bin:$PATH" HOME=/nonexistent codex --version), srt $(PATH="$bin:$PATH" HOME=/nonexistent srt --version)"
echo "install-peers: PATH=$bin:\$PATH"
