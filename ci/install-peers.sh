#!/bin/sh
# Install the external sandboxes the codex and srt adapters drive, for
# `make check-peers`: pinned versions of @openai/codex and
# @anthropic-ai/sandbox-runtime from npm, side by side in peers/ (ignored by
# git), and the Debian packages srt needs. Each version gets its own prefix,
# peers/codex-VERSION/ and peers/srt-VERSION/, so one run can compare them.
# Idempotent: a version already there is not reinstalled (--update does).
# Writes peers/pinned.txt, one line per install: PRODUCT VERSION BIN-DIR.
#   CODEX_VERSIONS, SRT_VERSIONS   space-separated, newest first (default:
#   the latest on npm when pinned, and one older release each)
# Exit 77 when npm or its registry is out of reach: check-peers then skips.
set -eu
cd "$(dirname "$0")/.."
CODEX_VERSIONS=${CODEX_VERSIONS:-0.171.0 0.169.0}
SRT_VERSIONS=${SRT_VERSIONS:-0.0.83 0.0.78}
update=${1:-}

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

# PRODUCT PACKAGE VERSION: install into peers/PRODUCT-VERSION unless there.
install() {
	dir="$PWD/peers/$1-$3"
	if [ "$update" = --update ] || [ ! -x "$dir/node_modules/.bin/$1" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			echo "install-peers: npm not found (apt-get install npm): skipping" >&2
			exit 77
		fi
		if ! npm ping >/dev/null 2>&1; then
			echo "install-peers: the npm registry is out of reach: skipping" >&2
			exit 77
		fi
		if ! npm view "$2@$3" version 2>/dev/null | grep -q .; then
			echo "install-peers: npm has no $2@$3: fix the pin" >&2
			exit 1
		fi
		mkdir -p "$dir"
		[ -f "$dir/package.json" ] ||
			echo '{"private": true, "description": "cagetest check-peers: a sandbox under test"}' >"$dir/package.json"
		echo "install-peers: npm install $2@$3 into peers/$1-$3/"
		npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$2@$3"
	fi
	echo "$1 $3 $dir/node_modules/.bin" >>peers/pinned.tmp
	echo "install-peers: $1 $3: $(PATH="$dir/node_modules/.bin:$PATH" HOME=/nonexistent "$1" --version 2>&1 | head -1)"
}

mkdir -p peers
rm -f peers/pinned.tmp
for v in $CODEX_VERSIONS; do install codex @openai/codex "$v"; done
for v in $SRT_VERSIONS; do install srt @anthropic-ai/sandbox-runtime "$v"; done
mv peers/pinned.tmp peers/pinned.txt
