#!/bin/sh
# Adds deb-src entries mirroring this machine's own Debian apt sources, so
# that `apt-get source` works. No host name is written here: every entry is
# derived from what /etc/apt already lists. Idempotent.
set -eu
out=/etc/apt/sources.list.d/ocspbox-deb-src.sources
list=/etc/apt/sources.list.d/ocspbox-deb-src.list
if [ -f "$out" ] || [ -f "$list" ]; then
	exit 0
fi
tmp=$(mktemp)
found=0
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	case "$f" in *ocspbox*) continue ;; esac
	# deb822 stanzas: keep those of type deb, rewrite the type.
	if grep -q '^Types:.*\bdeb\b' "$f" && grep -qi 'debian' "$f"; then
		awk 'BEGIN { RS=""; ORS="\n\n" }
		     /(^|\n)Types:[^\n]*deb([ \n]|$)/ {
			gsub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
		    "$f" >>"$tmp"
		found=1
	fi
done
if [ "$found" = 1 ]; then
	mv "$tmp" "$out"
else
	rm -f "$tmp"
	# one-line format: copy every "deb " line as "deb-src ".
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' "$f"
	done | sort -u >"$list"
	[ -s "$list" ] || { echo "debsrc: no Debian apt source found" >&2; rm -f "$list"; exit 1; }
fi
