#!/bin/sh
# Fetches the third-party sources ocspbox is built from, from Debian's own
# source archive, pinned by version and sha256; the Makefile compiles them
# with our configuration and links them statically.
# Usage: third_party/fetch.sh DESTDIR   (prints nothing when already there)
# - civetweb: libcivetweb-dev ships only a shared library; our patches in
#   third_party/civetweb/ (each says why at its top) are applied to it, and
#   the connection gate they hook in, gate.inl, is copied beside its source;
# - cJSON (the admin API's JSON parser): libcjson-dev likewise;
# - SQLite: Debian's source is SQLite's full tree (with Debian's fixes as
#   patches), not the one-file amalgamation the Makefile compiles: it is
#   generated here, which needs tclsh (Debian package tcl);
# - mbedTLS: compiled with our configuration, third_party/mbedtls/
#   ocspbox_config.h (crypto and X.509, no TLS).
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
SQLITE3_VERSION=3.40.1-2+deb12u2
SQLITE3_SHA256="
ee3459ae9d00939741c7708fc1b8ce1bde12d8c3fb1dfa005bbbc8651d884e23  sqlite3_3.40.1-2+deb12u2.dsc
aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655  sqlite3_3.40.1.orig.tar.xz
a5e95a18d1b59729278860559ded78751b9163ffb5bb906c5cd24c015f71d5fd  sqlite3_3.40.1.orig-www.tar.xz
0843bc12e4364076477935ce313a6d0796fd899a989ff18ebb6545540e10e4ca  sqlite3_3.40.1-2+deb12u2.debian.tar.xz
"
MBEDTLS_VERSION=2.28.3-1
MBEDTLS_SHA256="
a8bf91b5ffb40654efb0ebe0c962ac1e87b8eed5e104880982eaa70dd4bb33e3  mbedtls_2.28.3-1.dsc
3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d  mbedtls_2.28.3.orig.tar.gz
3e03c61f63c7bbcd0bf695b53e6663ab448cc2e15429cd67d0e4f32e699645a9  mbedtls_2.28.3-1.debian.tar.xz
"

dest=${1:?usage: third_party/fetch.sh DESTDIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

# fetch PACKAGE VERSION SUMS [STEP]: apt-get source PACKAGE=VERSION,
# checked against SUMS, unpacked (with Debian's patches) into
# DESTDIR/PACKAGE, then our patches and files from third_party/PACKAGE/
# when there are any, then the function STEP, given DESTDIR/PACKAGE. The
# stamp names the version and the sums of what is applied (*.patch,
# *.inl, *.opt; not a configuration the Makefile alone reads): a changed
# patch means a fresh unpack.
fetch() {
	pkg=$1 version=$2 sums=$3 step=${4:-}
	stamp="$dest/$pkg.stamp"
	ours=
	if [ -d "$here/$pkg" ]; then
		ours=$(cd "$here/$pkg" && for f in ./*.patch ./*.inl ./*.opt; do
			if [ -f "$f" ]; then sha256sum "$f"; fi
		done)
	fi
	[ -z "$ours" ] || ours=$(printf '%s\n' "$ours" | sha256sum | cut -c1-16)
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
	[ -z "$step" ] || "$step" "$dest/$pkg"
	echo "$version $ours" >"$stamp"
}

# amalgamate TREE: SQLite's sqlite3.c and sqlite3.h, generated from TREE
# (Debian's patches applied) into TREE/amalgamation/ by SQLite's own
# build, run for this machine whatever the target (CC=cc: its generators
# run here; the generated C is the same for every target), without what
# third_party/sqlite3/omit.opt omits (the Makefile compiles it with the
# same options).
amalgamate() {
	if ! command -v tclsh >/dev/null 2>&1; then
		echo "third_party: SQLite's amalgamation needs tclsh: run scripts/deps.sh" >&2
		exit 1
	fi
	omit=$(grep '^-D' "$here/sqlite3/omit.opt" | tr '\n' ' ')
	rm -rf "$1/amalgamation.build"
	mkdir "$1/amalgamation.build"
	if ! (cd "$1/amalgamation.build" &&
	    CC=cc CFLAGS= CPPFLAGS= LDFLAGS= ../configure --disable-tcl \
	    >configure.log 2>&1 &&
	    MAKEFLAGS= MAKELEVEL= make sqlite3.c OPTS="$omit" >make.log 2>&1); then
		tail -n 20 "$1"/amalgamation.build/*.log >&2
		echo "third_party: generating SQLite's amalgamation failed" >&2
		exit 1
	fi
	mkdir -p "$1/amalgamation"
	mv "$1/amalgamation.build/sqlite3.c" "$1/amalgamation.build/sqlite3.h" \
	    "$1/amalgamation/"
	rm -rf "$1/amalgamation.build"
}

fetch civetweb "$CIVETWEB_VERSION" "$CIVETWEB_SHA256"
fetch cjson "$CJSON_VERSION" "$CJSON_SHA256"
fetch sqlite3 "$SQLITE3_VERSION" "$SQLITE3_SHA256" amalgamate
fetch mbedtls "$MBEDTLS_VERSION" "$MBEDTLS_SHA256"
