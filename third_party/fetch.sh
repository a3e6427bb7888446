#!/bin/sh
# Fetches the third-party sources that Debian does not ship as a static
# library, from Debian's own source archive, pinned by version and sha256.
# Usage: third_party/fetch.sh DESTDIR   (prints nothing when already there)
# - civetweb: libcivetweb-dev ships only a shared library; our patches in
#   third_party/civetweb/ (each says why at its top) are applied to it, and
#   the connection gate they hook in, gate.inl, is copied beside its source;
# - cJSON (the admin API's JSON parser): libcjson-dev likewise.
# SQLite and mbedTLS come from Debian's static archives (see README).
set -eu

CIVETWEB_VERSION=1.15+dfsg-4
CIVETWEB_SHA256="
141ee6bf528e8f33e8a32b5607917609774e80cf842240cffd50e0399755baaf  civetweb_1.15+dfsg-4.dsc
ec372e9737bc820118bbb735f46a07d41f795814ca0f38bc6e67048e7a460f33  civetweb_1.15+dfsg.orig.tar.xz
2fe67d05a15be93764398275372f41f6228b17497b23d04f149482ffde7b3fb8  civetweb_1.15+dfsg-4.debian.tar.xz
"
CJSON_VERSION=1.7.15-1+deb12u4
CJSON_SHA256="
764c2de141d680f4fb4cada30c526dacaa30ead061b9b9c34f2b81e2df0f8439  cjson_1.7.15-1+deb12u4.dsc
5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2  cjson_1.7.15.orig.tar.gz
afd19a970966cf534ff1e9ec077d710a5e7e78eb4ec9b499c8bdc32e55da12cb  cjson_1.7.15-1+deb12u4.debian.tar.xz
"

dest=${1:?usage: third_party/fetch.sh DESTDIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

# fetch PACKAGE VERSION SUMS: apt-get source PACKAGE=VERSION, checked
# against SUMS, unpacked (with Debian's patches) into DESTDIR/PACKAGE,
# then our patches and files from third_party/PACKAGE/ when there are any.
# The stamp names the version and our files' sums: a changed patch means
# a fresh unpack.
fetch() {
	pkg=$1 version=$2 sums=$3
	stamp="$dest/$pkg.stamp"
	ours=
	if [ -d "$here/$pkg" ]; then
		ours=$(cd "$here/$pkg" && sha256sum ./* | sha256sum | cut -c1-16)
	fi
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version $ours" ]; then
		return 0
	fi
	dl="$dest/$pkg-download"
	rm -rf "$dl" "${dest:?}/$pkg"
	mkdir -p "$dl"
	(
		cd "$dl"
		if ! apt-get source --download-only "$pkg=$version" \
		    >apt-source.log 2>&1; then
			# deb-src entries may be missing on a fresh machine.
			if [ "$(id -u)" = 0 ]; then
				sh "$here/../scripts/debsrc.sh"
				apt-get update -qq >/dev/null
				apt-get source --download-only "$pkg=$version" \
				    >apt-source.log 2>&1 || {
					cat apt-source.log >&2
					echo "third_party: apt-get source $pkg=$version failed" >&2
					exit 1
				}
			else
				cat apt-source.log >&2
				echo "third_party: run scripts/deps.sh as root first" >&2
				exit 1
			fi
		fi
		printf '%s' "$sums" | sed '/^$/d' >SHA256SUMS
		if ! sha256sum --quiet -c SHA256SUMS; then
			echo "third_party: $pkg $version checksum mismatch" >&2
			exit 1
		fi
		# The checksums are the trust anchor; the .dsc signature cannot
		# be checked without debian-keyring, so dpkg-source does not try.
		if ! dpkg-source --no-check -x "${pkg}_$version.dsc" \
		    "$dest/$pkg" >dpkg-source.log 2>&1; then
			cat dpkg-source.log >&2
			echo "third_party: unpacking $pkg failed" >&2
			exit 1
		fi
	)
	rm -rf "$dl"
	if [ -d "$here/$pkg" ]; then
		for p in "$here/$pkg"/*.patch; do
			[ -f "$p" ] || continue
			if ! patch -d "$dest/$pkg" -p1 --no-backup-if-mismatch \
			    --quiet <"$p"; then
				echo "third_party: $p does not apply" >&2
				exit 1
			fi
		done
		for f in "$here/$pkg"/*.inl; do
			[ -f "$f" ] && cp "$f" "$dest/$pkg/src/"
		done
	fi
	echo "$version $ours" >"$stamp"
}

fetch civetweb "$CIVETWEB_VERSION" "$CIVETWEB_SHA256"
fetch cjson "$CJSON_VERSION" "$CJSON_SHA256"
