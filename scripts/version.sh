#!/bin/sh
# Prints ocspbox's version: the first line of VERSION, as released. In a
# git checkout whose HEAD is not tagged vVERSION, "+gitYYYYMMDD.HASH"
# follows (HEAD's commit date in UTC and its short hash), and "+dirty"
# when tracked files differ from HEAD; so two builds of one commit say
# the same. Usable as a Debian upstream version (Debian Policy 5.6.12).
# Usage: scripts/version.sh [TOP] (TOP: the source tree, default .)
set -eu
top=${1:-.}
v=$(sed -n '1{s/[[:space:]]//g;p;q}' "$top/VERSION")
case $v in
'' | *[!0-9A-Za-z.+~]*)
	echo "version.sh: $top/VERSION: want a version such as 1.2.3" >&2
	exit 1
	;;
esac
if command -v git >/dev/null 2>&1 &&
    git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
    [ "$(git -C "$top" rev-parse --show-toplevel)" = "$(cd "$top" && pwd -P)" ]; then
	if ! git -C "$top" tag --points-at HEAD 2>/dev/null | grep -qx "v$v"; then
		v="$v+git$(TZ=UTC0 git -C "$top" log -1 \
		    --date=format-local:%Y%m%d --format=%cd.%h HEAD)"
	fi
	git -C "$top" diff --quiet HEAD -- 2>/dev/null || v="$v+dirty"
fi
printf '%s\n' "$v"
