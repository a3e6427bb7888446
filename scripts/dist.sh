#!/bin/sh
# make dist: what a release ships, in build/dist/:
#   ocspbox-VERSION-linux-{amd64,arm64,armhf}   static, stripped
#   ocspbox_VERSION_{amd64,arm64}.deb            packaging/mkdeb.sh
#   SHA256SUMS
# Each binary is make ARCH=...'s (build/ARCH/ocspbox), cross-compiled
# by Debian's gcc-*-linux-gnu* (scripts/deps.sh dist). Reproducible:
# SOURCE_DATE_EPOCH is HEAD's commit time unless set, paths in the
# binaries are relative to the tree, and two runs from one commit give
# the same bytes (tests/dist/test_repro.sh checks it). Progress
# on standard error; the files' names on standard output.
# Usage: scripts/dist.sh   (from the top of the tree)
set -eu
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)}"
export SOURCE_DATE_EPOCH
make=${MAKE:-make}
version=$(sh scripts/version.sh)
out=build/dist

rm -rf "$out"
mkdir -p "$out"
for arch in amd64 arm64 armhf; do
	echo "dist: building ocspbox $version for $arch" >&2
	$make --no-print-directory ARCH=$arch all >"build/dist-$arch.log" 2>&1 || {
		tail -n 30 "build/dist-$arch.log" >&2
		echo "dist: the $arch build failed (build/dist-$arch.log)" >&2
		exit 1
	}
	case $arch in
	amd64) triplet=x86_64-linux-gnu ;;
	arm64) triplet=aarch64-linux-gnu ;;
	armhf) triplet=arm-linux-gnueabihf ;;
	esac
	"$triplet-strip" --strip-all -o "$out/ocspbox-$version-linux-$arch" \
	    "build/$arch/ocspbox"
done
for arch in amd64 arm64; do
	echo "dist: packaging ocspbox_${version}_$arch.deb" >&2
	sh packaging/mkdeb.sh $arch "$out/ocspbox-$version-linux-$arch" \
	    "$version" "$out" >/dev/null
done
(cd "$out" && sha256sum ocspbox-* ocspbox_*.deb >SHA256SUMS)
ls -l "$out" | sed 1d >&2
find "$out" -type f | sort
