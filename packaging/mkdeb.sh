#!/bin/sh
# Builds ocspbox's Debian package from a binary make dist has stripped,
# with dpkg-deb (no debhelper: a static binary needs none of its steps).
# Usage: packaging/mkdeb.sh ARCH BINARY VERSION OUTDIR
#   ARCH     Debian architecture: amd64, arm64 or armhf
#   BINARY   the stripped ocspbox built for it
#   VERSION  scripts/version.sh's (a Debian native version)
# DEB_MAINTAINER, when set, is the Maintainer field ("Name <address>").
# Writes OUTDIR/ocspbox_VERSION_ARCH.deb. Every file's time is
# SOURCE_DATE_EPOCH (default: HEAD's commit time), so two builds of one
# commit give the same bytes. Run from the top of the tree, after
# third_party/fetch.sh (the bundled libraries' copyright files).
set -eu
arch=${1:?usage: mkdeb.sh ARCH BINARY VERSION OUTDIR}
bin=${2:?usage: mkdeb.sh ARCH BINARY VERSION OUTDIR}
version=${3:?usage: mkdeb.sh ARCH BINARY VERSION OUTDIR}
out=${4:?usage: mkdeb.sh ARCH BINARY VERSION OUTDIR}
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || stat -c %Y VERSION)}"
export SOURCE_DATE_EPOCH
tp=build/third_party
# Who answers for the package (Debian Policy 5.6.2); a builder of their
# own packages names themselves.
maintainer=${DEB_MAINTAINER:-ocspbox maintainers <maintainers@ocspbox.invalid>}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
doc=$root/usr/share/doc/ocspbox
umask 022
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man8" \
    "$root/lib/systemd/system" "$root/etc/ocspbox" "$doc" \
    "$root/usr/share/lintian/overrides"

install -m 0755 "$bin" "$root/usr/bin/ocspbox"
gzip -9n <packaging/ocspbox.8 >"$root/usr/share/man/man8/ocspbox.8.gz"
install -m 0644 packaging/ocspbox.service "$root/lib/systemd/system/"
install -m 0644 packaging/ocspbox.conf "$root/etc/ocspbox/"
install -m 0644 packaging/debian/lintian-overrides \
    "$root/usr/share/lintian/overrides/ocspbox"
for f in postinst prerm postrm; do
	install -m 0755 "packaging/debian/$f" "$root/DEBIAN/"
done
install -m 0644 packaging/debian/conffiles "$root/DEBIAN/"
# The alert rules of docs/operations.md, for Prometheus's rule_files.
mkdir -p "$doc/examples"
install -m 0644 packaging/prometheus/ocspbox.rules.yml "$doc/examples/"

# The changelog of a native package: this version, at the commit's time.
{
	printf 'ocspbox (%s) unstable; urgency=medium\n\n' "$version"
	printf '  * Built from the ocspbox source tree; its git history has the\n'
	printf '    changes.\n\n'
	printf ' -- %s  %s\n' "$maintainer" \
	    "$(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%a, %d %b %Y %H:%M:%S +0000')"
} | gzip -9n >"$doc/changelog.gz"

# copyright: ours, then each library linked in, as Debian's source
# package of it states its copyright and license.
{
	cat packaging/debian/copyright
	for p in sqlite3 mbedtls civetweb cjson; do
		printf '\n%s\n' '------------------------------------------------------------------------'
		printf '%s, as built into ocspbox: debian/copyright of Debian source package %s %s\n\n' \
		    "$p" "$p" "$(cut -d' ' -f1 "$tp/$p.stamp")"
		cat "$tp/$p/debian/copyright"
	done
} >"$doc/copyright"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"

# Installed-Size in KiB as dpkg-gencontrol counts it: each file rounded
# up to a KiB, each directory one; not du's, which depends on the file
# system the tree is built on.
size=$(find "$root" -path "$root/DEBIAN" -prune -o \( -type f -printf '%s\n' \) \
    -o \( -type d -printf '1024\n' \) | awk '{ k += int(($1 + 1023) / 1024) } END { print k }')
cat >"$root/DEBIAN/control" <<EOF
Package: ocspbox
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: adduser
Section: net
Priority: optional
Description: OCSP responder for small private PKIs
 ocspbox answers OCSP requests (RFC 6960, RFC 5019) from a cache of
 pre-signed responses kept in SQLite, keeps that cache fresh with a
 built-in refresh thread, serves a CRL per issuer, and shows its cache
 in a browser panel with a JSON API and Prometheus metrics. One static
 binary: it needs no library or configuration file.
 .
 The package installs a systemd unit, disabled: set up an issuer
 first, then systemctl enable --now ocspbox (ocspbox(8)).
EOF

# md5sums: what dpkg --verify checks; not the conffile, which dpkg
# tracks itself.
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' |
    grep -vxF "$(sed 's|^/||' DEBIAN/conffiles)" |
    LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" \
    "$out/ocspbox_${version}_$arch.deb" >/dev/null
echo "$out/ocspbox_${version}_$arch.deb"
