#!/bin/sh
# Fetches the third-party sources that Debian does not ship as a static
# library, from Debian's own source archive, pinned by version and sha256.
# Usage: third_party/fetch.sh DESTDIR   (prints nothing when already there)
# Today that is civetweb alone: libcivetweb-dev ships only a shared library.
# SQLite and mbedTLS come from Debian's static archives (see README).
set -eu

CIVETWEB_VERSION=1.15+dfsg-4
CIVETWEB_SHA256="
141ee6bf528e8f33e8a32b5607917609774e80cf842240cffd50e0399755baaf  civetweb_1.15+dfsg-4.dsc
ec372e9737bc820118bbb735f46a07d41f795814ca0f38bc6e67048e7a460f33  civetweb_1.15+dfsg.orig.tar.xz
2fe67d05a15be93764398275372f41f6228b17497b23d04f149482ffde7b3fb8  civetweb_1.15+dfsg-4.debian.tar.xz
"

dest=${1:?usage: third_party/fetch.sh DESTDIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
stamp="$dest/civetweb.stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$CIVETWEB_VERSION" ]; then
	exit 0
fi

mkdir -p "$dest"
dl="$dest/civetweb-download"
rm -rf "$dl" "$dest/civetweb"
mkdir -p "$dl"
cd "$dl"
if ! apt-get source --download-only "civetweb=$CIVETWEB_VERSION" \
    >apt-source.log 2>&1; then
	# deb-src entries may be missing on a fresh machine: derive them.
	if [ "$(id -u)" = 0 ]; then
		sh "$here/../scripts/debsrc.sh"
		apt-get update -qq >/dev/null
		apt-get source --download-only "civetweb=$CIVETWEB_VERSION" \
		    >apt-source.log 2>&1 || {
			cat apt-source.log >&2
			echo "third_party: apt-get source civetweb=$CIVETWEB_VERSION failed" >&2
			exit 1
		}
	else
		cat apt-source.log >&2
		echo "third_party: run scripts/deps.sh as root first" >&2
		exit 1
	fi
fi
printf '%s' "$CIVETWEB_SHA256" | sed '/^$/d' >SHA256SUMS
if ! sha256sum --quiet -c SHA256SUMS; then
	echo "third_party: civetweb $CIVETWEB_VERSION checksum mismatch" >&2
	exit 1
fi
# The checksums above are the trust anchor; the .dsc signature cannot be
# checked without debian-keyring, so dpkg-source is told not to try.
if ! dpkg-source --no-check -x "civetweb_$CIVETWEB_VERSION.dsc" \
    "$dest/civetweb" >dpkg-source.log 2>&1; then
	cat dpkg-source.log >&2
	echo "third_party: unpacking civetweb failed" >&2
	exit 1
fi
cd "$dest"
rm -rf "$dl" "$dest"/civetweb_*
echo "$CIVETWEB_VERSION" >"$stamp"
